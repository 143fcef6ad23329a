// Helpers for the update tests: an "older template version" made with a --templates override, git
// in a temp repository, and the generated-output checks (go build/vet, kustomize).
import { execa } from "execa";
import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gitEnv, runCli, tempDir, type CliRun } from "./cli.js";

export const TEMPLATES = path.resolve(import.meta.dirname, "../../templates");
export const FIXTURE_V010 = path.resolve(import.meta.dirname, "../fixtures/update-base-v0.1.0");

/** Lines the older version has that the current one does not (so an update must change them). */
export const OLD = {
  readmeHeading: " (old heading)",
  readmeFooter: "Old footer line, dropped by the newer template.\n",
  makefileHeader: "# Makefile of the older template.\n",
  handlersComment: "\n// A comment from the older template.\n",
  // Not under docs/: that folder holds the current runbook, and the test sees the emptied folder go.
  runbook: "ops/old-runbook.md",
  runbookContent: "# Runbook\n\nWritten by the older template; the newer one no longer has it.\n",
};

/**
 * An override folder that turns the current templates into an "older version": a platform file
 * (Makefile), a shared file (README) and a team file (the handlers) differ, and it adds one file
 * (ops/old-runbook.md, platform-owned) that the current version does not write.
 */
export async function olderTemplates(): Promise<string> {
  const dir = await tempDir("cggs-old-templates-");
  const read = (id: string) => readFile(path.join(TEMPLATES, id), "utf8");
  const put = async (id: string, text: string) => {
    await mkdir(path.dirname(path.join(dir, id)), { recursive: true });
    await writeFile(path.join(dir, id), text);
  };
  const readme = await read("README.md.hbs");
  const [first, ...rest] = readme.split("\n");
  await put("README.md.hbs", `${first}${OLD.readmeHeading}\n${rest.join("\n")}${readme.endsWith("\n") ? "" : "\n"}\n${OLD.readmeFooter}`);
  await put("Makefile.hbs", OLD.makefileHeader + (await read("Makefile.hbs")));
  await put("internal/server/handlers.go.hbs", (await read("internal/server/handlers.go.hbs")) + OLD.handlersComment);
  await put(OLD.runbook, OLD.runbookContent);
  await put("overrides.yaml", `additions: [${OLD.runbook}]\n`);
  return dir;
}

export const BASE_FLAGS = ["--yes", "--owner", "acme"];

/** Generate `svc` (git on) in a new temp folder; returns the repository's path. */
export async function generate(extra: string[] = [], name = "svc"): Promise<string> {
  const cwd = await tempDir("cggs-upd-");
  const run = await runCli([name, ...BASE_FLAGS, ...extra], { cwd });
  if (run.exitCode !== 0) throw new Error(`generate exited ${run.exitCode}: ${run.stderr}`);
  return path.join(cwd, name);
}

/** `create-gitops-go-service update ...` in dir (no TTY, CI=true). */
export function update(dir: string, args: string[] = []): Promise<CliRun> {
  return runCli(["update", ...args], { cwd: dir });
}

export async function git(dir: string, ...args: string[]): Promise<string> {
  return (await execa("git", args, { cwd: dir, env: gitEnv })).stdout;
}

export async function commitAll(dir: string, message = "team change"): Promise<void> {
  await git(dir, "add", "-A");
  await git(dir, "commit", "--quiet", "-m", message);
}

export async function edit(dir: string, file: string, change: (text: string) => string): Promise<void> {
  const p = path.join(dir, file);
  await writeFile(p, change(await readFile(p, "utf8")));
}

/** Every file under dir but .git, relative, with its bytes. */
export async function tree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const rel = path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/");
    if (e.isFile() && !rel.startsWith(".git/")) files.set(rel, await readFile(path.join(dir, rel)));
  }
  return files;
}

/** The fixture of a real earlier version, as a git repository with one commit, in a temp folder. */
export async function fixtureRepo(): Promise<string> {
  const dir = path.join(await tempDir("cggs-fixture-"), "my-svc");
  await cp(FIXTURE_V010, dir, { recursive: true });
  await git(dir, "init", "--quiet", "--initial-branch=main");
  await commitAll(dir, "chore: initial commit from create-gitops-go-service v0.1.0");
  return dir;
}

const GO_ENV = { GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly" };

/** The output verification a generated repository must still pass after an update. */
export async function verifyOutput(dir: string): Promise<void> {
  await execa("go", ["build", "./..."], { cwd: dir, env: GO_ENV });
  await execa("go", ["vet", "./..."], { cwd: dir, env: GO_ENV });
  await execa("kubectl", ["kustomize", "deploy/overlays/dev"], { cwd: dir });
}
