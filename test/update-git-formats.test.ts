// src/update/git/ against git itself, on repositories in the layouts teams keep: every object our
// readers return is the one `git cat-file` prints, every index entry is the one `git ls-files --stage`
// lists, and HEAD (its commit, its tree, the folder's prefix) is what `git rev-parse` says. A reader
// may decline a layout (undefined: the caller asks git), never answer differently from git.
import { execa } from "execa";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { readIndex } from "../src/update/git/git-index.js";
import { forEachHead, locate } from "../src/update/git/head.js";
import { ObjectReader } from "../src/update/git/object-reader.js";
import { gitEnv, tempDir } from "./helpers/cli.js";

const git = async (dir: string, ...args: string[]) => (await execa("git", args, { cwd: dir, env: gitEnv })).stdout;

/** A small repository with nested folders, an executable, a symlink and two commits. */
async function base(): Promise<string> {
  const dir = path.join(await tempDir("cggs-fmt-"), "repo");
  await mkdir(path.join(dir, "svc/deploy/overlays/dev"), { recursive: true });
  await writeFile(path.join(dir, "README.md"), "top\n");
  await writeFile(path.join(dir, "svc/Makefile"), "all:\n");
  await writeFile(path.join(dir, "svc/run.sh"), "#!/bin/sh\n", { mode: 0o755 });
  await writeFile(path.join(dir, "svc/deploy/overlays/dev/kustomization.yaml"), "newTag: v1\n");
  await git(path.dirname(dir), "init", "--quiet", "--initial-branch=main", dir);
  await execa("ln", ["-s", "Makefile", "svc/link"], { cwd: dir });
  await git(dir, "add", "-A");
  await git(dir, "commit", "--quiet", "-m", "one");
  await writeFile(path.join(dir, "svc/Makefile"), "all:\n\ttrue\n");
  await git(dir, "commit", "--quiet", "-am", "two");
  return dir;
}

/** Each layout: how it is made from base(). */
const LAYOUTS: [string, (dir: string) => Promise<unknown>][] = [
  ["loose objects", async () => undefined],
  ["packed (gc), packed refs", (d) => git(d, "gc", "--quiet", "--prune=now")],
  ["detached HEAD", (d) => git(d, "checkout", "--quiet", "--detach", "HEAD~1")],
  ["index v4", (d) => git(d, "update-index", "--index-version", "4")],
  ["split index", (d) => git(d, "update-index", "--split-index")],
  ["skip-worktree and assume-unchanged bits", async (d) => (await git(d, "update-index", "--skip-worktree", "svc/Makefile"), git(d, "update-index", "--assume-unchanged", "README.md"))],
  ["intent-to-add entry", async (d) => (await writeFile(path.join(d, "new.txt"), "new\n"), git(d, "add", "-N", "new.txt"))],
  ["sparse checkout (cone, sparse index)", (d) => git(d, "sparse-checkout", "set", "--cone", "--sparse-index", "svc/deploy")],
  ["sparse checkout (old core.sparseCheckout)", async (d) => (await git(d, "config", "core.sparseCheckout", "true"), await writeFile(path.join(d, ".git/info/sparse-checkout"), "/svc/\n"), git(d, "read-tree", "-mu", "HEAD"))],
  ["a replace ref for HEAD's commit", async (d) => git(d, "replace", await git(d, "rev-parse", "HEAD"), await git(d, "rev-parse", "HEAD~1"))],
  [
    "a replace ref for a blob",
    async (d) => {
      const replacement = (await execa("git", ["hash-object", "-w", "--stdin"], { cwd: d, env: gitEnv, input: "replaced\n" })).stdout;
      await git(d, "replace", "-f", await git(d, "rev-parse", "HEAD:svc/Makefile"), replacement);
    },
  ],
  ["a graft", async (d) => writeFile(path.join(d, ".git/info/grafts"), `${await git(d, "rev-parse", "HEAD")}\n`)],
];

const repos = new Map<string, string>();

beforeAll(async () => {
  for (const [name, make] of LAYOUTS) {
    const dir = await base();
    await make(dir);
    repos.set(name, dir);
  }
}, 120_000);

/** Every stage-0 entry git lists: path → "mode id". */
async function lsStage(dir: string): Promise<Map<string, string>> {
  const out = await git(dir, "ls-files", "--stage", "-z");
  return new Map(out.split("\0").filter(Boolean).map((l) => [l.split("\t")[1], l.split("\t")[0].split(" ").slice(0, 2).join(" ")]));
}

describe.each(LAYOUTS.map(([name]) => name))("our readers and git agree: %s", (name) => {
  test("HEAD: locate() declines, or gives rev-parse's commit, prefix, and the tree git reads", async () => {
    const dir = path.join(repos.get(name)!, "svc");
    const at = locate(dir);
    if (!at) return;
    expect(at.commit).toBe(await git(dir, "rev-parse", "HEAD"));
    expect(at.prefix).toBe(await git(dir, "rev-parse", "--show-prefix"));
    // The tree and each file git itself would read at HEAD (replace refs applied).
    const [seen] = await forEachHead([dir], 1, async (_, view) => {
      const files: Record<string, string> = {};
      for (const p of ["Makefile", "run.sh", "link", "deploy/overlays/dev/kustomization.yaml"]) {
        const e = await view!.entry(p);
        files[p] = e && e !== "irregular" ? `${e.mode.padStart(6, "0")} ${(await view!.blob(e.id))?.toString("utf8")}` : String(e);
      }
      return { tree: await view!.rootTreeId(), files };
    });
    const expected: Record<string, string> = {};
    for (const p of Object.keys(seen.files)) {
      const [mode] = (await git(dir, "ls-tree", "HEAD", p)).split(" ");
      expected[p] = `${mode} ${await git(dir, "cat-file", "blob", `HEAD:svc/${p}`)}${p === "link" ? "" : "\n"}`;
    }
    expect(seen).toEqual({ tree: await git(dir, "rev-parse", "HEAD^{tree}"), files: expected });
  });

  test("objects: each one read is git cat-file's type and bytes", async () => {
    const dir = repos.get(name)!;
    const all = (await git(dir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)")).split("\n").filter(Boolean);
    const reader = new ObjectReader([path.join(dir, ".git")]);
    try {
      for (const line of all) {
        const [id, type] = line.split(" ");
        const ours = await reader.read(path.join(dir, ".git/objects"), id);
        // Raw objects, as the ids name them: git cat-file without replacements.
        const theirs = (await execa("git", ["--no-replace-objects", "cat-file", type, id], { cwd: dir, env: gitEnv, encoding: "buffer", stripFinalNewline: false })).stdout;
        expect([id, ours?.type, ours?.body.equals(theirs)]).toEqual([id, type, true]);
      }
    } finally {
      reader.close();
    }
  });

  test("index: readIndex declines, or lists git ls-files --stage (less the entries it must not trust)", async () => {
    const dir = repos.get(name)!;
    const index = readIndex(path.join(dir, ".git"));
    if (!index) return;
    const staged = await lsStage(dir);
    // Skip-worktree and intent-to-add entries say nothing about the file: left out on purpose.
    const hidden = new Set((await git(dir, "ls-files", "-t", "-z")).split("\0").filter((l) => l.startsWith("S ")).map((l) => l.slice(2)));
    const ita = new Set((await git(dir, "diff", "--name-only", "--diff-filter=A", "-z")).split("\0").filter(Boolean));
    const expected = [...staged].filter(([p]) => !hidden.has(p) && !ita.has(p));
    expect([...index.entries].map(([p, e]) => [p, `${e.mode.toString(8).padStart(6, "0")} ${e.id}`])).toEqual(expected);
  });
});

describe("one repository never decides another's reads (a fleet's shared git cat-file)", () => {
  test("the first repository of a group with a broken config and a replace ref: the second's packed objects still read as git reads them", async () => {
    const [first, second] = [await base(), await base()];
    for (const d of [first, second]) await git(d, "gc", "--quiet", "--prune=now");
    await git(first, "replace", await git(first, "rev-parse", "HEAD:svc/Makefile"), await git(first, "rev-parse", "HEAD:README.md"));
    await writeFile(path.join(first, ".git/config"), "[core\n\tbroken line\n", { flag: "a" });
    const reader = new ObjectReader([path.join(first, ".git"), path.join(second, ".git")]);
    try {
      const id = await git(second, "rev-parse", "HEAD:svc/Makefile");
      const read = await reader.read(path.join(second, ".git/objects"), id);
      expect(read?.body.toString("utf8")).toBe("all:\n\ttrue\n");
    } finally {
      reader.close();
    }
  });
});
