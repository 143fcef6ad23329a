// Carry out a planned update: write the files, keep the template's output reachable in history as
// the base of the next update, and commit when asked.
import { chmodSync, mkdirSync, readFileSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile as writeFileAsync, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ExitCode, UserError } from "../errors.js";
import { gitBlobId, PROVENANCE_FILE } from "../provenance.js";
import { TOOL } from "../tool.js";
import { git, runGit } from "./git.js";
import type { UpdatePlan } from "./plan-update.js";

/** Refuse to run where the update could lose work or mix with another operation. */
export async function checkWorkTree(directory: string, allowDirty: boolean): Promise<void> {
  const inside = await runGit(directory, ["rev-parse", "--is-inside-work-tree"]);
  if (inside.code !== 0 || inside.stdout.toString().trim() !== "true")
    throw new UserError(`${directory} is not in a git work tree`, ExitCode.unsafeTarget, "update reads the generated base from the repository's history: run it in the generated repository (git init && git add -A && git commit first if it has none)");
  if ((await runGit(directory, ["rev-parse", "-q", "--verify", "MERGE_HEAD"])).code === 0)
    throw new UserError("a merge is in progress (MERGE_HEAD exists)", ExitCode.unsafeTarget, "finish it with git commit, or abandon it with git merge --abort, then run update again");
  if (allowDirty) return;
  const status = await git(directory, ["status", "--porcelain", "--", "."]);
  if (status.trim() !== "") {
    const lines = status.trimEnd().split("\n");
    throw new UserError(
      `the work tree has uncommitted changes: ${lines.slice(0, 5).map((l) => l.slice(3)).join(", ")}${lines.length > 5 ? `, … (${lines.length})` : ""}`,
      ExitCode.unsafeTarget,
      "commit or stash them first, so the update's changes can be reviewed and undone on their own (or pass --allow-dirty)",
    );
  }
}

/** What the work tree will hold at a path once the decision is carried out. */
function resultOf(plan: UpdatePlan, p: string): Buffer | null {
  const d = plan.decisions.find((x) => x.path === p)!;
  if (d.write === "delete") return null;
  if (d.write) return d.write;
  try {
    return readFileSync(path.join(plan.directory, p));
  } catch {
    return null;
  }
}

/**
 * The next update reads its base from the blob ids in the new record: the template's output. Where
 * the work tree ends up with other bytes (a merge, a conflict), that output is nowhere in the tree, so
 * it is committed as a snapshot commit (the pure template output) which becomes the second parent of
 * the update's commit: like `git merge`, through MERGE_HEAD. Not needed when every non-team file
 * ends up as the template wrote it, or its template output was already the recorded base.
 */
export function needsSnapshot(plan: UpdatePlan): boolean {
  return plan.decisions.some((d) => {
    if (d.ownership === "team") return false;
    const theirs = plan.plan.get(d.path)?.content;
    if (!theirs) return false;
    if (plan.record.files[d.path]?.gitBlob === gitBlobId(theirs)) return false;
    const result = resultOf(plan, d.path);
    return !result || !result.equals(theirs);
  });
}

async function snapshotCommit(plan: UpdatePlan): Promise<string> {
  const dir = plan.directory;
  const tmp = await mkdtemp(path.join(tmpdir(), "cggs-snapshot-"));
  try {
    const files = [...plan.plan.values(), plan.provenance];
    const names = files.map((_, i) => path.join(tmp, `f${i}`));
    await Promise.all(files.map((f, i) => writeFileAsync(names[i], f.content)));
    const ids = (await git(dir, ["hash-object", "-w", "--stdin-paths", "--no-filters"], { input: `${names.join("\n")}\n` })).trim().split("\n");
    // Paths in the snapshot are relative to the work tree's top, so the blobs sit where the repository has them.
    const prefix = (await git(dir, ["rev-parse", "--show-prefix"])).trim();
    const info = files.map((f, i) => `${f.mode & 0o111 ? "100755" : "100644"} ${ids[i]}\t${prefix}${f.path}`).join("\n");
    const env = { GIT_INDEX_FILE: path.join(tmp, "index") };
    await git(dir, ["update-index", "--add", "--index-info"], { input: `${info}\n`, env });
    const tree = (await git(dir, ["write-tree"], { env })).trim();
    const identity = { GIT_AUTHOR_NAME: TOOL.name, GIT_AUTHOR_EMAIL: `${TOOL.name}@users.noreply.invalid`, GIT_COMMITTER_NAME: TOOL.name, GIT_COMMITTER_EMAIL: `${TOOL.name}@users.noreply.invalid` };
    const message = `${TOOL.name} v${plan.to.version} template output (merge base for the next update)`;
    return (await git(dir, ["commit-tree", tree, "-m", message], { env: identity })).trim();
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

interface IndexEntry {
  mode: string;
  blob: string;
}

/** Stage-0 index entries (mode, blob) of paths under dir, by path relative to dir: "ours" of a conflict. */
async function indexEntries(dir: string, paths: string[]): Promise<Map<string, IndexEntry>> {
  const entries = new Map<string, IndexEntry>();
  if (paths.length === 0) return entries;
  const out = await git(dir, ["ls-files", "-s", "-z", "--", ...paths]);
  for (const record of out.split("\0").filter(Boolean)) {
    const [info, file] = record.split("\t");
    const [mode, blob, stage] = info.split(" ");
    if (stage === "0") entries.set(file, { mode, blob });
  }
  return entries;
}

/** Replace the index entries of conflicted paths by their three stages: 1 base, 2 ours, 3 template. */
async function stageConflicts(plan: UpdatePlan, paths: string[], ours: Map<string, IndexEntry>): Promise<void> {
  const dir = plan.directory;
  const prefix = (await git(dir, ["rev-parse", "--show-prefix"])).trim();
  const lines: string[] = [];
  for (const p of paths) {
    const theirs = plan.plan.get(p)!;
    const mode = ours.get(p)?.mode ?? (theirs.mode & 0o111 ? "100755" : "100644");
    const full = `${prefix}${p}`;
    lines.push(`0 ${"0".repeat(40)}\t${full}`);
    const base = plan.record.files[p];
    if (base && plan.baseKnown.has(p)) lines.push(`${mode} ${base.gitBlob} 1\t${full}`);
    const own = ours.get(p);
    if (own) lines.push(`${own.mode} ${own.blob} 2\t${full}`);
    // The snapshot commit wrote every template blob into the object database.
    lines.push(`${theirs.mode & 0o111 ? "100755" : "100644"} ${gitBlobId(theirs.content)} 3\t${full}`);
  }
  await git(dir, ["update-index", "--index-info"], { input: `${lines.join("\n")}\n` });
}

function removeEmptyParents(root: string, rel: string): void {
  for (let dir = path.dirname(rel); dir !== "." && dir !== ""; dir = path.dirname(dir)) {
    try {
      rmdirSync(path.join(root, dir));
    } catch {
      return;
    }
  }
}

export interface Applied {
  /** The snapshot commit recorded in MERGE_HEAD (or made the second parent with --commit). */
  snapshot?: string;
  commit?: string;
  changed: string[];
}

export function updateMessage(plan: UpdatePlan): string {
  return `chore: update to ${TOOL.name} v${plan.to.version} templates`;
}

/**
 * Write every decision, then the new provenance record. Everything was computed beforehand, so the
 * writes run back to back (synchronously); an interrupted run is undone with `git checkout -- .`.
 */
export async function applyUpdate(plan: UpdatePlan, options: { commit: boolean }): Promise<Applied> {
  const dir = plan.directory;
  const changed: string[] = [];
  const hasConflicts = plan.decisions.some((d) => d.action === "conflict");
  // With conflicts there is always a snapshot, so that git merge --abort can undo the update.
  const snapshot = hasConflicts || needsSnapshot(plan) ? await snapshotCommit(plan) : undefined;
  const oursIndex = await indexEntries(dir, plan.decisions.filter((d) => d.action === "conflict").map((d) => d.path));
  for (const d of plan.decisions) {
    const target = path.join(dir, d.path);
    if (d.write === "delete") {
      rmSync(target, { force: true });
      removeEmptyParents(dir, d.path);
      changed.push(d.path);
    } else if (d.write) {
      mkdirSync(path.dirname(target), { recursive: true });
      const mode = plan.plan.get(d.path)?.mode ?? 0o644;
      writeFileSync(target, d.write, { mode });
      // add/replace take the template's mode (a script stays executable); merges keep the file's.
      if (d.action === "add" || d.action === "replace") chmodSync(target, mode);
      changed.push(d.path);
    }
  }
  const recordPath = path.join(dir, PROVENANCE_FILE);
  const current = (() => {
    try {
      return readFileSync(recordPath);
    } catch {
      return undefined;
    }
  })();
  if (!current || !current.equals(plan.provenance.content)) {
    writeFileSync(recordPath, plan.provenance.content, { mode: plan.provenance.mode });
    changed.push(PROVENANCE_FILE);
  }
  if (snapshot) {
    const gitPath = async (name: string) => path.resolve(dir, (await git(dir, ["rev-parse", "--git-path", name])).trim());
    const mergeHead = await gitPath("MERGE_HEAD");
    await mkdir(path.dirname(mergeHead), { recursive: true });
    await writeFileAsync(mergeHead, `${snapshot}\n`);
    await writeFileAsync(await gitPath("MERGE_MSG"), `${updateMessage(plan)}\n`);
  }
  // Staged like `git merge --no-commit` leaves a merge: clean results in the index, conflicts as
  // unmerged entries (base, ours, template), so git status lists them as "both modified", git commit
  // refuses until they are resolved and added, and git merge --abort undoes the whole update.
  const conflicted = plan.decisions.filter((d) => d.action === "conflict" && d.markers && Buffer.isBuffer(d.write));
  const clean = changed.filter((p) => !conflicted.some((d) => d.path === p));
  if (clean.length > 0) await git(dir, ["add", "-A", "--", ...clean]);
  if (conflicted.length > 0) await stageConflicts(plan, conflicted.map((d) => d.path), oursIndex);
  if (!options.commit || hasConflicts || changed.length === 0) return { snapshot, changed };
  const commit = await runGit(dir, ["commit", "--quiet", "-m", updateMessage(plan)]);
  if (commit.code !== 0) {
    const text = commit.stderr;
    const identity = /tell me who you are|user\.email|user\.name|empty ident/i.test(text);
    throw new UserError(
      `git commit failed: ${identity ? "git has no user identity" : text.trim().split("\n").slice(0, 6).join("\n  ")}`,
      ExitCode.postStep,
      `the update is written and staged; commit it yourself: git commit -m "${updateMessage(plan)}"`,
    );
  }
  return { snapshot, changed, commit: (await git(dir, ["rev-parse", "HEAD"])).trim() };
}
