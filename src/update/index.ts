// `create-gitops-go-service update`: bring a generated repository to the current templates with a
// three-way merge per file (base = the generated content, read from the repository's own history),
// or, with --check, tell which repositories are behind. Prints its own output and errors and
// returns the exit code; never exits the process.
import { helpWidth, indented, optionEntry, wrapWords } from "../shared/wrap.js";
import path from "node:path";
import { CancelledError, ExitCode, UserError } from "../shared/errors.js";
import { isCI, type Io } from "../io.js";
import { PRESET_ENV, readPreset } from "../answers/preset.js";
import { TOOL } from "../shared/tool.js";
import { inquirerPrompter } from "../answers/prompts.js";
import { applyUpdate, fileChanges, type Applied } from "./apply.js";
import { checkBranchName, commitOnBranch, commitOnBranchAtHead } from "./branch.js";
import { Identities } from "./identity.js";
import { gitHeadSource, headSource } from "./sources.js";
import { forEachLimited } from "../shared/limit.js";
import { checkDirtyOverlap, checkIgnoredOverlap, checkWorkTree } from "./preflight.js";
import { checkWritable, writtenFolders } from "./writable.js";
import { parseUpdateArgs, UPDATE_FLAGS, type UpdateArgs } from "./args.js";
import { checkExitCode, checkOne, conversionOutside, currentDigest, formatCheckLine, formatCheckTable, type CheckRow } from "./check.js";
import { formatPlan, staleImportsText } from "./format.js";
import { forEachHead, type HeadView } from "./git/head.js";
import { mayConvert, readIndex } from "./git/git-index.js";
import { fleetExitCode, fleetRow, formatFleetTable, type FleetRow } from "./fleet.js";
import { planUpdate, upToDate, type UpdatePlan } from "./plan-update.js";

export interface UpdateIo extends Io {
  /** Whether questions new since the repository was made may be asked (default: a TTY on both ends, CI unset). */
  interactive?: boolean;
}

/** Exit codes of `update` (the generator's, plus 5). `--check` has its own: 0 up to date, 1 behind, 2 error. */
export const UPDATE_EXIT_CODES = [
  [0, "updated (or already up to date)"],
  [1, "internal error"],
  [2, "usage error: bad flag or answer, not a generated repository, a new question with no answer and no terminal"],
  [3, "not safe to update, nothing changed: not a git work tree, uncommitted changes (without --allow-dirty, or where --allow-dirty's undo could lose them), hidden edits (skip-worktree, assume-unchanged), a sparse checkout, an ignored file where the update writes, a clean/smudge filter on a generated file, a merge in progress, .git/index.lock held, a git step failed, a shallow clone without the base, a base lost with the older templates (without --accept-lost-base), a read-only file system or a folder it may not write (named, before anything is written), --branch: the branch exists, its lock is held, or a write failed (a full disk)"],
  [4, "--commit/--branch failed (git commit refused): the update was undone"],
  [5, "conflicts: the files are written with markers (or kept), listed on stderr; resolve them and commit (with --branch: nothing written)"],
  [130, "cancelled (SIGINT or at a prompt): nothing was written, or the update was undone; 143 for SIGTERM"],
] as const;

/** `update --help`, wrapped to `width` (issue #30). */
export function updateHelpText(width = 80): string {
  const lines = UPDATE_FLAGS.map((m) => optionEntry(`${"short" in m ? `-${m.short}, ` : ""}--${m.flag}${"value" in m ? ` ${m.value}` : ""}`, m.help, width));
  const code = (c: string, text: string) => `  ${c.padEnd(5)}${indented(text, width, 7).trimStart()}`;
  return `Usage: ${TOOL.name} update [directory...] [options]
       ${TOOL.name} update --check [directory...]

${wrapWords(
  `Bring a generated repository to the templates of this version (${TOOL.version}). Per file, by its ownership class in .create-gitops-go-service.json: platform files are replaced (a local edit is a conflict), shared files are merged three ways (base: the generated content, read from git history), team files are never touched. Questions new since the repository was made are asked (or defaulted with --yes); any question flag (e.g. --port 9090) changes the recorded answer. An answer derived from others by default (the module, registry and repository URL from --owner; the description and Argo CD project from the name) follows them when they change, unless it was set (then it stays; pass its flag to change it); each answer that changes is listed, old → new, and --dry-run shows them before anything is written. Go files the team owns that import the old module path are named, not rewritten.`,
  width,
).join("\n")}

Options:
${lines.join("\n")}

Exit codes:
${UPDATE_EXIT_CODES.map(([c, t]) => code(String(c), t)).join("\n")}
${indented("--check: 0 every repository up to date, 1 at least one behind, 2 at least one unreadable", width, 2)}
${indented("several directories: the first failed repository's code, else 5 if any has conflicts, else 0", width, 2)}
`;
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

interface Outcome {
  plan: UpdatePlan;
  applied?: Applied;
}

/**
 * Plan and (unless a dry run, or --branch with conflicts) apply one repository's update. With
 * --branch and a located HEAD (view), the plan reads HEAD's commit: the checkout is not looked at.
 */
async function updateOne(directory: string, args: UpdateArgs, io: UpdateIo, interactive: boolean, view?: HeadView, identities = new Identities(), outside = false): Promise<Outcome> {
  const prompter = interactive ? (io.prompter ?? inquirerPrompter) : undefined;
  const atHead = args.branch !== undefined && view !== undefined && readsHeadItself(view, outside);
  // --branch plans from HEAD whichever way it reads it: from files (view), or through git.
  const tree = atHead ? undefined : await checkWorkTree(directory, args.allowDirty, args.branch !== undefined);
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
  // A pull-request branch with conflict markers is no use: such a repository is left as it is.
  const conflicted = plan.decisions.some((d) => d.action === "conflict");
  if (args.dryRun || (args.branch && conflicted)) return { plan };
  // Only where there is something to write: an up-to-date repository on a read-only mount is up to date.
  if (conflicted || fileChanges(plan).length > 0) checkWritable(writtenFolders(args, directory, atHead ? view : undefined, tree));
  if (args.branch && atHead) return { plan, applied: await commitOnBranchAtHead(plan, view, args.branch, identities, io.signal) };
  if (args.branch) return { plan, applied: await commitOnBranch(plan, tree!, args.branch, io.signal) };
  return { plan, applied: await applyUpdate(plan, { commit: args.commit, signal: io.signal }) };
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
        answerChanges: plan.answerChanges, staleImports: plan.staleImports,
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
 * Several directories: each on its own, a failure is that repository's row; a signal stops before
 * the next. With --branch or --dry-run (which write no index or work tree, so two folders of one
 * monorepo cannot contend for its index lock) a few at a time: each mostly waits for its git
 * processes, which start slowly on a busy machine (~100 ms each at a load of 12 on 2 cores). The
 * rows keep the order given.
 */
async function runFleet(args: UpdateArgs, io: UpdateIo): Promise<number> {
  const identities = new Identities();
  const outside = args.branch !== undefined && (await conversionOutside(io.cwd));
  const one = async (d: string, view?: HeadView): Promise<FleetRow> => {
    const directory = path.resolve(io.cwd, d);
    if (io.signal?.aborted) return { directory: d, status: "error", exitCode: ExitCode.cancelled, changed: 0, conflicts: [], error: "cancelled before it started: nothing written" };
    try {
      const outcome = await updateOne(directory, args, io, false, view, identities, outside);
      return fleetRow(d, outcome.plan, outcome.applied, 0);
    } catch (error) {
      const code = error instanceof UserError ? error.exitCode : ExitCode.internal;
      return { directory: d, status: "error", exitCode: code, changed: 0, conflicts: [], error: error instanceof Error ? error.message : String(error) };
    }
  };
  const concurrency = args.branch !== undefined || args.dryRun ? FLEET_CONCURRENCY : 1;
  const directories = args.directories.map((d) => path.resolve(io.cwd, d));
  const rows =
    args.branch !== undefined
      ? await forEachHead(directories, concurrency, (_, view, i) => one(args.directories[i], view))
      : await (async () => {
          const out: FleetRow[] = new Array(directories.length);
          await forEachLimited(args.directories, concurrency, async (d, i) => void (out[i] = await one(d)));
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
    const [outcome] = args.branch !== undefined ? await forEachHead([directory], 1, (d, view) => updateOne(d, parsed, io, interactive, view, undefined, outside)) : [await updateOne(directory, args, io, interactive)];
    return writeOne(directory, outcome, args, io);
  } catch (error) {
    return report(error, args, io);
  }
}
