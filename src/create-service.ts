import path from "node:path";
import { resolveAnswers, type AnswerInput } from "./answers/resolve.js";
import type { Answers } from "./answers/types.js";
import type { Context } from "./render/context.js";
import { renderRepository } from "./render/render-repository.js";
import { commitRepository, type GitOutcome } from "./output/git.js";
import type { Io } from "./io.js";
import type { Plan } from "./render/plan.js";
import { readPreset } from "./answers/preset.js";
import { verifyRepository, type Check } from "./output/verify.js";
import { checkTarget, writePlan } from "./output/write.js";
import { ExitCode, UserError } from "./shared/errors.js";
import { shownPath } from "./shared/show.js";

export interface CreateOptions extends Omit<AnswerInput, "prompter" | "preset"> {
  force: boolean;
  dryRun: boolean;
  git: boolean;
  /** A preset file (the CLI also reads it from $CREATE_GITOPS_GO_SERVICE_PRESET). */
  presetFile?: string;
  /** A folder of template overrides and additions (same layout as templates/). */
  templatesDir?: string;
  /** Run the generated repository's own checks after writing it. */
  verify?: boolean;
}

export interface Result {
  directory: string;
  answers: Answers;
  /** Answers --yes filled with placeholders the user should change. */
  placeholders: (keyof Answers)[];
  files: { path: string; bytes: number; generator: string }[];
  dryRun: boolean;
  git: GitOutcome | { status: "disabled" } | { status: "dry-run" };
  /** The --verify checks, when asked for. */
  checks?: Check[];
}

/**
 * The whole pipeline: answers -> context -> plan -> write -> post-steps. Never exits the process,
 * never reads a TTY itself (the prompter comes through io), so it can be embedded.
 * @example await createService({ directory: "orders", flags: { owner: "acme" }, yes: true, force: false, dryRun: false, git: true }, io)
 */
export async function createService(options: CreateOptions, io: Io): Promise<Result> {
  const preset = options.presetFile ? await readPreset(options.presetFile) : undefined;
  let beside = false;
  const onTarget = async (directory: string) => void (beside = await askAboutTarget(path.resolve(io.cwd, directory), io));
  const { answers, placeholders, derived } = await resolveAnswers({ ...options, prompter: io.prompter, preset, guided: true, onTarget: options.force ? undefined : onTarget });
  const { context, plan } = await renderRepository(answers, { preset, templatesDir: options.templatesDir, derived });
  const directory = path.resolve(io.cwd, answers.directory);
  const result = (git: Result["git"]): Result => ({ directory, answers, placeholders, files: summarize(plan), dryRun: options.dryRun, git });
  if (options.dryRun) {
    await checkTarget(directory, plan, options.force || beside, undefined, beside);
    return result({ status: "dry-run" });
  }
  await writePlan(plan, directory, { force: options.force || beside, keep: beside, signal: io.signal });
  const git = await runPostSteps(context, directory, options, io);
  return { ...result(git), ...(options.verify ? { checks: await verifyRepository(directory, context) } : {}) };
}

/**
 * A non-empty target, found before the questions (issue #30): cancel (the default), or write beside
 * what is there. Nothing offered deletes or replaces a file: a file the service would write that
 * already exists still ends the run, after the questions, before anything is written. True: beside.
 */
async function askAboutTarget(directory: string, io: Io): Promise<boolean> {
  const { prompter } = io;
  if (!prompter?.confirm || !prompter.note) return false;
  const { empty, entries } = await checkTarget(directory, [], true);
  if (empty) return false;
  const listed = entries.slice(0, 8).map(shownPath).join(", ") + (entries.length > 8 ? `, … (${entries.length} entries)` : "");
  prompter.note(`${shownPath(directory)} is not empty: ${listed}`);
  if (await prompter.confirm("Write the service beside them? (none is changed or deleted)", false)) return true;
  throw new UserError(`target ${shownPath(directory)} is not empty: cancelled, nothing was written`, ExitCode.unsafeTarget, "choose an empty or new directory, or pass --force to write the planned files over it (nothing else is touched)");
}

async function runPostSteps(context: Context, directory: string, options: CreateOptions, io: Io): Promise<Result["git"]> {
  if (!options.git) return { status: "disabled" };
  return commitRepository(directory, `chore: initial commit from ${context.tool.name} v${context.tool.version}`, io.signal);
}

function summarize(plan: Plan): Result["files"] {
  return plan.map((f) => ({ path: f.path, bytes: f.content.length, generator: f.generator }));
}
