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

const WRITE = "Write the service";
const CHANGE_FIRST = "Change: name and owner";

/**
 * After the custom answers: write, or change one group (issue #30: "no" used to replay all 19
 * prompts, and name and owner could not be changed there). The choices are the groups this run asks.
 */
function nextChoices(filled: Filled): string[] {
  const asked = (names: readonly (keyof Answers)[]) => filled.askable.some((q) => names.includes(q.name));
  return [
    WRITE,
    ...(asked(FIRST) ? [CHANGE_FIRST] : []),
    ...questionGroups.filter((g) => asked(g.names.filter((n) => !FIRST.includes(n)))).map((g) => `Change: ${g.heading}`),
  ];
}

export async function guidedAnswers(fill: (ask: Ask) => Promise<Filled>, prompter: GuidedPrompter): Promise<Filled> {
  const recommended = await fill((q, def, validate) => (FIRST.includes(q.name) ? prompter(q, def, validate) : undefined));
  const lines = recommendedSummary(recommended);
  if (recommended.askable.every((q) => FIRST.includes(q.name))) return recommended;
  prompter.note(`Recommended setup:\n${lines.map((l) => `  ${l}`).join("\n")}`);
  if (await prompter.confirm("Use the recommended setup?", true)) return recommended;

  let previous: Filled = recommended;
  // The questions to ask in this pass: every custom one first, then the group the user picked.
  let reask: (name: keyof Answers) => boolean = (name) => !FIRST.includes(name);
  for (;;) {
    let heading: string | undefined;
    const custom = await fill((q, def, validate) => {
      const last = previous.answers[q.name];
      const answeredBefore = previous.askable.some((p) => p.name === q.name);
      if (!reask(q.name) && answeredBefore) {
        if (FIRST.includes(q.name)) return Promise.resolve(last as Value);
        // Kept as answered; an answer that was its default follows the default (a module path
        // derived from a changed owner, say).
        return same(last, previous.defaults.get(q.name)) ? undefined : Promise.resolve(last as Value);
      }
      const group = FIRST.includes(q.name) ? undefined : questionGroups.find((g) => g.names.includes(q.name))?.heading;
      if (group && group !== heading) prompter.note(`\n${(heading = group)}`);
      // Going back offers the answers given last time.
      return prompter(q, answeredBefore && last !== undefined && (previous !== recommended || FIRST.includes(q.name)) ? last : def, validate);
    });
    const changed = changedSummary(custom);
    prompter.note(changed.length > 0 ? `\nDifferent from the defaults:\n${changed.map((l) => `  ${l}`).join("\n")}` : "\nEvery answer is its default.");
    previous = custom;
    if (prompter.choose) {
      const choice = await prompter.choose("Write the service with these answers, or change a group?", nextChoices(custom), WRITE);
      if (choice === WRITE) return custom;
      const names = choice === CHANGE_FIRST ? FIRST : questionGroups.find((g) => choice === `Change: ${g.heading}`)!.names.filter((n) => !FIRST.includes(n));
      reask = (name) => names.includes(name);
    } else {
      if (await prompter.confirm("Write the service with these answers? (no: change them)", true)) return custom;
      reask = (name) => !FIRST.includes(name);
    }
  }
}
