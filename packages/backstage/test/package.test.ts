// The package as npm ships it (issue #30), as test/package.test.ts checks the CLI's: packed from a copy
// of the checkout as a fresh clone has it (no dist/ here or at the root: prepack must build both),
// installed into an empty backend folder with plain `npm ci`, offline, its dependencies resolved as
// this package's lockfile resolves them (npm's cache holds them: scripts/backstage-install.sh put them
// there), then loaded by Node both ways a backend loads it and its action run against a temp workspace.
import { existsSync } from "node:fs";
import { cp, readFile, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, test } from "vitest";
import { tempDir } from "../../../test/helpers/temp.js";
import { REPO, runAction } from "./helpers/action.js";
import { runtimeClosure, type LockEntry } from "./helpers/lockfile.js";

const NAME = "@create-gitops-go-service/backstage";
const HERE = path.join(REPO, "packages/backstage");

describe("the packed Backstage package", () => {
  let packed: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };
  let tarball: string;
  let backend: string;
  let installed: string;
  let closure: Map<string, LockEntry>;
  beforeAll(async () => {
    const clone = await tempDir("clone-");
    const listed = (await execa("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO })).stdout.split("\0").filter(Boolean);
    for (const file of listed) if (existsSync(path.join(REPO, file))) await cp(path.join(REPO, file), path.join(clone, file), { recursive: true });
    // As npm ci and scripts/backstage-install.sh would have filled them.
    await symlink(path.join(REPO, "node_modules"), path.join(clone, "node_modules"));
    await symlink(path.join(HERE, "node_modules"), path.join(clone, "packages/backstage/node_modules"));
    expect(existsSync(path.join(clone, "dist"))).toBe(false);
    expect(existsSync(path.join(clone, "packages/backstage/dist"))).toBe(false);
    const packDir = await tempDir("pack-");
    [packed] = JSON.parse((await execa("npm", ["pack", "--json", "--pack-destination", packDir], { cwd: path.join(clone, "packages/backstage") })).stdout);
    tarball = path.join(packDir, packed.filename);

    // An adopter's backend with only this package added, locked as this package's lockfile locks its
    // dependencies (their runtime part: no test stack), so the offline install needs nothing new.
    backend = await tempDir("backend-");
    const pkg = JSON.parse(await readFile(path.join(HERE, "package.json"), "utf8"));
    const lock = JSON.parse(await readFile(path.join(HERE, "package-lock.json"), "utf8"));
    closure = runtimeClosure(lock.packages, Object.keys(pkg.dependencies));
    const dependencies = { [NAME]: `file:${tarball}` };
    const packages: Record<string, LockEntry & { resolved?: string; integrity?: string }> = {
      "": { version: "1.0.0", dependencies },
      [`node_modules/${NAME}`]: { version: pkg.version, resolved: `file:${tarball}`, dependencies: pkg.dependencies, engines: pkg.engines },
    };
    for (const [key, { dev, devOptional, ...entry }] of closure) packages[key] = entry;
    await writeFile(path.join(backend, "package.json"), JSON.stringify({ name: "backend", version: "1.0.0", private: true, dependencies }));
    await writeFile(path.join(backend, "package-lock.json"), JSON.stringify({ name: "backend", version: "1.0.0", lockfileVersion: 3, requires: true, packages }));
    await execa("npm", ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: backend });
    installed = path.join(backend, "node_modules", NAME);
  }, 300_000);

  test("holds the bundle (ESM, CommonJS, declarations), the template, the config schema, the README and the license: nothing else", () => {
    const files = packed.files.map((f) => f.path).sort();
    expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "LICENSE", "template.yaml", "config.d.ts", "dist/index.js", "dist/index.cjs", "dist/index.d.ts"]));
    expect(files.filter((f) => !/^(dist\/(index\.(js|cjs|d\.ts)|.+\.LEGAL\.txt|types\/.+\.d\.ts)|package\.json|README\.md|LICENSE|template\.yaml|config\.d\.ts)$/.test(f))).toEqual([]);
    // The generator is bundled in (templates inlined), Backstage left to the host: a budget in npm's kB.
    expect(packed.size).toBeLessThanOrEqual(400_000);
  });

  test("installs with its dependencies only, and declares those the host shares as it uses them", async () => {
    const meta = JSON.parse(await readFile(path.join(installed, "package.json"), "utf8"));
    expect(Object.keys(meta.dependencies).sort()).toEqual(["@backstage/backend-plugin-api", "@backstage/errors", "@backstage/plugin-scaffolder-node"]);
    // The test stack is not among them (catalog-model is: scaffolder-node depends on it).
    const testOnly = Object.keys(meta.devDependencies).filter((dev) => !closure.has(`node_modules/${dev}`));
    expect(testOnly).toEqual(expect.arrayContaining(["@backstage/backend-test-utils", "@backstage/plugin-scaffolder-backend", "pg-mem"]));
    for (const dev of testOnly) expect(existsSync(path.join(backend, "node_modules", dev)), dev).toBe(false);
  });

  test.each([
    ["require", "const m = require(process.argv[1]);"],
    ["import", "const m = await import(process.argv[1]);"],
  ])("loads with %s: the backend module as default export, and the action", async (how, load) => {
    const script = `${load} const mod = m.default; console.log(JSON.stringify({ feature: mod?.$$type, action: typeof m.createGitopsGoServiceAction, id: m.ACTION_ID }));`;
    const run = await execa(process.execPath, [how === "import" ? "--input-type=module" : "--input-type=commonjs", "-e", script, NAME], { cwd: backend, reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ feature: "@backstage/BackendFeature", action: "function", id: "gitops:go-service:create" });
  });

  test("its action, loaded from the install, writes a repository into the workspace", async () => {
    const { createGitopsGoServiceAction } = createRequire(path.join(backend, "package.json"))(NAME);
    const workspace = await tempDir("ws-");
    const { outputs } = await runAction({ name: "orders", owner: "acme", outputPath: "repo" }, workspace, { instance: createGitopsGoServiceAction() });
    expect(await readFile(path.join(workspace, "repo/go.mod"), "utf8")).toMatch(/^module github\.com\/acme\/orders$/m);
    expect(outputs.files).toContain("deploy/base/kustomization.yaml");
  });
});
