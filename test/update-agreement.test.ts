// Issue #16: `update --check` answers from the committed record alone (no git per repository, no
// render), and must agree exactly with what `update` then does: behind (exit 1) when update changes,
// conflicts on or refuses the repository; up to date (exit 0) when update leaves it as it is. Checked
// on repositories of the previous template version (the 0.1.0 fixture) and the current one, clean,
// edited, squash-merged, shallow, with history lost, and with a question the record has no answer for.
// All of them go through one `update --check` over many directories, as a fleet runs it.
import { execa } from "execa";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { gitEnv, runCli, tempDir } from "./helpers/cli.js";
import { commitAll, edit, fixtureRepo, generate, git, update } from "./helpers/update-repo.js";

const RECORD = ".create-gitops-go-service.json";
const TEAM_NOTE = "Team note: owned by the orders squad.";

const clone = async (from: string, ...flags: string[]) => {
  const to = path.join(await tempDir("cggs-clone-"), "my-svc");
  await execa("git", ["clone", "--quiet", ...flags, `file://${from}`, to], { env: gitEnv });
  return to;
};

/** The 0.1.0 fixture with a team line in its README (a shared file), committed. */
async function editedFixture(): Promise<string> {
  const dir = await fixtureRepo();
  await edit(dir, "README.md", (t) => t.replace("\n## Endpoints\n", `\n${TEAM_NOTE}\n\n## Endpoints\n`));
  await commitAll(dir, "team note");
  return dir;
}

/** A squash merge of everything so far into one parentless commit, in a clone that has only it. */
async function squashedHistory(dir: string): Promise<string> {
  await git(dir, "checkout", "--quiet", "--orphan", "squashed");
  await git(dir, "commit", "--quiet", "-m", "Squashed import");
  return clone(dir, "--branch", "squashed", "--single-branch");
}

/** The fixture updated and committed, then that update squash-merged, in a fresh clone. */
async function squashMergedUpdate(): Promise<string> {
  const dir = await editedFixture();
  const run = await update(dir, ["--yes"]);
  if (run.exitCode !== 0) throw new Error(run.stderr);
  await git(dir, "commit", "--quiet", "-m", "update");
  await git(dir, "reset", "--quiet", "--soft", "HEAD~1");
  await git(dir, "commit", "--quiet", "-m", "Squashed: update templates");
  return clone(dir);
}

interface Case {
  name: string;
  dir: string;
  /** What update is expected to do: change it, or leave it, or refuse (exit 3) with this text. */
  expect: "behind" | "up-to-date";
  refused?: string;
}

const cases: Case[] = [];

beforeAll(async () => {
  const current = await generate([], "my-svc");
  const updated = await editedFixture();
  if ((await update(updated, ["--yes", "--commit"])).exitCode !== 0) throw new Error("update --commit of the fixture failed");
  const squashMerged = await squashMergedUpdate();
  // A question the record has no answer for (as in a repository made before it existed).
  const newQuestion = await generate([], "my-svc");
  const record = JSON.parse(await readFile(path.join(newQuestion, RECORD), "utf8"));
  delete record.answers.catalog;
  await writeFile(path.join(newQuestion, RECORD), `${JSON.stringify(record, null, 2)}\n`);
  await commitAll(newQuestion, "a record from before the catalog question");
  cases.push(
    { name: "0.1.0 fixture, clean", dir: await fixtureRepo(), expect: "behind" },
    { name: "0.1.0 fixture, edited", dir: await editedFixture(), expect: "behind" },
    { name: "current version, clean", dir: current, expect: "up-to-date" },
    { name: "0.1.0 fixture updated and committed", dir: updated, expect: "up-to-date" },
    { name: "squash-merged update, fresh clone", dir: squashMerged, expect: "up-to-date" },
    { name: "squash-merged update, shallow clone", dir: await clone(squashMerged, "--depth", "1"), expect: "up-to-date" },
    { name: "0.1.0 fixture edited, shallow clone", dir: await clone(await editedFixture(), "--depth", "1"), expect: "behind", refused: "git fetch --unshallow" },
    { name: "0.1.0 fixture edited, history squashed", dir: await squashedHistory(await editedFixture()), expect: "behind", refused: "cannot render the 0.1.0 templates" },
    { name: "current version, a question without a recorded answer", dir: newQuestion, expect: "behind" },
  );
}, 600_000);

describe("update --check agrees with update (issue #16)", () => {
  test("one --check over every case, then update in each", async () => {
    const root = path.dirname(cases[0].dir);
    const check = await runCli(["update", "--check", "--json", ...cases.map((c) => c.dir)], { cwd: root });
    const rows = JSON.parse(check.stdout).repositories as { status: string; behindBy?: string }[];
    expect(rows.map((r) => r.status)).toEqual(cases.map((c) => c.expect));
    expect(check.exitCode).toBe(1);
    expect(rows.at(-1)!.behindBy).toBe("new questions: catalog");
    for (const [i, c] of cases.entries()) {
      const run = await update(c.dir, ["--yes", "--json"]);
      if (c.refused) {
        expect([run.exitCode, c.name]).toEqual([3, c.name]);
        expect(run.stderr, c.name).toContain(c.refused);
        expect(await git(c.dir, "status", "--porcelain"), c.name).toBe("");
        continue;
      }
      expect(run.exitCode, `${c.name}: ${run.stderr}`).toBe(0);
      const did = JSON.parse(run.stdout) as { changed: string[]; conflicts: string[] };
      // Behind exactly when update changes something.
      expect([c.name, did.changed.length + did.conflicts.length > 0]).toEqual([c.name, rows[i].status === "behind"]);
      if (rows[i].status === "behind") {
        await git(c.dir, "commit", "--quiet", "-m", "update");
        expect((await update(c.dir, ["--check"])).exitCode, c.name).toBe(0);
      }
    }
  }, 900_000);

  test("history lost with the older templates: --accept-lost-base makes the edited file a whole-file conflict, the team line kept", async () => {
    const dir = await squashedHistory(await editedFixture());
    const run = await update(dir, ["--yes", "--accept-lost-base", "--json"]);
    expect(run.exitCode, run.stderr).toBe(5);
    expect(JSON.parse(run.stdout).conflicts).toEqual(["README.md"]);
    const readme = await readFile(path.join(dir, "README.md"), "utf8");
    expect(readme).toContain(TEAM_NOTE);
    expect(readme).toMatch(/^<<<<<<< ours$/m);
    expect(await git(dir, "status", "--porcelain", "README.md")).toBe("AA README.md");
  }, 300_000);

  test("after git fetch --unshallow, the shallow clone updates and the team line survives", async () => {
    const shallow = await clone(await editedFixture(), "--depth", "1");
    await execa("git", ["fetch", "--quiet", "--unshallow"], { cwd: shallow, env: gitEnv });
    const run = await update(shallow, ["--yes", "--commit"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await readFile(path.join(shallow, "README.md"), "utf8")).toContain(TEAM_NOTE);
    expect((await update(shallow, ["--check"])).exitCode).toBe(0);
  }, 300_000);
});
