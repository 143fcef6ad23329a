// Issue #16: `update` never loses work. A fake git on PATH fails (or sends the CLI SIGTERM) at the
// Nth git call, for every N the update makes; after each run the work tree (untracked files too),
// the index, HEAD and the merge state must be exactly as before. Plus --allow-dirty's refusals, the
// held index lock, and conflicts recorded in the index like git's own.
import { execa } from "execa";
import { chmod, cp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { gitEnv, runCli, tempDir } from "./helpers/cli.js";
import { commitAll, edit, generate, git, OLD, olderTemplates, tree } from "./helpers/update-repo.js";

const RECORD = ".create-gitops-go-service.json";

/** Everything a user could lose: files under the folder (untracked too), the index, HEAD, the merge state. */
async function state(dir: string): Promise<string> {
  const files = [...(await tree(dir))].map(([p, b]) => `${p} ${b.toString("base64")}`).sort();
  const index = await git(dir, "ls-files", "-s");
  const head = await git(dir, "rev-parse", "HEAD");
  return JSON.stringify({ files, index, head, merge: existsSync(path.join(dir, ".git/MERGE_HEAD")), msg: existsSync(path.join(dir, ".git/MERGE_MSG")) });
}

/** A copy of a prepared repository (cp keeps .git), so each case starts from the same state. */
async function copyOf(dir: string): Promise<string> {
  const to = path.join(await tempDir("cggs-safety-"), "svc");
  await cp(dir, to, { recursive: true });
  await git(to, "status", "--porcelain"); // refresh the stat data once, so later reads compare content
  return to;
}

let fakeDir: string;
/**
 * A git that fails (exit 128) or sends its parent SIGTERM at the Nth call; counts calls in a file.
 * update runs some git calls at once (git var for author and committer), so the count is taken under
 * a lock (mkdir is atomic): without it two calls read the same count, one number is never reached
 * and the run looks like it made fewer calls than it did (CI saw exactly that).
 */
async function fakeGit(): Promise<string> {
  const dir = await tempDir("cggs-fakegit-");
  const real = (await execa("sh", ["-c", "command -v git"])).stdout.trim();
  const script = `#!/bin/sh
until mkdir "$FAKE_GIT_COUNTER.lock" 2>/dev/null; do sleep 0.01; done
n=$(( $(cat "$FAKE_GIT_COUNTER" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$FAKE_GIT_COUNTER"
rmdir "$FAKE_GIT_COUNTER.lock"
if [ "$n" = "$FAKE_GIT_AT" ]; then
  if [ "$FAKE_GIT_MODE" = fail ]; then echo "fatal: fake failure at call $n (git $1)" >&2; exit 128; fi
  kill -TERM "$PPID"
fi
exec ${real} "$@"
`;
  await writeFile(path.join(dir, "git"), script);
  await chmod(path.join(dir, "git"), 0o755);
  return dir;
}

async function updateWithFakeGit(dir: string, args: string[], mode: "fail" | "term", at: number) {
  const counter = path.join(path.dirname(dir), `count-${mode}-${at}`);
  const run = await runCli(["update", ...args], {
    cwd: dir,
    env: { ...gitEnv, CI: "true", PATH: `${fakeDir}:${process.env.PATH}`, FAKE_GIT_COUNTER: counter, FAKE_GIT_AT: String(at), FAKE_GIT_MODE: mode },
  });
  const calls = Number((await readFile(counter, "utf8").catch(() => "0")).trim());
  return { ...run, calls };
}

/** An older-template repository whose update merges, conflicts, adds, replaces and removes, with an untracked file aside. */
let conflicted: string;
/** One whose update is clean (for --commit). */
let clean: string;

beforeAll(async () => {
  fakeDir = await fakeGit();
  const templates = await olderTemplates();
  clean = await generate(["--templates", templates]);
  conflicted = await generate(["--templates", templates]);
  await edit(conflicted, "README.md", (t) => t.replace(/^# svc \(old heading\)\n/, "# svc: the team's title\n"));
  await rm(path.join(conflicted, "Makefile")); // deleted locally, changed by the template
  await edit(conflicted, OLD.runbook, (t) => `${t}Our on-call rota.\n`); // removed by the template, edited
  await commitAll(conflicted);
}, 120_000);

describe("atomic: a git failure or SIGTERM at every git call leaves the repository exactly as it was", () => {
  for (const mode of ["fail", "term"] as const)
    test(`${mode} at each call, with conflicts, --allow-dirty and an untracked file`, async () => {
      const dir = await copyOf(conflicted);
      await writeFile(path.join(dir, "notes.txt"), "untracked work\n");
      await edit(dir, "internal/server/handlers.go", (t) => `${t}// unstaged team work\n`);
      const before = await state(dir);
      let at = 1;
      for (; at < 60; at++) {
        const run = await updateWithFakeGit(dir, ["--allow-dirty"], mode, at);
        if (run.calls < at) {
          expect(run.exitCode, run.stderr).toBe(5); // the fault never fired: the update ran through
          break;
        }
        expect(run.stderr, `call ${at}`).not.toMatch(/\n\s+at /); // no stack trace
        if (mode === "term") expect(run.exitCode, `call ${at}: ${run.stderr}`).toBe(143);
        // A failure update tolerates (a stat refresh, a probe) lets it finish: then its undo must restore.
        if (run.exitCode === 5) await git(dir, "merge", "--abort");
        else expect(run.exitCode, `call ${at}: ${run.stderr}`).not.toBe(0);
        expect(await state(dir), `call ${at}: ${run.stderr}`).toBe(before);
      }
      expect(at).toBeGreaterThan(5);
    }, 600_000);

  test("term at each call with --commit: restored, or committed completely", async () => {
    const dir = await copyOf(clean);
    const before = await state(dir);
    const head = await git(dir, "rev-parse", "HEAD");
    for (let at = 1; at < 60; at++) {
      const run = await updateWithFakeGit(dir, ["--commit"], "term", at);
      if (run.calls < at) break;
      expect(run.exitCode, `call ${at}: ${run.stderr}`).toBe(143);
      if ((await git(dir, "rev-parse", "HEAD")) === head) expect(await state(dir), `call ${at}: ${run.stderr}`).toBe(before);
      else {
        expect(await git(dir, "status", "--porcelain")).toBe("");
        await git(dir, "reset", "--quiet", "--hard", head);
      }
    }
  }, 600_000);

  for (const mode of ["fail", "term"] as const)
    test(`--branch, ${mode} at each call: no branch, or the whole branch; the checkout untouched`, async () => {
      const dir = await copyOf(clean);
      const before = await state(dir);
      const head = await git(dir, "rev-parse", "HEAD");
      let at = 1;
      let faults = 0;
      for (; at < 30; at++) {
        const run = await updateWithFakeGit(dir, ["--yes", "--branch", "chore/templates"], mode, at);
        expect(await state(dir), `call ${at}: ${run.stderr}`).toBe(before);
        expect(await git(dir, "rev-parse", "HEAD"), `call ${at}`).toBe(head);
        expect(run.stderr, `call ${at}`).not.toMatch(/\n\s+at /);
        if (run.exitCode === 0) {
          // The fault never fired, or hit a probe update does without (the include check): the whole branch.
          expect(await git(dir, "log", "-1", "--format=%s", "chore/templates")).toMatch(/^chore: update to /);
          expect(await git(dir, "fsck", "--strict", "--no-progress", "--no-dangling")).toBe("");
          if (run.calls < at) break;
          await git(dir, "branch", "--quiet", "-D", "chore/templates");
          continue;
        }
        faults++;
        if (mode === "term") expect(run.exitCode, `call ${at}: ${run.stderr}`).toBe(143);
        expect(await git(dir, "branch", "--list", "chore/templates"), `call ${at}: ${run.stderr}`).toBe("");
      }
      expect(at, "git calls").toBeGreaterThan(3);
      expect(faults, "faults that stopped the run").toBeGreaterThan(1);
    }, 600_000);

  test("a held .git/index.lock (an IDE): exit 3, named, nothing changed", async () => {
    const dir = await copyOf(conflicted);
    const before = await state(dir);
    await writeFile(path.join(dir, ".git/index.lock"), "");
    const run = await runCli(["update"], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stderr).toContain("index.lock");
    await rm(path.join(dir, ".git/index.lock"));
    expect(await state(dir)).toBe(before);
  }, 120_000);
});

describe("--allow-dirty and the printed undo never destroy work", () => {
  test("refused (exit 3) where the update would write a file with uncommitted changes, or an untracked file it adds", async () => {
    const dir = await copyOf(conflicted);
    await edit(dir, "README.md", (t) => `${t}uncommitted line\n`);
    const before = await state(dir);
    const run = await runCli(["update", "--allow-dirty"], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stderr).toContain("--allow-dirty: the update would write README.md");
    expect(await state(dir)).toBe(before);

    // A file the template now adds, untracked here: take one out of the repository and its record.
    const added = await copyOf(clean);
    const record = JSON.parse(await readFile(path.join(added, RECORD), "utf8"));
    delete record.files["SECURITY.md"];
    await writeFile(path.join(added, RECORD), `${JSON.stringify(record, null, 2)}\n`);
    await git(added, "rm", "--quiet", "SECURITY.md");
    await commitAll(added, "older record without SECURITY.md");
    await writeFile(path.join(added, "SECURITY.md"), "our own, never committed\n");
    const refused = await runCli(["update", "--allow-dirty"], { cwd: added });
    expect(refused.exitCode, refused.stderr).toBe(3);
    expect(refused.stderr).toContain("SECURITY.md");
    expect(await readFile(path.join(added, "SECURITY.md"), "utf8")).toBe("our own, never committed\n");

    const staged = await copyOf(clean);
    await edit(staged, "internal/server/handlers.go", (t) => `${t}// staged\n`);
    await git(staged, "add", "internal/server/handlers.go");
    const mixed = await runCli(["update", "--allow-dirty"], { cwd: staged });
    expect(mixed.exitCode).toBe(3);
    expect(mixed.stderr).toContain("staged changes (internal/server/handlers.go)");
  }, 300_000);

  test("allowed elsewhere: after the update, the printed undo keeps unstaged and untracked work byte for byte", async () => {
    for (const [source, undo] of [[conflicted, ["merge", "--abort"]], [clean, ["reset", "--merge"]]] as const) {
      const dir = await copyOf(source);
      await edit(dir, "internal/server/handlers.go", (t) => `${t}// unstaged team work\n`);
      await writeFile(path.join(dir, "notes.txt"), "untracked work\n");
      const before = await state(dir);
      const run = await runCli(["update", "--allow-dirty"], { cwd: dir });
      expect([0, 5], run.stderr).toContain(run.exitCode);
      expect(run.stdout + run.stderr).toContain(`git ${undo.join(" ")}`);
      await git(dir, ...undo);
      expect(await state(dir)).toBe(before);
    }
  }, 300_000);
});

describe("conflicts are recorded in the index like git's own", () => {
  test("deleted-vs-changed (DU), removed-but-edited (UD), both-modified (UU); git commit refuses; merge --abort restores", async () => {
    const dir = await copyOf(conflicted);
    const before = await state(dir);
    const run = await runCli(["update"], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(5);
    const status = await git(dir, "status", "--porcelain");
    expect(status).toMatch(/^DU Makefile$/m);
    expect(status).toMatch(/^UD ops\/old-runbook\.md$/m);
    expect(status).toMatch(/^UU README\.md$/m);
    const commit = await execa("git", ["commit", "-m", "x"], { cwd: dir, env: gitEnv, reject: false });
    expect(commit.exitCode).not.toBe(0);
    expect(commit.stderr + commit.stdout).toMatch(/unmerged/i);
    await git(dir, "merge", "--abort");
    expect(await state(dir)).toBe(before);
  }, 120_000);
});
