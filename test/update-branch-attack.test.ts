// Adversarial cases for `update --branch` writing git's objects itself (src/update/write-branch.ts)
// and `update --check` trusting the index (src/update/git/git-index.ts): each one a bug found against
// what git, the fallback path or `update --commit` does with the same repository.
import { execa } from "execa";
import { mkdir, readdir, readFile, rm, symlink, utimes, writeFile } from "node:fs/promises";
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

describe("a fleet with damaged repositories among healthy ones (--check and --branch)", () => {
  /** Every object of dir as a loose file (the generator's are packed). */
  async function unpack(dir: string): Promise<void> {
    const packs = path.join(dir, ".git/objects/pack");
    for (const name of (await readdir(packs)).filter((n) => n.endsWith(".pack"))) {
      const pack = await readFile(path.join(packs, name));
      await rm(path.join(packs, name));
      await rm(path.join(packs, name.replace(/\.pack$/, ".idx")));
      await execa("git", ["unpack-objects", "-q"], { cwd: dir, input: pack, env: gitEnv });
    }
  }
  const loose = (dir: string, id: string) => path.join(dir, ".git/objects", id.slice(0, 2), id.slice(2));
  async function replace(file: string, bytes: Buffer): Promise<void> {
    await rm(file, { force: true });
    await writeFile(file, bytes);
  }

  test("each damaged one fails its own row, named (exit 3 / 2); every healthy one is read right, whatever the order", async () => {
    const root = await tempDir("cggs-attack-damage-");
    const templates = await olderTemplates();
    const names = ["gg", "bb", "aa", "cc", "dd", "ee", "ff", "hh"];
    for (const name of names) {
      const made = await runCli([name, ...BASE_FLAGS, "--templates", templates], { cwd: root });
      expect(made.exitCode, made.stderr).toBe(0);
    }
    const at = (name: string) => path.join(root, name);
    const recordBlob = (name: string) => git(at(name), "rev-parse", "HEAD:.create-gitops-go-service.json");
    // The branch each one should get, from an undamaged copy updated alone.
    const expected = new Map<string, string>();
    for (const name of names) {
      const alone = await copy(at(name));
      expect((await update(alone, ["--yes", "--branch", "chore/templates"])).exitCode).toBe(0);
      expected.set(name, await git(alone, "rev-parse", "chore/templates^{tree}"));
    }
    for (const name of ["bb", "cc", "dd", "ee"]) await git(at(name), "gc", "--quiet");
    for (const name of ["aa", "ff", "gg", "hh"]) await unpack(at(name));
    const blobs = Object.fromEntries(await Promise.all(["aa", "dd", "ff", "hh"].map(async (n) => [n, await recordBlob(n)] as const)));
    // aa: its record's loose file cut short (a crash mid-write): git exits on it.
    await replace(loose(at("aa"), blobs.aa), (await readFile(loose(at("aa"), blobs.aa))).subarray(0, 200));
    // dd: a flipped byte inside its record's data in the pack: git exits on it.
    const index = await execa("git", ["show-index"], { cwd: at("dd"), input: await readFile(path.join(at("dd"), ".git/objects/pack", (await readdir(path.join(at("dd"), ".git/objects/pack"))).find((n) => n.endsWith(".idx"))!)) });
    const offset = Number(index.stdout.split("\n").find((l) => l.split(" ")[1] === blobs.dd)!.split(" ")[0]);
    const packFile = path.join(at("dd"), ".git/objects/pack", (await readdir(path.join(at("dd"), ".git/objects/pack"))).find((n) => n.endsWith(".pack"))!);
    const pack = await readFile(packFile);
    pack[offset + 8] ^= 0xff;
    await replace(packFile, pack);
    // ff: a header that claims more bytes than follow: git prints the few there are, and waits for nothing.
    await replace(loose(at("ff"), blobs.ff), deflateSync(Buffer.from("blob 100000\0short", "latin1")));
    // gg, first of the group (git runs in it): its loose copy of a tree every service shares, damaged.
    const shared = await git(at("gg"), "rev-parse", "HEAD:internal/health");
    expect(await git(at("bb"), "rev-parse", "HEAD:internal/health")).toBe(shared);
    await replace(loose(at("gg"), shared), deflateSync(Buffer.from("tree 5\0abcde", "latin1")));
    // hh: its committed record's object gone.
    await rm(loose(at("hh"), blobs.hh));

    const check = await runCli(["update", "--check", "--json", ...names], { cwd: root });
    const checked = JSON.parse(check.stdout).repositories as { directory: string; status: string; error?: string }[];
    const bad = ["aa", "dd", "ff", "hh"];
    expect(checked.map((r) => [r.directory, r.status]), check.stdout).toEqual(names.map((n) => [n, bad.includes(n) ? "error" : "behind"]));
    expect(check.exitCode).toBe(2);
    for (const n of ["aa", "dd", "ff"]) expect(checked[names.indexOf(n)].error, n).toContain(`object ${blobs[n]} cannot be read`);
    expect(checked[names.indexOf("hh")].error).toContain(`blob ${blobs.hh} (.create-gitops-go-service.json at HEAD) of ${at("hh")} is missing`);

    const run = await runCli(["update", "--yes", "--json", "--branch", "chore/templates", ...names], { cwd: root });
    const rows = JSON.parse(run.stdout).repositories as { directory: string; status: string; exitCode?: number; error?: string }[];
    expect(rows.map((r) => [r.directory, r.status, r.exitCode ?? 0]), run.stdout).toEqual(names.map((n) => [n, bad.includes(n) ? "error" : "updated", bad.includes(n) ? 3 : 0]));
    expect(run.exitCode).toBe(3);
    // gg's damaged tree is a shared one: git serves a sibling's packed copy (the same bytes, by hash).
    for (const n of names.filter((n) => !bad.includes(n))) expect(await git(at(n), "rev-parse", "chore/templates^{tree}"), n).toBe(expected.get(n));
    for (const n of ["bb", "cc", "ee"]) expect(await fsck(at(n)), n).toBe("");
    for (const n of bad) expect(await git(at(n), "branch", "--list", "chore/templates"), n).toBe("");
  }, 300_000);

  test("a folder that does not exist is named as such, not as a missing git", async () => {
    const root = await tempDir("cggs-attack-nodir-");
    const run = await runCli(["update", "--yes", "--dry-run", "--json", "nowhere"], { cwd: root });
    expect(run.exitCode).toBe(2);
    expect(run.stdout + run.stderr).toContain(`${path.join(root, "nowhere")}: no such folder`);
  });
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
    expect(read).toEqual([]); // compared in git's clean (LF) form, as update now merges them (#28): nothing is modified
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
