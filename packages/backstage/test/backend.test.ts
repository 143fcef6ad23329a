// The action in a real Backstage backend: the scaffolder plugin (@backstage/plugin-scaffolder-backend)
// and this module started by startTestBackend, driven over HTTP as the template editor drives it
// (POST /api/scaffolder/v2/dry-run). What the dry run returns is the editor's preview: it must be
// what the CLI writes, and a user's mistake must be a 400 that names the step input.
//
// Two matrix entries: by default the workspace's Backstage line (this package's devDependencies) and
// its source; with BACKSTAGE_LINE=<folder> (scripts/backstage-latest.sh) every Backstage package and
// this package itself, packed, come from that folder's install of another line.
import { createHash } from "node:crypto";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { createRequire } from "node:module";
import type * as BackendTestUtils from "@backstage/backend-test-utils";
import type * as BackendPluginApi from "@backstage/backend-plugin-api";
import type * as ScaffolderNode from "@backstage/plugin-scaffolder-node";
import type { BackendFeature } from "@backstage/backend-plugin-api";
import { newDb } from "pg-mem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ACTION_ID } from "../src/action.js";
import { templateEntity } from "../src/template.js";
import { EXAMPLE_PRESET, REPO, toFlags, tree, type Input } from "./helpers/action.js";

const LINE = process.env.BACKSTAGE_LINE;
const load = createRequire(LINE ? path.join(LINE, "package.json") : import.meta.url);
const { mockCredentials, mockServices, startTestBackend } = load("@backstage/backend-test-utils") as typeof BackendTestUtils;
const { createBackendModule } = load("@backstage/backend-plugin-api") as typeof BackendPluginApi;
const { createTemplateAction, scaffolderActionsExtensionPoint } = load("@backstage/plugin-scaffolder-node") as typeof ScaffolderNode;
const gitopsGoServiceModule: BackendFeature = LINE ? load("@create-gitops-go-service/backstage").default : (await import("../src/index.js")).default;
/** The scaffolder plugin, as a backend adds it. */
const scaffolderPlugin: BackendFeature = load("@backstage/plugin-scaffolder-backend").default;

const CLI = path.join(REPO, "dist/cli.js");
const made: string[] = [];

/**
 * The publish steps after ours in the shipped template, as recorders: the real publish:github/gitlab
 * need a host and a token. They show which publish step the template runs for an answer and with what input.
 */
const calls: { action: string; input: Record<string, unknown> }[] = [];
const publishers = createBackendModule({
  pluginId: "scaffolder",
  moduleId: "test-publishers",
  register(reg) {
    reg.registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint },
      async init({ scaffolder }) {
        const recorder = (id: string, outputs: (input: Record<string, unknown>) => Record<string, string>) =>
          createTemplateAction({
            id,
            supportsDryRun: true,
            async handler(ctx) {
              const input = ctx.input as Record<string, unknown>;
              calls.push({ action: id, input });
              for (const [k, v] of Object.entries(outputs(input))) ctx.output(k, v);
            },
          });
        const repo = (input: Record<string, unknown>) => ({ remoteUrl: `remote:${String(input.repoUrl)}`, repoContentsUrl: `contents:${String(input.repoUrl)}` });
        scaffolder.addActions(recorder("publish:github", repo), recorder("publish:gitlab", repo)); // catalog:register is the scaffolder's own.
      },
    });
  },
});
let backend: Awaited<ReturnType<typeof startTestBackend>>;
let base: string;

beforeAll(async () => {
  const workingDirectory = await mkdtemp(path.join(tmpdir(), "bs-backend-"));
  made.push(workingDirectory);
  backend = await startTestBackend({
    features: [
      scaffolderPlugin,
      gitopsGoServiceModule,
      publishers,
      mockServices.rootConfig.factory({ data: { backend: { workingDirectory } } }),
      // The scaffolder's task store, in memory without a native build: pg-mem (PostgreSQL in plain
      // JavaScript) behind knex instead of the default better-sqlite3, which npm would compile from
      // source (the root package.json's allowScripts denies that build).
      mockServices.database.factory({ knex: newDb().adapters.createKnex() }),
    ],
  });
  base = `http://localhost:${backend.server.port()}/api/scaffolder`;
}, 120_000);

afterAll(async () => {
  await backend?.stop();
  for (const d of made) await rm(d, { recursive: true, force: true });
});

type DryRun = { status: number; body: any };

/** A template whose one create step takes every answer from the form, as a generated form does. */
function templateFor(input: Input, extraSteps: object[] = []) {
  return {
    apiVersion: "scaffolder.backstage.io/v1beta3",
    kind: "Template",
    metadata: { name: "dry-run-test" },
    spec: {
      owner: "group:platform",
      type: "service",
      parameters: [{ properties: {} }],
      steps: [
        ...extraSteps,
        { id: "create", name: "Generate", action: ACTION_ID, input: Object.fromEntries(Object.keys(input).map((k) => [k, `\${{ parameters.${k} }}`])) },
      ],
    },
  };
}

async function dryRun(template: object, values: Input, directoryContents: { path: string; base64Content: string }[] = []): Promise<DryRun> {
  const response = await fetch(`${base}/v2/dry-run`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: mockCredentials.user.header() },
    body: JSON.stringify({ template, values, secrets: {}, directoryContents }),
  });
  return { status: response.status, body: await response.json() };
}

/** The preview as a tree: path -> sha256 and whether it is executable. */
function preview(contents: { path: string; base64Content: string; executable?: boolean }[]) {
  const out: Record<string, string> = {};
  for (const f of contents) out[f.path] = `${createHash("sha256").update(Buffer.from(f.base64Content, "base64")).digest("hex")} ${f.executable ? "x" : "-"}`;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** What the CLI writes for the same answers, in the same shape (the executable bit, not the whole mode). */
async function cliTree(input: Input, presetFile?: string) {
  const cwd = await mkdtemp(path.join(tmpdir(), "bs-cli-"));
  made.push(cwd);
  if (presetFile) await cp(presetFile, path.join(cwd, "preset.yaml"));
  const run = await execa("node", [CLI, "svc", "--yes", "--no-git", ...toFlags(input)], { cwd, reject: false, stdin: "ignore", env: { CI: "true" } });
  expect(run.exitCode, String(run.stderr)).toBe(0);
  const files = await tree(path.join(cwd, "svc"));
  return Object.fromEntries(Object.entries(files).map(([p, v]) => [p, `${v.split(" ")[0]} ${parseInt(v.split(" ")[1], 8) & 0o111 ? "x" : "-"}`]));
}

const SETS: Record<string, Input> = {
  defaults: { name: "orders-api", owner: "acme" },
  "Flux and GitLab": { name: "payments", owner: "acme/platform", ci: "gitlab", gitops: "flux", environments: ["dev", "prod"], env: ["UPSTREAM_URL", "GREETING=hello"], secret: ["DATABASE_PASSWORD"], port: 9000 },
  "ApplicationSet and Rollouts": { name: "checkout", owner: "acme", argocdMode: "applicationset", progressive: "argo-rollouts", canaryMaxErrorPercent: "0.5", canaryMaxP95Ms: 300 },
};

describe("POST /v2/dry-run: the template editor's preview", () => {
  test.each(Object.entries(SETS))("is what the CLI writes, byte for byte: %s", async (_, input) => {
    const { status, body } = await dryRun(templateFor(input), input);
    expect(status, JSON.stringify(body).slice(0, 2000)).toBe(200);
    const expected = await cliTree(input);
    expect(Object.keys(expected).length).toBeGreaterThan(20);
    expect(preview(body.directoryContents)).toEqual(expected);
    expect(body.output).toBeDefined();
  });

  test("the shipped template's own step, with the form's defaults, previews what the CLI writes", async () => {
    const entity = templateEntity() as any;
    const template = { ...entity, spec: { ...entity.spec, steps: entity.spec.steps.filter((s: { action: string }) => s.action === ACTION_ID) } };
    const values = { name: "orders", owner: "acme", ci: "github" };
    const { status, body } = await dryRun(template, values);
    expect(status, JSON.stringify(body).slice(0, 2000)).toBe(200);
    // The form fills in its static defaults; the CLI gets only what the user chose.
    expect(preview(body.directoryContents)).toEqual(await cliTree({ name: "orders", owner: "acme", ci: "github", catalog: true }));
  });

  test.each([
    ["GitLab, a group path", { name: "payments", owner: "acme/platform", ci: "gitlab" }, "publish:gitlab", "gitlab.com?owner=acme/platform&repo=payments"],
    ["GitHub", { name: "orders", owner: "acme", ci: "github" }, "publish:github", "github.com?owner=acme&repo=orders"],
  ])("the whole shipped template publishes to the chosen host: %s", async (_, values, action, repoUrl) => {
    calls.length = 0;
    const { status, body } = await dryRun(templateEntity(), values);
    expect(status, JSON.stringify(body).slice(0, 2000)).toBe(200);
    expect(calls.map((c) => c.action)).toEqual([action]);
    expect(calls[0].input).toMatchObject({ repoUrl, defaultBranch: "main", repoVisibility: "private" });
    expect(body.output.links[0]).toEqual({ title: "Repository", url: `remote:${repoUrl}` });
    expect(preview(body.directoryContents)).toEqual(await cliTree({ ...values, catalog: true }));
  });

  test("the shipped template's form refuses a group path for GitHub before anything runs", async () => {
    calls.length = 0;
    const { status, body } = await dryRun(templateEntity(), { name: "orders", owner: "acme/platform", ci: "github" });
    expect(status).toBe(400);
    expect(JSON.stringify(body.errors)).toMatch(/owner/);
    expect(calls).toEqual([]);
  });

  test("a hostile description is written literally and runs nothing", async () => {
    const marker = path.join(tmpdir(), `bs-pwned-${process.pid}`);
    const description = `$(touch ${marker}) \`touch ${marker}\` \${{ 7 * 7 }} {{ 7 * 7 }} '; touch ${marker} #" <script>`;
    const input = { name: "orders-api", owner: "acme", description };
    const { status, body } = await dryRun(templateFor(input), input);
    expect(status, JSON.stringify(body).slice(0, 2000)).toBe(200);
    expect(preview(body.directoryContents)).toEqual(await cliTree(input));
    const readme = Buffer.from(body.directoryContents.find((f: { path: string }) => f.path === "README.md").base64Content, "base64").toString();
    expect(readme).toContain(description);
    await expect(readFile(marker)).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("POST /v2/dry-run: a user's mistake is a 400 naming the input", () => {
  const presetStep = { id: "preset", name: "Fetch the preset", action: "fetch:plain:file", input: { url: "./preset.yaml", targetPath: "preset.yaml" } };
  const CASES: [string, Input, RegExp, boolean?][] = [
    ["schema: a bad name", { name: "Bad_Name", owner: "acme" }, /instance\.name does not match pattern/],
    ["schema: an unknown choice", { name: "svc", owner: "acme", gitops: "fluxcd" }, /instance\.gitops is not one of enum values/],
    ["schema: a low port", { name: "svc", owner: "acme", port: 80 }, /instance\.port must be greater than or equal to 1024/],
    ["rule: an environment twice", { name: "svc", owner: "acme", environments: ["dev", "dev"] }, /^input\.environments: 'dev,dev' names an environment twice$/],
    ["missing: no owner", { name: "svc" }, /^missing input: input\.owner \(it has no default\)\nhint: set owner: acme in the step.s input$/],
    ["cross-field: an ApplicationSet with Flux", { name: "svc", owner: "acme", gitops: "flux", argocdMode: "applicationset" }, /^input\.argocdMode applies only with input\.gitops: argocd \(got input\.gitops: flux\)$/],
    ["cross-field: a GitLab group with GitHub", { name: "svc", owner: "acme/platform", ci: "github" }, /^input\.owner\/input\.ci: 'acme\/platform' is a group path, which GitHub does not have \(input\.ci: github\)/],
    ["preset policy: an unallowed registry", { name: "svc-a", registry: "docker.io/acme", preset: "preset.yaml" }, /^input\.registry: 'docker\.io\/acme' is not an allowed registry .*policy of preset 'acme-platform' \(preset\.yaml\)$/, true],
    ["preset policy: a locked answer", { name: "svc-a", gitops: "flux", preset: "preset.yaml" }, /^input\.gitops: 'flux' cannot be used: preset 'acme-platform' .*locks it to/, true],
    ["output path: absolute", { name: "svc", owner: "acme", outputPath: "/etc" }, /^input\.outputPath: '\/etc' is an absolute path: it must be relative to the workspace\nhint: /],
    ["output path: outside", { name: "svc", owner: "acme", outputPath: "../x" }, /^input\.outputPath: '\.\.\/x' is outside the workspace\nhint: /],
  ];

  test.each(CASES)("%s", async (_, input, message, withPreset) => {
    const contents = withPreset ? [{ path: "preset.yaml", base64Content: (await readFile(EXAMPLE_PRESET)).toString("base64") }] : [];
    const { status, body } = await dryRun(templateFor(input, withPreset ? [presetStep] : []), input, contents);
    expect(status, JSON.stringify(body).slice(0, 2000)).toBe(400);
    expect(body.error.name).toBe("InputError");
    expect(body.error.message).toMatch(message);
    // Backstage's words: no flag, no terminal.
    expect(body.error.message).not.toMatch(/--[a-z]|terminal|--yes/);
  });
});

describe.runIf(LINE)("the packed package, installed beside that line", () => {
  test("adds no second copy of Backstage's packages, and its template resolves", async () => {
    for (const name of ["@backstage/plugin-scaffolder-node", "@backstage/backend-plugin-api"]) {
      const ls = await execa("npm", ["ls", name, "--all", "--parseable"], { cwd: LINE!, reject: false });
      expect(new Set(ls.stdout.split("\n").filter(Boolean)).size, `${name}:\n${ls.stdout}`).toBe(1);
    }
    expect(load.resolve("@create-gitops-go-service/backstage/template.yaml")).toBe(path.join(LINE!, "node_modules/@create-gitops-go-service/backstage/template.yaml"));
    expect(load("@backstage/plugin-scaffolder-node/package.json").version).toBe("1.0.0");
  });
});
