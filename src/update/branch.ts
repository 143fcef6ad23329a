// --branch: the update's commit goes on a new branch, made at the current commit without touching
// the work tree or the index (what git switch -c does when nothing differs), and removed again if
// the commit fails.
import { ExitCode, UserError } from "../shared/errors.js";
import { git, runGit } from "./git.js";

/** --branch: a valid branch name (checked once, before any repository is touched). */
export async function checkBranchName(cwd: string, branch: string): Promise<void> {
  if ((await runGit(cwd, ["check-ref-format", "--branch", branch])).code !== 0) throw new UserError(`--branch: '${branch}' is not a valid branch name`, ExitCode.usage, "see git check-ref-format");
}

/** --branch: a name that does not exist yet in this repository (checked before anything is written). */
export async function checkBranch(dir: string, branch: string): Promise<void> {
  if ((await runGit(dir, ["rev-parse", "-q", "--verify", `refs/heads/${branch}`])).code === 0)
    throw new UserError(`--branch: a branch '${branch}' already exists`, ExitCode.unsafeTarget, "pick another name, or delete it (git branch -D) if it is a leftover");
}

/** Point HEAD at a new branch made at the current commit (the work tree and index stay); restore() undoes it. */
export async function switchToNewBranch(dir: string, branch: string): Promise<{ restore: () => Promise<void> }> {
  const symbolic = await runGit(dir, ["symbolic-ref", "-q", "HEAD"]);
  const ref = symbolic.code === 0 ? symbolic.stdout.toString().trim() : undefined;
  const commit = ref ? "" : (await git(dir, ["rev-parse", "HEAD"])).trim();
  await git(dir, ["update-ref", `refs/heads/${branch}`, "HEAD", ""]);
  await git(dir, ["symbolic-ref", "HEAD", `refs/heads/${branch}`]);
  return {
    restore: async () => {
      if (ref) await runGit(dir, ["symbolic-ref", "HEAD", ref]);
      else await runGit(dir, ["update-ref", "--no-deref", "HEAD", commit]);
      await runGit(dir, ["update-ref", "-d", `refs/heads/${branch}`]);
    },
  };
}
