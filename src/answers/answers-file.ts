import { readFile } from "node:fs/promises";
import { readYaml } from "../shared/yaml.js";
import { ExitCode, UserError } from "../shared/errors.js";
import { fromFile } from "./coerce.js";
import { questionFor, questionList, type Value } from "./questions.js";
import { closest } from "../shared/suggest.js";
import { shown, shownPath } from "../shared/show.js";
import type { Answers } from "./types.js";

/**
 * Read an answers file (JSON or YAML: JSON is YAML). Unknown keys and bad values name the file,
 * the line and the key; they are thrown together.
 */
export async function readAnswersFile(file: string): Promise<Partial<Answers>> {
  const { answers, problems } = await readAnswersFileProblems(file);
  if (problems.length > 0) throw new UserError(problems.join("\n"), ExitCode.usage);
  return answers;
}

/**
 * The answers a file gives, and a line for each key or value it gets wrong (all of them, issue #17),
 * for the caller to report with the other answers' problems: one run names everything (issue #30).
 * An unknown key names the question it is closest to. A file that cannot be read or parsed throws.
 */
export async function readAnswersFileProblems(file: string): Promise<{ answers: Partial<Answers>; problems: string[] }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UserError(`--answers: cannot read ${shown(file)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, ExitCode.usage);
  }
  const root = await readYaml(text, (line, reason) => new UserError(`${file}:${line}: not valid JSON or YAML: ${reason}`, ExitCode.usage));
  if (root === undefined || root.value === null) return { answers: {}, problems: [] };
  if (!root.pairs) throw new UserError(`${file}:${root.line}: the answers must be a mapping of question names to values`, ExitCode.usage);
  const answers: Partial<Record<keyof Answers, Value>> = {};
  const problems: string[] = [];
  for (const pair of root.pairs) {
    const key = String(pair.key.value);
    const at = `${shownPath(file)}:${pair.key.line}`;
    const question = questionFor(key);
    if (!question) {
      const near = closest(key, questionList.map((q) => q.name));
      problems.push(`${at}: unknown key ${shown(key)}: ${near ? `did you mean '${near}'?` : "keys are the camelCase question names (e.g. repoUrl), run with --help to see them"}`);
      continue;
    }
    try {
      answers[question.name] = fromFile(question, pair.value.value, pair.value);
    } catch (problem) {
      problems.push(`${at}: key ${shown(key)} ${String(problem)}`);
    }
  }
  return { answers: answers as Partial<Answers>, problems };
}
