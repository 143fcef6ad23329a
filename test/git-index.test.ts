// src/update/git/git-index.ts against git itself: the entries it reads are the ones `git ls-files -s`
// lists (index versions 2, 3 and 4), and a file is trusted unchanged only where git would trust it.
import { mkdir, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, test } from "vitest";
import { readIndex, unchangedBlob } from "../src/update/git/git-index.js";
import { tempDir } from "./helpers/temp.js";
import { git } from "./helpers/update-repo.js";

async function repo(): Promise<string> {
  const dir = await tempDir("cggs-index-");
  await git(dir, "init", "--quiet");
  await writeFile(path.join(dir, "a.txt"), "alpha\n");
  await writeFile(path.join(dir, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
  await mkdir(path.join(dir, "deep/er"), { recursive: true });
  await writeFile(path.join(dir, "deep/er/c.yaml"), "c: 1\n");
  await writeFile(path.join(dir, `deep/${"long-name-".repeat(12)}.md`), "long\n");
  await sleep(20); // the index is written well after the files: nothing racily clean
  await git(dir, "add", "-A");
  return dir;
}

/** path → id, as git lists the stage-0 entries. */
async function lsFiles(dir: string): Promise<Map<string, string>> {
  const out = await git(dir, "ls-files", "-s");
  return new Map(out.split("\n").filter(Boolean).map((l) => [l.split("\t")[1], l.split(" ")[1]]));
}

describe("readIndex", () => {
  for (const version of [2, 3, 4])
    test(`index version ${version}: the entries git lists`, async () => {
      const dir = await repo();
      await git(dir, "update-index", "--index-version", String(version));
      if (version === 3) {
        await writeFile(path.join(dir, "later.txt"), "intent\n");
        await git(dir, "add", "--intent-to-add", "later.txt"); // an extended flag: left out
      }
      const index = readIndex(path.join(dir, ".git"))!;
      expect(index).toBeDefined();
      const listed = await lsFiles(dir);
      if (version === 3) listed.delete("later.txt");
      expect(new Map([...index.entries].map(([p, e]) => [p, e.id]))).toEqual(listed);
    });

  test("a split index is not read (most entries live in another file)", async () => {
    const dir = await repo();
    await git(dir, "update-index", "--split-index");
    expect(readIndex(path.join(dir, ".git"))).toBeUndefined();
  });
});

describe("unchangedBlob", () => {
  test("trusted where git would be; an edit of the same size with its mtime put back is not", async () => {
    const dir = await repo();
    const index = readIndex(path.join(dir, ".git"))!;
    const ids = await lsFiles(dir);
    for (const p of ids.keys()) expect(unchangedBlob(index, p, path.join(dir, p)), p).toBe(ids.get(p));
    const file = path.join(dir, "a.txt");
    const before = await stat(file);
    await writeFile(file, "ALPHA\n");
    await utimes(file, before.atime, before.mtime); // ctime still moves
    expect(unchangedBlob(index, "a.txt", file)).toBeUndefined();
    expect(unchangedBlob(index, "untracked.txt", path.join(dir, "untracked.txt"))).toBeUndefined();
    await git(dir, "update-index", "--chmod=-x", "run.sh");
    expect(unchangedBlob(readIndex(path.join(dir, ".git"))!, "run.sh", path.join(dir, "run.sh"))).toBeUndefined();
  });

  test("racily clean: a file changed in the millisecond the index was written is read", async () => {
    const dir = await repo();
    const file = path.join(dir, "a.txt");
    const s = await stat(file);
    const indexFile = path.join(dir, ".git/index");
    await utimes(indexFile, s.atime, (s.mtimeMs + 0.5) / 1000); // seconds, to the microsecond
    expect(unchangedBlob(readIndex(path.join(dir, ".git"))!, "a.txt", file)).toBeUndefined();
    await utimes(indexFile, s.atime, (s.mtimeMs + 50) / 1000);
    expect(unchangedBlob(readIndex(path.join(dir, ".git"))!, "a.txt", file)).toBe((await lsFiles(dir)).get("a.txt"));
  });
});
