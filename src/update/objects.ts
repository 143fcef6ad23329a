// Git objects of many repositories, read and written without a git process per repository: at fleet
// scale each process costs more than the work (forking this process takes ~12 ms on this 2-core
// machine; --branch over 1,000 repositories ran 5 per repository). A loose object is a zlib stream of
// "<type> <size>\0<body>" named by its SHA-1, a format git has kept since its first release, so it is
// read and written here; anything else (packed objects) is asked of one `git cat-file --batch` shared
// by a group of repositories, which finds them through GIT_ALTERNATE_OBJECT_DIRECTORIES: an object id
// is its content's hash, so the same id in another repository of the group is the same object.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import path from "node:path";
import { deflateSync, inflateSync } from "node:zlib";
import { ExitCode, UserError } from "../shared/errors.js";

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

const OBJECT_ID = /^[0-9a-f]{40}$/;

/** What to do about an object that cannot be read: the same words wherever it is found missing. */
export const DAMAGED_HINT = "git fsck in the repository names the damage; a partial clone needs its objects fetched (git fetch), a damaged one a fresh clone";

/** How long a read may wait for git's next bytes before its answer counts as damaged. */
const SILENCE_MS = 30_000;

/**
 * One `git cat-file --batch` for a group of object folders, started on the first request. Every
 * answer is checked against the id asked for (its header, its length, its hash): git does not hash
 * what it reads, and a damaged loose object can make it print fewer bytes than its header says,
 * which would hand the rest of the stream to the wrong requests, or wait for bytes that never come.
 * A bad answer, git exiting, or git falling silent while reads wait, fails the oldest waiting read
 * (the one git was answering), naming the object; a new process is asked the reads after it.
 */
class BatchProcess {
  private child?: ChildProcessWithoutNullStreams;
  private pending: { id: string; resolve: (o: GitObject | undefined) => void; reject: (e: Error) => void }[] = [];
  private buffered: Buffer = Buffer.alloc(0);
  /** Ids asked for since the last write: written together, one pipe write per turn of the event loop. */
  private queued: string[] = [];
  private ending = false;
  private silence?: NodeJS.Timeout;

  constructor(
    private readonly gitDir: string,
    private readonly objectDirs: readonly string[],
  ) {}

  read(id: string): Promise<GitObject | undefined> {
    return new Promise((resolve, reject) => {
      this.pending.push({ id, resolve, reject });
      if (this.queued.push(id) === 1)
        setImmediate(() => {
          const ids = this.queued.splice(0);
          if (ids.length > 0) this.send(ids);
        });
    });
  }

  /** No more reads: git exits once it has answered the ones asked. */
  end(): void {
    this.ending = true;
    if (this.queued.length === 0) this.child?.stdin.end();
  }

  private send(ids: string[]): void {
    const child = this.start();
    child.stdin.write(`${ids.join("\n")}\n`);
    if (this.ending) child.stdin.end();
    this.watch();
  }

  /** (Re)arm the silence timer while reads wait. */
  private watch(): void {
    clearTimeout(this.silence);
    this.silence = this.pending.length > 0 ? setTimeout(() => this.damaged(`git gave no answer for ${SILENCE_MS / 1000} s`), SILENCE_MS).unref() : undefined;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const env = { ...process.env, GIT_DIR: this.gitDir, GIT_ALTERNATE_OBJECT_DIRECTORIES: this.objectDirs.join(path.delimiter) };
    const child = spawn("git", ["cat-file", "--batch"], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.stdout.on("data", (d: Buffer) => this.child === child && this.parse(d));
    child.stdin.on("error", () => undefined); // reported through "close"
    child.on("error", (e) => {
      if (this.child !== child) return;
      // git cannot be started at all: every waiting read fails, and so will a new process.
      const error = new Error(`git cat-file --batch could not start: ${e.message}`);
      for (const p of this.pending.splice(0)) p.reject(error);
      this.child = undefined;
    });
    child.on("close", (code) => {
      if (this.child !== child) return; // replaced after a bad answer: its reads went to the new one
      this.child = undefined;
      if (this.pending.length > 0) this.damaged(`git cat-file ended (exit ${code})${stderr.trim() ? `: ${lastLine(stderr)}` : ""}`);
    });
    this.child = child;
    return child;
  }

  private parse(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    this.watch();
    for (;;) {
      const eol = this.buffered.indexOf(0x0a);
      if (eol < 0 || this.pending.length === 0) return;
      const [id, type, size] = this.buffered.subarray(0, eol).toString("utf8").split(" ");
      const asked = this.pending[0].id;
      if (id !== asked) return this.damaged(`git answered '${id.slice(0, 50)}'`);
      if (size === undefined) {
        // "<id> missing"
        this.buffered = this.buffered.subarray(eol + 1);
        this.pending.shift()!.resolve(undefined);
        this.watch();
        continue;
      }
      const end = eol + 1 + Number(size);
      if (this.buffered.length < end + 1) return; // the body (and its newline) is still coming
      const body = Buffer.from(this.buffered.subarray(eol + 1, end));
      if (this.buffered[end] !== 0x0a || objectId(type as ObjectType, body) !== asked) return this.damaged("its content does not hash to its id");
      this.buffered = this.buffered.subarray(end + 1);
      this.pending.shift()!.resolve({ type: type as ObjectType, body });
      this.watch();
    }
  }

  /** The answer to the oldest read cannot be had or trusted, nor the stream after it: fail that read, ask the rest again. */
  private damaged(why: string): void {
    const bad = this.pending.shift();
    bad?.reject(new UserError(`object ${bad.id} cannot be read: git cat-file gave a damaged copy or none (${why}): nothing was changed`, ExitCode.unsafeTarget, DAMAGED_HINT));
    const old = this.child;
    this.child = undefined;
    this.buffered = Buffer.alloc(0);
    old?.kill();
    // Reads queued for the next write are the newest: that write sends them.
    const again = this.pending.slice(0, this.pending.length - this.queued.length).map((p) => p.id);
    if (again.length > 0) this.send(again);
    else this.watch();
  }
}

const lastLine = (text: string): string => text.trim().split("\n").at(-1)!.slice(0, 200);

/** Objects of a group of repositories: read from their own loose files first, then through git. */
export class ObjectReader {
  private readonly batch: BatchProcess;
  private readonly cache = new Map<string, Promise<GitObject | undefined>>();
  private readonly trees = new Map<string, Promise<Map<string, TreeEntry> | undefined>>();

  /** gitDirs: the repositories' git folders (the first is the one git runs in). */
  constructor(private readonly gitDirs: readonly string[]) {
    this.batch = new BatchProcess(gitDirs[0], gitDirs.map((d) => path.join(d, "objects")));
  }

  /**
   * The object with this id in objectsDir (or, when packed, in any repository of the group). A read
   * another repository started is shared; where it failed or found nothing, this repository's own
   * copy is still read (one repository's damage is never another's).
   */
  read(objectsDir: string, id: string): Promise<GitObject | undefined> {
    if (!OBJECT_ID.test(id)) return Promise.resolve(undefined);
    const shared = this.cache.get(id);
    if (shared) return shared.then((o) => o ?? this.again(objectsDir, id), () => this.again(objectsDir, id));
    const found = this.own(objectsDir, id) ?? this.batch.read(id);
    this.cache.set(id, found);
    // Only trees and commits are worth keeping: blobs are read once.
    void found.then((o) => o?.type === "blob" && this.cache.delete(id), () => this.cache.delete(id));
    return found;
  }

  /** Where a shared read failed or found nothing: this repository's own copy, or git asked again for it alone. */
  private again(objectsDir: string, id: string): Promise<GitObject | undefined> {
    return this.own(objectsDir, id) ?? this.batch.read(id);
  }

  /**
   * This repository's own loose copy; undefined when it has none (then the object is packed, or
   * missing). A loose file that is there but does not read as the object is asked of a git of its
   * own, so whatever git makes of it (a packed copy, a short answer, an exit) concerns this read alone.
   */
  private own(objectsDir: string, id: string): Promise<GitObject | undefined> | undefined {
    const loose = readLoose(objectsDir, id);
    if (loose) return Promise.resolve(loose);
    if (!existsSync(loosePath(objectsDir, id))) return undefined;
    const alternates = this.gitDirs.map((d) => path.join(d, "objects")).filter((d) => d !== objectsDir);
    const batch = new BatchProcess(path.dirname(objectsDir), alternates);
    const read = batch.read(id);
    batch.end();
    return read;
  }

  /** A tree's entries by name (parsed once per run of the group: repositories share many trees). */
  tree(objectsDir: string, id: string): Promise<Map<string, TreeEntry> | undefined> {
    const parse = (t: GitObject | undefined) => (t?.type === "tree" ? new Map(parseTree(t.body).map((e) => [e.name, e])) : undefined);
    const shared = this.trees.get(id);
    if (shared) return shared.then((t) => t ?? this.read(objectsDir, id).then(parse), () => this.read(objectsDir, id).then(parse));
    const parsed = this.read(objectsDir, id).then(parse);
    this.trees.set(id, parsed);
    // A failure or a miss is this repository's: the next one reads its own copy.
    void parsed.then((t) => t === undefined && this.trees.delete(id), () => this.trees.delete(id));
    return parsed;
  }

  close(): void {
    this.batch.end();
  }
}

const loosePath = (objectsDir: string, id: string): string => path.join(objectsDir, id.slice(0, 2), id.slice(2));

/**
 * A loose object, or undefined when there is no such file (it may be packed) or it does not read as
 * one, or not as the object its name says: then git is asked, which may have a packed copy, and otherwise names the damage itself.
 */
export function readLoose(objectsDir: string, id: string): GitObject | undefined {
  let data: Buffer;
  try {
    data = inflateSync(readFileSync(loosePath(objectsDir, id)));
  } catch {
    return undefined;
  }
  const nul = data.indexOf(0);
  const [type, size] = data.subarray(0, nul).toString("latin1").split(" ");
  const body = data.subarray(nul + 1);
  if (Number(size) !== body.length || !["blob", "tree", "commit", "tag"].includes(type)) return undefined;
  // A damaged file can inflate to other bytes of a plausible shape: the id is their hash.
  if (objectId(type as ObjectType, body) !== id) return undefined;
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
  mkdirSync(dir, { recursive: true });
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

export function parseTree(body: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (let at = 0; at < body.length; ) {
    const space = body.indexOf(0x20, at);
    const nul = body.indexOf(0, space);
    entries.push({ mode: body.subarray(at, space).toString("latin1"), name: body.subarray(space + 1, nul).toString("latin1"), id: body.subarray(nul + 1, nul + 21).toString("hex") });
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
