// Interactive questions. The @inquirer prompts are imported only here, and only when a prompt is
// really shown, so non-interactive runs never pay for loading them. The three prompt packages are
// imported one by one (src/inquirer.ts, one chunk of the bundle): the @inquirer/prompts barrel also
// pulls in the editor prompt and its encoding tables (iconv-lite, ~480 KB), which we never show.
import type { AnyQuestion, Value } from "./questions.js";
import { fromPrompt } from "./coerce.js";
import { CancelledError } from "../shared/errors.js";

export type Prompter = ((question: AnyQuestion, defaultValue: Value | undefined, validate: (v: Value) => string | undefined) => Promise<Value>) & {
  /** With these two, create takes the guided path (answers/guided.ts); a bare function asks every question. */
  confirm?: (message: string, defaultValue: boolean) => Promise<boolean>;
  /** Lines shown between prompts (a group's heading, a summary). */
  note?: (text: string) => void;
  /** One of several choices; with it, the guided path offers to change one group at a time. */
  choose?: (message: string, choices: readonly string[], defaultValue: string) => Promise<string>;
};

function display(value: Value | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(",") : String(value);
}

/** The terminal prompter, backed by @inquirer/prompts. */
export const inquirerPrompter: Prompter = Object.assign(
  async (question: AnyQuestion, defaultValue: Value | undefined, validate: (v: Value) => string | undefined): Promise<Value> =>
    cancellable(async () => {
      const { input, select, confirm } = await import("./inquirer.js");
      if (question.kind === "boolean") return await confirm({ message: question.message, default: defaultValue as boolean | undefined });
      if (question.kind === "choice")
        return await select({ message: question.message, default: defaultValue as string, choices: question.choices!.map((c) => ({ value: c })) });
      const answer = await input({
        message: question.message,
        default: display(defaultValue),
        validate: (text) => {
          if (defaultValue === undefined && text.trim() === "" && question.kind === "text") return `required: type one, e.g. ${question.example}`;
          try {
            return validate(fromPrompt(question, text)) ?? true;
          } catch (problem) {
            return String(problem);
          }
        },
      });
      return fromPrompt(question, answer);
    }),
  {
    confirm: (message: string, defaultValue: boolean): Promise<boolean> =>
      cancellable(async () => {
        const { confirm } = await import("./inquirer.js");
        return confirm({ message, default: defaultValue });
      }),
    choose: (message: string, choices: readonly string[], defaultValue: string): Promise<string> =>
      cancellable(async () => {
        const { select } = await import("./inquirer.js");
        return select({ message, default: defaultValue, choices: choices.map((value) => ({ value })) });
      }),
    // The prompts write to the process's stdout too: the notes go where they go.
    note: (text: string): void => void process.stdout.write(`${text}\n`),
  },
);

async function cancellable<T>(prompt: () => Promise<T>): Promise<T> {
  try {
    return await prompt();
  } catch (error) {
    // Ctrl-C or a closed terminal: the prompt library throws ExitPromptError.
    if (error instanceof Error && error.name === "ExitPromptError") throw new CancelledError("cancelled at a prompt: nothing was written");
    throw error;
  }
}
