import path from "node:path";
import { resolveAnswers, type AnswerInput } from "./answers.js";
import type { Answers } from "./answers-types.js";
import { buildContext, type Context } from "./context.js";
import { commitRepository, type GitOutcome } from "./git.js";
import type { Io } from "./io.js";
import { planFiles, type Plan } from "./plan.js";
import { provenanceFile } from "./provenance.js";
import { readTemplates } from "./templates.js";
import { TOOL } from "./tool.js";
import { checkTarget, writePlan } from "./write.js";

export interface CreateOptions extends Omit<AnswerInput, "prompter"> {
  force: boolean;
  dryRun: boolean;
  git: boolean;
}

export interface Result {
  directory: string;
  answers: Answers;
  /** Answers --yes filled with placeholders the user should change. */
  placeholders: (keyof Answers)[];
  files: { path: string; bytes: number; generator: string }[];
  dryRun: boolean;
  git: GitOutcome | { status: "disabled" } | { status: "dry-run" };
}

/**
 * The whole pipeline: answers -> context -> plan -> write -> post-steps. Never exits the process,
 * never reads a TTY itself (the prompter comes through io), so it can be embedded.
 * @example await createService({ directory: "orders", flags: { owner: "acme" }, yes: true, force: false, dryRun: false, git: true }, io)
 */
export async function createService(options: CreateOptions, io: Io): Promise<Result> {
  const { answers, placeholders } = await resolveAnswers({ ...options, prompter: io.prompter });
  const { context, plan } = await renderRepository(answers);
  const directory = path.resolve(io.cwd, answers.directory);
  const result = (git: Result["git"]): Result => ({ directory, answers, placeholders, files: summarize(plan), dryRun: options.dryRun, git });
  if (options.dryRun) {
    await checkTarget(directory, plan, options.force);
    return result({ status: "dry-run" });
  }
  await writePlan(plan, directory, { force: options.force, signal: io.signal });
  return result(await runPostSteps(context, directory, options, io));
}

/**
 * Everything the repository will contain, rendered in memory: the templates' output plus the
 * provenance record that describes it. Pure given the answers and the templates.
 */
export async function renderRepository(answers: Answers): Promise<{ context: Context; plan: Plan }> {
  const context = buildContext(answers, TOOL);
  const templates = await readTemplates();
  const rendered = await planFiles(context, templates);
  const plan = [...rendered, provenanceFile(rendered, answers, TOOL, templates, null)];
  return { context, plan: plan.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

async function runPostSteps(context: Context, directory: string, options: CreateOptions, io: Io): Promise<Result["git"]> {
  if (!options.git) return { status: "disabled" };
  return commitRepository(directory, `chore: initial commit from ${context.tool.name} v${context.tool.version}`, io.signal);
}

function summarize(plan: Plan): Result["files"] {
  return plan.map((f) => ({ path: f.path, bytes: f.content.length, generator: f.generator }));
}
