import { readFile } from "node:fs/promises";
import { readYaml } from "../shared/yaml.js";
import { ExitCode, UserError } from "../shared/errors.js";
import { fromFile } from "./coerce.js";
import { questionFor, type Value } from "./questions.js";
import { shown, shownPath } from "../shared/show.js";
import type { Answers } from "./types.js";

/**
 * Read an answers file (JSON or YAML: JSON is YAML). Unknown keys and bad values name the file,
 * the line and the key.
 */
export async function readAnswersFile(file: string): Promise<Partial<Answers>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UserError(`--answers: cannot read ${shown(file)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, ExitCode.usage);
  }
  const root = await readYaml(text, (line, reason) => new UserError(`${file}:${line}: not valid JSON or YAML: ${reason}`, ExitCode.usage));
  if (root === undefined || root.value === null) return {};
  if (!root.pairs) throw new UserError(`${file}:${root.line}: the answers must be a mapping of question names to values`, ExitCode.usage);
  const answers: Partial<Record<keyof Answers, Value>> = {};
  // Every bad key and value at once (issue #17).
  const problems: string[] = [];
  let unknownKey = false;
  for (const pair of root.pairs) {
    const key = String(pair.key.value);
    const at = `${shownPath(file)}:${pair.key.line}`;
    const question = questionFor(key);
    if (!question) {
      problems.push(`${at}: unknown key ${shown(key)}`);
      unknownKey = true;
      continue;
    }
    try {
      answers[question.name] = fromFile(question, pair.value.value, pair.value);
    } catch (problem) {
      problems.push(`${at}: key ${shown(key)} ${String(problem)}`);
    }
  }
  if (problems.length > 0)
    throw new UserError(problems.join("\n"), ExitCode.usage, unknownKey ? "run with --help to see the questions; keys are the camelCase names (e.g. repoUrl)" : undefined);
  return answers as Partial<Answers>;
}
