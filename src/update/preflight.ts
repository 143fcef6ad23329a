// Where `update` refuses to run, because it could lose work or mix with another operation.
// --allow-dirty is allowed only where the undo (git merge --abort / git reset --merge) is safe: both
// keep a file's unstaged changes and never touch untracked files, as long as the update does not
// write that path and nothing is staged (the undo resets the index; --commit would commit it).
import { existsSync, lstatSync, readFileSync, readlinkSync } from "node:fs";
import { gitBlobId } from "../render/provenance.js";
import path from "node:path";
import { ExitCode, UserError } from "../shared/errors.js";
import { PROVENANCE_FILE } from "../render/provenance.js";
import { git, runGit, unsafeOwnership } from "./git.js";
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
 * Refuse a folder outside git, a merge in progress, (without allowDirty) any uncommitted change, and
 * entries git status does not look at. Git processes run together: what --branch needs later (top,
 * prefix, HEAD) comes with them. atHead (--branch, which reads HEAD and leaves the checkout): only where it is.
 */
export async function checkWorkTree(directory: string, allowDirty: boolean, atHead = false): Promise<WorkTree> {
  const [where, status, listed] = await Promise.all([
    runGit(directory, ["rev-parse", "--show-toplevel", "--show-prefix", "--absolute-git-dir", "--git-common-dir", "--verify", "-q", "HEAD"]),
    // --no-optional-locks: git status would otherwise refresh the index (--branch leaves it byte-identical).
    allowDirty || atHead ? undefined : runGit(directory, ["--no-optional-locks", "status", "--porcelain", "--", "."]),
    atHead ? undefined : runGit(directory, ["ls-files", "-v", "-s", "-z", "--", "."]),
  ]);
  // Exit 1 with the four paths printed: a work tree whose HEAD has no commit yet.
  const lines = where.stdout.toString("utf8").split("\n");
  const foreign = unsafeOwnership(directory, where.stderr);
  if (foreign) throw foreign;
  if ((where.code !== 0 && where.code !== 1) || lines.length < 5 || lines[0] === "")
    throw new UserError(`${directory} is not in a git work tree`, ExitCode.unsafeTarget, "update reads the generated base from the repository's history: run it in the generated repository (git init && git add -A && git commit first if it has none)");
  const tree: WorkTree = { top: lines[0], prefix: lines[1], gitDir: lines[2], commonDir: path.resolve(directory, lines[3]), head: where.code === 0 ? lines[4] : undefined };
  if (existsSync(path.join(tree.gitDir, "MERGE_HEAD")))
    throw new UserError("a merge is in progress (MERGE_HEAD exists)", ExitCode.unsafeTarget, "finish it with git commit, or abandon it with git merge --abort, then run update again");
  if (listed?.code === 0) await checkHiddenEntries(directory, listed.stdout.toString("utf8"));
  if (!status) return tree;
  if (status.code !== 0) throw new UserError(`git status --porcelain failed (exit ${status.code}): ${status.stderr.trim()}: nothing was changed`, ExitCode.unsafeTarget);
  const text = status.stdout.toString("utf8");
  // A service below the top (a monorepo's): git status above looked at its folder only, but the index
  // is the repository's. Changes staged elsewhere would go into --commit's commit and be unstaged by
  // the undo, so they are refused too (one more git process, only for such a service).
  if (text.trim() === "" && tree.prefix !== "") await checkStagedElsewhere(tree.top);
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

/** Refuse changes staged anywhere in the repository (see checkWorkTree). */
async function checkStagedElsewhere(top: string): Promise<void> {
  const staged = await runGit(top, ["diff", "--cached", "--name-only", "-z"]);
  if (staged.code !== 0) throw new UserError(`git diff --cached failed (exit ${staged.code}): ${staged.stderr.trim()}: nothing was changed`, ExitCode.unsafeTarget);
  const files = staged.stdout.toString("utf8").split("\0").filter(Boolean);
  if (files.length === 0) return;
  throw new UserError(
    `the repository has staged changes outside this service's folder: ${files.slice(0, 5).map((f) => JSON.stringify(f)).join(", ")}${files.length > 5 ? `, … (${files.length})` : ""}`,
    ExitCode.unsafeTarget,
    "commit or unstage them first (git restore --staged <path>), so the update's commit and its undo hold only the update",
  );
}

/**
 * Index entries git status does not look at: skip-worktree (a sparse checkout's files outside it, or
 * a file hidden by hand) and assume-unchanged. `git merge` refuses to overwrite such a file's hidden
 * edit; update, which writes the work tree and prints an undo that resets it, refuses the repository
 * for any of them, naming the files and the git command that shows them. A sparse checkout is
 * refused too: its files outside it would read as deleted. --branch reads HEAD and never the work
 * tree, so neither stops it. A file whose bytes differ from its entry is asked of git in its clean
 * form (`git hash-object` applies the eol conversion and filters of its path, as git status would):
 * an unedited CRLF checkout of an LF blob hides nothing.
 */
async function checkHiddenEntries(directory: string, listing: string): Promise<void> {
  const sparse: string[] = [];
  const hidden: string[] = [];
  const differ: { rel: string; id: string; label: string }[] = [];
  for (const record of listing.split("\0")) {
    const tab = record.indexOf("\t");
    if (tab < 0) continue;
    const [tag, , id] = record.slice(0, tab).split(" ");
    const skip = tag === "S" || tag === "s";
    if (!skip && tag === tag.toUpperCase()) continue;
    const rel = record.slice(tab + 1);
    const label = `${rel} (${skip ? "skip-worktree" : "assume-unchanged"})`;
    const bytes = workBytes(path.join(directory, rel));
    if (bytes === undefined && skip) sparse.push(rel);
    else if (bytes === undefined) hidden.push(label);
    else if (gitBlobId(bytes) === id) continue;
    // git hash-object follows a symlink and reads one name a line: neither can be asked.
    else if (rel.includes("\n") || lstatSync(path.join(directory, rel)).isSymbolicLink()) hidden.push(label);
    else differ.push({ rel, id, label });
  }
  if (differ.length > 0) {
    // Raw bytes first (no git process in the common case). A failed hash (core.safecrlf=true on
    // mixed endings) keeps the refusal: the safe direction.
    const clean = await runGit(directory, ["hash-object", "--stdin-paths"], { input: `${differ.map((d) => d.rel).join("\n")}\n` });
    const ids = clean.code === 0 ? clean.stdout.toString("utf8").split("\n") : [];
    differ.forEach((d, i) => {
      if (ids[i] !== d.id) hidden.push(d.label);
    });
  }
  if (hidden.length > 0)
    throw new UserError(
      `${hidden.length} file${hidden.length === 1 ? " has" : "s have"} local edits git status does not show: ${list(hidden)}: update would write over them, and its undo would erase them`,
      ExitCode.unsafeTarget,
      "list them with git ls-files -v | grep '^[a-zS]'; clear the bit (git update-index --no-skip-worktree / --no-assume-unchanged <file>), then commit or stash the edits; or run update --branch NAME, which reads HEAD and leaves the checkout as it is",
    );
  if (sparse.length > 0)
    throw new UserError(
      `this is a sparse checkout: ${list(sparse)} ${sparse.length === 1 ? "is" : "are"} outside it, so update cannot write the work tree (those files would read as deleted)`,
      ExitCode.unsafeTarget,
      "run update --branch NAME, which reads HEAD and leaves the checkout as it is; or git sparse-checkout disable, update, then git sparse-checkout reapply",
    );
}

/** A file's bytes as git hashes them (a symlink's target); undefined when absent. */
function workBytes(file: string): Buffer | undefined {
  try {
    const s = lstatSync(file);
    if (s.isSymbolicLink()) return Buffer.from(readlinkSync(file, { encoding: "buffer" }));
    return s.isFile() ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

/** The paths the update writes, deletes or records a conflict at (relative to the repository folder). */
export function touchedPaths(plan: UpdatePlan): Set<string> {
  const touched = new Set(plan.decisions.filter((d) => d.write !== undefined || d.action === "conflict").map((d) => d.path));
  touched.add(PROVENANCE_FILE);
  return touched;
}

const list = (paths: string[]) => `${paths.slice(0, 5).join(", ")}${paths.length > 5 ? `, … (${paths.length})` : ""}`;

/**
 * Ignored files where the update writes or records a conflict: git status does not list them, so
 * the clean-work-tree check lets them through, and the update would write over them (its undo then
 * deletes what it wrote). Refused as an untracked file there is (exit 3), naming them.
 */
export function checkIgnoredOverlap(plan: UpdatePlan): void {
  const touched = touchedPaths(plan);
  const overlap = [...plan.ignored].filter((p) => touched.has(p)).sort();
  if (overlap.length > 0)
    throw new UserError(
      `the update would write ${list(overlap)}, which ${overlap.length === 1 ? "is an ignored local file" : "are ignored local files"} (not in git, listed in .gitignore): writing over ${overlap.length === 1 ? "it" : "them"} would lose ${overlap.length === 1 ? "it" : "them"}`,
      ExitCode.unsafeTarget,
      "move them out of the way (or git add -f and commit them), then run update again; update --branch NAME reads HEAD and leaves the checkout as it is",
    );
}

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
