// What a repository's HEAD commit holds, read from its files: the commit id from the refs, the trees
// and blobs through objects.ts (loose objects directly, packed ones through one `git cat-file` per
// group of repositories). `update --check` and `update --branch` start from HEAD, not from the work
// tree: --check reports what an update would find, and update needs a clean work tree (or, with
// --branch, never reads it). At fleet scale this is what keeps them from costing a git process per
// repository (~90 ms each on this 2-core machine under load). Anything but the plain layout (a .git
// file of a worktree or submodule, reftable refs, a symbolic ref chain, GIT_DIR set, SHA-256 objects,
// a partial clone, a path holding the list separator) is not located: the caller asks git, as before.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { PROVENANCE_FILE } from "../../render/provenance.js";
import { forEachLimited } from "../../shared/limit.js";
import { ExitCode, UserError } from "../../shared/errors.js";
import { commitTree, DAMAGED_HINT, treeName, type TreeEntry } from "./objects.js";
import { ObjectReader } from "./object-reader.js";

export interface Located {
  /** The repository folder, absolute. */
  dir: string;
  gitDir: string;
  /** HEAD's commit. */
  commit: string;
  /** The repository folder relative to the work tree's top ("" at the top, else ending in "/"). */
  prefix: string;
  /** The text of its .git/config (read once, for what decides how it may be read). */
  config: string;
}

const OBJECT_ID = /^[0-9a-f]{40}$/;

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** The work tree top holding dir: the nearest folder with a .git folder; undefined for anything else. */
function findTop(dir: string): { top: string; gitDir: string } | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const s = statSync(path.join(d, ".git"), { throwIfNoEntry: false });
    if (s) return s.isDirectory() ? { top: d, gitDir: path.join(d, ".git") } : undefined;
    if (path.dirname(d) === d) return undefined;
  }
}

function resolveRef(gitDir: string, ref: string): string | undefined {
  const loose = readText(path.join(gitDir, ref));
  if (loose !== undefined) return OBJECT_ID.test(loose.trim()) ? loose.trim() : undefined;
  for (const line of (readText(path.join(gitDir, "packed-refs")) ?? "").split("\n")) {
    const [id, name] = line.split(" ");
    if (name === ref && OBJECT_ID.test(id)) return id;
  }
  return undefined;
}

/** Whether git would read some object of this repository as another: replace refs (loose or packed), or grafts. */
function replaced(gitDir: string): boolean {
  if (process.env.GIT_REPLACE_REF_BASE || existsSync(path.join(gitDir, "info", "grafts"))) return true;
  try {
    if (readdirSync(path.join(gitDir, "refs", "replace")).length > 0) return true;
  } catch {
    // no refs/replace folder
  }
  return (readText(path.join(gitDir, "packed-refs")) ?? "").includes(" refs/replace/");
}

/** HEAD's commit and the folder's prefix, read from files; undefined when git must be asked. */
export function locate(dir: string): Located | undefined {
  const env = ["GIT_DIR", "GIT_WORK_TREE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_INDEX_FILE", "GIT_COMMON_DIR"];
  if (env.some((name) => process.env[name]) || dir.includes(path.delimiter)) return undefined;
  // The folder's real path, as git sees it (it works from the real cwd): a folder reached through a
  // symlink in the work tree (link -> services/svc) has the real folder's prefix, not the link's.
  let real: string;
  try {
    real = realpathSync.native(dir); // one system call, where the JavaScript one stats every folder
  } catch {
    return undefined;
  }
  if (real.includes(path.delimiter)) return undefined;
  const found = findTop(real);
  if (!found || found.gitDir.includes(path.delimiter) || existsSync(path.join(found.gitDir, "reftable"))) return undefined;
  // Another user's repository: git decides (safe.directory), as it would for any git command here.
  // (GIT_TEST_ASSUME_DIFFERENT_OWNER: git's own switch to treat every repository as another user's.)
  if (process.env.GIT_TEST_ASSUME_DIFFERENT_OWNER || (process.getuid && statSync(found.gitDir).uid !== process.getuid())) return undefined;
  // SHA-256 objects, a partial clone (git would fetch what is missing), a worktree config, or a
  // repository shared by a group (git sets the permissions of what it writes): git.
  const config = readText(path.join(found.gitDir, "config")) ?? "";
  if (/objectformat|promisor|partialclonefilter|worktreeconfig|sharedrepository/i.test(config)) return undefined;
  // Replace refs and grafts change what git reads for an id (HEAD's commit, its tree, a blob), and an
  // [include] may set any of the above: git reads such a repository, as every git command there would.
  if (/^\s*\[\s*include/im.test(config) || replaced(found.gitDir)) return undefined;
  const head = (readText(path.join(found.gitDir, "HEAD")) ?? "").trim();
  const commit = OBJECT_ID.test(head) ? head : head.startsWith("ref: refs/") ? resolveRef(found.gitDir, head.slice(5)) : undefined;
  if (!commit) return undefined;
  const prefix = path.relative(found.top, real).split(path.sep).join("/");
  return { dir, gitDir: found.gitDir, commit, prefix: prefix ? `${prefix}/` : "", config };
}

/** A path's entry in HEAD's tree: undefined when absent, "irregular" when a folder on the way is not one. */
export type HeadEntry = TreeEntry | "irregular" | undefined;

/** One repository's HEAD, read through a group's ObjectReader. */
export class HeadView {
  private root?: Promise<string | undefined>;
  readonly objectsDir: string;

  constructor(
    readonly at: Located,
    readonly reader: ObjectReader,
  ) {
    this.objectsDir = path.join(at.gitDir, "objects");
  }

  private rootTree(): Promise<string | undefined> {
    this.root ??= this.reader.read(this.objectsDir, this.at.commit).then((c) => (c?.type === "commit" ? commitTree(c.body) : undefined));
    return this.root;
  }

  /** The entries of a tree (by id), by name; empty for none. */
  async tree(id: string | undefined): Promise<Map<string, TreeEntry>> {
    if (!id) return new Map();
    const t = await this.reader.tree(this.objectsDir, id);
    if (!t) throw new UserError(`tree ${id} of ${this.at.dir} is missing (a damaged or partial clone?): nothing was changed`, ExitCode.unsafeTarget, DAMAGED_HINT);
    return t;
  }

  async rootTreeId(): Promise<string> {
    const id = await this.rootTree();
    if (!id) throw new UserError(`HEAD ${this.at.commit} of ${this.at.dir} cannot be read (a damaged or partial clone?): nothing was changed`, ExitCode.unsafeTarget, DAMAGED_HINT);
    return id;
  }

  /** The entry at a path relative to the repository folder. */
  async entry(rel: string): Promise<HeadEntry> {
    const parts = treeName(`${this.at.prefix}${rel}`).split("/");
    let entries = await this.tree(await this.rootTreeId());
    for (const [i, name] of parts.entries()) {
      const e = entries.get(name);
      if (!e || i === parts.length - 1) return e;
      if (e.mode !== "40000") return "irregular";
      entries = await this.tree(e.id);
    }
    return undefined;
  }

  /** A blob's bytes; undefined when it is not in the group's objects. */
  async blob(id: string): Promise<Buffer | undefined> {
    const o = await this.reader.read(this.objectsDir, id);
    return o?.type === "blob" ? o.body : undefined;
  }

  /** The shallow marker git keeps beside its objects. */
  shallow(): boolean {
    return existsSync(path.join(this.at.gitDir, "shallow"));
  }

  /** The committed record's text; undefined when HEAD has none. */
  async recordText(): Promise<string | undefined> {
    const e = await this.recordEntry();
    if (!e) return undefined;
    const bytes = await this.blob(e.id);
    // Committed but unreadable: the work tree's copy is not what update would start from.
    if (!bytes) throw new UserError(`blob ${e.id} (${PROVENANCE_FILE} at HEAD) of ${this.at.dir} is missing (a damaged or partial clone?)`, ExitCode.unsafeTarget, DAMAGED_HINT);
    return bytes.toString("utf8");
  }

  /** The record's entry in HEAD's tree, where it is a file (not a folder, a submodule or missing). */
  async recordEntry(): Promise<TreeEntry | undefined> {
    const e = await this.entry(PROVENANCE_FILE);
    return !e || e === "irregular" || e.mode === "40000" || e.mode === "160000" ? undefined : e;
  }
}

/** Directories that share one ObjectReader (one `git cat-file` at most). */
export const GROUP = 256;

/**
 * Run fn over every directory (results in order), `concurrency` at a time: located ones in groups of
 * up to 64 that share one ObjectReader, the rest with no view (fn then asks git or the work tree).
 */
export async function forEachHead<T>(dirs: readonly string[], concurrency: number, fn: (dir: string, view: HeadView | undefined, index: number) => Promise<T>): Promise<T[]> {
  const located = dirs.map((dir) => locate(dir));
  const results: T[] = new Array(dirs.length);
  const fast = located.flatMap((at, i) => (at ? [{ at, i }] : []));
  for (let s = 0; s < fast.length; s += GROUP) {
    const group = fast.slice(s, s + GROUP);
    const reader = new ObjectReader([...new Set(group.map((g) => g.at.gitDir))]);
    try {
      await forEachLimited(group, concurrency, async ({ at, i }) => void (results[i] = await fn(dirs[i], new HeadView(at, reader), i)));
    } finally {
      reader.close();
    }
  }
  const slow = located.flatMap((at, i) => (at ? [] : [i]));
  await forEachLimited(slow, concurrency, async (i) => void (results[i] = await fn(dirs[i], undefined, i)));
  return results;
}

