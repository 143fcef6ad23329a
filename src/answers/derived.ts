// Answers derived from other answers by default (module, registry and repository URL from the owner,
// the Argo CD project from the name): which ones a run took that way, and which of them follow on
// `update` when an answer they are derived from changes (issue #28: `update --owner acme` of a
// repository made with the placeholder owner left example-org in go.mod, the Makefile and the
// GitOps objects). Everything here reads the question table: no question is named.
import { isDeepStrictEqual } from "node:util";
import type { Answers } from "./types.js";
import { questionList, type AnyQuestion, type Value } from "./questions.js";
import type { Preset } from "./preset.js";

/** A question's default given the answers above it: the preset's, else the table's. */
export function defaultFor(question: AnyQuestion, answers: Partial<Answers>, preset?: Preset): Value | undefined {
  return (preset?.defaults[question.name] as Value | undefined) ?? question.default?.(answers);
}

/**
 * The answers, in table order, that were not given (flag, answers file) and hold their default:
 * derived. Accepting a default at a prompt counts as derived too; a placeholder (no default) never does.
 * The directory is left out: the name's default is the target folder, which is no answer, so the
 * record says the same whether made by create or by update in a checkout of any name.
 */
export function derivedAnswers(answers: Partial<Answers>, given: ReadonlySet<string>, preset?: Preset): (keyof Answers)[] {
  const { directory: _directory, ...rest } = answers;
  const from = rest as Partial<Answers>;
  return questionList
    .filter((q) => !given.has(q.name) && from[q.name] !== undefined && isDeepStrictEqual(from[q.name], defaultFor(q, from, preset)))
    .map((q) => q.name);
}

/**
 * The derived answers an update recomputes: those whose default, from this run's answers, differs from
 * their default from the recorded answers, i.e. an answer they are derived from changed (in table
 * order, so a chain follows too). A new default of the tool or the preset alone changes none of
 * them, and an answer given in this run is never among them.
 */
export function followingAnswers(
  recorded: Partial<Answers>,
  current: Partial<Answers>,
  derived: ReadonlySet<string>,
  given: ReadonlySet<string>,
  preset?: Preset,
): Set<keyof Answers> {
  const now: Partial<Record<keyof Answers, Value>> = { ...current };
  const follow = new Set<keyof Answers>();
  for (const q of questionList) {
    if (!derived.has(q.name) || given.has(q.name) || recorded[q.name] === undefined) continue;
    const after = defaultFor(q, now as Partial<Answers>, preset);
    if (after === undefined || isDeepStrictEqual(after, defaultFor(q, recorded, preset))) continue;
    follow.add(q.name);
    now[q.name] = after;
  }
  return follow;
}
