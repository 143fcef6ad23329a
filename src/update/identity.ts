// Who the update's commit is by: exactly what `git commit` would use, asked of `git var` once per run
// instead of twice per repository where nothing can make one repository's answer differ from
// another's. A repository's own config can (a [user], [author] or [committer] section, or an include
// that may hold one), and so can an includeIf in the global or system config (it may match some
// repositories' folders or branches only): such repositories are asked on their own.
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ExitCode, UserError } from "../shared/errors.js";
import { runGit } from "./git.js";

export interface Who {
  author: string;
  committer: string;
}

/** The identity `git commit` would use in dir (strict: none configured is an error, as for git commit). */
export async function gitIdentity(dir: string): Promise<Who> {
  const [author, committer] = await Promise.all([runGit(dir, ["var", "GIT_AUTHOR_IDENT"]), runGit(dir, ["var", "GIT_COMMITTER_IDENT"])]);
  const failed = [author, committer].find((r) => r.code !== 0);
  if (failed && /tell me who you are|user\.email|user\.name|empty ident|identity unknown/i.test(failed.stderr))
    throw new UserError(
      "git commit failed: git has no user identity: nothing was changed",
      ExitCode.postStep,
      "set git config user.name and user.email, then run update --commit again (or update without --commit, then commit yourself)",
    );
  if (failed) throw new UserError(`git var failed (exit ${failed.code}): ${failed.stderr.trim().split("\n")[0]}: nothing was changed`, ExitCode.unsafeTarget);
  return { author: author.stdout.toString("utf8").trim(), committer: committer.stdout.toString("utf8").trim() };
}

const OWN_IDENTITY = /^\s*\[\s*(user|author|committer|include|includeif)\b/im;

function ownConfig(gitDir: string): boolean {
  try {
    return OWN_IDENTITY.test(readFileSync(path.join(gitDir, "config"), "utf8"));
  } catch {
    return true; // unreadable: let git decide
  }
}

/** "Name <email> 1700000000 +0100" with the time now (git var's is the time it ran). */
function now(ident: string, pinned: string | undefined): string {
  if (pinned) return ident; // GIT_AUTHOR_DATE / GIT_COMMITTER_DATE: git uses it for every commit
  return ident.replace(/ \d+ ([+-]\d{4})$/, (_, zone: string) => ` ${Math.floor(Date.now() / 1000)} ${zone}`);
}

/** Identities (and the reflog rule) for the repositories of one run. */
export class Identities {
  private shared?: Promise<Who | undefined>;
  private reflogOutside?: Promise<boolean>;

  /**
   * Whether git would log a new branch (core.logAllRefUpdates; on by default in a work tree): the
   * repository's own config decides where it sets it, else the global and system config, asked
   * once per run outside any repository.
   */
  async reflogFor(config: string): Promise<boolean> {
    const own = [...config.matchAll(/^\s*logallrefupdates\s*=\s*(\S+)/gim)].at(-1)?.[1];
    if (own !== undefined) return !/^(false|no|off|0)$/i.test(own);
    this.reflogOutside ??= runGit(tmpdir(), ["config", "--get", "core.logAllRefUpdates"]).then(
      (r) => r.code !== 0 || !/^(false|no|off|0)$/i.test(r.stdout.toString("utf8").trim()),
      () => true,
    );
    return this.reflogOutside;
  }

  /** The identity for a repository (dir in its work tree, gitDir its git folder). */
  async for(dir: string, gitDir: string): Promise<Who> {
    if (ownConfig(gitDir)) return gitIdentity(dir);
    this.shared ??= this.sharedIn(dir);
    const who = await this.shared;
    if (!who) return gitIdentity(dir);
    return { author: now(who.author, process.env.GIT_AUTHOR_DATE), committer: now(who.committer, process.env.GIT_COMMITTER_DATE) };
  }

  /** The run's identity, asked in the first plain repository; undefined when includes may vary it. */
  private async sharedIn(dir: string): Promise<Who | undefined> {
    const includes = await runGit(dir, ["config", "--show-scope", "--get-regexp", "^include(if)?\\."]);
    // Exit 1: no such key. Any include outside the repository's own config may differ per repository.
    if (includes.code !== 1 && (includes.code !== 0 || /^(global|system|command)\t/m.test(includes.stdout.toString("utf8")))) return undefined;
    return gitIdentity(dir);
  }
}
