// Where `update` reads the repository it plans for: the work tree (an update written there), or the
// commit HEAD names (--branch, whose commit is made on HEAD and never looks at the checkout, so
// uncommitted changes there neither block it nor end up in it).
import { lstat, readFile } from "node:fs/promises";
import path from "node:path";
import { ExitCode, UserError } from "../shared/errors.js";
import { PROVENANCE_FILE, type Provenance } from "../render/provenance.js";
import { readConversions } from "./convert.js";
import { readBlobs, runGit } from "./git.js";
import type { HeadView } from "./git/head.js";
import { DAMAGED_HINT } from "./git/objects.js";
import { parseRecord, readRecordFile } from "./record.js";

export type FileState = Buffer | null | "irregular";

export interface RepoSource {
  /** The provenance record and its bytes. */
  record(): Promise<{ record: Provenance; bytes: Buffer }>;
  /** Per path: its bytes, null when absent, "irregular" when not a regular file. known: bytes by blob id, not read again. */
  files(paths: readonly string[], known: ReadonlyMap<string, Buffer>): Promise<Map<string, FileState>>;
  /** The blobs by id; a missing one is undefined (history rewritten, or never committed). */
  blobs(ids: readonly string[]): Promise<Map<string, Buffer | undefined>>;
  /** Whether the repository is a shallow clone. */
  shallow(): Promise<boolean>;
  /** The file mode of each regular file read (what a merged file keeps). */
  modes: Map<string, number>;
  /** Paths git converts between blob and work tree (eol, ident, encoding): read and merged in their clean form, written through git. */
  converted: Set<string>;
  /** Untracked files git ignores at planned paths: absent to the plan (as at HEAD), and never written over (see checkIgnoredOverlap). */
  ignored?: Set<string>;
}

/** The work-tree bytes at a recorded path: null if absent, "irregular" if it or a folder on the way is not a plain file/folder. */
async function readWorkFile(root: string, rel: string, modes: Map<string, number>): Promise<FileState> {
  const parts = rel.split("/");
  for (let i = 1; i <= parts.length; i++) {
    const p = path.join(root, ...parts.slice(0, i));
    const s = await lstat(p).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" || e.code === "ENOTDIR" ? undefined : Promise.reject(e)));
    if (!s) return null;
    if (s.isSymbolicLink()) return "irregular";
    if (i < parts.length ? !s.isDirectory() : !s.isFile()) return "irregular";
    if (i === parts.length) modes.set(rel, s.mode);
  }
  return readFile(path.join(root, rel));
}

/**
 * Where git converts a file, its clean form: the staged blob, when git status sees the file as
 * unchanged (update runs on a clean work tree; with --allow-dirty a changed file keeps its bytes,
 * and the update refuses to touch it).
 */
async function cleanForms(directory: string, files: Map<string, FileState>, converted: Set<string>): Promise<void> {
  const paths = [...converted].filter((p) => Buffer.isBuffer(files.get(p)));
  if (paths.length === 0) return;
  const spec = paths.map((p) => `:(literal)${p}`);
  const [prefix, listed, status] = await Promise.all([
    runGit(directory, ["rev-parse", "--show-prefix"]),
    runGit(directory, ["ls-files", "-s", "-z", "--", ...spec]),
    runGit(directory, ["--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=no", "--", ...spec]),
  ]);
  if (listed.code !== 0 || status.code !== 0) throw new UserError(`git ls-files/status failed in ${directory}: ${(listed.stderr || status.stderr).trim()}: nothing was changed`, ExitCode.unsafeTarget);
  // Status names paths from the top of the work tree; a changed file keeps its bytes (--allow-dirty).
  const top = prefix.stdout.toString("utf8").trim();
  const changed = new Set(status.stdout.toString("utf8").split("\0").filter((f) => f.length > 3).map((f) => f.slice(3)));
  const ids = new Map<string, string>();
  for (const r of listed.stdout.toString("utf8").split("\0").filter(Boolean)) {
    const [, id, stage] = r.slice(0, r.indexOf("\t")).split(" ");
    const p = r.slice(r.indexOf("\t") + 1);
    if (stage === "0" && !changed.has(`${top}${p}`)) ids.set(p, id);
  }
  const blobs = await readBlobs(directory, [...ids.values()]);
  for (const [p, id] of ids) if (blobs.get(id)) files.set(p, blobs.get(id)!);
}

export function workTreeSource(directory: string): RepoSource {
  const modes = new Map<string, number>();
  const converted = new Set<string>();
  const ignored = new Set<string>();
  return {
    record: () => readRecordFile(directory),
    files: async (paths) => {
      const [files, conversions, ignoredRun] = await Promise.all([
        Promise.all(paths.map(async (p) => [p, await readWorkFile(directory, p, modes)] as const)).then((e) => new Map(e)),
        readConversions(directory, paths),
        paths.length === 0 ? undefined : runGit(directory, ["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--", ...paths.map((p) => `:(literal)${p}`)]),
      ]);
      for (const p of conversions.converted) converted.add(p);
      // An ignored file is not the repository's: the plan reads that path as absent, as --branch does at HEAD.
      for (const p of (ignoredRun?.stdout.toString("utf8") ?? "").split("\0").filter(Boolean)) {
        ignored.add(p);
        files.set(p, null);
        modes.delete(p);
      }
      await cleanForms(directory, files, converted);
      return files;
    },
    blobs: (ids) => readBlobs(directory, ids),
    shallow: async () => (await runGit(directory, ["rev-parse", "--is-shallow-repository"])).stdout.toString().trim() === "true",
    modes,
    converted,
    ignored,
  };
}

export function headSource(view: HeadView): RepoSource {
  const modes = new Map<string, number>();
  const blob = async (id: string): Promise<Buffer> => {
    const bytes = await view.blob(id);
    if (!bytes) throw new UserError(`blob ${id} of HEAD in ${view.at.dir} is missing (a damaged or partial clone?): nothing was changed`, ExitCode.unsafeTarget, DAMAGED_HINT);
    return bytes;
  };
  const file = async (p: string, known: ReadonlyMap<string, Buffer>): Promise<FileState> => {
    const e = await view.entry(p);
    if (e === undefined) return null;
    if (e === "irregular" || (e.mode !== "100644" && e.mode !== "100755")) return "irregular";
    modes.set(p, e.mode === "100755" ? 0o755 : 0o644);
    return known.get(e.id) ?? blob(e.id);
  };
  const where = `${path.join(view.at.dir, PROVENANCE_FILE)} (at HEAD)`;
  return {
    record: async () => {
      const e = await view.recordEntry();
      if (!e) throw new UserError(`${view.at.dir} has no ${PROVENANCE_FILE} committed at HEAD: not a repository this tool generated (or the record is not committed)`, ExitCode.usage);
      const bytes = await blob(e.id);
      return { record: parseRecord(bytes.toString("utf8"), where), bytes };
    },
    files: async (paths, known) => new Map(await Promise.all(paths.map(async (p) => [p, await file(p, known)] as const))),
    blobs: async (ids) => new Map(await Promise.all([...new Set(ids)].map(async (id) => [id, await view.blob(id)] as const))),
    shallow: async () => view.shallow(),
    modes,
    converted: new Set(),
  };
}

/**
 * HEAD's commit read through git: the fallback --branch's source where git/head.ts does not locate
 * the repository (a worktree, a sparse checkout, replace refs, reftable, SHA-256, a shared repository):
 * the same plan as headSource, so --branch means one thing whichever way it reads. Replace refs
 * apply here, as they do for every git command in that repository.
 */
export function gitHeadSource(directory: string): RepoSource {
  const modes = new Map<string, number>();
  const converted = new Set<string>();
  const where = `${path.join(directory, PROVENANCE_FILE)} (at HEAD)`;
  return {
    record: async () => {
      const run = await runGit(directory, ["cat-file", "blob", `HEAD:./${PROVENANCE_FILE}`]);
      if (run.code !== 0) throw new UserError(`${directory} has no ${PROVENANCE_FILE} committed at HEAD: not a repository this tool generated (or the record is not committed)`, ExitCode.usage);
      return { record: parseRecord(run.stdout.toString("utf8"), where), bytes: run.stdout };
    },
    files: async (paths, known) => {
      const files = new Map<string, FileState>(paths.map((p) => [p, null]));
      if (paths.length === 0) return files;
      // A filter stops --branch as it stops update (the blobs at HEAD are the filter's clean form).
      await readConversions(directory, paths, { cached: true });
      // Relative to the folder (no --full-name): the paths come back as they were asked.
      const listed = await runGit(directory, ["ls-tree", "-z", "HEAD", "--", ...paths.map((p) => `:(literal)${p}`)]);
      if (listed.code !== 0) throw new UserError(`git ls-tree HEAD failed in ${directory} (exit ${listed.code}): ${listed.stderr.trim()}: nothing was changed`, ExitCode.unsafeTarget, DAMAGED_HINT);
      const ids = new Map<string, string>();
      for (const record of listed.stdout.toString("utf8").split("\0").filter(Boolean)) {
        const tab = record.indexOf("\t");
        const [mode, type, id] = record.slice(0, tab).split(" ");
        const p = record.slice(tab + 1);
        if (type !== "blob" || (mode !== "100644" && mode !== "100755")) files.set(p, "irregular");
        else (modes.set(p, mode === "100755" ? 0o755 : 0o644), ids.set(p, id));
      }
      // An absent path below something that is not a folder at HEAD (a file, a symlink): irregular, as headSource says.
      const absent = paths.filter((p) => files.get(p) === null);
      const above = [...new Set(absent.flatMap((p) => p.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))))];
      if (above.length > 0) {
        const run = await runGit(directory, ["ls-tree", "-z", "HEAD", "--", ...above.map((p) => `:(literal)${p}`)]);
        const notFolders = run.stdout.toString("utf8").split("\0").filter((r) => r && !r.includes(" tree ")).map((r) => r.slice(r.indexOf("\t") + 1));
        for (const p of absent) if (notFolders.some((q) => p.startsWith(`${q}/`))) files.set(p, "irregular");
      }
      const missing = [...ids].filter(([, id]) => !known.has(id)).map(([, id]) => id);
      const read = await readBlobs(directory, missing);
      for (const [p, id] of ids) {
        const bytes = known.get(id) ?? read.get(id);
        if (!bytes) throw new UserError(`blob ${id} of HEAD in ${directory} is missing (a damaged or partial clone?): nothing was changed`, ExitCode.unsafeTarget, DAMAGED_HINT);
        files.set(p, bytes);
      }
      return files;
    },
    blobs: (ids) => readBlobs(directory, ids),
    shallow: async () => (await runGit(directory, ["rev-parse", "--is-shallow-repository"])).stdout.toString().trim() === "true",
    modes,
    converted,
  };
}
