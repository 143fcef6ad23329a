// How a message names an answer. Each problem the answer pipeline finds carries the names of the
// questions involved, and its caller says how to phrase them: the CLI names its flags (`--owner`),
// the Backstage action its inputs (`input.owner`), so neither rewrites the other's messages.
import type { Answers } from "./types.js";
import { questionFor, type AnyQuestion } from "./questions.js";

export interface Naming {
  /** The answer itself: `--owner`, `input.owner`. */
  answer(name: keyof Answers): string;
  /** The answer with a value: `--gitops flux`, `--monitoring`; `input.gitops: flux`. */
  setting(name: keyof Answers, value: unknown): string;
  /** Answers that have no default and no way to be asked. */
  missing(missing: readonly AnyQuestion[], directory: string | undefined): { message: string; hint: string };
}

/** A problem with one or more answers: `fields` are the questions it names. */
export interface Problem {
  fields: (keyof Answers)[];
  text: string;
}

const flag = (name: keyof Answers) => questionFor(name)!.flag;
/** A word a POSIX shell reads back as it is: plain, or single-quoted. */
const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`);
const valueText = (value: unknown) => (Array.isArray(value) ? value.join(",") : String(value));

/** The CLI's: flags. */
export const flagNaming: Naming = {
  answer: (name) => `--${flag(name)}`,
  setting: (name, value) => (typeof value === "boolean" ? `--${value ? "" : "no-"}${flag(name)}` : `--${flag(name)} ${valueText(value)}`),
  missing(missing, directory) {
    const names = missing.map((m) => (m.name === "name" ? "a directory argument or --name" : `--${m.flag}`)).join(", ");
    const flags = missing
      .filter((m) => m.name !== "name")
      // Pasted as it is: `<acme>` was a shell redirect (issue #30).
      .map((m) => `--${m.flag} ${shellWord(m.example)}`)
      .join(" ");
    return {
      message: `missing answers: ${names} (no terminal to ask, and no default)`,
      hint: `pass them, e.g.: create-gitops-go-service ${directory ?? "my-service"} ${flags} — or add --yes to use placeholders`.replace(/\s+—/, " —"),
    };
  },
};

/** A host's: its inputs, under a prefix (`input.owner`), set by whoever writes the step. */
export function inputNaming(prefix = "input."): Naming {
  return {
    answer: (name) => `${prefix}${name}`,
    setting: (name, value) => `${prefix}${name}: ${valueText(value)}`,
    missing: (missing) => ({
      message: `missing input: ${missing.map((m) => `${prefix}${m.name}`).join(", ")} (it has no default)`,
      hint: `set ${missing.map((m) => `${m.name}: ${m.example}`).join(", ")} in the step's input`,
    }),
  };
}
