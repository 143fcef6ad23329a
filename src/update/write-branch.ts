// --branch without a git process: the update's commit (and the template snapshot as its second parent
// when the next update needs it) written as loose objects, then the branch ref created under git's
// lock protocol (<ref>.lock made exclusively, then renamed), so git, or another update, never sees a
// half-made branch. The objects go first: an interrupted run leaves at most unreferenced objects,
// which git's gc removes, as after any interrupted git command. All of it is synchronous, so a signal
// is handled before it starts or after the branch is whole.
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import path from "node:path";
import { ExitCode, UserError } from "../shared/errors.js";
import { TOOL } from "../shared/tool.js";
import type { FileChange } from "./transaction.js";
import type { HeadView } from "./git/head.js";
import { objectId, serializeTree, treeName, writeLoose, type ObjectType } from "./git/objects.js";

interface Pending {
  type: ObjectType;
  body: Buffer;
}

/** A file's new state under a tree: its entry, or null to remove it. */
type Change = { mode: string; content: Buffer } | null;

/**
 * The tree `id` (undefined: none yet) with the changes applied (paths relative to it); every new
 * tree and blob is added to `out`. Undefined when the tree ends up empty (git stores no empty tree).
 */
async function changedTree(view: HeadView, id: string | undefined, changes: Map<string, Change>, out: Pending[]): Promise<string | undefined> {
  const entries = new Map(await view.tree(id));
  const below = new Map<string, Map<string, Change>>();
  for (const [p, change] of changes) {
    const slash = p.indexOf("/");
    if (slash < 0) {
      if (change === null) entries.delete(p);
      else {
        out.push({ type: "blob", body: change.content });
        entries.set(p, { mode: change.mode, name: p, id: objectId("blob", change.content) });
      }
      continue;
    }
    const [dir, rest] = [p.slice(0, slash), p.slice(slash + 1)];
    if (!below.has(dir)) below.set(dir, new Map());
    below.get(dir)!.set(rest, change);
  }
  for (const [dir, sub] of below) {
    const current = entries.get(dir);
    const subtree = await changedTree(view, current?.mode === "40000" ? current.id : undefined, sub, out);
    if (subtree) entries.set(dir, { mode: "40000", name: dir, id: subtree });
    else entries.delete(dir);
  }
  if (entries.size === 0) return undefined;
  const body = serializeTree([...entries.values()]);
  out.push({ type: "tree", body });
  return objectId("tree", body);
}

function emptyTree(out: Pending[]): string {
  out.push({ type: "tree", body: Buffer.alloc(0) });
  return objectId("tree", Buffer.alloc(0));
}

const fileMode = (mode: number): string => (mode & 0o111 ? "100755" : "100644");

export interface BranchCommit {
  commit: string;
  snapshot?: string;
}

/** One service's part of the commit: its folder below the work tree's top ("" or ending in "/") and its changes. */
export interface BranchPart {
  prefix: string;
  changes: readonly FileChange[];
  /** HEAD's file modes (what a merged file keeps), relative to the folder. */
  modes: ReadonlyMap<string, number>;
  /** The whole template output, when the next update needs it as a snapshot (second parent). */
  snapshot?: readonly { path: string; content: Buffer; mode: number }[];
}

/**
 * The objects of the update's commit on HEAD: each part's changes (paths relative to its folder), and
 * the snapshot's files of the parts that have one (their template output) as its second parent. One
 * part per service; several when services of one repository are updated together (one commit).
 */
export async function branchObjects(view: HeadView, parts: readonly BranchPart[], who: { author: string; committer: string }, messages: { update: string; snapshot: string }): Promise<{ objects: Pending[]; ids: BranchCommit }> {
  const out: Pending[] = [];
  const commit = (body: string): string => {
    const bytes = Buffer.from(body, "utf8");
    out.push({ type: "commit", body: bytes });
    return objectId("commit", bytes);
  };
  // Keys in tree-name form (see TreeEntry.name), so HEAD's names that are not UTF-8 are kept as they are.
  const keyed = <T>(items: readonly [string, string, T][]) => new Map(items.map(([prefix, p, v]) => [`${treeName(prefix)}${treeName(p)}`, v]));
  let snapshot: string | undefined;
  if (parts.some((p) => p.snapshot)) {
    const files = keyed<Change>(parts.flatMap((part) => (part.snapshot ?? []).map((f) => [part.prefix, f.path, { mode: fileMode(f.mode), content: f.content }] as [string, string, Change])));
    const tree = (await changedTree(view, undefined, files, out)) ?? emptyTree(out);
    const tool = `${TOOL.name} <${TOOL.name}@users.noreply.invalid> ${Math.floor(Date.now() / 1000)} +0000`;
    snapshot = commit(`tree ${tree}\nauthor ${tool}\ncommitter ${tool}\n\n${messages.snapshot}\n`);
  }
  // add/replace carry the template's mode; a merge keeps the file's (HEAD's).
  const update = keyed<Change>(
    parts.flatMap((part) => part.changes.map((c) => [part.prefix, c.path, c.content === null ? null : { mode: fileMode(c.mode ?? part.modes.get(c.path) ?? 0o644), content: c.content }] as [string, string, Change])),
  );
  const root = (await changedTree(view, await view.rootTreeId(), update, out)) ?? emptyTree(out);
  const parents = `parent ${view.at.commit}\n${snapshot ? `parent ${snapshot}\n` : ""}`;
  return { objects: out, ids: { commit: commit(`tree ${root}\n${parents}author ${who.author}\ncommitter ${who.committer}\n\n${messages.update}`), snapshot } };
}

export const taken = (branch: string) => new UserError(`--branch: a branch '${branch}' already exists`, ExitCode.unsafeTarget, "pick another name, or delete it (git branch -D) if it is a leftover");

/** Whether another ref stands in the way of refs/heads/<branch>: the same name, or one of its folders as a branch. */
export function refConflict(gitDir: string, ref: string): string | undefined {
  const parts = ref.split("/");
  for (let i = 3; i < parts.length; i++) if (statSync(path.join(gitDir, ...parts.slice(0, i)), { throwIfNoEntry: false })?.isFile()) return parts.slice(0, i).join("/");
  let packed = "";
  try {
    packed = readFileSync(path.join(gitDir, "packed-refs"), "utf8");
  } catch {
    packed = "";
  }
  for (const line of packed.split("\n")) {
    const name = line.split(" ")[1];
    if (name && (name === ref || name.startsWith(`${ref}/`) || ref.startsWith(`${name}/`))) return name;
  }
  return existsSync(path.join(gitDir, ref)) ? ref : undefined;
}

/** Write the objects, then create refs/heads/<branch> at the commit (never moving an existing one). */
export function writeBranch(view: HeadView, objects: readonly Pending[], ids: BranchCommit, branch: string, committer: string, reflog = true): void {
  const gitDir = view.at.gitDir;
  const ref = `refs/heads/${branch}`;
  if (refConflict(gitDir, ref)) throw taken(branch);
  for (const o of objects) writeLoose(view.objectsDir, o.type, o.body);
  const file = path.join(gitDir, ref);
  const lock = `${file}.lock`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch {
    throw taken(branch); // a branch named like one of its folders
  }
  let fd: number;
  try {
    fd = openSync(lock, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    throw new UserError(`--branch: ${path.relative(view.at.dir, lock)} exists: another git process is updating the branch`, ExitCode.unsafeTarget, "wait for it, or remove the lock file if no git process is running");
  }
  try {
    writeSync(fd, `${ids.commit}\n`);
    closeSync(fd);
    // Under the lock: a branch made since the check above is not moved.
    if (refConflict(gitDir, ref)) throw taken(branch);
    // The reflog git keeps for branches (core.logAllRefUpdates: see reflogFor).
    if (reflog) {
      const log = path.join(gitDir, "logs", ref);
      mkdirSync(path.dirname(log), { recursive: true });
      appendFileSync(log, `${"0".repeat(40)} ${ids.commit} ${committer}\tbranch: created by ${TOOL.name} update\n`);
    }
    renameSync(lock, file);
  } catch (error) {
    rmSync(lock, { force: true });
    throw error;
  }
}
