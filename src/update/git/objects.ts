// Git objects of many repositories, read and written without a git process per repository: at fleet
// scale each process costs more than the work (forking this process takes ~12 ms on this 2-core
// machine; --branch over 1,000 repositories ran 5 per repository). A loose object is a zlib stream of
// "<type> <size>\0<body>" named by its SHA-1, a format git has kept since its first release, so it is
// read and written here; anything else (packed objects) is asked of git (object-reader.ts).
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import path from "node:path";
import { deflateSync, inflateSync } from "node:zlib";

export type ObjectType = "blob" | "tree" | "commit" | "tag";

export interface GitObject {
  type: ObjectType;
  body: Buffer;
}

export interface TreeEntry {
  /** "100644", "100755", "120000" (symlink), "40000" (tree), "160000" (submodule). */
  mode: string;
  /**
   * The name's bytes as a latin1 string (treeName() turns a path into one): git keeps a name's bytes
   * as they are, and one that is not UTF-8 (a Latin-1 file name) must survive a tree written again.
   */
  name: string;
  id: string;
}

/** A path (a JS string, UTF-8 on disk) as tree entry names hold it: its UTF-8 bytes, one char each. */
export const treeName = (p: string): string => Buffer.from(p, "utf8").toString("latin1");

export const OBJECT_ID = /^[0-9a-f]{40}$/;

/** What to do about an object that cannot be read: the same words wherever it is found missing. */
export const DAMAGED_HINT = "git fsck in the repository names the damage; a partial clone needs its objects fetched (git fetch), a damaged one a fresh clone";

/** Where git keeps the loose file of an object. */
const loosePath = (objectsDir: string, id: string): string => path.join(objectsDir, id.slice(0, 2), id.slice(2));

/**
 * A loose object; "absent" when there is no such file (it may be packed), "damaged" when the file does
 * not read as an object, or not as the one its name says (git is then asked: it may have a packed copy).
 */
export function readLoose(objectsDir: string, id: string): GitObject | "absent" | "damaged" {
  let file: Buffer;
  try {
    file = readFileSync(loosePath(objectsDir, id));
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "absent" : "damaged";
  }
  let data: Buffer;
  try {
    data = inflateSync(file);
  } catch {
    return "damaged";
  }
  const nul = data.indexOf(0);
  const [type, size] = data.subarray(0, nul).toString("latin1").split(" ");
  const body = data.subarray(nul + 1);
  if (Number(size) !== body.length || !["blob", "tree", "commit", "tag"].includes(type)) return "damaged";
  // A damaged file can inflate to other bytes of a plausible shape: the id is their hash.
  if (objectId(type as ObjectType, body) !== id) return "damaged";
  return { type: type as ObjectType, body };
}

export function objectId(type: ObjectType, body: Buffer): string {
  return createHash("sha1").update(`${type} ${body.length}\0`).update(body).digest("hex");
}

/**
 * Write an object as a loose file (unless it is there already) the way git does: a temporary file in
 * its folder, then a rename, so a reader never sees half an object. Synchronous, so a signal cannot
 * arrive half-way through. Returns the id.
 */
export function writeLoose(objectsDir: string, type: ObjectType, body: Buffer): string {
  const id = objectId(type, body);
  const dir = path.join(objectsDir, id.slice(0, 2));
  const file = path.join(dir, id.slice(2));
  if (existsSync(file)) return id;
  // One level (objects/ exists): Node's recursive mkdir reports a read-only file system as ENOENT.
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const temp = path.join(dir, `tmp_obj_${randomBytes(6).toString("hex")}`);
  const fd = openSync(temp, "wx", 0o444);
  try {
    writeSync(fd, deflateSync(Buffer.concat([Buffer.from(`${type} ${body.length}\0`, "latin1"), body]), { level: 1 }));
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  return id;
}

/**
 * A mode as git writes it (its canon_mode): a tree written by another tool may hold `040000` or
 * `100664`, which git reads with a warning. Read canonical, every check (`"40000"` is a folder) and
 * git's sort order hold, and a tree written back is one git itself would write.
 */
export function canonicalMode(mode: string): string {
  const n = parseInt(mode, 8);
  switch (n & 0o170000) {
    case 0o040000:
      return "40000";
    case 0o120000:
      return "120000";
    case 0o160000:
      return "160000";
    case 0o100000:
      return n & 0o100 ? "100755" : "100644";
    default:
      return mode;
  }
}

export function parseTree(body: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (let at = 0; at < body.length; ) {
    const space = body.indexOf(0x20, at);
    const nul = body.indexOf(0, space);
    entries.push({ mode: canonicalMode(body.subarray(at, space).toString("latin1")), name: body.subarray(space + 1, nul).toString("latin1"), id: body.subarray(nul + 1, nul + 21).toString("hex") });
    at = nul + 21;
  }
  return entries;
}

/** Git's tree order: by name bytes, a folder compared as if its name ended in "/". */
const sortKey = (e: TreeEntry) => Buffer.from(e.mode === "40000" ? `${e.name}/` : e.name, "latin1");

export function serializeTree(entries: readonly TreeEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(sortKey(a), sortKey(b)));
  return Buffer.concat(sorted.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`, "latin1"), Buffer.from(e.id, "hex")]));
}

/** The tree id a commit names. */
export function commitTree(body: Buffer): string | undefined {
  const match = /^tree ([0-9a-f]{40})\n/.exec(body.subarray(0, 46).toString("latin1"));
  return match?.[1];
}
