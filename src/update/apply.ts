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

/** One service of an update written with others of its repository: its plan and its folder below the top ("" or ending in "/"). */
export interface Part {
  plan: UpdatePlan;
  prefix: string;
}

/**
 * The update's commit message; where services of one repository change together, the subject counts
 * them and the body names each (its folder, its name) with its versions, so the commit says what it holds.
 */
export function updateMessageFor(parts: readonly Part[]): string {
  const changed = parts.filter((p) => fileChanges(p.plan).length > 0);
  if (changed.length <= 1) return updateMessage((changed[0] ?? parts[0]).plan);
  // The same version with other templates (a development build): the digests tell them apart.
  const versions = ({ from, to }: UpdatePlan) => (from.version === to.version ? `${from.version} (${from.sha256.slice(0, 12)}) → ${to.version} (${to.sha256.slice(0, 12)})` : `${from.version} → ${to.version}`);
  const lines = changed.map(({ plan, prefix }) => `- ${prefix.replace(/\/$/, "") || "."}${typeof plan.answers.name === "string" ? ` (${plan.answers.name})` : ""}: ${versions(plan)}`);
  return `chore: update ${changed.length} services to ${TOOL.name} v${changed[0].plan.to.version} templates\n\n${lines.join("\n")}`;
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

async function prepare(parts: readonly Part[], hasConflicts: boolean): Promise<Prepared> {
  // The parts share one work tree (services of one repository): one index, one MERGE_HEAD, one merge.
  const dir = parts[0].plan.directory;
  const [top, , index, mergeHead, mergeMsg] = (
    await git(dir, ["rev-parse", "--show-toplevel", "--show-prefix", "--git-path", "index", "--git-path", "MERGE_HEAD", "--git-path", "MERGE_MSG"])
  ).split("\n");
  const each = parts.map(({ plan, prefix }) => ({ plan, prefix, changes: fileChanges(plan), conflicts: plan.decisions.filter((d) => d.action === "conflict"), full: (p: string) => `${prefix}${p}` }));
  const snapshotted = each.filter((e) => e.conflicts.length > 0 || needsSnapshot(e.plan));
  return withTemp(async (tmp) => {
    const current = await indexEntries(dir, top, each.flatMap((e) => [...e.changes.map((c) => e.full(c.path)), ...e.conflicts.map((d) => e.full(d.path))]));
    const untracked = new Map(each.flatMap((e) => e.conflicts.filter((d) => !current.has(e.full(d.path))).flatMap((d) => {
      const u = untrackedBytes(path.join(e.plan.directory, d.path));
      return u ? [[e.full(d.path), u] as const] : [];
    })));
    const templateFiles = (plan: UpdatePlan) => [...plan.plan.values(), plan.provenance];
    await writeBlobs(dir, tmp, each.flatMap(({ plan, changes, conflicts, full }) => [
      ...changes.flatMap((c) => (c.content ? [c.content] : [])),
      ...conflicts.flatMap((d) => [plan.plan.get(d.path)?.content ?? [], untracked.get(full(d.path))?.content ?? []].flat()),
      ...plan.regenerated,
      // A base taken from an unchanged work-tree file may be an uncommitted one (--allow-dirty): a
      // conflict's stage 1 must name a blob that exists.
      ...conflicts.flatMap((d) => plan.bases.get(d.path) ?? []),
    ]).concat(snapshotted.flatMap((e) => templateFiles(e.plan).map((f) => f.content))));
    // Where git converts, the work tree gets what git would check out for the new blob.
    for (const { plan, changes } of each) {
      const forms = await workTreeForms(plan.directory, changes.flatMap((c) => (c.content && plan.converted.has(c.path) ? [{ path: c.path, id: gitBlobId(c.content) }] : [])));
      for (const c of changes) if (forms.has(c.path)) c.worktree = forms.get(c.path);
    }
    const snapshot =
      snapshotted.length > 0
        ? await commitFiles(dir, tmp, snapshotted.flatMap((e) => templateFiles(e.plan).map((f) => ({ ...f, path: e.full(f.path) }))), `${TOOL.name} v${parts[0].plan.to.version} template output (merge base for the next update)`)
        : undefined;

    const indexChanges: IndexChange[] = [];
    for (const { plan, changes, conflicts, full } of each) {
      for (const c of changes) {
        if (conflicts.some((d) => d.path === c.path)) continue;
        if (c.content === null) indexChanges.push({ path: full(c.path), kind: "remove" });
        else indexChanges.push({ path: full(c.path), kind: "set", blob: gitBlobId(c.content), mode: c.mode !== undefined ? gitMode(c.mode) : (current.get(full(c.path))?.mode ?? "100644") });
      }
      for (const d of conflicts) {
        const rec = plan.record.files[d.path];
        const theirs = plan.plan.get(d.path);
        const loose = untracked.get(full(d.path));
        const own = current.get(full(d.path)) ?? (loose ? { mode: gitMode(loose.mode), blob: gitBlobId(loose.content) } : undefined);
        const mode = own?.mode ?? (theirs ? gitMode(theirs.mode) : "100644");
        indexChanges.push({
          path: full(d.path),
          kind: "conflict",
          base: rec && plan.baseKnown.has(d.path) ? { mode, blob: rec.gitBlob } : undefined,
          ours: own,
          theirs: theirs ? { mode: gitMode(theirs.mode), blob: gitBlobId(theirs.content) } : undefined,
        });
      }
    }
    const newIndex = await buildIndex(top, tmp, path.resolve(dir, index), indexChanges);
    const gitFiles = snapshot
      ? [
          { path: path.resolve(dir, mergeHead), content: Buffer.from(`${snapshot}\n`) },
          { path: path.resolve(dir, mergeMsg), content: Buffer.from(`${updateMessageFor(parts)}\n`) },
        ]
      : [];
    // One transaction over the work tree's top: each part's paths below its folder.
    const changes = each.flatMap((e) => e.changes.map((c) => ({ ...c, path: e.full(c.path) })));
    return { tx: { root: top, changes, index: path.resolve(dir, index), newIndex, gitFiles }, snapshot };
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
 * commit when asked: all or nothing. Several parts (services of one work tree, each with its prefix):
 * one transaction, one MERGE_HEAD, one commit; an Applied per part, in order.
 */
export async function applyUpdate(parts: readonly Part[], options: { commit: boolean; signal?: AbortSignal }): Promise<Applied[]> {
  const dir = parts[0].plan.directory;
  const hasConflicts = parts.some(({ plan }) => plan.decisions.some((d) => d.action === "conflict"));
  const changedEach = parts.map(({ plan }) => fileChanges(plan).map((c) => c.path));
  if (changedEach.every((c) => c.length === 0) && !hasConflicts) return parts.map(() => ({ changed: [] }));
  let prepared: Prepared;
  try {
    prepared = await prepare(parts, hasConflicts);
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
  const each = (extra: Omit<Applied, "changed">): Applied[] => changedEach.map((changed) => ({ ...(changed.length > 0 || hasConflicts ? extra : {}), changed }));
  // The new entries carry no stat data: without it git reset --merge (the undo, also inside
  // git merge --abort) refuses with "not uptodate", so a failed refresh undoes the update too. Git's
  // rewrite also gives the index a shared repository's group permissions (core.sharedRepository),
  // which the transaction's lock, made under the umask, does not have (#28 class 9).
  const refresh = await runGit(dir, ["update-index", "-q", "--unmerged", "--ignore-missing", "--refresh"]);
  if (refresh.code !== 0)
    throw undone(undo, `git update-index --refresh failed (exit ${refresh.code}): ${refresh.stderr.trim()}`, (m) => new UserError(m, ExitCode.unsafeTarget, "run update again once no other git process is running"));
  if (options.signal?.aborted) throw undone(undo, "cancelled", (m) => new CancelledError(m));
  if (!options.commit || hasConflicts) return each({ snapshot: prepared.snapshot });
  const commit = await runGit(dir, ["commit", "--quiet", "-m", updateMessageFor(parts)]);
  if (commit.code !== 0) {
    const text = commit.stderr;
    const identity = /tell me who you are|user\.email|user\.name|empty ident/i.test(text);
    throw undone(undo, `git commit failed: ${identity ? "git has no user identity" : text.trim().split("\n").slice(0, 6).join("\n  ")}`, (m) =>
      new UserError(m, ExitCode.postStep, identity ? "set git config user.name and user.email, then run update --commit again (or update without --commit, then commit yourself)" : undefined),
    );
  }
  return each({ snapshot: prepared.snapshot, commit: (await git(dir, ["rev-parse", "HEAD"])).trim() });
}
