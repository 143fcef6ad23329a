// The action runs the CLI's pipeline: same files (byte for byte, provenance included), the CLI's
// rules with the step's inputs named instead of flags, the same tree in a dry run and when retried.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { InputError } from "@backstage/errors";
import { afterAll, describe, expect, test } from "vitest";
import { createGitopsGoServiceAction, ACTION_ID } from "../src/action.js";
import { engine } from "../src/engine.js";
import { requiredHelp } from "../src/input.js";
import { EXAMPLE_PRESET, REPO, runAction, toFlags, tree, type Input } from "./helpers/action.js";

const CLI = path.join(REPO, "dist/cli.js");
const made: string[] = [];
async function temp(prefix = "bs-"): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

async function cli(args: string[], cwd: string) {
  const run = await execa("node", [CLI, ...args], { cwd, reject: false, stdin: "ignore", env: { CI: "true" } });
  return { exitCode: run.exitCode, stdout: String(run.stdout), stderr: String(run.stderr) };
}

/** The CLI's `error: ...` line(s), without the prefix. */
function cliError(stderr: string): string {
  return stderr.split("\nhint: ")[0].replace(/^error: /, "").trimEnd();
}

async function actionError(input: Input, workspace: string, options = {}): Promise<string> {
  const error = await runAction(input, workspace, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  // Backstage's InputError: its HTTP layer answers 400 (backend.test.ts drives that over HTTP).
  expect(error, "the action should fail").toBeInstanceOf(InputError);
  return (error as Error).message;
}

const WORKSPACE_HINT = "give a relative path inside the task workspace, such as '.' or 'service'";

const CASES: Record<string, Input> = {
  defaults: { name: "orders-api", owner: "acme" },
  "flux, gitlab, config and secrets": {
    name: "payments",
    owner: "acme/platform",
    description: "Moves money",
    ci: "gitlab",
    gitops: "flux",
    environments: ["dev", "prod"],
    env: ["UPSTREAM_URL", "GREETING=hello"],
    secret: ["DATABASE_PASSWORD"],
    secrets: "none",
    port: 9000,
    monitoring: false,
    networkPolicy: false,
  },
  "applicationset and a canary": {
    name: "checkout",
    owner: "Acme",
    argocdMode: "applicationset",
    progressive: "argo-rollouts",
    canaryMaxErrorPercent: "0.5",
    canaryMaxP95Ms: 300,
    prometheusUrl: "https://prometheus.example.com",
    registry: "registry.example.com/team",
    module: "example.com/go/checkout",
    repoUrl: "git@github.com:Acme/checkout.git",
  },
  "a preset": { name: "inventory", preset: "preset.yaml", environments: ["dev", "prod"] },
};

describe("the action", () => {
  const action = createGitopsGoServiceAction();

  test("is described: id, dry run, an input for every question with its help, examples", () => {
    expect(action.id).toBe(ACTION_ID);
    expect(action.supportsDryRun).toBe(true);
    const input = action.schema!.input as { properties: Record<string, { description?: string }>; required: string[]; additionalProperties: boolean };
    expect(Object.keys(input.properties)).toEqual([...engine.questionList.map((q) => q.name), "outputPath", "preset"]);
    for (const q of engine.questionList) expect(input.properties[q.name].description, q.name).toBe(q.name === "name" ? requiredHelp(q) : q.help);
    expect(input.properties.name.description).toBe("Service name: a DNS-1035 label, since it names the Kubernetes Service");
    expect(input.required).toEqual(["name"]);
    expect(input.additionalProperties).toBe(false);
    expect(action.examples!.length).toBeGreaterThanOrEqual(3);
  });

  test.each(Object.entries(CASES))("writes what the CLI writes, byte for byte: %s", async (_, input) => {
    const cwd = await temp();
    if (input.preset) await cp(EXAMPLE_PRESET, path.join(cwd, "preset.yaml"));
    const run = await cli(["svc", "--yes", "--no-git", ...toFlags(input)], cwd);
    expect(run.exitCode, run.stderr).toBe(0);

    const workspace = await temp("ws-");
    if (input.preset) await cp(EXAMPLE_PRESET, path.join(workspace, "preset.yaml"));
    const { outputs } = await runAction({ ...input, outputPath: "repo" }, workspace);
    const expected = await tree(path.join(cwd, "svc"));
    expect(await tree(path.join(workspace, "repo"))).toEqual(expected);
    expect(Object.keys(expected)).toContain(engine.PROVENANCE_FILE);
    expect(outputs.files).toEqual(Object.keys(expected));
    expect(outputs.outputPath).toBe("repo");
  });

  test("outputs the image, the GitOps paths and the answers, and logs", async () => {
    const workspace = await temp("ws-");
    const { outputs, logs } = await runAction({ name: "orders-api", owner: "Acme", environments: ["dev", "prod"] }, workspace);
    expect(outputs.image).toBe("ghcr.io/acme/orders-api");
    expect(outputs.gitops).toEqual({ engine: "argocd", base: "deploy/base", overlays: ["deploy/overlays/dev", "deploy/overlays/prod"], argocd: "deploy/argocd", flux: null });
    expect(outputs.outputPath).toBe(".");
    expect((outputs.answers as Record<string, unknown>).repoUrl).toBe("https://github.com/Acme/orders-api.git");
    expect(outputs.answers).not.toHaveProperty("directory");
    const provenance = JSON.parse(await readFile(path.join(workspace, engine.PROVENANCE_FILE), "utf8"));
    expect(provenance.answers).toEqual(outputs.answers);
    for (const dir of [outputs.gitops as Record<string, unknown>].flatMap((g) => [g.base, g.argocd, ...(g.overlays as string[])]))
      expect((outputs.files as string[]).some((f) => f.startsWith(`${dir}/`)), String(dir)).toBe(true);
    expect(logs).toEqual([expect.stringMatching(/^orders-api: \d+ files for argocd, image ghcr.io\/acme\/orders-api$/), expect.stringMatching(/^wrote \d+ files to \.$/)]);
    const flux = await runAction({ name: "orders-api", owner: "acme", gitops: "flux", outputPath: "f" }, workspace);
    expect(flux.outputs.gitops).toMatchObject({ engine: "flux", argocd: null, flux: "deploy/flux" });
  });

  test("a dry run writes the preview into its throwaway workspace, as a real run does", async () => {
    const parent = await temp();
    const workspace = path.join(parent, "workspace");
    await mkdir(workspace);
    const { outputs, logs } = await runAction({ name: "orders-api", owner: "acme", outputPath: "a/b" }, workspace, { dryRun: true });
    expect(logs[1]).toMatch(/^dry run: wrote \d+ files to a\/b$/);
    const real = await temp("ws-");
    await runAction({ name: "orders-api", owner: "acme", outputPath: "a/b" }, real);
    expect(await tree(workspace)).toEqual(await tree(real));
    expect(Object.keys(await tree(workspace))).toContain(`a/b/${engine.PROVENANCE_FILE}`);
    expect(outputs.files).toContain("go.mod");
    // Nothing left beside it: the staging folder is gone.
    expect(await readdir(parent)).toEqual(["workspace"]);
  });

  test("retrying on the same workspace gives the same tree; other files there are kept", async () => {
    const once = await temp("ws-");
    await runAction(CASES.defaults, once);
    const twice = await temp("ws-");
    await writeFile(path.join(twice, "from-an-earlier-step.txt"), "kept\n");
    await runAction(CASES.defaults, twice);
    const first = await tree(twice);
    await writeFile(path.join(twice, "go.mod"), "changed by hand\n");
    await runAction(CASES.defaults, twice);
    expect(await tree(twice)).toEqual(first);
    const { "from-an-earlier-step.txt": kept, ...rest } = first;
    expect(kept).toBeDefined();
    expect(rest).toEqual(await tree(once));
  });
});

/** The CLI's message for one answer with its flag named as the step's input: the rule text is the same. */
function asInput(cliMessage: string, field: string): string {
  const flag = `--${engine.questionList.find((q) => q.name === field)!.flag}: `;
  expect(cliMessage.startsWith(flag), cliMessage).toBe(true);
  return `input.${field}: ${cliMessage.slice(flag.length)}`;
}

describe("invalid input fails with the CLI's rule, naming the step's input", () => {
  test.each([
    ["a bad name", { name: "Bad_Name", owner: "acme" }, "name"],
    ["a low port", { name: "svc", owner: "acme", port: 80 }, "port"],
    ["a bad environment", { name: "svc", owner: "acme", environments: ["dev", "Prod"] }, "environments"],
  ])("%s", async (_, input, field) => {
    const run = await cli(["svc", "--no-git", ...toFlags(input)], await temp());
    expect(run.exitCode).toBe(2);
    expect(await actionError(input, await temp("ws-"))).toBe(asInput(cliError(run.stderr), field));
  });

  test.each([
    [
      "a cross-check",
      { name: "svc", owner: "acme", gitops: "flux", argocdMode: "applicationset" },
      "--argocd-mode applies only with --gitops argocd (got --gitops flux)",
      "input.argocdMode applies only with input.gitops: argocd (got input.gitops: flux)",
    ],
    [
      "a missing owner",
      { name: "svc" },
      "missing answers: --owner (no terminal to ask, and no default)",
      "missing input: input.owner (it has no default)\nhint: set owner: acme in the step's input",
    ],
  ])("%s", async (_, input, cliMessage, actionMessage) => {
    const run = await cli(["svc", "--no-git", ...toFlags(input)], await temp());
    expect(run.exitCode).toBe(2);
    expect(cliError(run.stderr)).toBe(cliMessage);
    expect(await actionError(input, await temp("ws-"))).toBe(actionMessage);
  });

  test.each([
    ["an unallowed registry", { name: "svc-a", registry: "docker.io/acme" }, "registry"],
    ["a locked answer", { name: "svc-a", gitops: "flux" }, "gitops"],
    ["a name the policy refuses", { name: "ab" }, "name"],
    ["an unallowed CI", { name: "svc-a", ci: "gitlab" }, "ci"],
  ])("a preset's policy: %s", async (_, answers, field) => {
    const input = { ...answers, preset: "preset.yaml" };
    const cwd = await temp();
    await cp(EXAMPLE_PRESET, path.join(cwd, "preset.yaml"));
    const run = await cli(["svc", "--yes", "--no-git", ...toFlags(input)], cwd);
    expect(run.exitCode).toBe(2);
    expect(cliError(run.stderr)).toContain("preset 'acme-platform' (preset.yaml)");
    const workspace = await temp("ws-");
    await cp(EXAMPLE_PRESET, path.join(workspace, "preset.yaml"));
    expect(await actionError(input, workspace)).toBe(asInput(cliError(run.stderr), field));
    expect(await tree(workspace)).toEqual({ "preset.yaml": expect.any(String) });
  });

  test.each([
    ["..", "is outside the workspace"],
    ["../elsewhere", "is outside the workspace"],
    ["a/../../elsewhere", "is outside the workspace"],
    ["/tmp/elsewhere", "is an absolute path: it must be relative to the workspace"],
    ["link/repo", "leads outside the workspace through a symbolic link"],
  ])("outputPath %s", async (outputPath, rule) => {
    const workspace = await temp("ws-");
    const outside = await temp("outside-");
    await symlink(outside, path.join(workspace, "link"));
    expect(await actionError({ name: "svc", owner: "acme", outputPath }, workspace)).toBe(`input.outputPath: '${outputPath}' ${rule}\nhint: ${WORKSPACE_HINT}`);
    expect(await tree(outside)).toEqual({});
    expect(await tree(workspace)).toEqual({ link: "symlink" });
  });

  test("a preset outside the workspace is refused", async () => {
    const workspace = await temp("ws-");
    expect(await actionError({ name: "svc", preset: EXAMPLE_PRESET }, workspace)).toBe(`input.preset: '${EXAMPLE_PRESET}' is an absolute path: it must be relative to the workspace\nhint: ${WORKSPACE_HINT}`);
    expect(await actionError({ name: "svc", preset: "../preset.yaml" }, workspace)).toBe(`input.preset: '../preset.yaml' is outside the workspace\nhint: ${WORKSPACE_HINT}`);
    expect(await actionError({ name: "svc", preset: "missing.yaml" }, workspace)).toBe("input.preset: cannot read 'missing.yaml': ENOENT");
    // The template author sees the path they gave, not where the backend keeps the workspace.
    await writeFile(path.join(workspace, "bad.yaml"), "name: acme\nlocked: [nope]\n");
    const bad = await actionError({ name: "svc", preset: "bad.yaml" }, workspace);
    expect(bad).toMatch(/^preset bad\.yaml:2: /);
    expect(bad).not.toContain(workspace);
  });

  test("a target that is a file is refused as the CLI refuses it, naming outputPath", async () => {
    const workspace = await temp("ws-");
    await mkdir(path.join(workspace, "repo"));
    await writeFile(path.join(workspace, "repo/go.mod"), "");
    await mkdir(path.join(workspace, "repo/cmd"));
    await writeFile(path.join(workspace, "repo/cmd/svc"), "a file where a folder goes");
    expect(await actionError({ name: "svc", owner: "acme", outputPath: "repo" }, workspace)).toMatch(/^input\.outputPath: .*cmd\/svc is a file where the folder cmd\/svc\/ goes$/);
  });
});

describe("a preset the backend enforces (app-config gitopsGoService.preset)", () => {
  test("applies to every run, and a template's own preset is refused", async () => {
    const workspace = await temp("ws-");
    const { outputs } = await runAction({ name: "svc-a" }, workspace, { action: { preset: EXAMPLE_PRESET } });
    expect(outputs.image).toBe("ghcr.io/acme/svc-a");
    const provenance = JSON.parse(await readFile(path.join(workspace, engine.PROVENANCE_FILE), "utf8"));
    expect(provenance.preset).toMatchObject({ name: "acme-platform", version: "2026.11" });
    expect(await actionError({ name: "svc-b", preset: "mine.yaml", outputPath: "b" }, workspace, { action: { preset: EXAMPLE_PRESET } })).toMatch(
      /^input\.preset: 'mine\.yaml' cannot be used: this Backstage enforces the preset /,
    );
    expect(await actionError({ name: "svc-b", registry: "docker.io/acme", outputPath: "b" }, workspace, { action: { preset: EXAMPLE_PRESET } })).toMatch(/is not an allowed registry/);
  });

  test("read on every run: missing at first is the backend's error (not a 400), and once it is there the next run uses it", async () => {
    const workspace = await temp("ws-");
    const file = path.join(await temp("enforced-"), "preset.yaml");
    const instance = createGitopsGoServiceAction({ preset: file });
    const first = await runAction({ name: "svc-a" }, workspace, { instance }).then(() => undefined, (e: unknown) => e as Error);
    expect(first).toBeInstanceOf(Error);
    expect(first).not.toBeInstanceOf(InputError);
    expect(first!.message).toBe(`the preset this Backstage enforces cannot be used, ask its administrators: app-config gitopsGoService.preset: cannot read '${file}': ENOENT`);
    await cp(EXAMPLE_PRESET, file);
    const { outputs } = await runAction({ name: "svc-a" }, workspace, { instance });
    expect(outputs.image).toBe("ghcr.io/acme/svc-a");
  });
});
