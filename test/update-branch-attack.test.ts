// Adversarial cases for `update --branch` writing git's objects itself (src/update/write-branch.ts)
// and `update --check` trusting the index (src/update/git-index.ts): each one a bug found against
// what git, the fallback path or `update --commit` does with the same repository.
import { execa } from "execa";
import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { tempDir } from "./helpers/cli.js";
import { commitAll, generate, git, olderTemplates, update } from "./helpers/update-repo.js";

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
