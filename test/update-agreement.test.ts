// Issue #16: `update --check` answers from the committed record alone (no git per repository, no
// render), and must agree exactly with what `update` then does: behind (exit 1) when update changes,
// conflicts on or refuses the repository; up to date (exit 0) when update leaves it as it is. Checked
// on repositories of the previous template version (the 0.1.0 fixture) and the current one, clean,
// edited, squash-merged, shallow, with history lost, with a question the record has no answer for, and
// with a generated file replaced by a symlink.
// All of them go through one `update --check` over many directories, as a fleet runs it.
import { execa } from "execa";
import { mkdir, readFile, rename, symlink, writeFile } from "node:fs/promises";
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
  // A record a tool reformatted (one line, as a pre-commit hook might), and one with an answer to a
  // question this version does not ask: update writes both back in its own form.
  const reformatted = await generate([], "my-svc");
  await edit(reformatted, RECORD, (t) => `${JSON.stringify(JSON.parse(t))}\n`);
  await commitAll(reformatted, "reformat the record");
  const oldAnswer = await generate([], "my-svc");
  await edit(oldAnswer, RECORD, (t) => {
    const r = JSON.parse(t);
    r.answers.legacyQuestion = "kept";
    return `${JSON.stringify(r, null, 2)}\n`;
  });
  await commitAll(oldAnswer, "an answer to a retired question");
  // A generated file the team replaced by a symlink (to its own copy), where the template did not
  // change it: the team's change, as an edit is.
  const symlinked = await generate([], "my-svc");
  await mkdir(path.join(symlinked, "make"));
  await rename(path.join(symlinked, "Makefile"), path.join(symlinked, "make/Makefile"));
  await symlink("make/Makefile", path.join(symlinked, "Makefile"));
  await commitAll(symlinked, "the Makefile moves, a symlink in its place");
  cases.push(
    { name: "current version, a platform file replaced by a symlink", dir: symlinked, expect: "up-to-date" },
    { name: "current version, the record reformatted", dir: reformatted, expect: "behind" },
    { name: "current version, an answer to a question no longer asked", dir: oldAnswer, expect: "behind" },
  );
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

describe("update --check agrees with update on the preset (issue #16)", () => {
  const EXAMPLE = path.resolve(import.meta.dirname, "../examples/preset.yaml");

  test("a new version of the preset reads behind and updates; without it, or with another, both refuse", async () => {
    const presets = await tempDir("cggs-preset-");
    const text = await readFile(EXAMPLE, "utf8");
    const write = async (name: string, content: string) => {
      await writeFile(path.join(presets, name), content);
      return path.join(presets, name);
    };
    const v1 = await write("v1.yaml", text);
    // The platform team adds a required label: every object of every service should carry it.
    const v2 = await write("v2.yaml", text.replace('version: "2026.11"', 'version: "2026.12"').replace("    acme.example/owner-team: platform\n", "    acme.example/owner-team: platform\n    acme.example/tier: backend\n"));
    const other = await write("other.yaml", text.replace("name: acme-platform", "name: beta-platform"));
    const dir = await generate(["--preset", v1], "orders");
    const check = async (args: string[], env: Record<string, string> = {}) => {
      const run = await runCli(["update", "--check", "--json", ...args, dir], { cwd: presets, env: { ...gitEnv, CI: "true", ...env } });
      return { exitCode: run.exitCode, row: JSON.parse(run.stdout).repositories[0] as { status: string; behindBy?: string; error?: string }, stderr: run.stderr };
    };

    expect((await check(["--preset", v1])).row.status).toBe("up-to-date");
    // Without the preset: update refuses (exit 2), so --check cannot say "up to date".
    const none = await check([]);
    expect([none.exitCode, none.row.status]).toEqual([2, "error"]);
    expect(none.row.error).toContain("generated with the preset 'acme-platform' (version 2026.11)");
    expect(none.row.error).toContain("--preset FILE");
    expect((await update(dir, ["--yes"])).exitCode).toBe(2);
    const wrong = await check(["--preset", other]);
    expect([wrong.exitCode, wrong.row.error]).toEqual([2, `preset 'beta-platform' (${other}) is not the preset the repository was generated with ('acme-platform')`]);
    expect((await update(dir, ["--yes", "--preset", other])).exitCode).toBe(2);

    // The new version, by flag or by the environment variable, as update takes it.
    const behind = await check(["--preset", v2]);
    expect([behind.exitCode, behind.row.behindBy]).toEqual([1, "preset 'acme-platform' 2026.11 → 2026.12"]);
    expect((await check([], { CREATE_GITOPS_GO_SERVICE_PRESET: v2 })).row.behindBy).toBe("preset 'acme-platform' 2026.11 → 2026.12");
    // A variable that names no file is named as the variable by both.
    const unset = await runCli(["update", "--yes", "--dry-run"], { cwd: dir, env: { ...gitEnv, CI: "true", CREATE_GITOPS_GO_SERVICE_PRESET: "nope.yaml" } });
    expect([unset.exitCode, unset.stderr.split("\n")[0]]).toEqual([2, "error: $CREATE_GITOPS_GO_SERVICE_PRESET: cannot read 'nope.yaml': ENOENT"]);
    const run = await update(dir, ["--yes", "--json", "--preset", v2]);
    expect(run.exitCode, run.stderr).toBe(0);
    const did = JSON.parse(run.stdout) as { changed: string[]; upToDate: boolean };
    // The preset's labels go on every object of the overlays and on the platform's Namespaces (issue #27 F5).
    expect([did.upToDate, did.changed]).toEqual([false, [
      "deploy/overlays/dev/kustomization.yaml", "deploy/overlays/prod/kustomization.yaml", "deploy/overlays/staging/kustomization.yaml",
      "deploy/platform/dev.yaml", "deploy/platform/prod.yaml", "deploy/platform/staging.yaml", RECORD]]);
    expect(await readFile(path.join(dir, "deploy/platform/prod.yaml"), "utf8")).toContain("acme.example/tier: backend");
    expect(await readFile(path.join(dir, "deploy/overlays/prod/kustomization.yaml"), "utf8")).toContain("acme.example/tier: backend");
    await git(dir, "commit", "--quiet", "-m", "update to the 2026.12 preset");
    expect((await check(["--preset", v2])).row.status).toBe("up-to-date");

    // An edit that keeps the version (a comment) is still another preset: update records its digest.
    const edited = await write("v2-edited.yaml", `${await readFile(v2, "utf8")}# reviewed\n`);
    expect((await check(["--preset", edited])).row.behindBy).toBe("preset 'acme-platform' changed (version 2026.12, other content)");
    const recorded = await update(dir, ["--yes", "--json", "--preset", edited]);
    expect(recorded.exitCode, recorded.stderr).toBe(0);
    expect(JSON.parse(recorded.stdout).upToDate).toBe(false);
    expect(await git(dir, "status", "--porcelain")).toBe(`M  ${RECORD}`);
  }, 300_000);
});
