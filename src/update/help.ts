// `update --help` and the exit codes it lists (the README and docs/update.md list the same).
import { indented, optionEntry, wrapWords } from "../shared/wrap.js";
import { TOOL } from "../shared/tool.js";
import { UPDATE_FLAGS } from "./args.js";

/** Exit codes of `update` (the generator's, plus 5). `--check` has its own: 0 up to date, 1 behind, 2 error. */
export const UPDATE_EXIT_CODES = [
  [0, "updated (or already up to date)"],
  [1, "internal error"],
  [2, "usage error: bad flag or answer, not a generated repository, a new question with no answer and no terminal, a directory named twice or inside another named one"],
  [3, "not safe to update, nothing changed: not a git work tree, uncommitted changes (without --allow-dirty, or where --allow-dirty's undo could lose them), changes staged outside a service's folder (a monorepo), hidden edits (skip-worktree, assume-unchanged), a sparse checkout, an ignored file where the update writes, a clean/smudge filter on a generated file, a merge in progress, .git/index.lock held, a git step failed, a shallow clone without the base, a base lost with the older templates (without --accept-lost-base), a read-only file system or a folder it may not write (named, before anything is written), --branch: the branch exists, its lock is held, or a write failed (a full disk)"],
  [4, "--commit/--branch failed (git commit refused): the update was undone"],
  [5, "conflicts: the files are written with markers (or kept), listed on stderr; resolve them and commit (with --branch: nothing written)"],
  [130, "cancelled (SIGINT or at a prompt): nothing was written, or the update was undone; 143 for SIGTERM"],
] as const;

/** `update --help`, wrapped to `width` (issue #30). */
export function updateHelpText(width = 80): string {
  const lines = UPDATE_FLAGS.map((m) => optionEntry(`${"short" in m ? `-${m.short}, ` : ""}--${m.flag}${"value" in m ? ` ${m.value}` : ""}`, m.help, width));
  const code = (c: string, text: string) => `  ${c.padEnd(5)}${indented(text, width, 7).trimStart()}`;
  return `Usage: ${TOOL.name} update [directory...] [options]
       ${TOOL.name} update --check [directory...]

${wrapWords(
  `Bring a generated repository to the templates of this version (${TOOL.version}). Per file, by its ownership class in .create-gitops-go-service.json: platform files are replaced (a local edit is a conflict), shared files are merged three ways (base: the generated content, read from git history), team files are never touched. Questions new since the repository was made are asked (or defaulted with --yes); any question flag (e.g. --port 9090) changes the recorded answer. An answer derived from others by default (the module, registry and repository URL from --owner; the description and Argo CD project from the name) follows them when they change, unless it was set (then it stays; pass its flag to change it); each answer that changes is listed, old → new, and --dry-run shows them before anything is written. Go files the team owns that import the old module path are named, not rewritten.`,
  width,
).join("\n")}

${wrapWords(
  "Several directories of one git repository (a monorepo's services, each with its own record) are planned against its HEAD and updated together: --branch makes one commit on one branch holding every service's changes, --commit one commit, plain update one staged merge; the commit message names each service and its versions. If one of them fails, or has conflicts with --branch, nothing is written for that repository and every row says why. Separate repositories get one update each.",
  width,
).join("\n")}

Options:
${lines.join("\n")}

Exit codes:
${UPDATE_EXIT_CODES.map(([c, t]) => code(String(c), t)).join("\n")}
${indented("--check: 0 every repository up to date, 1 at least one behind, 2 at least one unreadable", width, 2)}
${indented("several directories: the first failed repository's code, else 5 if any has conflicts, else 0", width, 2)}
`;
}

