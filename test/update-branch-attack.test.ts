// Adversarial cases for `update --branch` writing git's objects itself (src/update/write-branch.ts)
// and `update --check` trusting the index (src/update/git-index.ts): each one a bug found against
// what git, the fallback path or `update --commit` does with the same repository.
import { execa } from "execa";
import { mkdir, readdir, rm, symlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { deflateSync } from "node:zlib";
import { gitEnv, runCli, tempDir } from "./helpers/cli.js";
import { BASE_FLAGS, commitAll, edit, generate, git, olderTemplates, update } from "./helpers/update-repo.js";

async function copy(dir: string): Promise<string> {
  const to = path.join(await tempDir("cggs-attack-copy-"), "svc");
  await execa("cp", ["-a", dir, to]); // fs.cp reads names as UTF-8: a Latin-1 one is not found
  return to;
}

const fsck = (dir: string) => git(dir, "fsck", "--strict", "--no-progress", "--no-dangling");

describe("update --branch, adversarial", () => {
  test("file names that are not UTF-8 (Latin-1) keep their bytes: the tree --commit makes", async () => {
    const dir = await generate(["--templates", await olderTemplates()]);
    // Two names whose bytes are not UTF-8 and that decode to the same string ("caf\uFFFD").
    await writeFile(Buffer.from(path.join(dir, "caf\xe9"), "latin1"), "e-acute\n");
    await writeFile(Buffer.from(path.join(dir, "caf\xe8"), "latin1"), "e-grave\n");
    await commitAll(dir, "latin-1 names");
    const names = await git(dir, "-c", "core.quotepath=true", "ls-tree", "--name-only", "HEAD");
    expect(names).toContain('"caf\\351"');

    const other = await copy(dir);
    const byCommit = await update(other, ["--yes", "--commit"]);
    expect(byCommit.exitCode, byCommit.stderr).toBe(0);

    const run = await update(dir, ["--yes", "--branch", "chore/templates"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await git(dir, "rev-parse", "chore/templates^{tree}")).toBe(await git(other, "rev-parse", "HEAD^{tree}"));
    const onBranch = await git(dir, "-c", "core.quotepath=true", "ls-tree", "--name-only", "chore/templates");
    expect(onBranch).toContain('"caf\\351"');
    expect(onBranch).toContain('"caf\\350"');
    expect(await fsck(dir)).toBe("");
  }, 120_000);

  test("--branch @{-1} is refused: git check-ref-format --branch expands it, and refs/heads/@{-1} is a broken ref", async () => {
    const dir = await generate(["--templates", await olderTemplates()]);
    await git(dir, "switch", "--quiet", "-c", "other");
    await git(dir, "switch", "--quiet", "main");
    const refs = await git(dir, "for-each-ref", "--format=%(refname) %(objectname)");
    const run = await update(dir, ["--yes", "--branch", "@{-1}"]);
    expect([run.exitCode, run.stderr.split("\n")[0]]).toEqual([2, "error: --branch: '@{-1}' is not a valid branch name"]);
    expect(await readdir(path.join(dir, ".git/refs/heads"))).toEqual(["main", "other"].sort());
    expect(await git(dir, "for-each-ref", "--format=%(refname) %(objectname)")).toBe(refs);
    expect(await fsck(dir)).toBe("");
  }, 120_000);
});

describe("update --branch, a corrupt repository in a fleet", () => {
  test("an object neither we nor git can read fails its own row, named; the packed repositories beside it still get their branch", async () => {
    const root = await tempDir("cggs-attack-fleet-");
    const templates = await olderTemplates();
    const names = ["a", "b", "c", "d", "e", "f"];
    for (const name of names) {
      const made = await runCli([name, ...BASE_FLAGS, "--templates", templates], { cwd: root });
      expect(made.exitCode, made.stderr).toBe(0);
    }
    // The others packed: every object they need comes through the one git cat-file of the group.
    const others = names.filter((n) => n !== "b");
    for (const name of others) await git(path.join(root, name), "gc", "--quiet");
    // b: the blob of its README a loose file that inflates to a header longer than its body, and no
    // other copy. git cat-file --batch prints that header and then only the bytes there are: read on
    // trust, the answers after it (the other repositories' objects) would be taken for its body.
    await edit(path.join(root, "b"), "README.md", (t) => `${t}\nA team line.\n`);
    await commitAll(path.join(root, "b")); // a loose blob (the generator's objects are packed)
    const blob = await git(path.join(root, "b"), "rev-parse", "HEAD:README.md");
    const file = path.join(root, "b/.git/objects", blob.slice(0, 2), blob.slice(2));
    await rm(file, { force: true });
    await writeFile(file, deflateSync(Buffer.from("blob 4096\0# a damaged README\n", "latin1")));
    // What each of the others' branch must hold: the same update, run on a copy of it alone.
    const expected = new Map<string, string>();
    for (const name of others) {
      const alone = await copy(path.join(root, name));
      const made = await update(alone, ["--yes", "--branch", "chore/templates"]);
      expect(made.exitCode, made.stderr).toBe(0);
      expected.set(name, await git(alone, "rev-parse", "chore/templates^{tree}"));
    }
    const run = await runCli(["update", "--yes", "--json", "--branch", "chore/templates", ...names], { cwd: root });
    const rows = JSON.parse(run.stdout).repositories as { directory: string; status: string; error?: string }[];
    expect(rows.map((r) => [r.directory, r.status]), run.stdout).toEqual(names.map((n) => [n, n === "b" ? "error" : "updated"]));
    expect(rows[1].error).toContain(`object ${blob} cannot be read: git cat-file gave a damaged copy`);
    expect(run.exitCode).toBe(3);
    for (const name of others) {
      expect(await fsck(path.join(root, name)), name).toBe("");
      expect(await git(path.join(root, name), "rev-parse", "chore/templates^{tree}"), name).toBe(expected.get(name));
    }
    expect(await git(path.join(root, "b"), "branch", "--list", "chore/templates")).toBe("");
  }, 180_000);
});

describe("update --branch through a symlink", () => {
  test("a service folder named through a symlink in the work tree: the branch git's own path makes", async () => {
    const root = await tempDir("cggs-attack-mono-");
    await git(root, "init", "--quiet", "--initial-branch=main");
    await mkdir(path.join(root, "services"));
    const made = await runCli(["svc", ...BASE_FLAGS, "--no-git", "--templates", await olderTemplates()], { cwd: path.join(root, "services") });
    expect(made.exitCode, made.stderr).toBe(0);
    await commitAll(root, "monorepo");
    await symlink("services/svc", path.join(root, "link"));
    await writeFile(path.join(root, ".git/info/exclude"), "link\n");
    const expected = await copy(root);
    const byGit = await update(path.join(expected, "services/svc"), ["--yes", "--branch", "chore/templates"]);
    expect(byGit.exitCode, byGit.stderr).toBe(0);

    const run = await runCli(["update", "--yes", "--branch", "chore/templates", "link"], { cwd: root });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await git(root, "rev-parse", "chore/templates^{tree}")).toBe(await git(expected, "rev-parse", "chore/templates^{tree}"));
    expect(await fsck(root)).toBe("");
  }, 120_000);
});

describe("update --check, adversarial", () => {
  /** The platform files --check reports as locally modified. */
  async function modified(dir: string, globalConfig = "/dev/null"): Promise<string[]> {
    const run = await runCli(["update", "--check", "--json"], { cwd: dir, env: { ...gitEnv, CI: "true", GIT_CONFIG_GLOBAL: globalConfig } });
    expect(run.exitCode, run.stderr).toBeLessThan(2);
    return JSON.parse(run.stdout).repositories[0].modifiedPlatform;
  }

  test("core.autocrlf (CRLF in the work tree, LF staged): the same answer whether the index's stat data is fresh or not", async () => {
    const dir = await generate();
    await git(dir, "config", "core.autocrlf", "true");
    // Check out again: every text file is now CRLF on disk; git status is clean (it compares cleaned bytes).
    for (const e of await readdir(dir)) if (e !== ".git") await rm(path.join(dir, e), { recursive: true, force: true });
    await git(dir, "checkout", "--quiet", "--", ".");
    await sleep(50);
    await git(dir, "update-index", "--really-refresh"); // an index written well after the files: none racily clean
    await git(dir, "reset", "--quiet");
    expect(await git(dir, "status", "--porcelain")).toBe("");
    const fresh = await modified(dir);
    // Touch every file (bytes unchanged): the stat data no longer matches, so each is read.
    const now = new Date();
    for (const p of (await git(dir, "ls-files")).split("\n")) await utimes(path.join(dir, p), now, now);
    const read = await modified(dir);
    expect(read).toContain("Makefile"); // CRLF bytes are not the generated bytes: update sees them edited
    expect(fresh).toEqual(read);
    // The same with core.autocrlf set in the global config instead, the index fresh again.
    await git(dir, "config", "--unset", "core.autocrlf");
    const global = path.join(await tempDir("cggs-attack-global-"), "gitconfig");
    await writeFile(global, "[core]\n\tautocrlf = true\n");
    await sleep(50);
    await git(dir, "-c", "core.autocrlf=true", "update-index", "--really-refresh");
    await git(dir, "-c", "core.autocrlf=true", "reset", "--quiet");
    expect(await modified(dir, global)).toEqual(read);
  }, 120_000);

  test("core.logAllRefUpdates=false: no reflog, as git branch would; a damaged loose copy of a packed object: git's packed copy is read", async () => {
    const dir = await generate(["--templates", await olderTemplates()]);
    await git(dir, "config", "core.logAllRefUpdates", "false");
    // A loose copy of HEAD's commit that does not inflate, beside the packed one git reads.
    await git(dir, "gc", "--quiet");
    const head = await git(dir, "rev-parse", "HEAD");
    await mkdir(path.join(dir, ".git/objects", head.slice(0, 2)), { recursive: true });
    await writeFile(path.join(dir, ".git/objects", head.slice(0, 2), head.slice(2)), "not zlib");
    const run = await update(dir, ["--yes", "--branch", "chore/templates"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await git(dir, "rev-parse", "chore/templates^1")).toBe(head);
    expect(await readdir(path.join(dir, ".git/logs/refs/heads"))).not.toContain("chore");
  }, 120_000);
});
