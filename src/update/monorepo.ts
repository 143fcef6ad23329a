// Several directories of one run in one git repository (services of a monorepo, each with its own
// record): planned against the same HEAD and written as one update, because a work tree has one
// index, one MERGE_HEAD and a branch one tip. --branch makes one commit holding every service's
// changes, plain update stages one merge, --commit makes that one commit: the four commands agree
// on shape as on content, and a pull request reviews the repository's update as one. A repository
// is updated as a whole or not at all: a service that fails, or (with --branch) has conflicts,
// stops its siblings, each row naming why. Directories of separate repositories go one each, as
// before, through the same groups, readers and processes.
import { realpathSync } from "node:fs";
import path from "node:path";
import { ExitCode, UserError } from "../shared/errors.js";
import { forEachLimited } from "../shared/limit.js";
import { shown } from "../shared/show.js";
import { fileChanges, type Applied } from "./apply.js";
import { fleetRow, type FleetRow } from "./fleet.js";
import { GROUP, HeadView, locate } from "./git/head.js";
import { ObjectReader } from "./git/object-reader.js";
import type { UpdatePlan } from "./plan-update.js";
import type { WorkTree } from "./preflight.js";

/** A directory of the run: its place in the list, its located HEAD, or what git said of its work tree. */
export interface Member {
  index: number;
  dir: string;
  view?: HeadView;
  tree?: WorkTree;
  /** checkWorkTree's refusal, kept for the member's row. */
  error?: unknown;
}

export interface Planned {
  plan: UpdatePlan;
  tree?: WorkTree;
  /** Set where --branch reads HEAD from files (and writes the branch without git). */
  view?: HeadView;
}

export interface Outcome {
  plan: UpdatePlan;
  applied?: Applied;
}

/**
 * Refuse a directory named twice (also through a symlink or another spelling) or one inside
 * another: the outer service's update would read and write the inner one's files as its own.
 */
export function checkDistinct(directories: readonly string[], cwd: string): void {
  const real = directories.map((d) => {
    const abs = path.resolve(cwd, d);
    try {
      return realpathSync.native(abs);
    } catch {
      return abs; // missing: its own row says so
    }
  });
  const at = new Map<string, number>();
  real.forEach((r, i) => {
    const first = at.get(r);
    if (first !== undefined) throw new UserError(`${shown(directories[first])} and ${shown(directories[i])} are the same directory: name each service once`, ExitCode.usage);
    at.set(r, i);
  });
  real.forEach((r, i) => {
    for (let d = path.dirname(r); d !== path.dirname(d); d = path.dirname(d)) {
      const outer = at.get(d);
      if (outer !== undefined)
        throw new UserError(
          `${shown(directories[i])} is inside ${shown(directories[outer])}: a service's folder cannot hold another one named in the same run (the outer update would treat the inner service's files as its own)`,
          ExitCode.usage,
          "name the services' own folders (services/a services/b), not a folder above them",
        );
    }
  });
}

/** The key of a work tree (common dir, git dir: one per worktree, and HEAD): directories with one key are one repository's. */
export const workTreeKey = (t: WorkTree): string => `${t.commonDir}\0${t.gitDir}\0${t.head ?? ""}`;

/**
 * Group indices by work tree (check runs checkWorkTree, which the update runs anyway: no extra git
 * process); a refused directory is a group of its own, its error kept in `members`.
 */
export async function groupByWorkTree(dirs: readonly string[], indices: readonly number[], concurrency: number, check: (dir: string) => Promise<WorkTree>, members: Map<number, Member>): Promise<number[][]> {
  await forEachLimited(indices, concurrency, async (i) => {
    try {
      members.set(i, { index: i, dir: dirs[i], tree: await check(dirs[i]) });
    } catch (error) {
      members.set(i, { index: i, dir: dirs[i], error });
    }
  });
  return groupIndices(indices, (i) => {
    const m = members.get(i)!;
    return m.tree ? workTreeKey(m.tree) : `error\0${i}`;
  });
}

/** Indices in runs of one key, in first-seen order (a key of undefined: left out). */
function groupIndices(indices: readonly number[], keyOf: (i: number) => string | undefined): number[][] {
  const units = new Map<string, number[]>();
  for (const i of indices) {
    const key = keyOf(i);
    if (key === undefined) continue;
    const unit = units.get(key);
    if (unit) unit.push(i);
    else units.set(key, [i]);
  }
  return [...units.values()];
}

/**
 * Run fn over the directories by repository: located ones sharing a git dir and HEAD commit come
 * together, each with its view (sharing one ObjectReader, up to GROUP directories a reader as
 * forEachHead); the others as slow() groups them, with no view. fn returns one result per member.
 */
export async function forEachHeadGroup<T>(dirs: readonly string[], concurrency: number, fn: (members: Member[]) => Promise<T[]>, slow: (indices: number[]) => Promise<Member[][]>): Promise<T[]> {
  const located = dirs.map((dir) => locate(dir));
  const results: T[] = new Array(dirs.length);
  const run = async (members: Member[]) => {
    const out = await fn(members);
    members.forEach((m, k) => void (results[m.index] = out[k]));
  };
  const fast = groupIndices(located.map((_, i) => i), (i) => (located[i] ? `${located[i].gitDir}\0${located[i].commit}` : undefined));
  for (let s = 0; s < fast.length; ) {
    const batch: number[][] = [];
    for (let n = 0; s < fast.length && (batch.length === 0 || n + fast[s].length <= GROUP); s++) {
      batch.push(fast[s]);
      n += fast[s].length;
    }
    const reader = new ObjectReader([...new Set(batch.map((u) => located[u[0]]!.gitDir))]);
    try {
      await forEachLimited(batch, concurrency, (unit) => run(unit.map((i) => ({ index: i, dir: dirs[i], view: new HeadView(located[i]!, reader) }))));
    } finally {
      reader.close();
    }
  }
  await forEachLimited(await slow(located.flatMap((at, i) => (at ? [] : [i]))), concurrency, run);
  return results;
}

const codeOf = (error: unknown): number => (error instanceof UserError ? error.exitCode : ExitCode.internal);

const errorRow = (directory: string, error: unknown, exitCode = codeOf(error)): FleetRow => ({
  directory,
  status: "error",
  exitCode,
  changed: 0,
  conflicts: [],
  error: error instanceof Error ? error.message : String(error),
});

/** A service with changes that another service of its repository stopped: nothing written for it. */
const held = (directory: string, plan: UpdatePlan, by: string, why: string, exitCode: number): FleetRow => ({
  ...fleetRow(directory, plan, undefined, exitCode),
  status: "error",
  error: `not updated: ${by} in the same repository ${why} (see its row); the services of one repository are updated together`,
});

const conflictsOf = (plan: UpdatePlan) => plan.decisions.filter((d) => d.action === "conflict");

export interface Steps {
  plan(member: Member): Promise<Planned>;
  /** Write the members' updates as one (one commit, one branch, one staged merge). */
  write(planned: Planned[]): Promise<Outcome[]>;
  branch: boolean;
  dryRun: boolean;
  signal?: AbortSignal;
}

/** The rows of one repository's members (labels: the directories as given). */
export async function updateTogether(members: Member[], labels: readonly string[], steps: Steps): Promise<FleetRow[]> {
  // A dry run writes nothing: each service is its own row, whatever its siblings do.
  if (steps.dryRun && members.length > 1) return (await Promise.all(members.map((m) => updateTogether([m], labels, steps)))).flat();
  const label = (k: number) => labels[members[k].index];
  if (steps.signal?.aborted) return members.map((_, k) => errorRow(label(k), "cancelled before it started: nothing written", ExitCode.cancelled));
  const settled = await Promise.allSettled(members.map((m) => (m.error !== undefined ? Promise.reject(m.error) : steps.plan(m))));
  const failed = settled.findIndex((r) => r.status === "rejected");
  if (failed >= 0) {
    const code = codeOf((settled[failed] as PromiseRejectedResult).reason);
    return settled.map((r, k) => {
      if (r.status === "rejected") return errorRow(label(k), r.reason);
      return fileChanges(r.value.plan).length > 0 || conflictsOf(r.value.plan).length > 0 ? held(label(k), r.value.plan, label(failed), "failed", code) : fleetRow(label(k), r.value.plan, undefined, 0);
    });
  }
  const planned = settled.map((r) => (r as PromiseFulfilledResult<Planned>).value);
  let outcomes: Outcome[];
  try {
    outcomes = await steps.write(planned);
  } catch (error) {
    return members.map((_, k) => errorRow(label(k), error));
  }
  // --branch makes no branch with conflict markers: its siblings' changes wait with it.
  const conflicted = steps.branch ? outcomes.findIndex((o) => conflictsOf(o.plan).length > 0) : -1;
  return outcomes.map((o, k) =>
    conflicted >= 0 && conflictsOf(o.plan).length === 0 && fileChanges(o.plan).length > 0 ? held(label(k), o.plan, label(conflicted), "has conflicts", ExitCode.conflicts) : fleetRow(label(k), o.plan, o.applied, 0),
  );
}
