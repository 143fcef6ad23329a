import { readFile } from "node:fs/promises";
import { loadYaml } from "./yaml.js";
import { ExitCode, UserError } from "./errors.js";
import { fromFile } from "./coerce.js";
import { questionFor, type Value } from "./questions.js";
import type { Answers } from "./answers-types.js";

/**
 * Read an answers file (JSON or YAML: JSON is YAML). Unknown keys and bad values name the file,
 * the line and the key.
 */
export async function readAnswersFile(file: string): Promise<Partial<Answers>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UserError(`--answers: cannot read '${file}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`, ExitCode.usage);
  }
  // yaml is loaded only when an answers file is given.
  const { isMap, isScalar, LineCounter, parseDocument } = await loadYaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const where = (offset: number | undefined) => `${file}:${offset === undefined ? 1 : lines.linePos(offset).line}`;
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new UserError(`${where(e.pos[0])}: not valid JSON or YAML: ${e.message.split("\n")[0]}`, ExitCode.usage);
  }
  if (doc.contents === null) return {};
  if (!isMap(doc.contents)) throw new UserError(`${where(doc.contents.range?.[0])}: the answers must be a mapping of question names to values`);
  const answers: Partial<Record<keyof Answers, Value>> = {};
  for (const pair of doc.contents.items) {
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    const at = where(isScalar(keyNode) ? keyNode.range?.[0] : undefined);
    const question = questionFor(key);
    if (!question) throw new UserError(`${at}: unknown key '${key}'`, ExitCode.usage, "run with --help to see the questions; keys are the camelCase names (e.g. repoUrl)");
    try {
      answers[question.name] = fromFile(question, (pair.value as { toJSON?: () => unknown })?.toJSON?.() ?? (isScalar(pair.value) ? pair.value.value : pair.value));
    } catch (problem) {
      throw new UserError(`${at}: key '${key}' ${String(problem)}`, ExitCode.usage);
    }
  }
  return answers as Partial<Answers>;
}
