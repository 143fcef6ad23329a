// --branch: the update as one commit on a new branch made at HEAD, for a pull request, without
// touching the work tree, the index or HEAD: the checkout stays as it was, so nothing there can be
// left half-done. In a plain repository (git/head.ts locates it) the plan reads HEAD's commit and the
// commit is written by write-branch.ts with no git process; anywhere else (a worktree, reftable refs,
// SHA-256) it is built in one `git fast-import` (the blobs, the template snapshot as its second
// parent when the next update needs it, the commit itself and the new ref) after the preflight.
import { existsSync } from "node:fs";
import path from "node:path";
import { CancelledError, ExitCode, UserError } from "../shared/errors.js";
import { fileSystemFault } from "../shared/fs-errors.js";
import { gitBlobId } from "../render/provenance.js";
import { TOOL } from "../shared/tool.js";
import type { Applied, Part } from "./apply.js";
import { fileChanges, needsSnapshot, updateMessageFor } from "./apply.js";
import { runGit } from "./git.js";
import type { HeadView } from "./git/head.js";
import { gitIdentity, type Identities } from "./identity.js";
import { branchObjects, refConflict, taken, writeBranch } from "./write-branch.js";
import type { UpdatePlan } from "./plan-update.js";
import type { WorkTree } from "./preflight.js";
import { gitMode } from "./stage.js";

/** --branch: a valid branch name (checked once, before any repository is touched). */
export async function checkBranchName(cwd: string, branch: string): Promise<void> {
  // --branch expands @{-N} (and @{upstream}) to another branch's name and exits 0: not a name a ref
  // may have (refs/heads/@{-1} is a broken ref to git), so only a name printed back unchanged is valid.
  const run = await runGit(cwd, ["check-ref-format", "--branch", branch]);
  if (run.code !== 0 || run.stdout.toString("utf8").replace(/\n$/, "") !== branch) throw new UserError(`--branch: '${branch}' is not a valid branch name`, ExitCode.usage, "see git check-ref-format");
}


/**
 * Whether refs/heads/<branch> exists or a ref stands in its way (a folder of its name is a branch),
 * read from the ref files as the direct path does (git asked only for reftable refs).
 */
async function branchExists(dir: string, tree: WorkTree, branch: string): Promise<boolean> {
  const ref = `refs/heads/${branch}`;
  if (existsSync(path.join(tree.commonDir, "reftable"))) return (await runGit(dir, ["rev-parse", "-q", "--verify", ref])).code === 0;
  return refConflict(tree.commonDir, ref) !== undefined;
}

/** A path as fast-import reads it: C-style quoted, so no name can break the stream. */
const quote = (p: string): string => `"${p.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, "\\n")}"`;

/** Each member's share of the commit: the paths it changed (relative to its folder), and the commit. */
function appliedEach(members: readonly Part[], ids: { commit: string; snapshot?: string }, branch: string): Applied[] {
  return members.map(({ plan }) => {
    const changed = fileChanges(plan).map((c) => c.path);
    return changed.length === 0 ? { changed } : { changed, commit: ids.commit, branch, ...(ids.snapshot ? { snapshot: ids.snapshot } : {}) };
  });
}

/** The fast-import stream for the update's commit (and its snapshot parent) on refs/heads/<branch>. */
function importStream(members: readonly Part[], head: string, branch: string, who: { author: string; committer: string }): { stream: Buffer; snapshot: boolean } {
  const parts: Buffer[] = [];
  const text = (s: string) => parts.push(Buffer.from(s, "utf8"));
  const data = (bytes: Buffer) => (text(`data ${bytes.length}\n`), parts.push(bytes), text("\n"));
  const marks = new Map<string, number>();
  let nextMark = 3; // :1 the snapshot, :2 the update's commit
  const blob = (content: Buffer): string => {
    const id = gitBlobId(content);
    if (!marks.has(id)) {
      marks.set(id, nextMark++);
      text(`blob\nmark :${marks.get(id)}\n`);
      data(content);
    }
    return `:${marks.get(id)}`;
  };
  const ref = `refs/heads/${branch}`;
  text("feature done\n");
  const snapshotted = members.filter((m) => needsSnapshot(m.plan));
  const snapshot = snapshotted.length > 0;
  if (snapshot) {
    const lines = snapshotted.flatMap(({ plan, prefix }) => [...plan.plan.values(), plan.provenance].map((f) => `M ${gitMode(f.mode)} ${blob(f.content)} ${quote(`${prefix}${f.path}`)}\n`));
    const email = `${TOOL.name}@users.noreply.invalid`;
    const now = `${Math.floor(Date.now() / 1000)} +0000`;
    text(`commit ${ref}\nmark :1\ncommitter ${TOOL.name} <${email}> ${now}\n`);
    data(Buffer.from(snapshotMessage(members[0].plan)));
    text(`deleteall\n${lines.join("")}`);
  }
  const lines = members.flatMap(({ plan, prefix }) =>
    fileChanges(plan).map((c) => {
      if (c.content === null) return `D ${quote(`${prefix}${c.path}`)}\n`;
      // add/replace carry the template's mode; a merge keeps the file's mode at HEAD.
      const mode = c.mode ?? plan.modes.get(c.path) ?? 0o644;
      return `M ${gitMode(mode)} ${blob(c.content)} ${quote(`${prefix}${c.path}`)}\n`;
    }),
  );
  text(`commit ${ref}\nmark :2\nauthor ${who.author}\ncommitter ${who.committer}\n`);
  data(Buffer.from(`${updateMessageFor(members)}\n`));
  text(`from ${head}\n${snapshot ? "merge :1\n" : ""}${lines.join("")}`);
  text(`${snapshot ? "get-mark :1\n" : ""}get-mark :2\ndone\n`);
  return { stream: Buffer.concat(parts), snapshot };
}

/**
 * Commit the planned update (no conflicts) on the new branch, made at HEAD; the work tree, the index
 * and HEAD are left as they are. Nothing is visible until fast-import's last step writes the ref.
 * Several members (services of one repository, tree.head their common HEAD): one commit for all.
 */
export async function commitOnBranch(members: readonly Part[], tree: WorkTree, branch: string, signal?: AbortSignal): Promise<Applied[]> {
  const dir = members[0].plan.directory;
  if (members.every((m) => fileChanges(m.plan).length === 0)) return members.map(() => ({ changed: [] }));
  if (!tree.head) throw new UserError("--branch: HEAD has no commit yet to branch from", ExitCode.unsafeTarget, "commit the generated repository first");
  const [exists, who] = await Promise.all([branchExists(dir, tree, branch), gitIdentity(dir)]);
  if (exists) throw taken(branch);
  const { stream, snapshot } = importStream(members, tree.head, branch, who);
  if (signal?.aborted) throw new CancelledError("cancelled: nothing was written");
  // fast-import refuses to move an existing branch that is not an ancestor of the new commit; one
  // made by someone else between the check above and here is the only other way to lose a ref.
  const run = await runGit(dir, ["-c", "maintenance.auto=false", "fast-import", "--quiet"], { input: stream });
  if (run.code !== 0) {
    if (/not updating|does not contain/i.test(run.stderr)) throw taken(branch);
    throw new UserError(`--branch: git fast-import failed (exit ${run.code}): ${run.stderr.trim().split("\n").slice(0, 4).join("\n  ")}: no branch was made, nothing else was changed`, ExitCode.unsafeTarget);
  }
  const [first, second] = run.stdout.toString("utf8").trim().split("\n");
  const commit = snapshot ? second : first;
  // A signal during the import: the branch is whole, but the run was cancelled, so it goes again.
  if (signal?.aborted) {
    const removed = await runGit(dir, ["update-ref", "-d", `refs/heads/${branch}`, commit]);
    throw new CancelledError(removed.code === 0 ? "cancelled: the branch was removed again; nothing was changed" : `cancelled after the branch ${branch} was made (commit ${commit}); nothing else was changed`);
  }
  return appliedEach(members, { commit, ...(snapshot ? { snapshot: first } : {}) }, branch);
}

/** The message of the snapshot commit (the template output, second parent of the update's commit). */
const snapshotMessage = (plan: UpdatePlan) => `${TOOL.name} v${plan.to.version} template output (merge base for the next update)`;

/**
 * commitOnBranch for plans read from HEAD (headSource): objects and ref written here, no git process.
 * view: any member's (they share the repository and its HEAD).
 */
export async function commitOnBranchAtHead(members: readonly Part[], view: HeadView, branch: string, identities: Identities, signal?: AbortSignal): Promise<Applied[]> {
  if (members.every((m) => fileChanges(m.plan).length === 0)) return members.map(() => ({ changed: [] }));
  const who = await identities.for(view.at.dir, view.at.gitDir);
  const parts = members.map(({ plan, prefix }) => ({ prefix, changes: fileChanges(plan), modes: plan.modes, ...(needsSnapshot(plan) ? { snapshot: [...plan.plan.values(), plan.provenance] } : {}) }));
  const { objects, ids } = await branchObjects(view, parts, who, { update: `${updateMessageFor(members)}\n`, snapshot: snapshotMessage(members[0].plan) });
  if (signal?.aborted) throw new CancelledError("cancelled: nothing was written");
  try {
    writeBranch(view, objects, ids, branch, who.committer, await identities.reflogFor(view.at.config));
  } catch (error) {
    // A full disk, an I/O error: no branch (objects already written are unreferenced, for git gc).
    const fault = fileSystemFault(error, { path: view.at.gitDir });
    if (!fault) throw error;
    throw new UserError(`--branch: ${fault.message}: no branch was made, nothing else was changed`, ExitCode.unsafeTarget, fault.hint);
  }
  return appliedEach(members, ids, branch);
}
