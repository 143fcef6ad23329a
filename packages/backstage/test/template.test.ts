// template.yaml: generated from the action's input schema, a valid Template for Backstage's own
// validators, and its form accepts the defaults, refuses a bad name and drives the action.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { entityEnvelopeSchemaValidator, entitySchemaValidator, FieldFormatEntityPolicy, NoForeignRootFieldsEntityPolicy, type Entity } from "@backstage/catalog-model";
import { templateEntityV1beta3Validator } from "@backstage/plugin-scaffolder-common";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, test } from "vitest";
import { ACTION_ID } from "../src/action.js";
import { engine } from "../src/engine.js";
import { DERIVED, FIXED, GENERATES_CATALOG, HOSTS, PAGES, actionInputSchema, templateEntity, templateYaml } from "../src/template.js";
import { runAction } from "./helpers/action.js";

type Schema = Record<string, any>;
const FILE = path.resolve(import.meta.dirname, "../template.yaml");

test("template.yaml is the generated one (npm run -w @create-gitops-go-service/backstage generate:template)", async () => {
  const generated = await templateYaml();
  if (process.env.UPDATE_TEMPLATE) await writeFile(FILE, generated);
  expect(await readFile(FILE, "utf8")).toBe(generated);
  expect(parse(generated)).toEqual(templateEntity());
});

describe("as a catalog entity", () => {
  const entity = templateEntity() as Schema & Entity;

  test("passes Backstage's Template v1beta3 validator and the catalog's entity checks", async () => {
    expect(await templateEntityV1beta3Validator.check(entity)).toBe(true);
    expect(() => entityEnvelopeSchemaValidator()(entity)).not.toThrow();
    expect(() => entitySchemaValidator()(entity)).not.toThrow();
    await expect(new FieldFormatEntityPolicy().enforce(entity)).resolves.toBeDefined();
    await expect(new NoForeignRootFieldsEntityPolicy().enforce(entity)).resolves.toBeDefined();
  });

  test("(the validator does refuse a broken template)", async () => {
    const broken: Schema = structuredClone(entity);
    delete broken.spec.steps[0].action;
    await expect(templateEntityV1beta3Validator.check(broken as Entity)).rejects.toThrow(/action/);
  });
});

describe("its parameters", () => {
  const entity = templateEntity();
  const form = { type: "object", allOf: entity.spec.parameters };
  const ajv = new Ajv({ strict: false, useDefaults: true, allErrors: true });
  const validate = ajv.compile(form);

  test("ask every question once, except those the template sets itself", () => {
    const asked = PAGES.flatMap((p) => p.fields);
    expect(new Set(asked).size).toBe(asked.length);
    expect([...asked, ...Object.keys(FIXED), ...DERIVED].sort()).toEqual(engine.questionList.map((q) => q.name).sort());
    // Each field is the action's input schema, plus a title and a static default.
    const action = actionInputSchema().properties;
    for (const page of entity.spec.parameters)
      for (const [field, schema] of Object.entries(page.properties as Record<string, Schema>))
        if (field === "ci") {
          // Narrowed to the hosts the template publishes to.
          expect(schema.enum).toEqual(HOSTS.map((h) => h.ci));
          for (const choice of schema.enum) expect(action.ci.enum).toContain(choice);
        } else if (field !== "catalogOwner") expect(schema).toMatchObject({ ...action[field], title: engine.questionList.find((q) => q.name === field)!.message });
  });

  test("a GitLab group path is accepted for GitLab and refused for GitHub, which has no subgroups", () => {
    const base = { name: "orders", catalogOwner: "group:default/team-a" };
    expect(validate({ ...base, ci: "gitlab", owner: "acme/platform" }), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...base, ci: "github", owner: "acme/platform" })).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toContain("/owner");
    // The form's default host is GitHub: a group path without a host choice is refused too.
    expect(validate({ ...base, owner: "acme/platform" })).toBe(false);
  });

  test("accept the defaults, and refuse a bad name", () => {
    const data: Schema = { name: "orders", owner: "acme", catalogOwner: "group:default/team-a" };
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(data).toMatchObject({ ci: "github", port: 8080, gitops: "argocd", environments: ["dev", "staging", "prod"], monitoring: true });
    // Questions asked only in some cases (argocdMode, the canary thresholds) get no default: a default
    // would be sent as if chosen, and the generator refuses e.g. --argocd-mode with Flux.
    for (const key of ["argocdMode", "secrets", "alertmanagerUrl", "progressive", "canaryMaxErrorPercent", "canaryMaxP95Ms", "prometheusUrl"]) expect(data).not.toHaveProperty(key);
    expect(validate({ name: "Bad_Name", owner: "acme", catalogOwner: "group:default/team-a" })).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toEqual(["/name"]);
    expect(validate({ name: "orders", catalogOwner: "group:default/team-a" })).toBe(false);
  });

  test("drive the action: the filled-in form renders a repository publish:github can push", async () => {
    const data: Schema = { name: "orders", owner: "acme", catalogOwner: "group:default/team-a", env: ["UPSTREAM_URL"] };
    expect(validate(data)).toBe(true);
    const step = entity.spec.steps.find((s) => s.action === ACTION_ID)!;
    // What the scaffolder's ${{ parameters.x }} does for a whole-value expression: the value, typed.
    const input = Object.fromEntries(
      Object.entries(step.input as Record<string, unknown>)
        .map(([k, v]) => [k, typeof v === "string" && /^\$\{\{ parameters\.(\w+) \}\}$/.test(v) ? data[/parameters\.(\w+)/.exec(v)![1]] : v])
        .filter(([, v]) => v !== undefined),
    );
    expect(new Ajv().compile(actionInputSchema())(input)).toBe(true);
    const workspace = await mkdtemp(path.join(tmpdir(), "ws-"));
    try {
      const { outputs } = await runAction(input, workspace);
      const publish = entity.spec.steps.find((s) => s.action === "publish:github")! as { if: string; input: Record<string, unknown> };
      expect(publish.input.repoUrl).toBe("github.com?owner=${{ parameters.owner }}&repo=${{ parameters.name }}");
      expect(publish.if).toBe("${{ parameters.ci == 'github' }}");
      expect(outputs.answers).toMatchObject({ ci: "github", repoUrl: "https://github.com/acme/orders.git", module: "github.com/acme/orders" });
      expect(outputs.files).toContain(".github/workflows/ci.yaml");
      // catalog:register reads /catalog-info.yaml: the generator's own, or catalog:write's.
      const writesCatalog = entity.spec.steps.some((s) => s.action === "catalog:write");
      expect(writesCatalog).toBe(!GENERATES_CATALOG);
      if (GENERATES_CATALOG) expect(outputs.files).toContain("catalog-info.yaml");
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  });
});
