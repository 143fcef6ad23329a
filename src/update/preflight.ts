// Where `update` refuses to run, because it could lose work or mix with another operation.
// --allow-dirty is allowed only where the undo (git merge --abort / git reset --merge) is safe: both
// keep a file's unstaged changes and never touch untracked files, as long as the update does not
// write that path and nothing is staged (the undo resets the index; --commit would commit it).
import { existsSync } from "node:fs";
import path from "node:path";
import { ExitCode, UserError } from "../shared/errors.js";
import { PROVENANCE_FILE } from "../render/provenance.js";
import { git, runGit } from "./git.js";
import type { UpdatePlan } from "./plan-update.js";

export interface WorkTree {
  /** The top of the work tree, the folder's path below it ("" or ending in "/"), the git dirs. */
  top: string;
  prefix: string;
  gitDir: string;
  commonDir: string;
  /** The commit HEAD names; undefined before the first commit. */
  head?: string;
}

/**
 * Refuse a folder outside git, a merge in progress, and (without allowDirty) any uncommitted change.
 * Two git processes, run together: what --branch needs later (top, prefix, HEAD) comes with them.
 */
export async function checkWorkTree(directory: string, allowDirty: boolean): Promise<WorkTree> {
  const [where, status] = await Promise.all([
    runGit(directory, ["rev-parse", "--show-toplevel", "--show-prefix", "--absolute-git-dir", "--git-common-dir", "--verify", "-q", "HEAD"]),
    allowDirty ? undefined : runGit(directory, ["status", "--porcelain", "--", "."]),
  ]);
  // Exit 1 with the four paths printed: a work tree whose HEAD has no commit yet.
  const lines = where.stdout.toString("utf8").split("\n");
  if ((where.code !== 0 && where.code !== 1) || lines.length < 5 || lines[0] === "")
    throw new UserError(`${directory} is not in a git work tree`, ExitCode.unsafeTarget, "update reads the generated base from the repository's history: run it in the generated repository (git init && git add -A && git commit first if it has none)");
  const tree: WorkTree = { top: lines[0], prefix: lines[1], gitDir: lines[2], commonDir: path.resolve(directory, lines[3]), head: where.code === 0 ? lines[4] : undefined };
  if (existsSync(path.join(tree.gitDir, "MERGE_HEAD")))
    throw new UserError("a merge is in progress (MERGE_HEAD exists)", ExitCode.unsafeTarget, "finish it with git commit, or abandon it with git merge --abort, then run update again");
  if (!status) return tree;
  if (status.code !== 0) throw new UserError(`git status --porcelain failed (exit ${status.code}): ${status.stderr.trim()}: nothing was changed`, ExitCode.unsafeTarget);
  const text = status.stdout.toString("utf8");
  if (text.trim() !== "") {
    const changed = text.trimEnd().split("\n");
    throw new UserError(
      `the work tree has uncommitted changes: ${changed.slice(0, 5).map((l) => l.slice(3)).join(", ")}${changed.length > 5 ? `, … (${changed.length})` : ""}`,
      ExitCode.unsafeTarget,
      "commit or stash them first, so the update's changes can be reviewed and undone on their own (or pass --allow-dirty)",
    );
  }
  return tree;
}

/** The paths the update writes, deletes or records a conflict at (relative to the repository folder). */
export function touchedPaths(plan: UpdatePlan): Set<string> {
  const touched = new Set(plan.decisions.filter((d) => d.write !== undefined || d.action === "conflict").map((d) => d.path));
  touched.add(PROVENANCE_FILE);
  return touched;
}

const list = (paths: string[]) => `${paths.slice(0, 5).join(", ")}${paths.length > 5 ? `, … (${paths.length})` : ""}`;

/** With --allow-dirty: refuse staged changes, and uncommitted or untracked files the update would touch. */
export async function checkDirtyOverlap(plan: UpdatePlan): Promise<void> {
  const dir = plan.directory;
  const prefix = (await git(dir, ["rev-parse", "--show-prefix"])).trim();
  const fields = (await git(dir, ["status", "--porcelain", "-z", "--untracked-files=all", "--", "."])).split("\0");
  const staged: string[] = [];
  const dirty = new Set<string>();
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.length < 4) continue;
    const [x, y, file] = [f[0], f[1], f.slice(3)];
    if (x === "R" || x === "C" || y === "R" || y === "C") i++; // the source path follows
    const rel = file.startsWith(prefix) ? file.slice(prefix.length) : file;
    if (x !== " " && x !== "?" && x !== "!") staged.push(rel);
    dirty.add(rel);
  }
  if (staged.length > 0)
    throw new UserError(
      `--allow-dirty: staged changes (${list(staged)}) would be mixed into the update: its commit, and its undo, which resets the index`,
      ExitCode.unsafeTarget,
      "unstage them (git restore --staged <path>), commit them, or stash them first",
    );
  const overlap = [...touchedPaths(plan)].filter((p) => dirty.has(p)).sort();
  if (overlap.length > 0)
    throw new UserError(
      `--allow-dirty: the update would write ${list(overlap)}, which ${overlap.length === 1 ? "has" : "have"} uncommitted changes or ${overlap.length === 1 ? "is" : "are"} untracked: the update's undo would lose them`,
      ExitCode.unsafeTarget,
      "commit or stash those files first (git stash push --include-untracked -- <path>); uncommitted changes elsewhere are fine",
    );
}
