// Org presets (defaults, locks, policy), the published schema, template overrides and --verify.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { execa } from "execa";
import { parse, parseAllDocuments } from "yaml";
import { describe, expect, test } from "vitest";
import { resolveAnswers } from "../src/answers/resolve.js";
import { readPreset, type Preset } from "../src/answers/preset.js";
import { questionList, type AnyQuestion } from "../src/answers/questions.js";
import { answersSchema } from "../src/answers/schema.js";
import { runCli, tempDir } from "./helpers/cli.js";
import { failure } from "./helpers/user-error.js";

const EXAMPLE = path.resolve(import.meta.dirname, "../examples/preset.yaml");

async function file(name: string, text: string): Promise<string> {
  const dir = await tempDir("preset-");
  await writeFile(path.join(dir, name), text);
  return path.join(dir, name);
}

const resolveWith = (preset: Preset, flags: object = {}, file?: object) =>
  resolveAnswers({ directory: "orders", flags, yes: false, preset, ...(file ? { file: { path: "a.yaml", answers: file } } : {}) });

describe("preset: defaults, locks and policy", () => {
  test("defaults sit under the user's answers and above the built-in ones", async () => {
    const preset = await readPreset(EXAMPLE);
    const { answers } = await resolveWith(preset, { environments: ["dev", "prod"] });
    expect(answers.owner).toBe("acme"); // from the preset: no --owner needed any more
    expect(answers.registry).toBe("ghcr.io/acme");
    expect(answers.environments).toEqual(["dev", "prod"]); // the flag wins
  });

  test.each([
    ["a locked answer by flag", { gitops: "flux" }, undefined, "--gitops: 'flux' cannot be used: preset 'acme-platform' (EXAMPLE) locks it to 'argocd'"],
    ["a locked answer by answers file", {}, { gitops: "none" }, "a.yaml: key 'gitops': 'none' cannot be used: preset 'acme-platform' (EXAMPLE) locks it to 'argocd'"],
    ["a registry outside the allowed prefixes", { registry: "docker.io/acme" }, undefined, "--registry: 'docker.io/acme' is not an allowed registry (allowed: ghcr.io/acme, registry.acme.example/platform): policy of preset 'acme-platform' (EXAMPLE)"],
    ["a registry that only shares a prefix string", { registry: "ghcr.io/acmecorp" }, undefined, "--registry: 'ghcr.io/acmecorp' is not an allowed registry"],
    ["a CI system the policy does not allow", { ci: "gitlab" }, undefined, "--ci: 'gitlab' is not allowed (allowed: github): policy of preset 'acme-platform' (EXAMPLE)"],
    ["a name outside the pattern", { name: "ab" }, undefined, "--name: 'ab' does not match the pattern ^[a-z][a-z0-9-]{2,40}$: policy of preset 'acme-platform' (EXAMPLE)"],
    ["an Argo CD project the policy does not list", { argocdProject: "orders" }, undefined, "--argocd-project: 'orders' is not an allowed Argo CD project (allowed: team-apps, platform-apps): policy of preset 'acme-platform' (EXAMPLE)"],
  ])("%s is refused with the preset named", async (_, flags, fileAnswers, message) => {
    const preset = await readPreset(EXAMPLE);
    const error = await failure(resolveWith(preset, flags, fileAnswers));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(message.replace("EXAMPLE", EXAMPLE));
  });

  test("resource sizes and the Argo CD project come from the preset unless given", async () => {
    const preset = await readPreset(EXAMPLE);
    const { answers } = await resolveWith(preset);
    expect(answers.argocdProject).toBe("team-apps"); // the first allowed project, not the service's name
    expect(answers.resources).toBe("cpu=50m,memory=128Mi,replicas=1-3");
    expect(answers.productionResources).toBe("cpu=500m,memory=1Gi,replicas=3-12");
    const given = await resolveWith(preset, { argocdProject: "platform-apps", productionResources: "cpu=1,memory=2Gi,replicas=2-4" });
    expect(given.answers.argocdProject).toBe("platform-apps");
    expect(given.answers.productionResources).toBe("cpu=1,memory=2Gi,replicas=2-4");
  });

  test("a Flux platform's preset can lock --progressive flagger; the canary thresholds stay the user's, and the cross-checks still apply", async () => {
    const preset = await readPreset(await file("flux.yaml", "name: flux-platform\ndefaults:\n  owner: acme\n  gitops: flux\n  progressive: flagger\nlocked: [gitops, progressive]\n"));
    const { answers } = await resolveWith(preset, { canaryMaxErrorPercent: "0.5" });
    expect([answers.gitops, answers.progressive, answers.canaryMaxErrorPercent]).toEqual(["flux", "flagger", "0.5"]);
    const locked = await failure(resolveWith(preset, { progressive: "argo-rollouts" }));
    expect(locked.exitCode).toBe(2);
    expect(locked.message).toContain("--progressive: 'argo-rollouts' cannot be used: preset 'flux-platform'");
    const noMonitoring = await failure(resolveWith(preset, { monitoring: false }));
    expect(noMonitoring.exitCode).toBe(2);
    expect(noMonitoring.message).toContain("--progressive flagger needs --monitoring");
  });

  test("a preset's sizes are checked like the user's", async () => {
    const f = await file("preset.yaml", "name: p\ndefaults:\n  productionResources: cpu=1,memory=1Gi,replicas=1-4\n");
    const error = await failure(readPreset(f));
    expect(error.message).toContain(":3: defaults.productionResources: 'cpu=1,memory=1Gi,replicas=1-4' has replicas '1-4': production needs at least 2 replicas");
  });

  test("an allowed registry below a prefix and the locked value itself pass", async () => {
    const preset = await readPreset(EXAMPLE);
    const { answers } = await resolveWith(preset, { registry: "registry.acme.example/platform/team-a", gitops: "argocd" });
    expect(answers.registry).toBe("registry.acme.example/platform/team-a");
  });

  test("a locked question is never asked", async () => {
    const preset = await readPreset(EXAMPLE);
    const asked: string[] = [];
    await resolveAnswers({ directory: "orders", flags: {}, yes: false, preset, prompter: async (q, def) => (asked.push(q.name), def as never) });
    expect(asked).not.toContain("gitops");
    expect(asked).toContain("name");
  });
});

describe("the guided interactive path (issue #19) keeps a preset's locks and defaults", () => {
  const PRESET = "name: p\ndefaults:\n  gitops: argocd\n  monitoring: false\n  environments: [dev, prod]\nlocked:\n  - gitops\n";

  /** A prompter that takes every offered default (owner: acme) and answers the confirms in turn. */
  function scripted(confirms: boolean[]) {
    const asked: string[] = [];
    const offered = new Map<string, unknown>();
    const notes: string[] = [];
    const prompter = Object.assign(async (q: AnyQuestion, def: unknown) => (asked.push(q.name), offered.set(q.name, def), (q.name === "owner" ? "acme" : def) as never), {
      confirm: async () => confirms.shift() ?? true,
      note: (text: string) => void notes.push(text),
    });
    return { prompter, asked, offered, notes };
  }

  test("recommended: asks name and owner only; the summary shows the preset's defaults, not the locked answer", async () => {
    const preset = await readPreset(await file("p.yaml", PRESET));
    const { prompter, asked, notes } = scripted([true]);
    const { answers } = await resolveAnswers({ directory: "orders", flags: {}, yes: false, preset, prompter, guided: true });
    expect(asked).toEqual(["name", "owner"]);
    expect(notes[0]).toContain("monitoring=off");
    expect(notes[0]).toContain("environments=dev,prod");
    expect(notes[0]).not.toContain("gitops=");
    expect(answers.monitoring).toBe(false);
  });

  test("custom: the locked answer is not asked and the preset's default is offered", async () => {
    const preset = await readPreset(await file("p.yaml", PRESET));
    const { prompter, asked, offered } = scripted([false, true]);
    await resolveAnswers({ directory: "orders", flags: {}, yes: false, preset, prompter, guided: true });
    expect(asked).toContain("monitoring");
    expect(asked).not.toContain("gitops");
    expect(offered.get("monitoring")).toBe(false);
  });
});

test("a preset's version is kept as written, even where YAML reads a number", async () => {
  expect((await readPreset(await file("p.yaml", "name: p\nversion: 2026.10 # October\n"))).version).toBe("2026.10");
  expect((await readPreset(await file("p.json", '{"name": "p", "version": "2026.10"}'))).version).toBe("2026.10");
  expect((await readPreset(await file("p.yaml", "name: p\nversion: 3\n"))).version).toBe("3");
  expect((await readPreset(await file("p.yaml", "name: p\n"))).version).toBeUndefined();
  // Shown on one line ("2026.11 → 2026.12"): a list, a block of lines, a blank or padded one is refused.
  for (const [text, line] of [
    ["name: p\nversion: [1, 2]\n", 2],
    ["name: p\nversion:\n  a: 1\n", 3],
    ["name: p\nversion: |\n  2026.11\n  2026.12\n", 2],
    ["name: p\nversion: ''\n", 2],
    ['name: p\nversion: "2026.11 "\n', 2],
  ] as const) {
    const error = await readPreset(await file("p.yaml", text)).then(() => undefined, (e: Error) => e.message);
    expect(error, text).toMatch(new RegExp(`^preset .*p\\.yaml:${line}: key 'version' must be one line of 1 to 64 characters`));
  }
  expect((await readPreset(await file("p.yaml", "name: p\nversion: 2026.11 Herbst-Ausgabe\n"))).version).toBe("2026.11 Herbst-Ausgabe");
});

describe("preset file errors name file, line and key", () => {
  test.each([
    ["unknown top-level key", "name: p\ndefalts: {}\n", ":2: unknown key 'defalts'"],
    ["unknown question in defaults", "name: p\ndefaults:\n  registy: ghcr.io/x\n", ":3: defaults: unknown question 'registy'"],
    ["invalid default", "name: p\ndefaults:\n  port: 80\n", ":3: defaults.port: '80' is below 1024"],
    ["lock without a value", "name: p\nlocked: [registry]\n", ":2: locked: 'registry' is locked but has no value in defaults"],
    ["policy that allows nothing", "name: p\npolicy:\n  gitops: []\n", ":3: policy.gitops allows nothing"],
    ["defaults that break the preset's own policy", "name: p\ndefaults:\n  registry: docker.io/x\npolicy:\n  registries: [ghcr.io/acme]\n", "defaults.registry 'docker.io/x' breaks the preset's own policy"],
    ["bad label", "name: p\npolicy:\n  requiredLabels:\n    'Bad Key': x\n", "'Bad Key' is not a valid Kubernetes label key"],
    ["bad pattern", "name: p\npolicy:\n  namePattern: '('\n", "policy.namePattern is not a valid regular expression"],
    ["missing name", "defaults: {}\n", "key 'name' must be a non-empty string"],
    ["no Argo CD project allowed", "name: p\npolicy:\n  argocdProjects: []\n", ":3: policy.argocdProjects allows nothing"],
    ["an Argo CD project that is no name", "name: p\npolicy:\n  argocdProjects: [Team_A]\n", ":3: policy.argocdProjects: 'Team_A' is not a DNS-1123 label"],
    ["a duplicate key", "name: p\ndefaults:\n  port: 9000\n  port: 9001\n", ":4: not valid JSON or YAML: duplicated mapping key"],
    ["a JSON preset, the key on its line", '{\n  "name": "p",\n  "policy": {\n    "gitops": ["jenkins"]\n  }\n}\n', ":4: policy.gitops: 'jenkins' is not one of argocd, flux"],
    ["a list where a mapping belongs", "name: p\ndefaults:\n  - port\n", ":3: key 'defaults' must be a mapping"],
    ["a default project outside the list", "name: p\ndefaults:\n  argocdProject: other\npolicy:\n  argocdProjects: [team-apps]\n", "defaults.argocdProject 'other' breaks the preset's own policy: is not an allowed Argo CD project (allowed: team-apps)"],
  ])("%s", async (_, text, message) => {
    const f = await file("preset.yaml", text);
    const error = await failure(readPreset(f));
    expect(error.message).toMatch(/^preset /);
    expect(error.message).toContain(message);
    expect(error.hint).toContain("platform team");
  });
});

describe("preset through the CLI", () => {
  test("$CREATE_GITOPS_GO_SERVICE_PRESET applies team-wide; labels reach every object; provenance names it", async () => {
    const cwd = await tempDir();
    const run = await runCli(["orders", "--yes", "--no-git"], { cwd, env: { CI: "true", CREATE_GITOPS_GO_SERVICE_PRESET: EXAMPLE } });
    expect(run.exitCode, run.stderr).toBe(0);
    const dir = path.join(cwd, "orders");
    const rendered = await execa("kubectl", ["kustomize", "deploy/overlays/prod"], { cwd: dir });
    const docs = parseAllDocuments(rendered.stdout).map((d) => d.toJS());
    expect(docs.length).toBeGreaterThan(4);
    for (const doc of docs) {
      expect(doc.metadata.labels["acme.example/cost-center"], doc.kind).toBe("platform-eng");
      expect(doc.metadata.labels["acme.example/owner-team"], doc.kind).toBe("platform");
    }
    // The preset's production size, and its Argo CD project: an existing one, so no AppProject is written.
    const deployment = docs.find((d) => d.kind === "Deployment");
    expect(deployment.spec.template.spec.containers[0].resources).toMatchObject({ requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } });
    expect(deployment.spec.template.spec.containers[0].env).toContainEqual({ name: "GOMEMLIMIT", value: "921MiB" });
    expect(docs.find((d) => d.kind === "HorizontalPodAutoscaler").spec).toMatchObject({ minReplicas: 3, maxReplicas: 12 });
    const application = parse(await readFile(path.join(dir, "deploy/argocd/application-prod.yaml"), "utf8"));
    expect(application.spec.project).toBe("team-apps");
    await expect(readFile(path.join(dir, "deploy/argocd/appproject.yaml"))).rejects.toThrow(/ENOENT/);
    const provenance = JSON.parse(await readFile(path.join(dir, ".create-gitops-go-service.json"), "utf8"));
    expect(provenance.preset).toMatchObject({ name: "acme-platform", version: "2026.11" });
    expect(provenance.preset.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("--print-schema", () => {

  test("covers every question, no more", async () => {
    const run = await runCli(["--print-schema"]);
    expect(run.exitCode).toBe(0);
    const schema = JSON.parse(run.stdout);
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(Object.keys(schema.properties).sort()).toEqual(questionList.map((q) => q.name).sort());
    expect(schema.additionalProperties).toBe(false);
  });

  test.each([
    ["valid", "owner: acme\nport: 9000\nenvironments: [dev, prod]\nenv: [UPSTREAM_URL, GREETING=hi]\nmonitoring: false\n", true],
    ["valid, list as a string", "owner: acme\nenvironments: dev,prod\n", true],
    ["unknown key", "owner: acme\nregistri: x\n", false],
    ["port below 1024", "port: 80\n", false],
    ["bad name", "name: My_Svc\n", false],
    ["gitops outside the enum", "gitops: jenkins\n", false],
    ["env as a string", "env: [lower]\n", false],
    ["sizes", "resources: cpu=100m,memory=256Mi,replicas=1-2\nproductionResources: replicas=2-8,cpu=1,memory=2Gi\n", true],
    ["a size missing a part", "resources: cpu=100m,memory=256Mi\n", false],
  ])("the schema and the CLI agree on an answers file: %s", async (_, text, valid) => {
    const schema = JSON.parse((await runCli(["--print-schema"])).stdout);
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(valid);
    const cwd = await tempDir();
    await writeFile(path.join(cwd, "answers.yaml"), text);
    const run = await runCli(["svc", "--answers", "answers.yaml", "--owner", "acme", "--dry-run"], { cwd });
    expect(run.exitCode, run.stderr).toBe(valid ? 0 : 2);
  });

  test("a preset narrows it: locked values become const, policy becomes enums and patterns", async () => {
    const run = await runCli(["--print-schema", "--preset", EXAMPLE]);
    const schema = JSON.parse(run.stdout);
    expect(schema.properties.gitops.const).toBe("argocd");
    expect(schema.properties.ci.enum).toEqual(["github"]);
    const validate = new Ajv2020({ strict: true }).compile(schema);
    expect(validate({ registry: "ghcr.io/acme/team" })).toBe(true);
    expect(validate({ registry: "docker.io/acme" })).toBe(false);
    expect(validate({ gitops: "flux" })).toBe(false);
    expect(validate({ name: "ab" })).toBe(false);
    expect(schema.properties.argocdProject.enum).toEqual(["team-apps", "platform-apps"]);
    expect(validate({ argocdProject: "platform-apps" })).toBe(true);
    expect(validate({ argocdProject: "orders" })).toBe(false);
  });
});

describe("template overrides", () => {
  test("replace one template and add one; an undeclared new file is refused", async () => {
    const overrides = await tempDir("overrides-");
    await mkdir(path.join(overrides, "docs"), { recursive: true });
    await writeFile(path.join(overrides, "_gitignore"), "# acme standard ignores\n/bin/\n");
    await writeFile(path.join(overrides, "docs", "oncall.md.hbs"), "# {{name}} on call\nOn call: {{owner}}\n");
    await writeFile(path.join(overrides, "overrides.yaml"), "additions:\n  - docs/oncall.md.hbs\n");
    const cwd = await tempDir();
    const run = await runCli(["orders", "--yes", "--owner", "acme", "--templates", overrides, "--no-git"], { cwd });
    expect(run.exitCode, run.stderr).toBe(0);
    const dir = path.join(cwd, "orders");
    expect(await readFile(path.join(dir, ".gitignore"), "utf8")).toBe("# acme standard ignores\n/bin/\n");
    expect(await readFile(path.join(dir, "docs", "oncall.md"), "utf8")).toBe("# orders on call\nOn call: acme\n");
    const provenance = JSON.parse(await readFile(path.join(dir, ".create-gitops-go-service.json"), "utf8"));
    expect(provenance.files["docs/oncall.md"].ownership).toBe("platform");
    // The overridden output still renders and builds.
    expect((await execa("kubectl", ["kustomize", "deploy/overlays/dev"], { cwd: dir, reject: false })).exitCode).toBe(0);
    expect((await execa("go", ["build", "./..."], { cwd: dir, env: { GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly" }, reject: false })).exitCode).toBe(0);

    await writeFile(path.join(overrides, "overrides.yaml"), "additions: []\n");
    const refused = await runCli(["orders2", "--yes", "--owner", "acme", "--templates", overrides, "--no-git"], { cwd });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("--templates: docs/oncall.md.hbs overrides no template");

    await writeFile(path.join(overrides, "overrides.yaml"), "additions:\n  - docs/oncall.md.hbs\n additions: []\n");
    const broken = await runCli(["orders3", "--yes", "--owner", "acme", "--templates", overrides, "--no-git"], { cwd });
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toContain(`--templates: ${path.join(overrides, "overrides.yaml")}:3: not valid YAML`);
    expect(broken.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

// Issue #30: a typo or an unclosed block in an override was an "internal error ... please report it", exit 1.
describe("a mistake in an override template is the user's: exit 2, the file, the line", () => {
  test.each([
    ["an unknown variable", "# {{name}} runbook\nOn call: {{nme}}\n", /^error: --templates: \S+oncall\.md\.hbs:2:12: 'nme' is not defined\nhint: a template may use: .*\bmodule\b.*\bname\b.*\bowner\b/],
    ["an unclosed {{#if}}", "# {{name}}\n\n{{#if hasSecrets}}\nSecrets: yes\n", /^error: --templates: \S+oncall\.md\.hbs:3: \{\{#if\}\} is never closed: the file ends before its \{\{\/if\}\}$/],
    ["a mismatched close", "{{#if hasSecrets}}\nx\n{{/each}}\n", /^error: --templates: \S+oncall\.md\.hbs:1: if doesn't match each/],
    ["broken syntax", "a\n{{name\n", /^error: --templates: \S+oncall\.md\.hbs:\d+: not a valid Handlebars template: Expecting/],
  ])("%s", async (_, template, message) => {
    const overrides = await tempDir("overrides-");
    await mkdir(path.join(overrides, "docs"), { recursive: true });
    await writeFile(path.join(overrides, "docs", "oncall.md.hbs"), template);
    await writeFile(path.join(overrides, "overrides.yaml"), "additions:\n  - docs/oncall.md.hbs\n");
    const cwd = await tempDir();
    const run = await runCli(["orders", "--yes", "--owner", "acme", "--templates", overrides, "--no-git"], { cwd });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain("internal error");
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe("--verify", () => {
  test("runs the generated repo's checks and reports a missing tool instead of skipping it silently", async () => {
    const cwd = await tempDir();
    // go, gofmt, git and kubectl, but no golangci-lint or actionlint on PATH.
    const goRoot = (await execa("go", ["env", "GOROOT"])).stdout.trim();
    const which = async (cmd: string) => (await execa("sh", ["-c", `command -v ${cmd}`])).stdout.trim();
    const PATH = [path.join(goRoot, "bin"), path.dirname(await which("kubectl")), path.dirname(await which("git")), path.dirname(process.execPath)].join(":");
    const run = await runCli(["orders", "--yes", "--owner", "acme", "--verify", "--json"], { cwd, env: { CI: "true", PATH, HOME: process.env.HOME, GOTOOLCHAIN: "local" }, extendEnv: false });
    const result = JSON.parse(run.stdout);
    const byName = Object.fromEntries(result.checks.map((c: { name: string; status: string }) => [c.name, c.status]));
    expect(byName["go test ./..."]).toBe("pass");
    expect(byName["kubectl kustomize deploy/overlays/prod"]).toBe("pass");
    expect(byName["golangci-lint run"]).toBe("missing");
    expect(byName["actionlint"]).toBe("missing");
    // promtool may live beside kubectl or git (Debian's prometheus package puts it in /usr/bin).
    expect(byName["scripts/test-alerts.sh"]).toBe(PATH.split(":").some((d) => existsSync(path.join(d, "promtool"))) ? "pass" : "missing");
    expect(run.exitCode).toBe(0);
  }, 300_000);
});

// Issue #30: the variables a template may use were listed nowhere. docs/platform-teams.md lists them;
// this keeps the list equal to the Context type and to what buildContext really returns.
test("docs/platform-teams.md lists every variable a template may use, and no other", async () => {
  const root = path.resolve(import.meta.dirname, "..");
  const docs = await readFile(path.join(root, "docs/platform-teams.md"), "utf8");
  const section = docs.slice(docs.indexOf("### Variables a template may use"));
  const documented = [...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
  const types = await readFile(path.join(root, "src/render/context-types.ts"), "utf8");
  const body = types.slice(types.indexOf("export interface Context {"), types.indexOf("\n}\n", types.indexOf("export interface Context {")));
  const declared = [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
  const { buildContext } = await import("../src/render/context.js");
  const { baseAnswers, TOOL } = await import("./helpers/render.js");
  expect(documented).toEqual(declared);
  expect([...documented].sort()).toEqual(Object.keys(buildContext(baseAnswers, TOOL)).sort());
});
