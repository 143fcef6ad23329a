// Git's conversions between a file's blob (its clean form, what is committed) and its work-tree
// bytes: line endings (core.autocrlf, the text/eol/crlf attributes), ident, working-tree-encoding,
// and clean/smudge filters. The merge works in the clean form, as git's own does, and the work tree
// is written through git (`git cat-file --filters`), so a CRLF checkout stays CRLF and reads as
// unchanged. A filter (git-crypt, LFS, anything) is refused: its clean form is not text the
// templates can be merged with (ciphertext, a pointer), and merging its work-tree form would commit
// what the filter exists to keep out of the repository.
import { ExitCode, UserError } from "../shared/errors.js";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { git, runGit } from "./git.js";

export interface Conversions {
  /** Paths whose blob and work-tree bytes may differ (line endings, ident, encoding). */
  converted: Set<string>;
}

const ATTRIBUTES = ["filter", "text", "eol", "crlf", "ident", "working-tree-encoding"];

const list = (paths: string[]) => `${paths.slice(0, 5).join(", ")}${paths.length > 5 ? `, … (${paths.length})` : ""}`;

/**
 * The conversions git applies to these paths (relative to dir), read the way git reads them: the
 * attributes through `git check-attr` (--cached: from the index, for --branch, which never reads the
 * work tree), core.autocrlf through `git config` (includes, global and system scope). A path with a
 * filter attribute stops the update (exit 3), naming the files.
 */
export async function readConversions(dir: string, paths: readonly string[], options: { cached?: boolean } = {}): Promise<Conversions> {
  const converted = new Set<string>();
  if (paths.length === 0) return { converted };
  const [attrs, autocrlf] = await Promise.all([
    runGit(dir, ["check-attr", "-z", "--stdin", ...(options.cached ? ["--cached"] : []), ...ATTRIBUTES], { input: `${paths.join("\0")}\0` }),
    runGit(dir, ["config", "--type=bool", "--get", "core.autocrlf"]).then(
      (r) => r.stdout.toString("utf8").trim() === "true",
      () => false,
    ),
  ]);
  if (attrs.code !== 0) throw new UserError(`git check-attr failed in ${dir} (exit ${attrs.code}): ${attrs.stderr.trim()}: nothing was changed`, ExitCode.unsafeTarget);
  // input form too: core.autocrlf=input converts CRLF to LF on the way in.
  const crlfInput = !autocrlf && (await runGit(dir, ["config", "--get", "core.autocrlf"])).stdout.toString("utf8").trim() === "input";
  const filtered = new Map<string, string>();
  const text = new Map<string, string>();
  const fields = attrs.stdout.toString("utf8").split("\0");
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const [p, name, value] = [fields[i], fields[i + 1], fields[i + 2]];
    if (name === "filter" && value !== "unspecified" && value !== "unset") filtered.set(p, value);
    else if (name === "text") text.set(p, value);
    else if (value !== "unspecified" && value !== "unset") converted.add(p);
  }
  if (filtered.size > 0) {
    const names = [...filtered].map(([p, f]) => `${p} (filter=${f})`);
    throw new UserError(
      `${filtered.size} generated file${filtered.size === 1 ? " has" : "s have"} a clean/smudge filter: ${list(names)}: update cannot merge them (the committed form is the filter's output, e.g. ciphertext or an LFS pointer) and must not commit their work-tree form`,
      ExitCode.unsafeTarget,
      "remove the filter attribute for these generated files in .gitattributes (they hold no secrets: the templates are public), commit, then run update again",
    );
  }
  for (const p of paths) {
    const t = text.get(p) ?? "unspecified";
    if (t === "set" || t === "auto" || ((autocrlf || crlfInput) && t !== "unset")) converted.add(p);
  }
  return { converted };
}

/**
 * The work-tree bytes git would check out for each blob at its path (smudge, eol, ident, encoding):
 * `git checkout-index` from a temporary index into a temporary folder, so git's own conversion code
 * writes them. (Not `git cat-file --batch --filters`: before git 2.42 its header gives the size before
 * conversion.) The blobs must exist; paths are relative to dir.
 */
export async function workTreeForms(dir: string, items: readonly { path: string; id: string }[]): Promise<Map<string, Buffer>> {
  const result = new Map<string, Buffer>();
  if (items.length === 0) return result;
  const [top, prefix] = (await git(dir, ["rev-parse", "--show-toplevel", "--show-prefix"])).split("\n");
  const tmp = await mkdtemp(path.join(tmpdir(), "cggs-checkout-"));
  try {
    const env = { GIT_INDEX_FILE: path.join(tmp, "index") };
    await git(top, ["update-index", "--add", "--index-info"], { input: items.map((i) => `100644 ${i.id}\t${prefix}${i.path}\n`).join(""), env });
    await git(top, ["checkout-index", "--all", "--force", `--prefix=${path.join(tmp, "out")}/`], { env });
    for (const i of items) result.set(i.path, await readFile(path.join(tmp, "out", `${prefix}${i.path}`)));
    return result;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
