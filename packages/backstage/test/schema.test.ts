// The input schema is the question table's, and the scaffolder enforces it before the handler runs
// (unit tests call the handler directly, so it is checked here with ajv, as the scaffolder would).
import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, test } from "vitest";
import { createGitopsGoServiceAction, ACTION_ID } from "../src/action.js";
import { engine } from "../src/engine.js";
import { EXAMPLE_PRESET, runAction, tree } from "./helpers/action.js";

type Schema = Record<string, any>;
const action = createGitopsGoServiceAction();
const input = action.schema!.input as Schema;
const validate = new Ajv({ allErrors: true }).compile(input);

describe("the input schema", () => {
  test("is draft-07 JSON Schema, as the scaffolder publishes it", () => {
    expect(input.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(input.type).toBe("object");
  });

  test("says what the question table says: types, choices, patterns, bounds", () => {
    const published = engine.answersSchema().properties as Record<string, Schema>;
    const keywords = (s: Schema) => {
      // zod writes a pattern as RegExp#source, which escapes '/': the same expression.
      const pick = (o: Schema = {}) =>
        Object.fromEntries(
          Object.entries(o)
            .filter(([k]) => ["type", "enum", "pattern", "maxLength", "minimum", "maximum", "minItems", "maxItems"].includes(k))
            .map(([k, v]) => [k, k === "pattern" ? new RegExp(v).source : v]),
        );
      return { ...pick(s), ...(s.items ? { items: pick(s.items) } : {}) };
    };
    for (const q of engine.questionList) {
      // answersSchema also takes a list as one comma-separated string: the action takes the array form.
      const expected = q.kind === "list" ? published[q.name].oneOf[0] : published[q.name];
      expect(keywords(input.properties[q.name]), q.name).toEqual(keywords(expected));
    }
  });

  test.each([
    ["the minimum", { name: "orders" }],
    ["everything", { name: "orders", owner: "acme", port: 9000, env: ["A", "B=c"], secret: ["S"], environments: ["dev"], monitoring: false, ci: "none", outputPath: "x", preset: "p.yaml" }],
  ])("accepts %s", (_, value) => {
    expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  });

  test.each([
    ["a bad name", { name: "Bad_Name" }, "/name"],
    ["no name", { owner: "acme" }, ""],
    ["a low port", { name: "svc", port: 80 }, "/port"],
    ["a port as text", { name: "svc", port: "8080" }, "/port"],
    ["an unknown CI", { name: "svc", ci: "jenkins" }, "/ci"],
    ["no environment", { name: "svc", environments: [] }, "/environments"],
    ["a bad secret name", { name: "svc", secret: ["lower"] }, "/secret/0"],
    ["an unknown key", { name: "svc", colour: "blue" }, ""],
  ])("rejects %s", (_, value, at) => {
    expect(validate(value)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toContain(at);
  });
});

describe("the action's examples", () => {
  const steps = action.examples!.map((e) => ({ description: e.description, step: (parse(e.example).steps as Schema[]).find((s) => s.action === ACTION_ID)! }));

  test.each(steps)("$description: the input passes the schema and runs", async ({ step }) => {
    expect(validate(step.input), JSON.stringify(validate.errors)).toBe(true);
    const workspace = await mkdtemp(path.join(tmpdir(), "ws-"));
    try {
      if (step.input.preset) {
        await mkdir(path.dirname(path.join(workspace, step.input.preset)), { recursive: true });
        await cp(EXAMPLE_PRESET, path.join(workspace, step.input.preset));
      }
      const { outputs } = await runAction(step.input, workspace);
      const written = Object.keys(await tree(path.join(workspace, step.input.outputPath ?? ".")));
      expect(written.filter((f) => !f.startsWith(".presets/"))).toEqual(outputs.files);
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  });
});
