// Issue #16: a base that survives history rewrites, across a real version change (the 0.1.0
// fixture): a squash merge of the update, a fresh clone of it, and a shallow clone. `update` and
// `update --check` must agree on what is behind, and --check reads the committed record.
import { execa } from "execa";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { gitEnv, tempDir } from "./helpers/cli.js";
import { commitAll, edit, fixtureRepo, git, update } from "./helpers/update-repo.js";

/** The fixture with a team line in the middle of its README (a shared file the update merges), committed. */
async function editedFixture(): Promise<string> {
  const dir = await fixtureRepo();
  await edit(dir, "README.md", (t) => {
    const lines = t.split("\n");
    lines.splice(Math.floor(lines.length / 2), 0, "Team note: owned by the orders squad.");
    return lines.join("\n");
  });
  await commitAll(dir, "team note");
  return dir;
}

const clone = async (from: string, ...flags: string[]) => {
  const to = path.join(await tempDir("cggs-clone-"), "my-svc");
  await execa("git", ["clone", "--quiet", ...flags, `file://${from}`, to], { env: gitEnv });
  return to;
};

describe("history rewrites (from the 0.1.0 fixture)", () => {
  test("a squash-merged update, in a fresh clone: --check and update both say up to date; a staged update still reads behind", async () => {
    const dir = await editedFixture();
    const run = await update(dir, ["--yes"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/merge\s+README\.md/);
    // Staged, not committed: --check reads the committed record, so the repository is still behind.
    expect((await update(dir, ["--check"])).exitCode).toBe(1);
    // A squash merge: the update's tree as one commit with one parent (the snapshot parent is gone).
    await git(dir, "commit", "--quiet", "-m", "update");
    await git(dir, "reset", "--quiet", "--soft", "HEAD~1");
    await git(dir, "commit", "--quiet", "-m", "Squashed: update templates");
    expect((await git(dir, "rev-list", "--parents", "-n", "1", "HEAD")).split(" ")).toHaveLength(2);
    const fresh = await clone(dir); // has only what is reachable: no snapshot commit, no template README blob
    const check = await update(fresh, ["--check"]);
    expect(check.exitCode, check.stdout).toBe(0);
    const again = await update(fresh, ["--json"]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).conflicts).toEqual([]);
    expect(JSON.parse(again.stdout).changed).toEqual([]);
    expect(await readFile(path.join(fresh, "README.md"), "utf8")).toContain("Team note: owned by the orders squad.");
  }, 300_000);

  test("a shallow clone: exit 3 naming the files and git fetch --unshallow, nothing written; after it the update merges", async () => {
    const dir = await editedFixture();
    const shallow = await clone(dir, "--depth", "1");
    const run = await update(shallow, ["--yes"]);
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stderr).toContain("this is a shallow clone");
    expect(run.stderr).toContain("README.md");
    expect(run.stderr).toContain("git fetch --unshallow");
    expect(await git(shallow, "status", "--porcelain")).toBe("");
    await execa("git", ["fetch", "--quiet", "--unshallow"], { cwd: shallow, env: gitEnv });
    const after = await update(shallow, ["--yes"]);
    expect(after.exitCode, after.stderr).toBe(0);
    expect(after.stdout).toMatch(/merge\s+README\.md/);
  }, 300_000);
});
