#!/usr/bin/env node
// The only place that prints errors, reads the terminal and sets the exit code.
import { parseCliArgs, type CliArgs } from "./args.js";
import { isCI } from "../io.js";
import { createService } from "../create-service.js";
import { CancelledError, ExitCode, UserError } from "../shared/errors.js";
import { fileSystemFault } from "../shared/fs-errors.js";
import { terminalSafe } from "../shared/show.js";
import { helpText } from "./help.js";
import { helpWidth } from "../shared/wrap.js";
import { formatSummary } from "./report.js";
import { TOOL } from "../shared/tool.js";
import { PRESET_ENV, readPreset } from "../answers/preset.js";
import { answersSchema } from "../answers/schema.js";
import { formatChecks } from "../output/verify.js";
// Static, although not every run needs them: they are small, and each dynamic import of our own code
// made esbuild split the code they share into more chunks, files that every run then loaded (9 on
// the --yes path; now 4 and the templates). What is heavy (prompts, yaml, the Handlebars compiler)
// is still imported only where it is used.
import { readAnswersFileProblems } from "../answers/answers-file.js";
import { inquirerPrompter } from "../answers/prompts.js";
import { runUpdateCommand } from "../update/index.js";

/** How long a cancelled run may take to clean up before it exits anyway. */
const SIGNAL_GRACE_MS = 5000;

async function main(argv: string[]): Promise<number> {
  let args: CliArgs | undefined;
  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second Ctrl-C must not cut the clean-up short (it used to kill the process mid-way and leave
    // the staging folder); the timer below ends a run that cannot stop.
    if (signalled) return;
    signalled = signal;
    controller.abort();
    // Clean-up takes milliseconds. A run that does not stop (a hung file system, a stuck child
    // process) still ends, and says what may be left.
    // Not process.exit(): it waits for the thread pool, and a thread stuck in the file system (a FIFO
    // nobody writes, a hung network mount) would hold it forever. Dying of the signal itself, as the
    // default action would have, ends at once; a shell shows it as 130 (SIGINT) or 143 (SIGTERM).
    setTimeout(() => {
      process.stderr.write(
        argv[0] === "update"
          ? `error: cancelled, but update did not stop within ${SIGNAL_GRACE_MS / 1000} s: run git status in the repository (git merge --abort or git reset --merge undoes a written update)\n`
          : `error: cancelled, but the run did not stop within ${SIGNAL_GRACE_MS / 1000} s: check the target's folder for a leftover .<name>.tmp-* folder\n`,
      );
      process.removeAllListeners("SIGINT");
      process.removeAllListeners("SIGTERM");
      process.kill(process.pid, signal);
    }, SIGNAL_GRACE_MS).unref();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  if (argv[0] === "update") {
    const code = await runUpdateCommand(argv.slice(1), { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
    return signalled ? (signalled === "SIGTERM" ? 143 : ExitCode.cancelled) : code;
  }
  try {
    args = parseCliArgs(argv);
    if (args.help) return void process.stdout.write(helpText(helpWidth(process.stdout))), ExitCode.ok;
    if (args.version) return void process.stdout.write(`${TOOL.version}\n`), ExitCode.ok;
    const presetFile = args.presetFile ?? (process.env[PRESET_ENV] || undefined);
    if (args.printSchema) {
      const preset = presetFile ? await readPreset(presetFile) : undefined;
      return void process.stdout.write(`${JSON.stringify(answersSchema(preset), null, 2)}\n`), ExitCode.ok;
    }
    const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !isCI(process.env) && !args.yes && !args.json;
    // The file's problems are reported with the flags' and the values' own: all at once.
    const read = args.answersFile ? await readAnswersFileProblems(args.answersFile) : undefined;
    const file = read && { path: args.answersFile!, answers: read.answers };
    const prompter = interactive ? inquirerPrompter : undefined;
    const result = await createService(
      { directory: args.directory, flags: args.flags, flagProblems: [...args.flagProblems, ...(read?.problems ?? [])], file, yes: args.yes, force: args.force, dryRun: args.dryRun, git: args.git, presetFile, templatesDir: args.templatesDir, verify: args.verify },
      { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, prompter, signal: controller.signal },
    );
    if (signalled) throw new CancelledError();
    if (args.json) {
      const commit = result.git.status === "committed" ? result.git.commit : null;
      const ok = !result.checks?.some((c) => c.status === "fail");
      process.stdout.write(`${JSON.stringify({ ok, directory: result.directory, dryRun: result.dryRun, files: result.files.map((f) => f.path), answers: result.answers, placeholders: result.placeholders, git: result.git, commit, ...(result.checks ? { checks: result.checks } : {}) })}\n`);
    } else {
      process.stdout.write(`${formatSummary(result, process.cwd(), { verbose: args.verbose })}\n`);
      if (result.checks) process.stdout.write(`\n${formatChecks(result.checks)}\n`);
    }
    // A failed check is a failed post-step: the files are written and kept.
    return result.checks?.some((c) => c.status === "fail") ? ExitCode.postStep : ExitCode.ok;
  } catch (error) {
    return report(error, args, signalled);
  }
}

function report(thrown: unknown, args: CliArgs | undefined, signalled: NodeJS.Signals | undefined): number {
  // A file-system error that no step turned into words is still the environment's, not a bug.
  const error = fileSystemFault(thrown, { path: "a file", verb: "write" }) ?? thrown;
  let code: number = error instanceof UserError ? error.exitCode : ExitCode.internal;
  if (error instanceof CancelledError || signalled) code = signalled === "SIGTERM" ? 143 : ExitCode.cancelled;
  // Messages repeat values and paths: nothing in them may drive the terminal or flood it.
  const message = terminalSafe(error instanceof Error ? error.message : String(error));
  const hint = error instanceof UserError && error.hint ? terminalSafe(error.hint) : undefined;
  if (args?.json) process.stdout.write(`${JSON.stringify({ ok: false, exitCode: code, error: message, hint })}\n`);
  if (error instanceof UserError || signalled) {
    process.stderr.write(`error: ${message}\n`);
    if (hint) process.stderr.write(`hint: ${hint}\n`);
  } else {
    process.stderr.write(`internal error: ${message}\n`);
    process.stderr.write(args?.debug && error instanceof Error ? `${terminalSafe(error.stack ?? "")}\n` : "rerun with --debug for the stack trace, and please report it\n");
  }
  return code;
}

process.exitCode = await main(process.argv.slice(2));
