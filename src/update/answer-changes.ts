// The recorded answers an update changes, old → new, and why: shown by every run (the dry run
// before anything is written) so a module path or an Argo CD project never changes unseen (#28).
import { isDeepStrictEqual } from "node:util";
import { questionList, type Value } from "../answers/questions.js";
import type { Answers } from "../answers/types.js";
import type { Provenance } from "../render/provenance.js";

export interface AnswerChange {
  name: keyof Answers;
  flag: string;
  from: Value;
  to: Value;
  /**
   * given: set in this run (flag or answers file); derived: recorded as derived, it follows the
   * answers it is derived from; assumed-derived: the same, from a record that does not say (its value
   * was what the recorded answers derive); default: its question no longer applies.
   */
  why: "given" | "derived" | "assumed-derived" | "default";
}

export function answerChanges(record: Provenance, answers: Answers, how: { given: ReadonlySet<string>; follow: ReadonlySet<string> }): AnswerChange[] {
  const before = record.answers as Partial<Record<keyof Answers, Value>>;
  return questionList
    .filter((q) => before[q.name] !== undefined && answers[q.name] !== undefined && !isDeepStrictEqual(before[q.name], answers[q.name]))
    .map((q): AnswerChange => ({
      name: q.name,
      flag: q.flag,
      from: before[q.name]!,
      to: answers[q.name],
      why: how.given.has(q.name) ? "given" : how.follow.has(q.name) ? (record.derived ? "derived" : "assumed-derived") : "default",
    }));
}

const keep = (c: AnswerChange): string => `pass --${c.flag} ${Array.isArray(c.from) ? c.from.join(",") : String(c.from)} to keep it`;

const WHY: Record<AnswerChange["why"], (c: AnswerChange) => string> = {
  given: () => "given",
  derived: (c) => `derived: follows the answers it comes from; ${keep(c)}`,
  "assumed-derived": (c) => `taken as derived: the record (from an older version) does not say whether it was set, and it was what the recorded answers derive; ${keep(c)}`,
  default: () => "its question no longer applies: the default",
};

/** One line per change, for the text output. */
export function answerChangeLines(changes: readonly AnswerChange[]): string[] {
  return changes.map((c) => `  answer ${c.name}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)} (${WHY[c.why](c)})`);
}
