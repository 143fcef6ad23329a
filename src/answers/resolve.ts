import type { Answers } from "./types.js";
import { crossCheck } from "./cross-checks.js";
import { ExitCode, UserError } from "../shared/errors.js";
import { questionList, type AnyQuestion, type Value } from "./questions.js";
import type { Prompter } from "./prompts.js";
import { guidedAnswers, type Ask, type Filled, type GuidedPrompter } from "./guided.js";
import { flagNaming, type Naming, type Problem } from "./naming.js";
import { describePreset, isLocked, policyProblem, type Preset } from "./preset.js";
import { shown, shownPath } from "../shared/show.js";
import { defaultFor, derivedAnswers } from "./derived.js";

export interface AnswerInput {
  directory?: string;
  /** Flag values, already typed. */
  flags: Partial<Answers>;
  /** Answers-file values, already typed, and the file they came from. */
  file?: { path: string; answers: Partial<Answers> };
  yes: boolean;
  /** A prompter when prompts may be shown (TTY, not CI); undefined otherwise. */
  prompter?: Prompter;
  /** The platform team's preset: defaults under the user's answers, locks and policy over them. */
  preset?: Preset;
  /** Problems found before (flag values that could not be typed): reported with the others. */
  flagProblems?: string[];
  /** Take the guided path when the prompter can (create does; update asks only what is new). */
  guided?: boolean;
  /** How messages name an answer: flags (the CLI, the default) or a host's inputs. */
  naming?: Naming;
  /**
   * Called once, in a run that prompts, as soon as the target directory is known (before the first
   * question, or right after the name when the name is the directory): a non-empty target is found
   * before any answer can be lost (issue #30). Throws to end the run.
   */
  onTarget?: (directory: string) => Promise<void>;
  /**
   * Answers that take their default from the answers above them even though a value is recorded
   * (update: a derived answer whose inputs changed, see derived.ts). Never asked.
   */
  derive?: ReadonlySet<keyof Answers>;
}

function describe(value: Value): string {
  return Array.isArray(value) ? value.join(",") : String(value);
}

/** The rule or the preset policy a value breaks, phrased to follow `'value' `. */
function problemOf(question: AnyQuestion, value: Value, preset: Preset | undefined): string | undefined {
  const problem = question.validate(value as never);
  if (problem) return problem;
  const policy = policyProblem(preset, question.name, value);
  return policy && `${policy}: policy of ${describePreset(preset!)}`;
}

/** What is wrong with one answer, one line per problem, each naming its source; [] when nothing. */
function check(question: AnyQuestion, value: Value, source: string, preset?: Preset): Problem[] {
  const problem = problemOf(question, value, preset);
  if (!problem) return [];
  const fields = [question.name];
  // List rules name each offending item themselves, one a line.
  return Array.isArray(value) ? problem.split("\n").map((line) => ({ fields, text: `${source}: ${line}` })) : [{ fields, text: `${source}: ${shown(value)} ${problem}` }];
}

/** Every problem found, reported together: one run tells the user everything to fix. */
function throwAll(problems: Problem[]): void {
  if (problems.length > 0) throw new UserError(problems.map((p) => p.text).join("\n"), ExitCode.usage, undefined, [...new Set(problems.flatMap((p) => p.fields))]);
}

/**
 * Resolve every answer: flag > answers file > prompt > preset default > default (or --yes
 * placeholder). A preset's locked answers cannot be changed; its policy and the same validator
 * run whatever the source. Missing answers in a non-interactive run end it here, all
 * named at once, before anything is written.
 */
export async function resolveAnswers(input: AnswerInput): Promise<{ answers: Answers; placeholders: (keyof Answers)[]; derived: (keyof Answers)[] }> {
  const naming = input.naming ?? flagNaming;
  const given = new Map<keyof Answers, { value: Value; source: string }>();
  for (const [key, value] of Object.entries(input.file?.answers ?? {})) given.set(key as keyof Answers, { value: value as Value, source: `${shownPath(input.file!.path)}: key '${key}'` });
  for (const question of questionList) {
    const value = input.flags[question.name];
    if (value !== undefined) given.set(question.name, { value, source: naming.answer(question.name) });
  }
  const preset = input.preset;
  const problems: Problem[] = (input.flagProblems ?? []).map((text) => ({ fields: [], text }));
  for (const [name, { value, source }] of given) {
    const locked = preset?.defaults[name];
    if (isLocked(preset, name) && describe(value) !== describe(locked as Value))
      problems.push({ fields: [name], text: `${source}: ${shown(value)} cannot be used: ${describePreset(preset!)} locks it to ${shown(locked)}` });
    else problems.push(...check(questionList.find((q) => q.name === name)!, value, source, preset));
  }
  throwAll(problems);

  const checked = new Set<string>();
  const onTarget = input.onTarget && (async (directory: string) => void (checked.has(directory) || (checked.add(directory), await input.onTarget!(directory))));
  const fill = (ask?: Ask) => fillAnswers({ ...input, onTarget }, given, ask);
  const prompter = input.prompter;
  const filled =
    prompter && input.guided && prompter.confirm && prompter.note
      ? await guidedAnswers(fill, prompter as GuidedPrompter)
      : await fill(prompter && ((question, def, validate) => prompter(question, def, validate)));
  const { answers, missing, placeholders } = filled;
  if (missing.length > 0) {
    const { message, hint } = naming.missing(missing, input.directory);
    throw new UserError(message, ExitCode.usage, hint, missing.map((m) => m.name));
  }
  const resolved = { ...answers, directory: input.directory ?? (answers.name as string) } as Answers;
  // Defaults are validated too: a default derived from a valid owner can still break a rule.
  for (const question of questionList)
    if (!given.has(question.name))
      problems.push(...check(question, resolved[question.name], `${naming.answer(question.name)} (${preset?.defaults[question.name] !== undefined ? `default from ${describePreset(preset)}` : "default"})`, preset));
  throwAll(problems);
  throwAll(crossCheck(resolved, new Set(given.keys()), naming));
  // The provenance record keeps which answers were derived, so update can tell them from set ones.
  const derived = derivedAnswers(resolved, new Set(given.keys()), preset);
  return { answers: resolved, placeholders, derived };
}

/**
 * One pass over the table in prompt order: given > locked or not applicable > asked (when `ask`
 * returns a promise) > preset default > default > --yes placeholder; what is left is missing.
 */
async function fillAnswers(input: AnswerInput, given: Map<keyof Answers, { value: Value; source: string }>, ask: Ask | undefined): Promise<Filled> {
  const preset = input.preset;
  const answers: Partial<Record<keyof Answers, Value>> = { directory: input.directory };
  const missing: AnyQuestion[] = [];
  const placeholders: (keyof Answers)[] = [];
  const defaults = new Map<keyof Answers, Value | undefined>();
  const askable: AnyQuestion[] = [];
  let targetChecked = !ask || !input.onTarget;
  for (const question of questionList) {
    const directory = input.directory ?? (answers.name as string | undefined);
    if (!targetChecked && directory !== undefined) {
      targetChecked = true;
      await input.onTarget!(directory);
    }
    const explicit = given.get(question.name);
    const def = defaultFor(question, answers as Partial<Answers>, preset);
    defaults.set(question.name, def ?? question.placeholder);
    if (explicit) {
      answers[question.name] = explicit.value;
      continue;
    }
    const follows = input.derive?.has(question.name) && def !== undefined;
    if (follows || isLocked(preset, question.name) || (question.when && !question.when(answers as Partial<Answers>))) {
      answers[question.name] = def;
      continue;
    }
    if (ask) {
      askable.push(question);
      // A placeholder is never offered at a prompt (issue #30: Enter wrote 61 files for `example-org`
      // and said nothing): the answer is required there. Typed on purpose, it gets --yes's note.
      const asked = ask(question, def, (v) => problemOf(question, v, preset));
      if (asked) {
        answers[question.name] = await asked;
        if (def === undefined && question.placeholder !== undefined && answers[question.name] === question.placeholder) placeholders.push(question.name);
        continue;
      }
    }
    if (def !== undefined) answers[question.name] = def;
    else if (input.yes && question.placeholder !== undefined) {
      answers[question.name] = question.placeholder;
      placeholders.push(question.name);
    } else if (!question.default || question.name === "name") missing.push(question);
    // A derived default (module from owner, say) is missing only because its inputs are: not named.
  }
  return { answers, missing, placeholders, defaults, askable };
}
