// The objects and the index an update needs, prepared without touching the work tree or the real
// index: blobs written with one `git hash-object -w`, the template snapshot commit, and the new index
// built in a copy of the index (GIT_INDEX_FILE). Conflicts get unmerged entries like git's own
// (1 base, 2 ours, 3 template; a missing side is left out), so git status lists them (UU, DU, UD, AA)
// and git commit refuses until they are resolved.
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gitBlobId } from "../render/provenance.js";
import { TOOL } from "../shared/tool.js";
import { git } from "./git.js";

/** Write each content as a blob (deduplicated); returns nothing: ids are gitBlobId(content). */
export async function writeBlobs(dir: string, tmp: string, contents: readonly Buffer[]): Promise<void> {
  const unique = new Map(contents.map((c) => [gitBlobId(c), c]));
  if (unique.size === 0) return;
  const names = [...unique.keys()].map((id) => path.join(tmp, `b-${id}`));
  await Promise.all([...unique.values()].map((c, i) => writeFile(names[i], c)));
  // --no-filters: the ids must be those of the bytes as written (the record's gitBlob ids are).
  await git(dir, ["hash-object", "-w", "--no-filters", "--stdin-paths"], { input: `${names.join("\n")}\n` });
}

export const gitMode = (mode: number): string => (mode & 0o111 ? "100755" : "100644");

/** A commit of exactly these files (paths relative to the work tree's top), parentless; blobs must exist. */
export async function commitFiles(dir: string, tmp: string, files: { path: string; content: Buffer; mode: number }[], message: string): Promise<string> {
  const env = { GIT_INDEX_FILE: path.join(tmp, "snapshot-index") };
  const info = files.map((f) => `${gitMode(f.mode)} ${gitBlobId(f.content)}\t${f.path}`).join("\n");
  await git(dir, ["update-index", "--add", "--index-info"], { input: `${info}\n`, env });
  const tree = (await git(dir, ["write-tree"], { env })).trim();
  const email = `${TOOL.name}@users.noreply.invalid`;
  const identity = { GIT_AUTHOR_NAME: TOOL.name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: TOOL.name, GIT_COMMITTER_EMAIL: email };
  return (await git(dir, ["commit-tree", tree, "-m", message], { env: identity })).trim();
}

export interface IndexEntry {
  mode: string;
  blob: string;
}

/** Stage-0 entries of the given top-relative paths in the index. */
export async function indexEntries(dir: string, top: string, paths: string[]): Promise<Map<string, IndexEntry>> {
  const entries = new Map<string, IndexEntry>();
  if (paths.length === 0) return entries;
  // --full-name with paths relative to the top, run at the top: pathspecs and output agree.
  const out = await git(top, ["ls-files", "-s", "-z", "--full-name", "--", ...paths.map((p) => `:(literal)${p}`)]);
  for (const record of out.split("\0").filter(Boolean)) {
    const tab = record.indexOf("\t");
    const [mode, blob, stage] = record.slice(0, tab).split(" ");
    if (stage === "0") entries.set(record.slice(tab + 1), { mode, blob });
  }
  return entries;
}

/** One path's new index state: a stage-0 entry, removal, or unmerged stages. */
export type IndexChange =
  | { path: string; kind: "set"; mode: string; blob: string }
  | { path: string; kind: "remove" }
  | { path: string; kind: "conflict"; base?: IndexEntry; ours?: IndexEntry; theirs?: IndexEntry };

const ZERO = "0".repeat(40);

/** The index as it will be: a copy of the current one with the changes, read back as bytes. */
export async function buildIndex(dir: string, tmp: string, index: string, changes: IndexChange[]): Promise<Buffer> {
  const file = path.join(tmp, "index");
  await copyFile(index, file).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : Promise.reject(e)));
  const lines: string[] = [];
  for (const c of changes) {
    lines.push(`0 ${ZERO}\t${c.path}`);
    if (c.kind === "set") lines.push(`${c.mode} ${c.blob} 0\t${c.path}`);
    if (c.kind !== "conflict") continue;
    if (c.base) lines.push(`${c.base.mode} ${c.base.blob} 1\t${c.path}`);
    if (c.ours) lines.push(`${c.ours.mode} ${c.ours.blob} 2\t${c.path}`);
    if (c.theirs) lines.push(`${c.theirs.mode} ${c.theirs.blob} 3\t${c.path}`);
  }
  if (lines.length > 0) await git(dir, ["update-index", "--index-info"], { input: `${lines.join("\n")}\n`, env: { GIT_INDEX_FILE: file } });
  return readFile(file);
}

/** A temporary folder for the prepare phase, removed afterwards whatever happens. */
export async function withTemp<T>(run: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = await mkdtemp(path.join(tmpdir(), "cggs-update-"));
  try {
    return await run(tmp);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
