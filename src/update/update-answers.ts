// The answers an update renders with: the recorded ones as the answers-file layer, this run's flags
// and answers file over them, new questions asked or defaulted, and the derived answers following
// the answers they are derived from (#28: module, registry and repository URL follow --owner).
import { readAnswersFile } from "../answers/answers-file.js";
import { derivedAnswers, followingAnswers } from "../answers/derived.js";
import type { Preset } from "../answers/preset.js";
import type { Prompter } from "../answers/prompts.js";
import { questionFor, questionList } from "../answers/questions.js";
import { resolveAnswers } from "../answers/resolve.js";
import type { Answers } from "../answers/types.js";
import { PROVENANCE_FILE, type Provenance } from "../render/provenance.js";
import { answerChanges, type AnswerChange } from "./answer-changes.js";

export interface UpdateAnswers {
  answers: Answers;
  placeholders: (keyof Answers)[];
  /** The answers still derived after this run, for the new record. */
  derived: (keyof Answers)[];
  /** Questions the record has no answer for (new since the repository was made), with the value used. */
  newAnswers: Partial<Answers>;
  answerChanges: AnswerChange[];
}

export async function updateAnswers(
  record: Provenance,
  directory: string,
  preset: Preset | undefined,
  options: { flags: Partial<Answers>; answersFile?: string; yes: boolean; prompter?: Prompter },
): Promise<UpdateAnswers> {
  // The recorded answers are the answers-file layer: flags still win, and questions the record has no
  // answer for are asked, defaulted (--yes) or reported missing exactly as the generator does.
  // Answers to questions that no longer exist are dropped.
  // So are recorded answers to questions that do not apply (the record holds every question's value,
  // e.g. the canary thresholds of a service without canaries): given explicitly they would be refused.
  const known = Object.fromEntries(Object.entries(record.answers).filter(([k]) => questionFor(k))) as Partial<Answers>;
  const extra = options.answersFile ? await readAnswersFile(options.answersFile) : {};
  const effective = { ...known, ...extra, ...options.flags } as Partial<Answers>;
  // Derived answers follow the answers they are derived from unless set: they leave the answers-file
  // layer and take their default again. A record from before `derived` existed: an answer equal to
  // what the recorded answers derive is taken as derived. Both without the directory: the name's
  // default is the checkout's folder, which no answer derives (and the record must not depend on
  // where the repository is checked out).
  const given = new Set<string>([...Object.keys(extra), ...Object.keys(options.flags)]);
  const wasDerived = new Set<string>(record.derived ?? derivedAnswers(known, new Set(), preset));
  const follow = followingAnswers(known, effective, wasDerived, given, preset);
  const recorded = Object.fromEntries(
    Object.entries(known).filter(([k]) => !follow.has(k as keyof Answers) && (!questionFor(k)!.when || questionFor(k)!.when!(effective))),
  ) as Partial<Answers>;
  const label = options.answersFile ? `${options.answersFile} (over ${PROVENANCE_FILE})` : PROVENANCE_FILE;
  const resolved = await resolveAnswers({
    directory,
    flags: options.flags,
    file: { path: label, answers: { ...recorded, ...extra } },
    yes: options.yes,
    prompter: options.prompter,
    preset,
    derive: follow,
  });
  const { answers, placeholders } = resolved;
  // Still derived: what this run derived, and what was derived and is not set now.
  const derived = questionList.map((q) => q.name).filter((n) => answers[n] !== undefined && (resolved.derived.includes(n) || (wasDerived.has(n) && !given.has(n))));
  const newAnswers = Object.fromEntries(questionList.filter((q) => !(q.name in record.answers)).map((q) => [q.name, answers[q.name]])) as Partial<Answers>;
  return { answers, placeholders, derived, newAnswers, answerChanges: answerChanges(record, answers, { given, follow }) };
}
