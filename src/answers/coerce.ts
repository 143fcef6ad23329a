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
    case "repeatable":
      // Not trimmed: a stray space is refused by the rule, as it is in an answers file.
      return Array.isArray(raw) ? raw : [String(raw)];
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
  if (question.kind === "repeatable") return splitList(text);
  return fromFlag(question, text);
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
