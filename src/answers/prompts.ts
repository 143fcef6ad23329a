// Interactive questions. The @inquirer prompts are imported only here, and only when a prompt is
// really shown, so non-interactive runs never pay for loading them. The three prompt packages are
// imported one by one (src/inquirer.ts, one chunk of the bundle): the @inquirer/prompts barrel also
// pulls in the editor prompt and its encoding tables (iconv-lite, ~480 KB), which we never show.
import type { AnyQuestion, Value } from "./questions.js";
import { fromPrompt } from "./coerce.js";
import { CancelledError } from "../shared/errors.js";

export type Prompter = (question: AnyQuestion, defaultValue: Value | undefined, validate: (v: Value) => string | undefined) => Promise<Value>;

function display(value: Value | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(",") : String(value);
}

/** The terminal prompter, backed by @inquirer/prompts. */
export const inquirerPrompter: Prompter = async (question, defaultValue, validate) => {
  const { input, select, confirm } = await import("./inquirer.js");
  try {
    if (question.kind === "boolean") return await confirm({ message: question.message, default: defaultValue as boolean | undefined });
    if (question.kind === "choice")
      return await select({ message: question.message, default: defaultValue as string, choices: question.choices!.map((c) => ({ value: c })) });
    const answer = await input({
      message: question.message,
      default: display(defaultValue),
      validate: (text) => {
        try {
          return validate(fromPrompt(question, text)) ?? true;
        } catch (problem) {
          return String(problem);
        }
      },
    });
    return fromPrompt(question, answer);
  } catch (error) {
    // Ctrl-C or a closed terminal: the prompt library throws ExitPromptError.
    if (error instanceof Error && error.name === "ExitPromptError") throw new CancelledError("cancelled at a prompt: nothing was written");
    throw error;
  }
};
