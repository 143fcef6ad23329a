// One `backend.add(...)` line: the module registers the action with the scaffolder, and the built
// package loads both as ESM and as CommonJS (Backstage backends are usually compiled to CommonJS).
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import semver from "semver";
import { createBackendPlugin } from "@backstage/backend-plugin-api";
import { mockServices, startTestBackend } from "@backstage/backend-test-utils";
import { scaffolderActionsExtensionPoint, type TemplateAction } from "@backstage/plugin-scaffolder-node";
import { beforeAll, describe, expect, test } from "vitest";
import gitopsGoServiceModule from "../src/index.js";
import { ACTION_ID } from "../src/action.js";
import { EXAMPLE_PRESET } from "./helpers/action.js";

/** A stand-in for @backstage/plugin-scaffolder-backend: it only collects the actions modules add. */
function fakeScaffolder(actions: TemplateAction<any, any, any>[]) {
  return createBackendPlugin({
    pluginId: "scaffolder",
    register(env) {
      env.registerExtensionPoint(scaffolderActionsExtensionPoint, { addActions: (...added) => void actions.push(...added) });
      env.registerInit({ deps: {}, async init() {} });
    },
  });
}

describe("the backend module", () => {
  test("adds gitops:go-service:create to the scaffolder", async () => {
    const actions: TemplateAction<any, any, any>[] = [];
    const backend = await startTestBackend({ features: [fakeScaffolder(actions), gitopsGoServiceModule] });
    try {
      expect(actions.map((a) => a.id)).toEqual([ACTION_ID]);
      expect(actions[0].supportsDryRun).toBe(true);
    } finally {
      await backend.stop();
    }
  });

  test("holds every run to the preset in app-config gitopsGoService.preset", async () => {
    const actions: TemplateAction<any, any, any>[] = [];
    const backend = await startTestBackend({
      features: [fakeScaffolder(actions), gitopsGoServiceModule, mockServices.rootConfig.factory({ data: { gitopsGoService: { preset: EXAMPLE_PRESET } } })],
    });
    try {
      const { createMockActionContext } = await import("@backstage/plugin-scaffolder-node-test-utils");
      const workspacePath = await mkdtemp(path.join(tmpdir(), "ws-"));
      await expect(actions[0].handler(createMockActionContext({ input: { name: "svc", preset: "mine.yaml" }, workspacePath }))).rejects.toThrow(
        /cannot be used: this Backstage enforces the preset .*examples\/preset\.yaml/,
      );
      await actions[0].handler(createMockActionContext({ input: { name: "svc" }, workspacePath }));
      expect(JSON.parse(await readFile(path.join(workspacePath, ".create-gitops-go-service.json"), "utf8")).preset.name).toBe("acme-platform");
      await rm(workspacePath, { recursive: true, force: true });
    } finally {
      await backend.stop();
    }
  });
});

describe("the built package (npm --prefix packages/backstage run build)", () => {
  const pkg = path.resolve(import.meta.dirname, "..");
  beforeAll(async () => {
    await execa("node", ["scripts/build.mjs"], { cwd: pkg });
  }, 120_000);

  test.each(["import", "require"])("loads with %s and exports the module and the action", async (how) => {
    const script =
      how === "import"
        ? "const m = await import('@create-gitops-go-service/backstage');"
        : "const m = require('@create-gitops-go-service/backstage');";
    const check = `${script} const a = m.createGitopsGoServiceAction(); console.log(JSON.stringify([m.default.$$type, a.id, Object.keys(a.schema.input.properties).length]));`;
    // From the package's folder: Node resolves its own name there through "exports" (self-reference).
    const run = await execa("node", how === "import" ? ["--input-type=module", "-e", check] : ["-e", check], { cwd: pkg });
    expect(JSON.parse(run.stdout)).toEqual(["@backstage/BackendFeature", ACTION_ID, expect.any(Number)]);
  });

  test("its declarations type-check in a strict consumer", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "dts-"));
    try {
      await writeFile(
        path.join(dir, "check.ts"),
        [
          'import feature, { createGitopsGoServiceAction, ACTION_ID } from "@create-gitops-go-service/backstage";',
          'import type { BackendFeature } from "@backstage/backend-plugin-api";',
          "export const f: BackendFeature = feature;",
          'export const id: "gitops:go-service:create" = ACTION_ID;',
          'export const a = createGitopsGoServiceAction({ preset: "/etc/preset.yaml" }).id;',
        ].join("\n"),
      );
      const options = { strict: true, module: "NodeNext", moduleResolution: "NodeNext", noEmit: true, skipLibCheck: true, types: [], typeRoots: [] };
      await writeFile(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: options, files: ["check.ts"] }));
      // A consumer's node_modules: this package, and the Backstage packages it is used with.
      await mkdir(path.join(dir, "node_modules/@create-gitops-go-service"), { recursive: true });
      await symlink(pkg, path.join(dir, "node_modules/@create-gitops-go-service/backstage"));
      await symlink(path.join(pkg, "node_modules/@backstage"), path.join(dir, "node_modules/@backstage"));
      const run = await execa("node", [path.resolve(pkg, "../../node_modules/typescript/bin/tsc"), "-p", dir], { reject: false });
      expect(run.exitCode, run.stdout).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("bundles the generator and leaves Backstage to the host, on the current and the latest line", async () => {
    const require = createRequire(import.meta.url);
    const meta = require(path.join(pkg, "package.json"));
    expect(Object.keys(meta.dependencies).sort()).toEqual(["@backstage/backend-plugin-api", "@backstage/errors", "@backstage/plugin-scaffolder-node"]);
    expect(meta.dependencies).not.toHaveProperty("create-gitops-go-service");
    // Ranges, as Backstage's own modules declare them, so the host's copy is the one used: a host on
    // either line (scaffolder-backend 4.2 with scaffolder-node 0.13, 4.3 with 1.0) gets no nested copy.
    for (const version of ["0.13.7", "1.0.0"]) expect(semver.satisfies(version, meta.dependencies["@backstage/plugin-scaffolder-node"]), version).toBe(true);
    expect(semver.satisfies("0.14.0", meta.dependencies["@backstage/plugin-scaffolder-node"])).toBe(false);
    // What npm packs: the builds, the template and the licence.
    const [pack] = JSON.parse((await execa("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: pkg })).stdout);
    const files = pack.files.map((f: { path: string }) => f.path);
    for (const f of ["LICENSE", "template.yaml", "dist/index.js", "dist/index.cjs", "dist/index.d.ts", "package.json"]) expect(files).toContain(f);
    // The template is part of the package's API: require.resolve('<package>/template.yaml').
    expect(require.resolve("@create-gitops-go-service/backstage/template.yaml")).toBe(path.join(pkg, "template.yaml"));
  });
});
