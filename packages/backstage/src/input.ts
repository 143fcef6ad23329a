// The action's input schema, derived from the generator's one question table: each question's kind,
// choices and JSON Schema keywords become zod (the scaffolder turns it into the JSON Schema that
// validates step input and that the template's parameters are generated from), described by its help.
import type { z as Z } from "zod/v3";
import { engine, type AnyQuestion } from "./engine.js";

type Zod = typeof Z;

/** Inputs that are not questions: where to write, and which preset. */
export const OUTPUT_PATH_HELP =
  "Where to write the repository: a relative path inside the task workspace (default: the workspace itself). Other files there are kept; the planned ones are written (again) over any earlier copy";
export const PRESET_HELP =
  "A preset file (defaults, locked answers, policy), as a path inside the workspace, e.g. fetched there by an earlier fetch:plain step. Refused when the backend enforces one (app-config gitopsGoService.preset)";

/** Keywords a question may carry that the mapping understands; anything else is a bug to fix here. */
const KNOWN = new Set(["pattern", "maxLength", "minimum", "maximum", "minItems", "maxItems", "items", "uniqueItems"]);

function text(z: Zod, keywords: Record<string, unknown> = {}): Z.ZodString {
  let s = z.string();
  if (typeof keywords.pattern === "string") s = s.regex(new RegExp(keywords.pattern));
  if (typeof keywords.maxLength === "number") s = s.max(keywords.maxLength);
  return s;
}

/** The zod type of one question (always optional: a missing answer takes its default, as in the CLI). */
export function questionSchema(z: Zod, question: AnyQuestion): Z.ZodTypeAny {
  const keywords = question.schema ?? {};
  for (const key of Object.keys(keywords)) if (!KNOWN.has(key)) throw new Error(`question ${question.name}: schema keyword '${key}' has no zod mapping`);
  let type: Z.ZodTypeAny;
  switch (question.kind) {
    case "boolean":
      type = z.boolean();
      break;
    case "number": {
      let n = z.number().int();
      if (typeof keywords.minimum === "number") n = n.min(keywords.minimum);
      if (typeof keywords.maximum === "number") n = n.max(keywords.maximum);
      type = n;
      break;
    }
    case "choice":
      type = z.enum(question.choices as [string, ...string[]]);
      break;
    case "list":
    case "repeatable": {
      // uniqueItems has no zod form: a repeated item is refused by the generator's own check.
      let a = z.array(text(z, keywords.items as Record<string, unknown> | undefined));
      if (typeof keywords.minItems === "number") a = a.min(keywords.minItems);
      if (typeof keywords.maxItems === "number") a = a.max(keywords.maxItems);
      type = a;
      break;
    }
    default:
      type = text(z, keywords);
  }
  return type.optional().describe(question.help);
}

/** Questions the action requires: those without a default that --yes would fill with a placeholder. */
export const REQUIRED = ["name"] as const;

export function requiredHelp(question: AnyQuestion): string {
  return question.help.replace(/ \(default: [^)]*\)$/, "");
}

/** The whole input: every question, plus outputPath and preset. */
export function inputSchema(z: Zod) {
  const shape: Record<string, Z.ZodTypeAny> = {};
  for (const question of engine.questionList) {
    const type = questionSchema(z, question);
    // A required answer has no default here (the CLI's default for name is the directory's name).
    shape[question.name] = (REQUIRED as readonly string[]).includes(question.name) ? (type as Z.ZodOptional<Z.ZodTypeAny>).unwrap().describe(requiredHelp(question)) : type;
  }
  shape.outputPath = z.string().optional().describe(OUTPUT_PATH_HELP);
  shape.preset = z.string().optional().describe(PRESET_HELP);
  return z.object(shape).strict();
}

export function outputSchema(z: Zod) {
  return z.object({
    files: z.array(z.string()).describe("Every file written (or, in a dry run, planned), relative to outputPath, sorted"),
    outputPath: z.string().describe("Where the repository was written, relative to the workspace ('.' for the workspace itself)"),
    image: z.string().describe("The image repository CI pushes and the overlays reference: <registry>/<name>"),
    gitops: z
      .object({
        engine: z.enum(["argocd", "flux", "none"]),
        base: z.string(),
        overlays: z.array(z.string()),
        argocd: z.string().nullable(),
        flux: z.string().nullable(),
      })
      .describe("Where the GitOps files are, relative to outputPath: kustomize base, one overlay per environment in promotion order, the Argo CD or Flux folder (null when not generated)"),
    answers: z.record(z.unknown()).describe("Every resolved answer (defaults and preset included), as recorded in the provenance file"),
  });
}
