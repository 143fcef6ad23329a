// Go files that still import the old module path after an update changed the module (it follows
// `--owner`, or `--module` was given). The templates own the import lines of the files they
// generate, so those change through the ordinary merge; a team's file (internal/server/handlers.go,
// a package the team added) is never touched by update, and an import the team added to a shared
// file is the team's line. Such a file would no longer build: it is named, never left silently.
import type { Decision } from "./merge.js";
import type { FileState } from "./sources.js";
import { runGit } from "./git.js";

// A module path's characters that are special in a regular expression (JavaScript's and POSIX ERE).
const escaped = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

/** An import spec of module or a package below it: `"m"`, `"m/x"`, `alias "m/x"`, `import "m/x"`. */
function importLine(module: string): RegExp {
  return new RegExp(`^\\s*(?:import\\s+)?(?:[A-Za-z_.][A-Za-z0-9_]*\\s+)?"${escaped(module)}(?:/[^"]*)?"`, "m");
}

/** The same line for git grep -E (POSIX classes: git's ERE has no \s). */
function importLineEre(module: string): string {
  return `^[[:space:]]*(import[[:space:]]+)?([A-Za-z_.][A-Za-z0-9_]*[[:space:]]+)?"${escaped(module)}(/[^"]*)?"`;
}

/**
 * The Go files (relative to directory, sorted) that import `from` once the update is in: the planned
 * files as the update leaves them, every other Go file as it is (the work tree, or HEAD's commit for
 * --branch). Without git, only the planned files are looked at.
 */
export async function staleImports(directory: string, from: string, decisions: readonly Decision[], ours: ReadonlyMap<string, FileState>, atHead: boolean): Promise<string[]> {
  const planned = new Map(decisions.map((d) => [d.path, d]));
  const stale = new Set<string>();
  const line = importLine(from);
  for (const d of decisions) {
    if (!d.path.endsWith(".go") || d.write === "delete") continue;
    const after = Buffer.isBuffer(d.write) ? d.write : ours.get(d.path);
    if (Buffer.isBuffer(after) && line.test(after.toString("utf8"))) stale.add(d.path);
  }
  // git grep reads the checkout (tracked and untracked, not ignored) or the commit, below this folder.
  const where = atHead ? ["HEAD"] : ["--untracked"];
  const run = await runGit(directory, ["grep", "-l", "-z", "-I", "-E", "-e", importLineEre(from), ...where, "--", "*.go"]).catch(() => undefined);
  if (run?.code === 0)
    for (const hit of run.stdout.toString("utf8").split("\0").filter(Boolean)) {
      const p = atHead ? hit.replace(/^HEAD:/, "") : hit;
      if (!planned.has(p)) stale.add(p);
    }
  return [...stale].sort();
}
