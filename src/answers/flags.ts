// The question table as command-line flags: the parseArgs options and the typed values. create's and
// update's argument parsers (cli/args.ts, update/args.ts) both use it.
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Answers } from "./types.js";
import { fromFlag } from "./coerce.js";
import { ExitCode, UserError } from "../shared/errors.js";
import { questionList } from "./questions.js";
import { closest } from "../shared/suggest.js";
import { shown } from "../shared/show.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** A flag per question (booleans also `--no-x`), plus the given mode flags: for node:util parseArgs. */
export function questionOptions(modeFlags: readonly { flag: string; short?: string; value?: string }[]): Options {
  const opts: Options = {};
  for (const q of questionList) {
    if (q.kind === "boolean") {
      opts[q.flag] = { type: "boolean" };
      opts[`no-${q.flag}`] = { type: "boolean" };
    } else opts[q.flag] = { type: "string", multiple: q.kind === "repeatable" };
  }
  for (const m of modeFlags) opts[m.flag] = { type: m.value ? "string" : "boolean", ...(m.short ? { short: m.short } : {}) };
  return opts;
}

/** The question answers among parsed flag values, typed; a bad value is a usage error naming the flag. */
export function questionFlags(values: Record<string, string | boolean | string[] | undefined>): Partial<Answers> {
  const { flags, problems } = typedFlags(values);
  if (problems.length > 0) throw new UserError(problems.join("\n"), ExitCode.usage);
  return flags;
}

/** The typed flag values, and a line for each that cannot be typed (all of them, issue #17). */
export function typedFlags(values: Record<string, string | boolean | string[] | undefined>): { flags: Partial<Answers>; problems: string[] } {
  const flags: Partial<Record<keyof Answers, unknown>> = {};
  // Every bad flag value at once (issue #17).
  const problems: string[] = [];
  for (const q of questionList) {
    if (q.kind === "boolean") {
      if (values[q.flag] && values[`no-${q.flag}`]) problems.push(`--${q.flag} and --no-${q.flag} contradict each other`);
      if (values[q.flag]) flags[q.name] = true;
      if (values[`no-${q.flag}`]) flags[q.name] = false;
      continue;
    }
    const raw = values[q.flag];
    if (raw === undefined) continue;
    try {
      flags[q.name] = fromFlag(q, raw);
    } catch (problem) {
      problems.push(`--${q.flag}: ${String(problem)}`);
    }
  }
  return { flags: flags as Partial<Answers>, problems };
}

/**
 * node:util parseArgs over the question flags and the given mode flags; its errors become usage
 * errors, an unknown flag with the nearest known one (`--onwer`: did you mean --owner?, issue #30).
 */
export function parseFlags(argv: string[], modeFlags: readonly { flag: string; short?: string; value?: string }[], helpHint: string): ReturnType<typeof parseArgs> {
  const options = questionOptions(modeFlags);
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify.*$/s, "");
    const unknown = /^Unknown option '(.*)'$/s.exec(message)?.[1];
    if (unknown === undefined) throw new UserError(message, ExitCode.usage, helpHint);
    const name = unknown.replace(/^-+/, "");
    const near = unknown.startsWith("--") ? closest(name, Object.keys(options)) : undefined;
    throw new UserError(`unknown option ${shown(unknown)}`, ExitCode.usage, near ? `did you mean --${near}? (${helpHint})` : helpHint);
  }
}
