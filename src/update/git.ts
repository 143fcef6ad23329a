// The git processes `update` runs, through node:child_process like src/git.ts. Kept apart from
// src/git.ts (which only makes the first commit) so the two can change independently.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ExitCode, UserError } from "../shared/errors.js";
import { shownPath } from "../shared/show.js";
import { existsSync } from "node:fs";

export interface GitRun {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Run git in cwd; never rejects on a non-zero exit (the caller reads `code`). ENOENT is a usage problem. */
export function runGit(cwd: string, args: string[], options: { input?: Buffer | string; env?: NodeJS.ProcessEnv } = {}): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      args,
      { cwd, encoding: "buffer", maxBuffer: 256 * 1024 * 1024, env: options.env ? { ...process.env, ...options.env } : process.env },
      (error, stdout, stderr) => {
        const failure = error as (NodeJS.ErrnoException & { code?: string | number }) | null;
        // spawn says ENOENT for a missing working folder as for a missing git.
        if (failure && failure.code === "ENOENT")
          return reject(existsSync(cwd) ? new UserError("git is not installed or not on PATH: update needs it", ExitCode.usage) : new UserError(`${shownPath(cwd)}: no such folder`, ExitCode.usage));
        const code = failure ? (typeof failure.code === "number" ? failure.code : 1) : 0;
        resolve({ code, stdout: stdout as Buffer, stderr: (stderr as Buffer).toString("utf8") });
      },
    );
    // A git that exits before reading its input (a failure) closes the pipe: its exit code says so, not EPIPE.
    child.stdin?.on("error", () => undefined);
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Like runGit, but a non-zero exit is an error naming the command. */
export async function git(cwd: string, args: string[], options: { input?: Buffer | string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const run = await runGit(cwd, args, options);
  if (run.code !== 0) throw new Error(`git ${args.join(" ")} failed (exit ${run.code}): ${run.stderr.trim()}`);
  return run.stdout.toString("utf8");
}

/**
 * git's safe.directory refusal (a repository owned by another user) as its own error, with git's
 * own remedy; undefined for any other failure.
 */
export function unsafeOwnership(dir: string, stderr: string): UserError | undefined {
  const at = /detected dubious ownership in repository at '([^']*)'/.exec(stderr);
  if (!at) return undefined;
  return new UserError(
    `git refuses to work in ${at[1]}: the repository is owned by another user (git's safe.directory check), so update cannot read it: nothing was changed`,
    ExitCode.unsafeTarget,
    `if you trust the repository: git config --global --add safe.directory '${at[1]}' (see git help config, safe.directory)`,
  );
}

/** The top of the work tree that holds dir, or undefined when dir is not in one. */
export async function workTreeTop(dir: string): Promise<string | undefined> {
  const run = await runGit(dir, ["rev-parse", "--show-toplevel"]);
  return run.code === 0 ? run.stdout.toString("utf8").trim() : undefined;
}

/**
 * Read blobs by id in one `git cat-file --batch` process. A missing id maps to undefined (the
 * history was rewritten, or the blob was never committed): the caller treats that base as unknown.
 */
export async function readBlobs(cwd: string, ids: readonly string[]): Promise<Map<string, Buffer | undefined>> {
  const unique = [...new Set(ids)];
  const result = new Map<string, Buffer | undefined>();
  if (unique.length === 0) return result;
  const run = await runGit(cwd, ["cat-file", "--batch"], { input: `${unique.join("\n")}\n` });
  if (run.code !== 0) throw new Error(`git cat-file --batch failed: ${run.stderr.trim()}`);
  const out = run.stdout;
  let at = 0;
  for (const id of unique) {
    const eol = out.indexOf(0x0a, at);
    const header = out.subarray(at, eol).toString("utf8");
    at = eol + 1;
    const [, type, size] = header.split(" ");
    if (header.endsWith(" missing") || type === undefined || size === undefined) {
      result.set(id, undefined);
      continue;
    }
    const length = Number(size);
    result.set(id, type === "blob" ? Buffer.from(out.subarray(at, at + length)) : undefined);
    at += length + 1; // the content is followed by a newline
  }
  return result;
}

/**
 * `git merge-file --diff3` on temporary copies: the merged bytes and the number of conflicting
 * hunks (git's exit code). Labels name the sides in the markers: ours, base, template.
 */
export async function mergeFile(ours: Buffer, base: Buffer, theirs: Buffer): Promise<{ content: Buffer; conflicts: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), "cggs-merge-"));
  try {
    const files = ["ours", "base", "template"].map((n) => path.join(dir, n));
    await Promise.all([writeFile(files[0], ours), writeFile(files[1], base), writeFile(files[2], theirs)]);
    const run = await runGit(dir, ["merge-file", "-p", "--diff3", "-L", "ours", "-L", "base", "-L", "template", ...files]);
    // Exit codes 1..127 count conflicts; anything else (e.g. 255) is an error such as a binary file.
    if (run.code < 0 || run.code > 127) throw new Error(`git merge-file failed (exit ${run.code}): ${run.stderr.trim()}`);
    return { content: run.stdout, conflicts: run.code };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
