// Where `update` reads the repository it plans for: the work tree (an update written there), or the
// commit HEAD names (--branch, whose commit is made on HEAD and never looks at the checkout, so
// uncommitted changes there neither block it nor end up in it).
import { lstat, readFile } from "node:fs/promises";
import path from "node:path";
import { ExitCode, UserError } from "../shared/errors.js";
import { PROVENANCE_FILE, type Provenance } from "../render/provenance.js";
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

export function workTreeSource(directory: string): RepoSource {
  const modes = new Map<string, number>();
  return {
    record: () => readRecordFile(directory),
    files: async (paths) => new Map(await Promise.all(paths.map(async (p) => [p, await readWorkFile(directory, p, modes)] as const))),
    blobs: (ids) => readBlobs(directory, ids),
    shallow: async () => (await runGit(directory, ["rev-parse", "--is-shallow-repository"])).stdout.toString().trim() === "true",
    modes,
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
  };
}
