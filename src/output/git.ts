import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { CancelledError, ExitCode, UserError } from "../shared/errors.js";

export type GitOutcome = { status: "committed"; commit: string } | { status: "skipped"; reason: string };

type Git = (...args: string[]) => Promise<string>;

// git runs through node:child_process. Measured on this machine kind (README, Performance):
// init + add + commit + status took 79 ms through simple-git, 32 ms through execa (plus ~20 ms to
// load it) and 27 ms through execFile; with either library `--yes` missed its target of 1.15x the
// floor. --verify (src/verify.ts) uses node:child_process too.
function client(cwd: string, signal?: AbortSignal): Git {
  return (...args) =>
    new Promise((resolve, reject) => {
      execFile("git", args, { cwd, signal, encoding: "utf8" }, (error, stdout, stderr) => {
        if (error) reject(Object.assign(error, { stderr }));
        else resolve(stdout);
      });
    });
}

function manualSteps(dir: string, message: string): string {
  return `the files are kept; to commit them yourself: cd ${dir} && git init -b main && git add -A && git commit -m "${message}"`;
}

/**
 * The work tree a new folder would sit in, found the way git finds one by default: the nearest
 * ancestor holding a `.git` entry (a folder, or a file for worktrees and submodules). Checked on the
 * file system, which costs no git process.
 */
function enclosingWorkTree(dir: string): string | undefined {
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    if (existsSync(path.join(current, ".git"))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

/**
 * `git init -b main`, add everything, exactly one commit. Inside an existing work tree nothing is
 * nested: it says so and skips. On failure the half-made .git is removed and the files stay.
 */
export async function commitRepository(dir: string, message: string, signal?: AbortSignal): Promise<GitOutcome> {
  // --force over a folder that is a repository already: never commit into it (`git add -A` would take
  // the user's own files too) and never remove its .git on failure (that would delete its history).
  if (existsSync(path.join(dir, ".git")))
    return { status: "skipped", reason: `${dir} is a git repository already: not committing into it (review and commit the new files yourself)` };
  const top = enclosingWorkTree(dir);
  if (top) return { status: "skipped", reason: `${dir} is inside the git work tree ${top}: not nesting a repository` };
  const git = client(dir, signal);
  try {
    await git("init", "--quiet", "--initial-branch=main");
    // Every new file is written into one pack instead of one loose object (and one objects/xx folder)
    // each: the same blobs, the same commit; measured 36 -> 11 ms for `add` on a machine where a mkdir
    // cost ~0.5 ms (no worse where it does not: ~40 ms either way on another). Only for this command:
    // nothing is written to the repository's config.
    await git("-c", "core.bigFileThreshold=1", "add", "-A");
    // No `git maintenance run --auto` child after the commit: a repository with one commit has nothing
    // to maintain, and the check is one more process.
    await git("-c", "maintenance.auto=false", "commit", "--quiet", "-m", message);
    // One process for both the clean-tree check and the commit id (`# branch.oid <sha>`).
    const status = await git("status", "--porcelain=v2", "--branch");
    const changes = status.split("\n").filter((line) => line !== "" && !line.startsWith("# "));
    if (changes.length > 0) throw new Error(`git status is not clean after the commit:\n${changes.join("\n")}`);
    const commit = /^# branch\.oid ([0-9a-f]{40,64})$/m.exec(status)?.[1];
    if (!commit) throw new Error(`git status did not report the new commit:\n${status}`);
    return { status: "committed", commit };
  } catch (error) {
    await rm(path.join(dir, ".git"), { recursive: true, force: true });
    if (signal?.aborted) throw new CancelledError("interrupted during git: the files are written, no repository was made");
    const failure = error as { code?: string | number; stderr?: string; shortMessage?: string; message?: string };
    if (failure.code === "ENOENT")
      throw new UserError("git is not installed or not on PATH", ExitCode.postStep, `${manualSteps(dir, message)} (after installing git), or pass --no-git`);
    const text = String(failure.stderr || failure.shortMessage || failure.message || error);
    const identity = /tell me who you are|user\.email|user\.name|empty ident/i.test(text);
    throw new UserError(
      `git commit failed: ${identity ? "git has no user identity" : text.trim().split("\n").slice(0, 6).join("\n  ")}`,
      ExitCode.postStep,
      identity
        ? `set one with: git config --global user.name "Your Name" && git config --global user.email you@example.com — ${manualSteps(dir, message)}`
        : manualSteps(dir, message),
    );
  }
}
