import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { SimpleGit } from "simple-git";
import { CancelledError, ExitCode, UserError } from "./errors.js";

export type GitOutcome = { status: "committed"; commit: string } | { status: "skipped"; reason: string };

async function client(baseDir: string, signal?: AbortSignal): Promise<SimpleGit> {
  // Loaded only when the git step runs (not with --no-git or --dry-run).
  const { simpleGit } = await import("simple-git");
  // simple-git waits 50 ms after every git process exits by default; closing the streams is enough.
  return simpleGit({ baseDir, completion: { onClose: true, onExit: false }, ...(signal ? { abort: signal } : {}) });
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
  const top = enclosingWorkTree(dir);
  if (top) return { status: "skipped", reason: `${dir} is inside the git work tree ${top}: not nesting a repository` };
  const git = await client(dir, signal);
  try {
    await git.init(["--initial-branch=main"]);
    await git.add(["-A"]);
    const result = await git.commit(message);
    const status = await git.status();
    if (!status.isClean()) throw new Error(`git status is not clean after the commit: ${status.files.map((f) => f.path).join(", ")}`);
    return { status: "committed", commit: result.commit || (await git.revparse(["HEAD"])).trim() };
  } catch (error) {
    await rm(path.join(dir, ".git"), { recursive: true, force: true });
    if (signal?.aborted) throw new CancelledError("interrupted during git: the files are written, no repository was made");
    const text = error instanceof Error ? error.message : String(error);
    if (/spawn git ENOENT|ENOENT/.test(text))
      throw new UserError("git is not installed or not on PATH", ExitCode.postStep, `${manualSteps(dir, message)} (after installing git), or pass --no-git`);
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
