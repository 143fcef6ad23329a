// Issue #28 class 11: a repository on a read-only mount (a CI cache, a container's bind mount). Each
// writing command says which folder it cannot write, that the file system is read-only, and what to
// do, with exit 3 and nothing half-written; --check, which only reads, answers as usual. The mount is
// made in a user and mount namespace of the CLI's own (`unshare -rm`), so nothing outside it changes.
// The objects are packed (git gc), as in a clone: no object folder exists, so a write would have to
// make one, where Node's recursive mkdir reports EROFS as ENOENT ("a part of the path does not exist").
import { execa } from "execa";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { CLI, gitEnv } from "./helpers/cli.js";
import { fixtureRepo, git, tree } from "./helpers/update-repo.js";

const canMount = (await execa("unshare", ["-rm", "sh", "-c", "mount --bind / /mnt 2>/dev/null || mount --bind /tmp /tmp"], { reject: false })).exitCode === 0;

/** The CLI run inside a mount namespace where dir is mounted read-only. */
const readOnly = (dir: string, args: string[]) =>
  execa("unshare", ["-rm", "sh", "-c", 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && cd "$1" && shift && exec node "$@"', "sh", dir, CLI, "update", ...args], {
    reject: false,
    env: { ...gitEnv, CI: "true" },
  });

/** Everything a write could change: HEAD, the refs, the index's bytes, git status, every file under .git and the work tree. */
const state = async (dir: string) => ({
  head: await git(dir, "rev-parse", "HEAD"),
  refs: await git(dir, "for-each-ref"),
  index: createHash("sha256").update(await readFile(path.join(dir, ".git/index"))).digest("hex"),
  status: await git(dir, "status", "--porcelain", "--ignored"),
  files: (await execa("find", [".", "-newer", ".git/index"], { cwd: dir })).stdout,
  tree: [...(await tree(dir))].length,
});

let dir = "";
beforeAll(async () => {
  dir = await fixtureRepo();
  await git(dir, "gc", "-q");
}, 120_000);

describe.skipIf(!canMount)("update on a read-only mount (issue #28 class 11)", () => {
  test.each([
    ["update", ["--yes"]],
    ["update --commit", ["--yes", "--commit"]],
    ["--branch", ["--yes", "--branch", "chore/templates"]],
  ])("%s names the folder, the read-only file system and the remedy; exit 3, nothing written", async (command, args) => {
    const before = await state(dir);
    const run = await readOnly(dir, args as string[]);
    const where = command === "--branch" ? path.join(dir, ".git/objects") : dir;
    expect([run.exitCode, run.stderr]).toEqual([
      3,
      `error: ${command} cannot write ${where}: the file system is read-only (EROFS): nothing was changed\nhint: remount it read-write (mount -o remount,rw <mount point>), or run update in a writable clone (git clone, update --branch, git push); update --check only reads`,
    ]);
    expect(await state(dir)).toEqual(before);
  });

  test("--check only reads: the repository is behind, as on a writable disk", async () => {
    const run = await readOnly(dir, ["--check"]);
    expect([run.exitCode, run.stdout]).toEqual([1, expect.stringContaining("update available")]);
  });
});
