// `update --check` over a fleet: the provenance record committed at HEAD of many repositories, read
// by one `git cat-file --batch` per group instead of one git process per repository (which was the
// whole cost of a check: ~90 ms each on this 2-core machine under load). The group's object folders
// are given to git as alternates (GIT_ALTERNATE_OBJECT_DIRECTORIES), and each repository's HEAD
// commit id is read from its refs by hand, so `<commit>:<path>` names exactly that repository's
// record: an object id is its content's hash, so the same id in another repository of the group is
// the same commit, tree and record. Anything but the plain layout (a .git file of a worktree or
// submodule, reftable refs, a symbolic ref chain, GIT_DIR set, a path holding the list separator)
// falls back to one `git cat-file` in that repository, as before.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { PROVENANCE_FILE } from "../render/provenance.js";
import { runGit } from "./git.js";

export type HeadRecord = { text: string; source: string } | { error: Error } | undefined;

interface Located {
  gitDir: string;
  commit: string;
  /** The repository folder relative to the work tree's top ("" at the top), "/"-separated. */
  prefix: string;
}

const OBJECT_ID = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

/** The work tree top holding dir: the nearest folder with a .git folder; undefined for anything else. */
async function findTop(dir: string): Promise<{ top: string; gitDir: string } | undefined> {
  for (let d = dir; ; d = path.dirname(d)) {
    const s = await stat(path.join(d, ".git")).catch(() => undefined);
    if (s) return s.isDirectory() ? { top: d, gitDir: path.join(d, ".git") } : undefined;
    if (path.dirname(d) === d) return undefined;
  }
}

async function resolveRef(gitDir: string, ref: string): Promise<string | undefined> {
  const loose = await readFile(path.join(gitDir, ref), "utf8").catch(() => undefined);
  if (loose !== undefined) return OBJECT_ID.test(loose.trim()) ? loose.trim() : undefined;
  const packed = await readFile(path.join(gitDir, "packed-refs"), "utf8").catch(() => "");
  for (const line of packed.split("\n")) {
    const [id, name] = line.split(" ");
    if (name === ref && OBJECT_ID.test(id)) return id;
  }
  return undefined;
}

/** HEAD's commit and the folder's prefix, read from files; undefined when git must be asked. */
async function locate(dir: string): Promise<Located | undefined> {
  if (process.env.GIT_DIR || process.env.GIT_WORK_TREE || process.env.GIT_OBJECT_DIRECTORY || dir.includes(path.delimiter)) return undefined;
  const found = await findTop(dir);
  if (!found || found.gitDir.includes(path.delimiter)) return undefined;
  const head = (await readFile(path.join(found.gitDir, "HEAD"), "utf8").catch(() => "")).trim();
  const commit = OBJECT_ID.test(head) ? head : head.startsWith("ref: refs/") ? await resolveRef(found.gitDir, head.slice(5)) : undefined;
  if (!commit) return undefined;
  return { gitDir: found.gitDir, commit, prefix: path.relative(found.top, dir).split(path.sep).join("/") };
}

/** The record at HEAD through git in that repository; undefined when there is no such commit or no git. */
async function readOne(dir: string): Promise<HeadRecord> {
  const run = await runGit(dir, ["cat-file", "blob", `HEAD:./${PROVENANCE_FILE}`]).catch((error: Error) => ({ error }));
  if ("error" in run) return run.error.message.includes("git is not installed") ? undefined : { error: run.error };
  return run.code === 0 ? { text: run.stdout.toString("utf8"), source: `${path.join(dir, PROVENANCE_FILE)} (at HEAD)` } : undefined;
}

/** One `git cat-file --batch` for a group of located repositories; a missing object is undefined. */
async function readGroup(group: { dir: string; at: Located }[]): Promise<HeadRecord[]> {
  const env = {
    GIT_DIR: group[0].at.gitDir,
    GIT_ALTERNATE_OBJECT_DIRECTORIES: group.map((g) => path.join(g.at.gitDir, "objects")).join(path.delimiter),
  };
  const input = group.map((g) => `${g.at.commit}:${g.at.prefix ? `${g.at.prefix}/` : ""}${PROVENANCE_FILE}\n`).join("");
  const run = await runGit(group[0].dir, ["cat-file", "--batch"], { input, env });
  if (run.code !== 0) return Promise.all(group.map((g) => readOne(g.dir)));
  const out = run.stdout;
  const records: HeadRecord[] = [];
  let at = 0;
  for (const g of group) {
    const eol = out.indexOf(0x0a, at);
    const [, type, size] = out.subarray(at, eol).toString("utf8").split(" ");
    at = eol + 1;
    if (size === undefined) {
      records.push(undefined); // "<name> missing": no record in that commit
      continue;
    }
    const length = Number(size);
    records.push(type === "blob" ? { text: out.subarray(at, at + length).toString("utf8"), source: `${path.join(g.dir, PROVENANCE_FILE)} (at HEAD)` } : undefined);
    at += length + 1;
  }
  return records;
}

const GROUP = 64;

/**
 * The record text committed at HEAD in each directory (in order): undefined where there is no commit,
 * no record in it, or no git (the caller then reads the work tree's).
 */
export async function readHeadRecords(dirs: readonly string[], concurrency = 2): Promise<HeadRecord[]> {
  const located = await Promise.all(dirs.map(async (dir) => ({ dir, at: await locate(dir) })));
  const result: HeadRecord[] = new Array(dirs.length);
  const tasks: (() => Promise<void>)[] = [];
  const fast = located.map((l, i) => ({ ...l, i })).filter((l): l is { dir: string; at: Located; i: number } => l.at !== undefined);
  for (let s = 0; s < fast.length; s += GROUP) {
    const group = fast.slice(s, s + GROUP);
    tasks.push(async () => (await readGroup(group)).forEach((r, k) => (result[group[k].i] = r)));
  }
  for (const [i, l] of located.entries()) if (!l.at) tasks.push(async () => void (result[i] = await readOne(l.dir)));
  let next = 0;
  const worker = async () => {
    for (let t = next++; t < tasks.length; t = next++) await tasks[t]();
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  return result;
}
