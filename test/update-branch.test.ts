// Issue #16: `update --branch` in a plain repository reads HEAD's commit and writes the commit's
// objects and the branch itself (src/update/write-branch.ts), with no git process per repository.
// What git would have made is the bar: the branch's tree is the one `update --commit` makes, git fsck
// --strict finds nothing, and the checkout (dirty or not) is neither read nor touched.
import { existsSync } from "node:fs";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { gitEnv, runCli, tempDir } from "./helpers/cli.js";
import { BASE_FLAGS, commitAll, edit, generate, git, olderTemplates, tree, update } from "./helpers/update-repo.js";

/** An older-template repository with a team edit to README.md that merges: the update merges, replaces and adds. */
async function behind(): Promise<string> {
  const dir = await generate(["--templates", await olderTemplates()]);
  await edit(dir, "README.md", (t) => {
    const lines = t.split("\n");
    const middle = Math.floor(lines.length / 2);
    return [...lines.slice(0, middle), "Kept by the team.", ...lines.slice(middle)].join("\n");
  });
  await commitAll(dir);
  return dir;
}

async function copy(dir: string): Promise<string> {
  const to = path.join(await tempDir("cggs-branch-copy-"), "svc");
  await cp(dir, to, { recursive: true });
  return to;
}

/** The trees `update --commit` makes from the same commit (in a copy): the update's and its snapshot parent's. */
async function treeByCommit(dir: string, sub = ""): Promise<string> {
  const other = await copy(dir);
  const run = await update(path.join(other, sub), ["--yes", "--commit"]);
  expect(run.exitCode, run.stderr).toBe(0);
  return trees(other, "HEAD");
}

/** The tree of rev, and of its second parent (the snapshot) when it has one. */
async function trees(dir: string, rev: string): Promise<string> {
  const parents = (await git(dir, "log", "-1", "--format=%P", rev)).split(" ");
  return git(dir, "rev-parse", `${rev}^{tree}`, ...(parents.length > 1 ? [`${rev}^2^{tree}`] : []));
}

describe("update --branch writes git's objects itself", () => {
  for (const packed of [false, true])
    test(`${packed ? "packed (after git gc)" : "loose objects"}: the tree --commit makes, fsck clean, a reflog entry, the dirty checkout untouched`, async () => {
      const dir = await behind();
      if (packed) await git(dir, "gc", "--quiet");
      const expected = await treeByCommit(dir);
      // Uncommitted work in the checkout: neither an obstacle nor part of the branch.
      await edit(dir, "Makefile", (t) => `${t}# uncommitted\n`);
      await writeFile(path.join(dir, "notes.txt"), "untracked\n");
      const before = { files: await tree(dir), status: await git(dir, "status", "--porcelain"), head: await git(dir, "rev-parse", "HEAD") };

      const run = await update(dir, ["--yes", "--branch", "chore/templates"]);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(await trees(dir, "chore/templates")).toBe(expected);
      expect(expected.split("\n")).toHaveLength(2); // the README merge needs the snapshot
      expect(await git(dir, "rev-parse", "chore/templates^1")).toBe(before.head);
      expect(await git(dir, "fsck", "--strict", "--no-progress", "--no-dangling")).toBe("");
      expect(await git(dir, "reflog", "show", "--format=%gs", "chore/templates")).toBe("branch: created by create-gitops-go-service update");
      expect(await git(dir, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s", "chore/templates")).toBe("Test <test@example.com>|Test <test@example.com>|chore: update to create-gitops-go-service v0.1.0 templates");
      expect(await tree(dir)).toEqual(before.files);
      expect(await git(dir, "status", "--porcelain")).toBe(before.status);
      expect(await git(dir, "rev-parse", "HEAD")).toBe(before.head);
      // The next update finds its bases on the branch: nothing to do there.
      await git(dir, "stash", "--include-untracked", "--quiet");
      await git(dir, "switch", "--quiet", "chore/templates");
      const again = await update(dir, ["--json"]);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).changed).toEqual([]);
    }, 120_000);

  test("a service in a folder of a larger repository: the tree --commit makes, only that folder changed", async () => {
    const root = await tempDir("cggs-mono-");
    await git(root, "init", "--quiet", "--initial-branch=main");
    await writeFile(path.join(root, "README.md"), "# the monorepo\n");
    await mkdir(path.join(root, "services"));
    const run = await runCli(["svc", ...BASE_FLAGS, "--no-git", "--templates", await olderTemplates()], { cwd: path.join(root, "services") });
    expect(run.exitCode, run.stderr).toBe(0);
    await commitAll(root, "monorepo");
    const expected = await treeByCommit(root, "services/svc");
    const branch = await update(path.join(root, "services/svc"), ["--yes", "--branch", "chore/templates"]);
    expect(branch.exitCode, branch.stderr).toBe(0);
    expect(await trees(root, "chore/templates")).toBe(expected);
    expect((await git(root, "diff", "--name-only", "HEAD", "chore/templates")).split("\n").every((p) => p.startsWith("services/svc/"))).toBe(true);
    expect(await git(root, "fsck", "--strict", "--no-progress", "--no-dangling")).toBe("");
  }, 120_000);

  test("a worktree checkout (git fast-import): the same branch, and the same refusals of a taken name or folder", async () => {
    const dir = await behind();
    const expected = await treeByCommit(dir);
    const linked = path.join(await tempDir("cggs-branch-wt-"), "linked");
    await git(dir, "worktree", "add", "--quiet", "--detach", linked);
    await git(dir, "branch", "chore");
    await git(dir, "pack-refs", "--all");
    for (const branch of ["main", "chore/templates"]) {
      const run = await update(linked, ["--yes", "--branch", branch]);
      expect([run.exitCode, run.stderr.split("\n")[0]], branch).toEqual([3, `error: --branch: a branch '${branch}' already exists`]);
    }
    const run = await update(linked, ["--yes", "--branch", "templates"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await trees(dir, "templates")).toBe(expected);
    expect(await git(dir, "fsck", "--strict", "--no-progress", "--no-dangling")).toBe("");
  }, 120_000);

  test("refused, nothing made: a branch of that name, a branch named like its folder, a held ref lock", async () => {
    const dir = await behind();
    await git(dir, "branch", "chore");
    await git(dir, "branch", "taken");
    await git(dir, "pack-refs", "--all");
    const refs = await git(dir, "for-each-ref", "--format=%(refname) %(objectname)");
    for (const [branch, message] of [
      ["taken", "--branch: a branch 'taken' already exists"],
      ["chore/templates", "--branch: a branch 'chore/templates' already exists"],
    ]) {
      const run = await update(dir, ["--yes", "--branch", branch]);
      expect([run.exitCode, run.stderr.split("\n")[0]], branch).toEqual([3, `error: ${message}`]);
    }
    await git(dir, "branch", "-D", "--quiet", "chore");
    await mkdir(path.join(dir, ".git/refs/heads/chore"), { recursive: true });
    await writeFile(path.join(dir, ".git/refs/heads/chore/templates.lock"), "");
    const locked = await update(dir, ["--yes", "--branch", "chore/templates"]);
    expect(locked.exitCode, locked.stderr).toBe(3);
    expect(locked.stderr).toContain(".git/refs/heads/chore/templates.lock exists: another git process is updating the branch");
    expect(await git(dir, "for-each-ref", "--format=%(refname) %(objectname)")).toBe(refs.split("\n").filter((l) => !l.startsWith("refs/heads/chore ")).join("\n"));
    await rm(path.join(dir, ".git/refs/heads/chore/templates.lock"));
    const made = await update(dir, ["--yes", "--branch", "chore/templates"]);
    expect(made.exitCode, made.stderr).toBe(0);
    expect(await git(dir, "fsck", "--strict", "--no-progress", "--no-dangling")).toBe("");
    expect(await readFile(path.join(dir, ".git/refs/heads/chore/templates"), "utf8")).toMatch(/^[0-9a-f]{40}\n$/);
  }, 120_000);

  // Running as root, permission bits stop nothing: test/helpers/fs-faults.mjs fails the chosen calls.
  test("a full disk or an I/O error at each write of the branch: exit 3, said plainly, no branch, no lock left, the repository sound", async () => {
    const dir = await behind();
    const before = { files: await tree(dir), head: await git(dir, "rev-parse", "HEAD") };
    const faults = path.resolve(import.meta.dirname, "helpers/fs-faults.mjs");
    for (const [fn, match, code] of [
      ["openSync", "tmp_obj_", "ENOSPC"], // an object
      ["openSync", "chore/templates.lock", "EDQUOT"], // the ref's lock
      ["appendFileSync", "logs/refs/heads/chore", "ENOSPC"], // the reflog
      ["renameSync", "chore/templates.lock", "EIO"], // the ref itself
    ]) {
      const run = await runCli(["update", "--yes", "--branch", "chore/templates"], {
        cwd: dir,
        env: { ...gitEnv, CI: "true", CGGS_FS_FAULTS: JSON.stringify([{ fn, match, code }]), NODE_OPTIONS: `--import=${faults}` },
      });
      expect(run.exitCode, `${fn}: ${run.stderr}`).toBe(3);
      expect(run.stderr, fn).toContain(`(${code}): no branch was made`);
      expect(run.stderr, fn).not.toMatch(/\n\s+at /);
      expect(await git(dir, "branch", "--list", "chore/templates"), fn).toBe("");
      expect(existsSync(path.join(dir, ".git/refs/heads/chore/templates.lock")), fn).toBe(false);
      expect(await git(dir, "fsck", "--strict", "--no-progress", "--no-dangling"), fn).toBe("");
    }
    expect(await tree(dir)).toEqual(before.files);
    expect(await git(dir, "rev-parse", "HEAD")).toBe(before.head);
    // Nothing in the way afterwards: the same run makes the branch.
    expect((await update(dir, ["--yes", "--branch", "chore/templates"])).exitCode).toBe(0);
  }, 180_000);
});
