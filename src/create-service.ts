import path from "node:path";
import { resolveAnswers, type AnswerInput } from "./answers/resolve.js";
import type { Answers } from "./answers/types.js";
import { buildContext, type Context } from "./render/context.js";
import { commitRepository, type GitOutcome } from "./output/git.js";
import type { Io } from "./io.js";
import { planFiles, type Plan } from "./render/plan.js";
import { provenanceFile } from "./render/provenance.js";
import { readTemplates } from "./render/templates.js";
import { readPreset, type Preset } from "./answers/preset.js";
import { applyOverrides } from "./render/overrides.js";
import { generators, type Generator } from "../generators/index.js";
import { verifyRepository, type Check } from "./output/verify.js";
import { TOOL } from "./shared/tool.js";
import { checkTarget, writePlan } from "./output/write.js";

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
  const { answers, placeholders } = await resolveAnswers({ ...options, prompter: io.prompter, preset });
  const { context, plan } = await renderRepository(answers, { preset, templatesDir: options.templatesDir });
  const directory = path.resolve(io.cwd, answers.directory);
  const result = (git: Result["git"]): Result => ({ directory, answers, placeholders, files: summarize(plan), dryRun: options.dryRun, git });
  if (options.dryRun) {
    await checkTarget(directory, plan, options.force);
    return result({ status: "dry-run" });
  }
  await writePlan(plan, directory, { force: options.force, signal: io.signal });
  const git = await runPostSteps(context, directory, options, io);
  return { ...result(git), ...(options.verify ? { checks: await verifyRepository(directory, context) } : {}) };
}

/**
 * Everything the repository will contain, rendered in memory: the templates' output plus the
 * provenance record that describes it. Pure given the answers and the templates.
 */
export async function renderRepository(answers: Answers, options: { preset?: Preset; templatesDir?: string } = {}): Promise<{ context: Context; plan: Plan }> {
  const { preset } = options;
  const context = buildContext(answers, TOOL, preset?.policy.requiredLabels);
  let templates = await readTemplates();
  let list: readonly Generator[] = generators;
  if (options.templatesDir) {
    const overridden = await applyOverrides(templates, options.templatesDir);
    templates = overridden.templates;
    if (overridden.generator) list = [...generators, overridden.generator];
  }
  const rendered = await planFiles(context, templates, list);
  const identity = preset ? { name: preset.name, ...(preset.version ? { version: preset.version } : {}), sha256: preset.sha256 } : null;
  const plan = [...rendered, provenanceFile(rendered, answers, TOOL, templates, identity)];
  return { context, plan: plan.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

async function runPostSteps(context: Context, directory: string, options: CreateOptions, io: Io): Promise<Result["git"]> {
  if (!options.git) return { status: "disabled" };
  return commitRepository(directory, `chore: initial commit from ${context.tool.name} v${context.tool.version}`, io.signal);
}

function summarize(plan: Plan): Result["files"] {
  return plan.map((f) => ({ path: f.path, bytes: f.content.length, generator: f.generator }));
}
