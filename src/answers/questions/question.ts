// The shape of a question and the small helpers the group tables share.
import type { Answers } from "../types.js";
import { shown } from "../../shared/show.js";

export type Kind = "text" | "number" | "boolean" | "choice" | "list" | "repeatable";
export type Value = Answers[keyof Answers];

export interface Question<K extends keyof Answers = keyof Answers> {
  name: K;
  /** Long flag without dashes. Booleans also get `--no-<flag>`. */
  flag: string;
  kind: Kind;
  message: string;
  /** One line for --help. */
  help: string;
  /** An example value for --help and error hints. */
  example: string;
  choices?: readonly string[];
  /** The default, computed from earlier answers; undefined = no default (must be given). */
  default?: (answers: Partial<Answers>) => Answers[K] | undefined;
  /** What --yes uses when there is no default: a visible placeholder the user should change. */
  placeholder?: Answers[K];
  /** Asked (and meaningful) only when this holds. */
  when?: (answers: Partial<Answers>) => boolean;
  /** undefined when valid, else the rule broken (the caller names the flag and value). */
  validate: (value: Answers[K]) => string | undefined;
  /**
   * JSON Schema keywords that say as much of `validate` as a schema can (pattern, bounds), for the
   * published input schema (--print-schema, Backstage). `validate` stays the authority.
   */
  schema?: Record<string, unknown>;
}

/** A rule for every item of a list: each bad item on a line of its own, all of them (issue #17). */
export const each =
  (rule: (v: string) => string | undefined) =>
  (values: string[]): string | undefined => {
    const problems = values.flatMap((v) => {
      const problem = rule(v);
      return problem ? [`${shown(v)} ${problem}`] : [];
    });
    return problems.length > 0 ? problems.join("\n") : undefined;
  };

export function q<K extends keyof Answers>(question: Question<K>): Question<K> {
  return question;
}
