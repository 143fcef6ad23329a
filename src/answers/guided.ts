// The guided path of an interactive create (issue #19): the name and the owner, then the
// recommended setup in one question. "No" asks the rest group by group, shows what differs from the
// defaults and asks to write or go back. Every summary is read from the table and its defaults.
import type { Answers } from "./types.js";
import { questionGroups, type AnyQuestion, type Value } from "./questions.js";
import type { Prompter } from "./prompts.js";

/** Asks one question, or returns undefined to leave it to its default. */
export type Ask = (question: AnyQuestion, defaultValue: Value | undefined, validate: (v: Value) => string | undefined) => Promise<Value> | undefined;

export interface Filled {
  answers: Partial<Record<keyof Answers, Value>>;
  missing: AnyQuestion[];
  placeholders: (keyof Answers)[];
  /** Each question's default given the answers above it (preset first), as a prompt would offer it. */
  defaults: Map<keyof Answers, Value | undefined>;
  /** The questions a prompt could change in this pass: not given, not locked, applicable. */
  askable: AnyQuestion[];
}

export type GuidedPrompter = Prompter & Required<Pick<Prompter, "confirm" | "note">>;

/** Asked before the recommended setup is offered. */
const FIRST: readonly (keyof Answers)[] = ["name", "owner"];
// Text answers derived from the name and owner (module, registry, URLs) are long and predictable:
// the one-line summary shows the choices.
const SUMMARISED_KINDS = new Set(["choice", "boolean", "number", "list", "repeatable"]);

function shownValue(value: Value | undefined): string {
  if (typeof value === "boolean") return value ? "on" : "off";
  return Array.isArray(value) ? value.join(",") : String(value);
}

function same(a: Value | undefined, b: Value | undefined): boolean {
  return shownValue(a) === shownValue(b);
}

/** `ci=github, gitops=argocd, ...` in lines of at most `width` characters. */
function wrapped(items: string[], width = 96): string[] {
  const lines: string[] = [];
  for (const item of items) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + item.length + 2 <= width) lines[last] += `, ${item}`;
    else lines.push(item);
  }
  return lines;
}

/** What "recommended" means for these answers: each summarised answer a prompt could have changed. */
export function recommendedSummary(filled: Filled): string[] {
  const items = filled.askable
    .filter((q) => !FIRST.includes(q.name) && SUMMARISED_KINDS.has(q.kind))
    .filter((q) => !(Array.isArray(filled.answers[q.name]) && (filled.answers[q.name] as unknown[]).length === 0))
    .map((q) => `${q.flag}=${shownValue(filled.answers[q.name])}`);
  return wrapped(items);
}

/** The custom answers that differ from their default, one `flag=value (default: x)` each. */
export function changedSummary(filled: Filled): string[] {
  return filled.askable
    .filter((q) => !FIRST.includes(q.name) && !same(filled.answers[q.name], filled.defaults.get(q.name)))
    .map((q) => `${q.flag}=${shownValue(filled.answers[q.name])} (default: ${shownValue(filled.defaults.get(q.name))})`);
}

export async function guidedAnswers(fill: (ask: Ask) => Promise<Filled>, prompter: GuidedPrompter): Promise<Filled> {
  const recommended = await fill((q, def, validate) => (FIRST.includes(q.name) ? prompter(q, def, validate) : undefined));
  const lines = recommendedSummary(recommended);
  if (recommended.askable.every((q) => FIRST.includes(q.name))) return recommended;
  prompter.note(`Recommended setup:\n${lines.map((l) => `  ${l}`).join("\n")}`);
  if (await prompter.confirm("Use the recommended setup?", true)) return recommended;

  let previous: Filled | undefined;
  for (;;) {
    let heading: string | undefined;
    const custom = await fill((q, def, validate) => {
      if (FIRST.includes(q.name)) return Promise.resolve(recommended.answers[q.name] as Value);
      const group = questionGroups.find((g) => g.names.includes(q.name))?.heading;
      if (group && group !== heading) prompter.note(`\n${(heading = group)}`);
      // Going back offers the answers given last time.
      const last = previous?.answers[q.name];
      return prompter(q, last !== undefined && previous?.askable.includes(q) ? last : def, validate);
    });
    const changed = changedSummary(custom);
    prompter.note(changed.length > 0 ? `\nDifferent from the defaults:\n${changed.map((l) => `  ${l}`).join("\n")}` : "\nEvery answer is its default.");
    if (await prompter.confirm("Write the service with these answers? (no: change them)", true)) return custom;
    previous = custom;
  }
}
