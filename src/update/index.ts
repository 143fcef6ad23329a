// `create-gitops-go-service update`: bring a generated repository to the current templates with a
// three-way merge per file (base = the generated content, read from the repository's own history),
// or, with --check, tell which repositories are behind. Prints its own output and errors and
// returns the exit code; never exits the process.
import { helpWidth } from "../shared/wrap.js";
import path from "node:path";
import { CancelledError, ExitCode, UserError } from "../shared/errors.js";
import { isCI, type Io } from "../io.js";
import { PRESET_ENV, readPreset } from "../answers/preset.js";
import { inquirerPrompter } from "../answers/prompts.js";
import { applyUpdate, fileChanges } from "./apply.js";
import { checkBranchName, commitOnBranch, commitOnBranchAtHead } from "./branch.js";
import { Identities } from "./identity.js";
import { gitHeadSource, headSource } from "./sources.js";
import { forEachLimited } from "../shared/limit.js";
import { checkDirtyOverlap, checkIgnoredOverlap, checkWorkTree, type WorkTree } from "./preflight.js";
import { checkWritable, writtenFolders } from "./writable.js";
import { parseUpdateArgs, type UpdateArgs } from "./args.js";
import { updateHelpText } from "./help.js";

export { UPDATE_EXIT_CODES, updateHelpText } from "./help.js";
import { checkExitCode, checkOne, conversionOutside, currentDigest, formatCheckLine, formatCheckTable, type CheckRow } from "./check.js";
import { formatPlan, staleImportsText } from "./format.js";
import { forEachHead, type HeadView } from "./git/head.js";
import { mayConvert, readIndex } from "./git/git-index.js";
import { fleetExitCode, formatFleetTable, type FleetRow } from "./fleet.js";
import { checkDistinct, forEachHeadGroup, groupByWorkTree, updateTogether, type Member, type Outcome, type Planned, type Steps } from "./monorepo.js";
import { planUpdate, upToDate } from "./plan-update.js";

export interface UpdateIo extends Io {
  /** Whether questions new since the repository was made may be asked (default: a TTY on both ends, CI unset). */
  interactive?: boolean;
}

function report(error: unknown, args: UpdateArgs | undefined, io: Io): number {
  const code: number = error instanceof UserError ? error.exitCode : ExitCode.internal;
  const message = error instanceof Error ? error.message : String(error);
  if (args?.json) io.stdout.write(`${JSON.stringify({ ok: false, exitCode: code, error: message, hint: error instanceof UserError ? error.hint : undefined })}\n`);
  if (error instanceof UserError) {
    io.stderr.write(`error: ${message}\n`);
    if (error.hint) io.stderr.write(`hint: ${error.hint}\n`);
  } else {
    io.stderr.write(`internal error: ${message}\n`);
    io.stderr.write(args?.debug && error instanceof Error ? `${error.stack}\n` : "rerun with --debug for the stack trace, and please report it\n");
  }
  return code;
}

/** The preset this run updates with: --preset, else $CREATE_GITOPS_GO_SERVICE_PRESET (as at generation). */
function presetFileOf(args: UpdateArgs): string | undefined {
  return args.presetFile ?? (process.env[PRESET_ENV] || undefined);
}

/** How messages name where the preset came from. */
const presetLabelOf = (args: UpdateArgs): string => (args.presetFile ? "--preset" : `$${PRESET_ENV}`);

/** Repositories read at a time by --check: enough to keep git busy when objects are packed. */
const CHECK_CONCURRENCY = 8;

async function runCheck(args: UpdateArgs, io: UpdateIo): Promise<number> {
  const dirs = args.directories.length > 0 ? args.directories : ["."];
  const presetFile = presetFileOf(args);
  const [digest, converts, preset] = await Promise.all([currentDigest(args.templatesDir), conversionOutside(io.cwd), presetFile ? readPreset(presetFile, presetLabelOf(args)) : undefined]);
  const rows: CheckRow[] = await forEachHead(
    dirs.map((d) => path.resolve(io.cwd, d)),
    CHECK_CONCURRENCY,
    async (directory, view, i) => ({ ...(await checkOne(directory, digest, view, converts, preset)), directory: dirs[i] }),
  );
  if (args.json) io.stdout.write(`${JSON.stringify({ ok: rows.every((r) => r.status !== "error"), repositories: rows })}\n`);
  else io.stdout.write(`${rows.length === 1 ? formatCheckLine(rows[0]) : formatCheckTable(rows)}\n`);
  return checkExitCode(rows);
}

/**
 * Plan one repository's (or service's) update; nothing is written. With --branch and a located HEAD
 * (view), the plan reads HEAD's commit: the checkout is not looked at. tree: checkWorkTree's answer,
 * where the caller already has it (a fleet groups directories by it).
 */
async function planOne(directory: string, args: UpdateArgs, io: UpdateIo, interactive: boolean, view?: HeadView, outside = false, known?: WorkTree): Promise<Planned> {
  const prompter = interactive ? (io.prompter ?? inquirerPrompter) : undefined;
  const atHead = args.branch !== undefined && view !== undefined && readsHeadItself(view, outside);
  // --branch plans from HEAD whichever way it reads it: from files (view), or through git.
  const tree = atHead ? undefined : (known ?? (await checkWorkTree(directory, args.allowDirty, args.branch !== undefined)));
  const plan = await planUpdate(directory, {
    source: atHead ? headSource(view) : args.branch !== undefined ? gitHeadSource(directory) : undefined,
    flags: args.flags,
    answersFile: args.answersFile,
    presetFile: presetFileOf(args),
    presetLabel: presetLabelOf(args),
    templatesDir: args.templatesDir,
    yes: args.yes,
    overwritePlatform: args.overwritePlatform,
    acceptLostBase: args.acceptLostBase,
    prompter,
  });
  if (args.branch === undefined) checkIgnoredOverlap(plan);
  if (args.allowDirty && !args.dryRun && args.branch === undefined) await checkDirtyOverlap(plan);
  if (io.signal?.aborted) throw new CancelledError("cancelled: nothing was written");
  return { plan, tree, view: atHead ? view : undefined };
}

/**
 * Apply planned updates (unless a dry run, or --branch with conflicts) as one: the members are one
 * repository's (one service, or several of a monorepo: one commit, one branch, one staged merge).
 */
async function carryOut(members: readonly Planned[], args: UpdateArgs, io: UpdateIo, identities: Identities): Promise<Outcome[]> {
  const conflicted = members.some(({ plan }) => plan.decisions.some((d) => d.action === "conflict"));
  // A pull-request branch with conflict markers is no use: such a repository is left as it is.
  if (args.dryRun || (args.branch && conflicted)) return members.map(({ plan }) => ({ plan }));
  // Only where there is something to write: an up-to-date repository on a read-only mount is up to date.
  for (const { plan, view, tree } of members)
    if (plan.decisions.some((d) => d.action === "conflict") || fileChanges(plan).length > 0) checkWritable(writtenFolders(args, plan.directory, view, tree));
  const parts = members.map(({ plan, view, tree }) => ({ plan, prefix: view ? view.at.prefix : tree!.prefix }));
  const [first] = members;
  if (members.some((m) => Boolean(m.view) !== Boolean(first.view))) throw new Error("services of one repository planned from HEAD both with and without git");
  const applied =
    args.branch && first.view
      ? await commitOnBranchAtHead(parts, first.view, args.branch, identities, io.signal)
      : args.branch
        ? await commitOnBranch(parts, first.tree!, args.branch, io.signal)
        : await applyUpdate(parts, { commit: args.commit, signal: io.signal });
  return members.map(({ plan }, i) => ({ plan, applied: applied[i] }));
}

/** Plan and (unless a dry run, or --branch with conflicts) apply one repository's update. */
async function updateOne(directory: string, args: UpdateArgs, io: UpdateIo, interactive: boolean, view?: HeadView, outside = false): Promise<Outcome> {
  const [outcome] = await carryOut([await planOne(directory, args, io, interactive, view, outside)], args, io, new Identities());
  return outcome;
}

/**
 * Whether --branch may read HEAD from files: not where an attribute or a setting may name a filter
 * (git-crypt, LFS), which git must see (gitHeadSource asks git check-attr, and refuses it).
 */
function readsHeadItself(view: HeadView, outside: boolean): boolean {
  if (outside) return false;
  const index = readIndex(view.at.gitDir);
  return index !== undefined && !mayConvert(view.at.gitDir, view.at.config, index);
}

function writeOne(directory: string, { plan, applied }: Outcome, args: UpdateArgs, io: UpdateIo): number {
  const conflicts = plan.decisions.filter((d) => d.action === "conflict");
  const written = !args.dryRun && !(args.branch && conflicts.length > 0);
  if (args.json) {
    io.stdout.write(
      `${JSON.stringify({
        ok: conflicts.length === 0,
        directory,
        dryRun: args.dryRun,
        from: plan.from,
        to: plan.to,
        upToDate: upToDate(plan),
        newAnswers: plan.newAnswers,
        placeholders: plan.placeholders,
        answerChanges: plan.answerChanges,
        staleImports: plan.staleImports,
        files: plan.decisions.map(({ path: p, ownership, action, reason }) => ({ path: p, ownership, action, reason })),
        conflicts: conflicts.map((d) => d.path),
        changed: applied?.changed ?? [],
        snapshot: applied?.snapshot ?? null,
        commit: applied?.commit ?? null,
        branch: applied?.branch ?? null,
      })}\n`,
    );
  } else io.stdout.write(`${formatPlan(plan, io.cwd, applied, !written)}\n`);
  if (plan.staleImports.length > 0) io.stderr.write(staleImportsText(plan.staleImports, plan.record.answers.module, plan.answers.module, written));
  if (conflicts.length === 0) return ExitCode.ok;
  io.stderr.write(
    `error: ${conflicts.length} conflict${conflicts.length === 1 ? "" : "s"}${written ? "" : " expected"}:\n${conflicts.map((d) => `  ${d.path} (${d.ownership}: ${d.reason})`).join("\n")}\n` +
      (written
        ? "hint: resolve the <<<<<<< ours / ||||||| base / ======= / >>>>>>> template markers, git add the files, then git commit (git merge --abort undoes the whole update)\n"
        : args.branch
          ? "hint: nothing was written; run update without --branch in it to resolve the conflicts\n"
          : ""),
  );
  return ExitCode.conflicts;
}

const FLEET_CONCURRENCY = 4;

/**
 * Several directories: each repository on its own, a failure is that repository's rows; a signal
 * stops before the next. Directories of one repository (services of a monorepo) are planned against
 * its HEAD and written as one update (monorepo.ts). With --branch or --dry-run (which write no index
 * or work tree) a few repositories at a time: each mostly waits for its git processes, which start
 * slowly on a busy machine (~100 ms each at a load of 12 on 2 cores). The rows keep the order given.
 */
async function runFleet(args: UpdateArgs, io: UpdateIo): Promise<number> {
  checkDistinct(args.directories, io.cwd);
  const identities = new Identities();
  const outside = args.branch !== undefined && (await conversionOutside(io.cwd));
  const concurrency = args.branch !== undefined || args.dryRun ? FLEET_CONCURRENCY : 1;
  const directories = args.directories.map((d) => path.resolve(io.cwd, d));
  const steps: Steps = {
    plan: (m) => planOne(m.dir, args, io, false, m.view, outside, m.tree),
    write: (planned) => carryOut(planned, args, io, identities),
    branch: args.branch !== undefined,
    dryRun: args.dryRun,
    signal: io.signal,
  };
  // Git is asked where each directory's work tree is (checkWorkTree, as the update would anyway).
  const members = new Map<number, Member>();
  const slow = async (indices: number[]) =>
    (await groupByWorkTree(directories, indices, concurrency, (d) => checkWorkTree(d, args.allowDirty, args.branch !== undefined), members)).map((unit) => unit.map((i) => members.get(i)!));
  const together = (unit: Member[]) => updateTogether(unit, args.directories, steps);
  const rows: FleetRow[] =
    args.branch !== undefined
      ? await forEachHeadGroup(directories, concurrency, together, slow)
      : await (async () => {
          const out: FleetRow[] = new Array(directories.length);
          await forEachLimited(await slow(directories.map((_, i) => i)), concurrency, async (unit) => (await together(unit)).forEach((row, k) => void (out[unit[k].index] = row)));
          return out;
        })();
  const written = !args.dryRun && !args.branch;
  if (args.json) io.stdout.write(`${JSON.stringify({ ok: rows.every((r) => r.status === "updated" || r.status === "up-to-date"), repositories: rows })}\n`);
  else io.stdout.write(`${formatFleetTable(rows, written)}\n`);
  return fleetExitCode(rows);
}

/**
 * `update [directory...] [options]` / `update --check [directory...]`, argv after the word `update`.
 * @example process.exitCode = await runUpdateCommand(["--dry-run", "--json"], { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr })
 */
export async function runUpdateCommand(argv: string[], io: UpdateIo): Promise<number> {
  let args: UpdateArgs | undefined;
  try {
    args = parseUpdateArgs(argv);
    if (args.help) return void io.stdout.write(updateHelpText(helpWidth(io.stdout))), ExitCode.ok;
    if (args.check) return await runCheck(args, io);
    if (args.branch !== undefined) await checkBranchName(io.cwd, args.branch);
    if (args.directories.length > 1) return await runFleet(args, io);
    const directory = path.resolve(io.cwd, args.directories[0] ?? ".");
    const interactive = (io.interactive ?? (Boolean(process.stdin.isTTY && process.stdout.isTTY) && !isCI(process.env))) && !args.yes && !args.json;
    const parsed = args;
    const outside = args.branch !== undefined && (await conversionOutside(io.cwd));
    const [outcome] = args.branch !== undefined ? await forEachHead([directory], 1, (d, view) => updateOne(d, parsed, io, interactive, view, outside)) : [await updateOne(directory, args, io, interactive)];
    return writeOne(directory, outcome, args, io);
  } catch (error) {
    return report(error, args, io);
  }
}
