// The published input schema (JSON Schema draft 2020-12), generated from the question table so it
// cannot drift from the prompts and flags. A preset's policy and locks narrow it.
import type { Answers } from "./types.js";
import { questionList, type AnyQuestion } from "./questions.js";
import { isLocked, type Preset } from "./preset.js";
import { TOOL } from "../shared/tool.js";

type Schema = Record<string, unknown>;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function base(question: AnyQuestion): Schema {
  const extra = question.schema ?? {};
  switch (question.kind) {
    case "boolean":
      return { type: "boolean" };
    case "number":
      return { type: "integer", ...extra };
    case "choice":
      return { type: "string", enum: [...question.choices!] };
    case "list":
      // A list is also accepted as one comma-separated string, as on the command line.
      return { oneOf: [{ type: "array", items: { type: "string", ...(extra.items as object) }, ...omit(extra, "items") }, { type: "string" }] };
    case "repeatable":
      return { type: "array", items: { type: "string", ...(extra.items as object) } };
    default:
      return { type: "string", ...extra };
  }
}

function omit(object: Schema, key: string): Schema {
  const { [key]: _, ...rest } = object;
  return rest;
}

function narrow(question: AnyQuestion, schema: Schema, preset: Preset | undefined): Schema {
  if (!preset) return schema;
  const name = question.name as keyof Answers;
  if (isLocked(preset, name)) return { ...schema, const: preset.defaults[name] };
  const policy = preset.policy;
  if (name === "gitops" && policy.gitops) return { ...schema, enum: policy.gitops };
  if (name === "ci" && policy.ci) return { ...schema, enum: policy.ci };
  if (name === "registry" && policy.registries)
    return { ...schema, anyOf: policy.registries.map((p) => ({ pattern: `^${escapeRegExp(p)}(/.*)?$` })) };
  if (name === "argocdProject" && policy.argocdProjects) return { ...schema, enum: policy.argocdProjects };
  if (name === "name" && policy.namePattern) return { ...schema, allOf: [{ pattern: policy.namePattern }] };
  return schema;
}

/**
 * The JSON Schema of an answers file (and of the Backstage action's input).
 * @example JSON.stringify(answersSchema(), null, 2)
 */
export function answersSchema(preset?: Preset): Schema {
  const properties: Record<string, Schema> = {};
  for (const q of questionList) {
    const def = preset?.defaults[q.name] ?? q.default?.({});
    properties[q.name] = narrow(
      q,
      {
        title: q.message,
        description: q.help,
        ...base(q),
        ...(def !== undefined && !(Array.isArray(def) && def.length === 0 && q.kind !== "repeatable") ? { default: def } : {}),
        examples: [q.kind === "number" ? Number(q.example) : q.kind === "boolean" ? q.example === "true" : q.kind === "repeatable" || q.kind === "list" ? q.example.split(",") : q.example],
      },
      preset,
    );
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `https://www.npmjs.com/package/${TOOL.name}/answers.schema.json`,
    title: `${TOOL.name} answers${preset ? ` (${preset.name})` : ""}`,
    description: `Answers for ${TOOL.name} ${TOOL.version}: pass them with --answers FILE (JSON or YAML). Every key is optional; missing ones are asked or defaulted.`,
    type: "object",
    additionalProperties: false,
    properties,
  };
}
