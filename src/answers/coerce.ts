// Turn raw values (CLI strings, answers-file YAML values, prompt text) into typed answers.
// Each returns the typed value or throws a plain string naming the expected shape.
import type { AnyQuestion, Value } from "./questions.js";
import { shown } from "../shared/show.js";

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** From a CLI flag (strings; repeatable flags arrive as arrays; booleans as booleans). */
export function fromFlag(question: AnyQuestion, raw: string | boolean | string[]): Value {
  switch (question.kind) {
    case "boolean":
      return Boolean(raw);
    case "number":
      return toNumber(String(raw));
    case "list":
      return splitList(String(raw));
    case "repeatable": {
      // Not trimmed: a stray space is refused by the rule, as it is in an answers file.
      const values = Array.isArray(raw) ? raw : [String(raw)];
      const joined = values.find((v) => splitVariables(v).length > 1);
      if (joined !== undefined) throw commaProblem(joined, `give one per --${question.flag}: ${splitVariables(joined).map((v) => `--${question.flag} ${shown(v)}`).join(" ")}`);
      return values;
    }
    case "choice":
      return toChoice(question, String(raw));
    default:
      return String(raw);
  }
}

/** How a YAML scalar was written, where the value came from a file (answers file, preset). */
export interface Written {
  source?: string;
  items?: Written[];
}

/**
 * From an answers file (JSON/YAML): the natural type, or a string where that is unambiguous. A
 * scalar answering a text question is taken as written (`0x1F` stays "0x1F", `2026.10` stays
 * "2026.10"), and a number as the flag would read its text (`0x1F90` is refused there too) (issue #29).
 */
export function fromFile(question: AnyQuestion, raw: unknown, written?: Written): Value {
  switch (question.kind) {
    case "boolean":
      if (typeof raw !== "boolean") throw "must be true or false";
      return raw;
    case "number":
      if (typeof raw === "number") return toNumber(written?.source ?? String(raw));
      if (typeof raw === "string") return toNumber(raw);
      throw "must be a number";
    case "list":
      if (typeof raw === "string") return splitList(raw);
      return toStringArray(asWritten(raw, written));
    case "repeatable":
      if (typeof raw === "string" && splitVariables(raw).length > 1) throw commaProblem(raw, `make it a list, one item each: [${splitVariables(raw).join(", ")}]`);
      return typeof raw === "string" ? [raw] : toStringArray(asWritten(raw, written));
    case "choice":
      if (typeof raw !== "string") throw `must be one of: ${question.choices!.join(", ")}`;
      return toChoice(question, raw);
    default: {
      const text = asWritten(raw, written);
      // JSON input (Backstage) has no source text: a finite number means its text.
      if (typeof text === "number" && Number.isFinite(text)) return String(text);
      if (typeof text !== "string") throw "must be a string";
      return text;
    }
  }
}

/** A number or boolean scalar as its source text; a list's items likewise; anything else as it is. */
function asWritten(raw: unknown, written: Written | undefined): unknown {
  if ((typeof raw === "number" || typeof raw === "boolean") && written?.source) return written.source;
  if (Array.isArray(raw) && written?.items?.length === raw.length) return raw.map((item, i) => asWritten(item, written.items![i]));
  return raw;
}

/** From prompt text: lists and repeatables are comma-separated there. */
export function fromPrompt(question: AnyQuestion, text: string): Value {
  if (question.kind === "repeatable") return splitVariables(text);
  return fromFlag(question, text);
}

/**
 * Variables (`NAME`, `NAME=default`) in comma-separated text: a comma starts a new one only where a
 * name follows it, so a default may hold commas (`GREETING=hello, world`).
 * @example splitVariables("A=1, B, C=x,y") // ["A=1", "B", "C=x,y"]
 */
export function splitVariables(text: string): string[] {
  return text
    .split(/,(?=\s*[A-Z][A-Z0-9_]*\s*(?:=|,|$))/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * One flag value or one string of a file that holds several variables (`--env A=1,B=2`) is refused,
 * not guessed at (issue #30): it silently became the variable A with the default `1,B=2`, where the
 * prompt, which says "comma-separated", made two. Splitting it too would quietly change what
 * `--env X=a,B` meant before; refusing shows how to write either. Prompt, flag and file split the
 * same way (splitVariables), so a default with other commas means the same everywhere.
 */
function commaProblem(value: string, how: string): string {
  return `${shown(value)} holds several variables: ${how} (a default that holds ',NAME': an item of an answers-file list)`;
}

function toNumber(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw `${shown(text)} is not a whole number`;
  return Number(text.trim());
}

function toChoice(question: AnyQuestion, text: string): string {
  if (!question.choices!.includes(text)) throw `${shown(text)} is not one of: ${question.choices!.join(", ")}`;
  return text;
}

function toStringArray(raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.some((v) => typeof v !== "string")) throw "must be a list of strings";
  return raw as string[];
}
