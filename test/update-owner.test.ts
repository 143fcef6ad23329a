// Issue #28, placeholders: a repository made with the placeholder owner (`--yes` without `--owner`:
// `example-org`), then `update --owner acme`, must carry acme wherever an answer derived from the
// owner lands (go.mod, the Makefile, the image, the GitOps objects, the overlays), keep what was set
// explicitly (--module), show each answer change before writing (--dry-run), name the team's Go files
// that still import the old module path, and still build and pass its own tests.
import { execa } from "execa";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { followingAnswers } from "../src/answers/derived.js";
import type { Answers } from "../src/answers/types.js";
import { runCli, tempDir } from "./helpers/cli.js";
import { GO_ENV } from "./helpers/go-service.js";
import { commitAll, edit, git, update } from "./helpers/update-repo.js";

const RECORD = ".create-gitops-go-service.json";
const TEAM_LINE = "// Ported from example-org's first version of this service.";
const readRecord = async (dir: string) => JSON.parse(await readFile(path.join(dir, RECORD), "utf8"));

/** `svc --yes` (no --owner: the placeholder) plus extra flags, committed; returns the repository. */
async function generated(extra: string[] = []): Promise<string> {
  const cwd = await tempDir("cggs-owner-");
  const run = await runCli(["svc", "--yes", ...extra], { cwd });
  if (run.exitCode !== 0) throw new Error(`generate exited ${run.exitCode}: ${run.stderr}`);
  return path.join(cwd, "svc");
}

/** Every line git has (tracked files at HEAD) that names example-org, as `path:line`. */
const placeholderLines = async (dir: string): Promise<string[]> =>
  (await execa("git", ["grep", "-h", "-n", "--full-name", "-e", "example-org", "HEAD"], { cwd: dir, reject: false })).stdout
    .split("\n")
    .filter(Boolean);

const goBuildAndTest = async (dir: string) => {
  await execa("go", ["build", "./..."], { cwd: dir, env: GO_ENV });
  await execa("go", ["test", "./..."], { cwd: dir, env: GO_ENV });
};

describe("answers derived from the owner follow update --owner (issue #28, placeholders)", () => {
  test("--yes without --owner, then update --owner acme: module, registry, URL follow; the dry run lists them first; go build and go test pass; example-org only in the team's line", async () => {
    const dir = await generated();
    const before = await readRecord(dir);
    expect(before.answers).toMatchObject({ owner: "example-org", module: "github.com/example-org/svc", registry: "ghcr.io/example-org", repoUrl: "https://github.com/example-org/svc.git" });
    expect(before.derived).toEqual(expect.arrayContaining(["module", "registry", "repoUrl", "argocdProject", "description"]));
    expect(before.derived).not.toContain("owner");
    // The team's own line in its own file (handlers.go is team-owned): update never touches it.
    await edit(dir, "internal/server/handlers.go", (t) => `${t}\n${TEAM_LINE}\n`);
    await commitAll(dir, "team line");

    const dry = await update(dir, ["--owner", "acme", "--dry-run"]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('answer owner: "example-org" → "acme" (given)');
    expect(dry.stdout).toContain('answer module: "github.com/example-org/svc" → "github.com/acme/svc" (derived: follows the answers it comes from; pass --module github.com/example-org/svc to keep it)');
    expect(dry.stdout).toContain('answer registry: "ghcr.io/example-org" → "ghcr.io/acme" (derived');
    expect(dry.stdout).toContain('answer repoUrl: "https://github.com/example-org/svc.git" → "https://github.com/acme/svc.git" (derived');
    expect(await git(dir, "status", "--porcelain")).toBe("");

    const run = await update(dir, ["--owner", "acme", "--yes", "--commit", "--json"]);
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    const out = JSON.parse(run.stdout);
    expect(out.answerChanges.map((c: { name: string; why: string }) => `${c.name} ${c.why}`)).toEqual(["owner given", "module derived", "registry derived", "repoUrl derived"]);
    expect(out.staleImports).toEqual([]);
    expect(await placeholderLines(dir)).toEqual([expect.stringContaining(TEAM_LINE)]);
    expect(await readFile(path.join(dir, "go.mod"), "utf8")).toMatch(/^module github\.com\/acme\/svc\n/);
    expect(await readFile(path.join(dir, "Makefile"), "utf8")).toContain("github.com/acme/svc");
    expect(await readFile(path.join(dir, "deploy/overlays/dev/kustomization.yaml"), "utf8")).toContain("ghcr.io/acme/svc");
    // The GitOps objects pull the new repository URL.
    expect((await git(dir, "grep", "-l", "https://github.com/acme/svc.git")).split("\n")).toEqual(expect.arrayContaining([expect.stringMatching(/^deploy\/argocd\//)]));
    const after = await readRecord(dir);
    expect(after.answers).toMatchObject({ owner: "acme", module: "github.com/acme/svc", registry: "ghcr.io/acme", repoUrl: "https://github.com/acme/svc.git" });
    expect(after.derived).toEqual(before.derived);
    // The record now says acme: the next update has nothing to change, and --check agrees.
    expect((await update(dir, ["--check"])).exitCode).toBe(0);
    await goBuildAndTest(dir);
  });

  test("an explicitly set --module stays through update --owner; the registry, derived, follows", async () => {
    const dir = await generated(["--module", "example.com/platform/svc"]);
    expect((await readRecord(dir)).derived).not.toContain("module");
    const run = await update(dir, ["--owner", "acme", "--yes", "--commit", "--json"]);
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    expect(JSON.parse(run.stdout).answerChanges.map((c: { name: string }) => c.name)).toEqual(["owner", "registry", "repoUrl"]);
    expect(await readFile(path.join(dir, "go.mod"), "utf8")).toMatch(/^module example\.com\/platform\/svc\n/);
    expect((await readRecord(dir)).answers).toMatchObject({ module: "example.com/platform/svc", registry: "ghcr.io/acme" });
    await execa("go", ["build", "./..."], { cwd: dir, env: GO_ENV });
  });

  test("a record from before `derived`: a value equal to what the old owner derives is taken as derived (and says so); a set one stays", async () => {
    const dir = await generated(["--registry", "registry.example.com/team"]);
    const record = await readRecord(dir);
    delete record.derived;
    await writeFile(path.join(dir, RECORD), `${JSON.stringify(record, null, 2)}\n`);
    await commitAll(dir, "a record from an older version");
    const check = await update(dir, ["--check"]);
    expect([check.exitCode, check.stdout]).toEqual([1, expect.stringContaining("does not say which answers are derived")]);

    const dry = await update(dir, ["--owner", "acme", "--dry-run"]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('answer module: "github.com/example-org/svc" → "github.com/acme/svc" (taken as derived: the record (from an older version) does not say whether it was set');
    expect(dry.stdout).not.toContain("answer registry:");
    const run = await update(dir, ["--owner", "acme", "--yes", "--commit"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const after = await readRecord(dir);
    expect(after.answers).toMatchObject({ module: "github.com/acme/svc", registry: "registry.example.com/team" });
    expect(after.derived).toContain("module");
    expect(after.derived).not.toContain("registry");
  });

  test("a Go file the team wrote that imports the old module path is named (plain update and --branch), with a command that fixes it", async () => {
    const dir = await generated();
    await mkdir(path.join(dir, "internal/orders"), { recursive: true });
    await writeFile(
      path.join(dir, "internal/orders/orders.go"),
      'package orders\n\nimport (\n\t"fmt"\n\n\tv "github.com/example-org/svc/internal/version"\n)\n\n// Describe names the build.\nfunc Describe() string { return fmt.Sprint(v.Version) }\n',
    );
    await commitAll(dir, "orders package");

    const branch = await update(dir, ["--owner", "acme", "--yes", "--branch", "chore/owner", "--json"]);
    expect(branch.exitCode, branch.stderr).toBe(0);
    expect(JSON.parse(branch.stdout).staleImports).toEqual(["internal/orders/orders.go"]);

    const run = await update(dir, ["--owner", "acme", "--yes"]);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain("1 Go file the update does not rewrite (the team's files, or the team's import lines) still imports the old one, and go build fails until it is changed: internal/orders/orders.go\n");
    // As the warning says: it does not build until the team's file changes, and the hint's command fixes it.
    expect((await execa("go", ["build", "./..."], { cwd: dir, env: GO_ENV, reject: false })).exitCode).not.toBe(0);
    const hint = run.stderr.split("\n").find((l) => l.startsWith("hint: "))!;
    await execa("bash", ["-c", hint.slice("hint: rewrite them with: ".length)], { cwd: dir });
    expect(await readFile(path.join(dir, "internal/orders/orders.go"), "utf8")).toContain('v "github.com/acme/svc/internal/version"');
    await goBuildAndTest(dir);
  });
});

describe("which derived answers follow (the question table's defaults)", () => {
  const recorded = { name: "svc", owner: "example-org", ci: "github", module: "github.com/example-org/svc", registry: "ghcr.io/example-org", repoUrl: "https://github.com/example-org/svc.git", description: "svc service", gitops: "argocd", argocdProject: "svc", templateUpdate: "0 1 * * 1" } as Partial<Answers>;
  const all = new Set(Object.keys(recorded));
  test.each([
    ["--owner acme", { owner: "acme" }, all, ["module", "registry", "repoUrl"]],
    ["--ci gitlab", { ci: "gitlab" }, all, ["module", "registry", "repoUrl"]],
    ["--name orders", { name: "orders" }, all, ["description", "module", "repoUrl", "argocdProject"]],
    // A set module stays; an answer given in this run never follows.
    ["--owner acme, module set", { owner: "acme" }, new Set([...all].filter((n) => n !== "module")), ["registry", "repoUrl"]],
    ["--owner acme --registry r.example.com/x", { owner: "acme", registry: "r.example.com/x" }, all, ["module", "repoUrl"]],
    // A default the tool changed (the cron) is not an input that changed: nothing follows.
    ["no change", {}, all, []],
  ] as const)("%s", (_, flags, derived, follows) => {
    const given = new Set(Object.keys(flags));
    expect([...followingAnswers(recorded, { ...recorded, ...flags } as Partial<Answers>, derived, given)]).toEqual(follows);
  });
});
