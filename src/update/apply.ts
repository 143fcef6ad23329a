// Carry out a planned update all or nothing: prepare every object and the new index first (nothing
// visible changes), then write the work tree, the merge files and the index in one synchronous
// transaction, then commit when asked. A failure or a signal at any point leaves the repository
// exactly as it was and says so.
import { lstatSync, readFileSync } from "node:fs";
import path from "node:path";
import { CancelledError, ExitCode, UserError } from "../shared/errors.js";
import { gitBlobId, PROVENANCE_FILE } from "../render/provenance.js";
import { TOOL } from "../shared/tool.js";
import { workTreeForms } from "./convert.js";
import { git, runGit } from "./git.js";
import type { UpdatePlan } from "./plan-update.js";
import { buildIndex, commitFiles, gitMode, indexEntries, withTemp, writeBlobs, type IndexChange } from "./stage.js";
import { applyTransaction, rollback, type FileChange, type Transaction, type Undo } from "./transaction.js";

/** What the work tree will hold at a path once the decision is carried out. */
function resultOf(plan: UpdatePlan, p: string): Buffer | null {
  const d = plan.decisions.find((x) => x.path === p)!;
  if (d.write === "delete") return null;
  if (d.write) return d.write;
  const ours = plan.ours.get(p);
  return Buffer.isBuffer(ours) ? ours : null;
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

export interface Applied {
  /** The snapshot commit recorded in MERGE_HEAD (or made the second parent with --commit). */
  snapshot?: string;
  commit?: string;
  /** The branch the commit is on (--branch). */
  branch?: string;
  changed: string[];
}

export function updateMessage(plan: UpdatePlan): string {
  return `chore: update to ${TOOL.name} v${plan.to.version} templates`;
}

/** The work-tree file changes, in decision order, then the record (always last). */
export function fileChanges(plan: UpdatePlan): FileChange[] {
  const changes: FileChange[] = [];
  for (const d of plan.decisions) {
    if (d.write === "delete") changes.push({ path: d.path, content: null });
    // A new file takes the template's mode (a script is executable); one that exists keeps its own,
    // replaced or merged: a committed chmod is the team's change, as an edit is (#28).
    else if (d.write) changes.push({ path: d.path, content: d.write, mode: (d.action === "add" || d.action === "replace") && !plan.modes.has(d.path) ? (plan.plan.get(d.path)?.mode ?? 0o644) : undefined });
  }
  if (!plan.recordBytes.equals(plan.provenance.content)) changes.push({ path: PROVENANCE_FILE, content: plan.provenance.content, mode: plan.provenance.mode });
  return changes;
}

/** The bytes of an untracked regular file (the "ours" side of a conflict git has no entry for). */
function untrackedBytes(file: string): { content: Buffer; mode: number } | undefined {
  try {
    const s = lstatSync(file);
    return s.isFile() ? { content: readFileSync(file), mode: s.mode } : undefined;
  } catch {
    return undefined;
  }
}

interface Prepared {
  tx: Transaction;
  snapshot?: string;
}

async function prepare(plan: UpdatePlan, changes: FileChange[], hasConflicts: boolean): Promise<Prepared> {
  const dir = plan.directory;
  const [top, prefix, index, mergeHead, mergeMsg] = (
    await git(dir, ["rev-parse", "--show-toplevel", "--show-prefix", "--git-path", "index", "--git-path", "MERGE_HEAD", "--git-path", "MERGE_MSG"])
  ).split("\n");
  const full = (p: string) => `${prefix}${p}`;
  const conflicts = plan.decisions.filter((d) => d.action === "conflict");
  const snapshotNeeded = hasConflicts || needsSnapshot(plan);
  return withTemp(async (tmp) => {
    const current = await indexEntries(dir, top, [...changes.map((c) => full(c.path)), ...conflicts.map((d) => full(d.path))]);
    const untracked = new Map(conflicts.filter((d) => !current.has(full(d.path))).flatMap((d) => {
      const u = untrackedBytes(path.join(dir, d.path));
      return u ? [[d.path, u] as const] : [];
    }));
    const templateFiles = [...plan.plan.values(), plan.provenance];
    await writeBlobs(dir, tmp, [
      ...changes.flatMap((c) => (c.content ? [c.content] : [])),
      ...conflicts.flatMap((d) => [plan.plan.get(d.path)?.content ?? [], untracked.get(d.path)?.content ?? []].flat()),
      ...(snapshotNeeded ? templateFiles.map((f) => f.content) : []),
      ...plan.regenerated,
      // A base taken from an unchanged work-tree file may be an uncommitted one (--allow-dirty): a
      // conflict's stage 1 must name a blob that exists.
      ...conflicts.flatMap((d) => plan.bases.get(d.path) ?? []),
    ]);
    // Where git converts, the work tree gets what git would check out for the new blob.
    const forms = await workTreeForms(dir, changes.flatMap((c) => (c.content && plan.converted.has(c.path) ? [{ path: c.path, id: gitBlobId(c.content) }] : [])));
    for (const c of changes) if (forms.has(c.path)) c.worktree = forms.get(c.path);
    const snapshot = snapshotNeeded
      ? await commitFiles(dir, tmp, templateFiles.map((f) => ({ ...f, path: full(f.path) })), `${TOOL.name} v${plan.to.version} template output (merge base for the next update)`)
      : undefined;

    const indexChanges: IndexChange[] = [];
    for (const c of changes) {
      if (conflicts.some((d) => d.path === c.path)) continue;
      if (c.content === null) indexChanges.push({ path: full(c.path), kind: "remove" });
      else indexChanges.push({ path: full(c.path), kind: "set", blob: gitBlobId(c.content), mode: c.mode !== undefined ? gitMode(c.mode) : (current.get(full(c.path))?.mode ?? "100644") });
    }
    for (const d of conflicts) {
      const rec = plan.record.files[d.path];
      const theirs = plan.plan.get(d.path);
      const own = current.get(full(d.path)) ?? (untracked.has(d.path) ? { mode: gitMode(untracked.get(d.path)!.mode), blob: gitBlobId(untracked.get(d.path)!.content) } : undefined);
      const mode = own?.mode ?? (theirs ? gitMode(theirs.mode) : "100644");
      indexChanges.push({
        path: full(d.path),
        kind: "conflict",
        base: rec && plan.baseKnown.has(d.path) ? { mode, blob: rec.gitBlob } : undefined,
        ours: own,
        theirs: theirs ? { mode: gitMode(theirs.mode), blob: gitBlobId(theirs.content) } : undefined,
      });
    }
    const newIndex = await buildIndex(top, tmp, path.resolve(dir, index), indexChanges);
    const gitFiles = snapshot
      ? [
          { path: path.resolve(dir, mergeHead), content: Buffer.from(`${snapshot}\n`) },
          { path: path.resolve(dir, mergeMsg), content: Buffer.from(`${updateMessage(plan)}\n`) },
        ]
      : [];
    return { tx: { root: dir, changes, index: path.resolve(dir, index), newIndex, gitFiles }, snapshot };
  });
}

/** Undo an applied transaction and say so: the error to throw after a signal or a failed step. */
function undone(undo: Undo, what: string, make: (message: string) => UserError): UserError {
  const failed = rollback(undo);
  return make(
    failed.length === 0
      ? `${what}: the update was undone; the work tree and the index are as they were`
      : `${what}: the update was undone, except for ${failed.join(", ")} (restore them with git checkout HEAD -- <path>)`,
  );
}

/**
 * Write every decision, then the new provenance record, stage it like `git merge --no-commit`, and
 * commit when asked: all or nothing.
 */
export async function applyUpdate(plan: UpdatePlan, options: { commit: boolean; signal?: AbortSignal }): Promise<Applied> {
  const dir = plan.directory;
  const hasConflicts = plan.decisions.some((d) => d.action === "conflict");
  const changes = fileChanges(plan);
  if (changes.length === 0 && !hasConflicts) return { changed: [] };
  let prepared: Prepared;
  try {
    prepared = await prepare(plan, changes, hasConflicts);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`update failed before writing anything: ${(error as Error).message}`, ExitCode.unsafeTarget, "nothing was changed; fix the cause and run update again");
  }
  if (options.signal?.aborted) throw new CancelledError("cancelled: nothing was written");
  let undo: Undo;
  try {
    undo = applyTransaction(prepared.tx);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`update failed while writing (${(error as Error).message}): everything it wrote was put back; the work tree and the index are as they were`, ExitCode.unsafeTarget);
  }
  const changed = changes.map((c) => c.path);
  // The new entries carry no stat data: without it git reset --merge (the undo, also inside
  // git merge --abort) refuses with "not uptodate", so a failed refresh undoes the update too. Git's
  // rewrite also gives the index a shared repository's group permissions (core.sharedRepository),
  // which the transaction's lock, made under the umask, does not have (#28 class 9).
  const refresh = await runGit(dir, ["update-index", "-q", "--unmerged", "--ignore-missing", "--refresh"]);
  if (refresh.code !== 0)
    throw undone(undo, `git update-index --refresh failed (exit ${refresh.code}): ${refresh.stderr.trim()}`, (m) => new UserError(m, ExitCode.unsafeTarget, "run update again once no other git process is running"));
  if (options.signal?.aborted) throw undone(undo, "cancelled", (m) => new CancelledError(m));
  if (!options.commit || hasConflicts) return { snapshot: prepared.snapshot, changed };
  const commit = await runGit(dir, ["commit", "--quiet", "-m", updateMessage(plan)]);
  if (commit.code !== 0) {
    const text = commit.stderr;
    const identity = /tell me who you are|user\.email|user\.name|empty ident/i.test(text);
    throw undone(undo, `git commit failed: ${identity ? "git has no user identity" : text.trim().split("\n").slice(0, 6).join("\n  ")}`, (m) =>
      new UserError(m, ExitCode.postStep, identity ? "set git config user.name and user.email, then run update --commit again (or update without --commit, then commit yourself)" : undefined),
    );
  }
  return { snapshot: prepared.snapshot, changed, commit: (await git(dir, ["rev-parse", "HEAD"])).trim() };
}
