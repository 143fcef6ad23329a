// The pipeline for hosts that embed the generator (the Backstage action): the same steps the CLI
// runs, minus the terminal and git. Answers are resolved exactly as the CLI resolves flags (same
// validators, preset locks and policy, cross-checks and messages), rendered in memory, and written
// with writePlan by the caller.
import type { Answers } from "./answers/types.js";
import { resolveAnswers } from "./answers/resolve.js";
import { fromFile } from "./answers/coerce.js";
import type { Context } from "./render/context.js";
import { renderRepository } from "./render/render-repository.js";
import { ExitCode, UserError } from "./shared/errors.js";
import type { Plan } from "./render/plan.js";
import { flagNaming, type Naming } from "./answers/naming.js";
import type { Preset } from "./answers/preset.js";
import { questionList } from "./answers/questions.js";

export { renderRepository } from "./render/render-repository.js";
export { readPreset, describePreset, type Preset } from "./answers/preset.js";
export { answersSchema } from "./answers/schema.js";
export { checkTarget } from "./output/write.js";
export { PROVENANCE_FILE } from "./render/provenance.js";
export { questionList, type AnyQuestion, type Kind } from "./answers/questions.js";
export { flagNaming, inputNaming, type Naming } from "./answers/naming.js";

export interface RenderServiceOptions {
  /**
   * Answers as JSON values (a host's input): each is coerced like an answers-file value
   * (`port: "8080"` is 8080, `environments: "dev,prod"` a list) and then treated as a flag, so
   * every message is the CLI's, naming each answer as `naming` says. Unknown keys are errors.
   */
  answers: Record<string, unknown>;
  /** How messages name the answers: the CLI's flags by default, or the host's inputs (inputNaming()). */
  naming?: Naming;
  /** A preset already read with readPreset. */
  preset?: Preset;
  /** Like --yes: placeholders for answers with no default (owner). Otherwise they must be given. */
  yes?: boolean;
  /** A folder of template overrides and additions (like --templates). */
  templatesDir?: string;
}

export interface RenderedService {
  answers: Answers;
  placeholders: (keyof Answers)[];
  context: Context;
  /** Every file, the provenance record included, sorted by path. */
  plan: Plan;
}

/**
 * Resolve and render without a terminal, a target directory or git: the CLI's pipeline up to the
 * write. Throws the CLI's UserErrors.
 * @example const { plan } = await renderService({ answers: { name: "orders", owner: "acme" } }); await writePlan(plan, dir, { force: false });
 */
export async function renderService(options: RenderServiceOptions): Promise<RenderedService> {
  const naming = options.naming ?? flagNaming;
  const flags: Partial<Record<keyof Answers, unknown>> = {};
  for (const [key, raw] of Object.entries(options.answers)) {
    if (raw === undefined || raw === null) continue;
    const question = questionList.find((q) => q.name === key);
    if (!question) throw new UserError(`unknown answer '${key}' (expected: ${questionList.map((q) => q.name).join(", ")})`, ExitCode.usage);
    try {
      flags[question.name] = fromFile(question, raw);
    } catch (problem) {
      throw new UserError(`${naming.answer(question.name)}: ${String(problem)}`, ExitCode.usage, undefined, [question.name]);
    }
  }
  const { answers, placeholders, derived } = await resolveAnswers({ flags: flags as Partial<Answers>, yes: options.yes ?? false, preset: options.preset, naming });
  const { context, plan } = await renderRepository(answers, { preset: options.preset, templatesDir: options.templatesDir, derived });
  return { answers, placeholders, context, plan };
}
