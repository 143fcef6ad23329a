import { mkdirSync, writeFileSync, type Stats } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import path from "node:path";
import { CancelledError, ExitCode, UserError } from "../shared/errors.js";
import { explain, fileSystemFault } from "../shared/fs-errors.js";
import { shownPath } from "../shared/show.js";
import type { Plan } from "../render/plan.js";

export interface WriteOptions {
  force: boolean;
  /** What force-mode messages name: the CLI's `--force`, or a host's input (the Backstage action's `input.outputPath`). */
  label?: string;
  /** With force: write beside what is there but replace nothing; a planned path that exists is an error. */
  keep?: boolean;
  signal?: AbortSignal;
}

async function lstatOrUndefined(p: string) {
  try {
    return await lstat(p);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * `mkdir -p` one level at a time. Not `mkdir(..., { recursive: true })`: under /proc (where mkdir
 * says ENOENT although the parent exists) Node 20's recursive mkdir retries forever, and the run hung
 * at 100% CPU, deaf to SIGINT/SIGTERM (found by test/reliability.test.ts).
 */
async function makeParents(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    let s: Stats | undefined;
    try {
      s = await stat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (s) {
      if (!s.isDirectory()) throw Object.assign(new Error(`${current} is not a directory`), { code: "ENOTDIR" });
      break;
    }
    missing.push(current);
    if (path.dirname(current) === current) break;
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

/**
 * Throws why the target cannot be written (exit 3); checked before anything is created. `keep` (with
 * force) also refuses to replace any file: the interactive "write beside them" choice.
 */
export async function checkTarget(targetDir: string, plan: Plan, force: boolean, label = "--force", keep = false): Promise<{ exists: boolean; empty: boolean; entries: string[] }> {
  let stat: Awaited<ReturnType<typeof lstatOrUndefined>>;
  try {
    stat = await lstatOrUndefined(targetDir);
  } catch (error) {
    // ENOTDIR: some folder on the way is a file (found by test/reliability.test.ts: was an internal error).
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`cannot use ${shownPath(targetDir)}: ${explain(code)}`, ExitCode.unsafeTarget, "choose another location");
  }
  if (!stat) return { exists: false, empty: true, entries: [] };
  if (stat.isSymbolicLink()) throw new UserError(`target ${shownPath(targetDir)} is a symbolic link: refusing to write through it`, ExitCode.unsafeTarget, "pass the real directory instead");
  if (!stat.isDirectory()) throw new UserError(`target ${shownPath(targetDir)} exists and is not a directory`, ExitCode.unsafeTarget);
  let entries: string[];
  try {
    entries = (await readdir(targetDir)).sort();
  } catch (error) {
    throw fileSystemFault(error, { path: targetDir, verb: "read" }) ?? error;
  }
  if (entries.length === 0) return { exists: true, empty: true, entries };
  if (!force) {
    const shown = entries.slice(0, 10).map(shownPath).join(", ") + (entries.length > 10 ? `, … (${entries.length} entries)` : "");
    throw new UserError(`target ${shownPath(targetDir)} is not empty: ${shown}`, ExitCode.unsafeTarget, "choose an empty or new directory, or pass --force to write the planned files over it (nothing else is touched)");
  }
  const existing: string[] = [];
  // --force: every planned path, and every folder on the way to it, must be ours to write:
  // no symlink may redirect a write outside the target, and no folder may stand where a file goes.
  for (const file of plan) {
    const parts = file.path.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const p = path.join(targetDir, ...parts.slice(0, i));
      const s = await lstatOrUndefined(p).catch((error: unknown) => {
        throw fileSystemFault(error, { path: p, verb: "read" }) ?? error;
      });
      if (!s) break;
      if (s.isSymbolicLink()) throw new UserError(`${label}: ${shownPath(p)} is a symbolic link: refusing to write through it`, ExitCode.unsafeTarget);
      if (i < parts.length && !s.isDirectory()) throw new UserError(`${label}: ${shownPath(p)} is a file where the folder ${parts.slice(0, i).join("/")}/ goes`, ExitCode.unsafeTarget);
      if (i === parts.length && !s.isFile()) throw new UserError(`${label}: ${shownPath(p)} exists and is not a regular file`, ExitCode.unsafeTarget);
      if (i === parts.length) existing.push(file.path);
    }
  }
  if (keep && existing.length > 0)
    throw new UserError(
      `target ${shownPath(targetDir)} already has ${existing.length === 1 ? "a file" : `${existing.length} files`} the service writes: ${existing.slice(0, 10).map(shownPath).join(", ")}${existing.length > 10 ? ", …" : ""}; nothing was written`,
      ExitCode.unsafeTarget,
      "move them out of the way and run again, or pass --force to replace them",
    );
  return { exists: true, empty: false, entries };
}

// Synchronous on purpose: for a few dozen small files the async round trips cost more than the
// writes (measured: ~15 ms of idle time per run). A signal that arrives meanwhile is seen right after,
// and the staging folder is then removed.
async function stage(plan: Plan, stagingDir: string, signal?: AbortSignal): Promise<void> {
  const made = new Set<string>();
  for (const file of plan) {
    if (signal?.aborted) throw new CancelledError("interrupted while writing: nothing was left behind");
    const target = path.join(stagingDir, file.path);
    const dir = path.dirname(target);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(target, file.content, { mode: file.mode });
  }
}

/**
 * Where to stage: beside the target (a rename then puts the whole tree in place at once), or, when
 * the parent may not be written but the target exists and may (a mounted volume, a folder someone
 * made for us), inside the target; the files are then moved in one by one, and moved out again on
 * failure.
 */
async function makeStaging(targetDir: string, exists: boolean): Promise<{ dir: string; inside: boolean }> {
  const parent = path.dirname(targetDir);
  const prefix = `.${path.basename(targetDir)}.tmp-`;
  try {
    return { dir: await mkdtemp(path.join(parent, prefix)), inside: false };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (exists && (code === "EACCES" || code === "EPERM" || code === "EROFS")) {
      const inside = await mkdtemp(path.join(targetDir, prefix)).catch(() => undefined);
      if (inside) return { dir: inside, inside: true };
    }
    throw new UserError(`cannot write in ${shownPath(parent)}: ${explain(code)}`, ExitCode.unsafeTarget, "choose another location");
  }
}

/**
 * Write the plan to targetDir so that an error or interrupt leaves either nothing new or the whole
 * tree: files go to a staging folder (see makeStaging), which is then renamed into place. With
 * --force over a non-empty folder, each planned file is renamed in and any file it replaces is
 * restored on failure; nothing outside the planned paths is touched. A file-system error (a full
 * disk, a folder we may not write in) is the environment's: exit 3 with the path.
 */
export async function writePlan(plan: Plan, targetDir: string, options: WriteOptions): Promise<void> {
  const { exists, empty } = await checkTarget(targetDir, plan, options.force, options.label, options.keep);
  const parent = path.dirname(targetDir);
  try {
    await makeParents(parent);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`cannot create ${shownPath(parent)}: ${explain(code)}`, ExitCode.unsafeTarget, "choose another location");
  }
  const staging = await makeStaging(targetDir, exists);
  // The tree is staged one level down, in a folder made as mkdir makes any other: mkdtemp's own folder
  // is 0700 whatever the umask, and renamed into place it made the repository private (issue #30).
  const tree = path.join(staging.dir, "tree");
  try {
    await mkdir(tree);
    await stage(plan, tree, options.signal);
    if (options.signal?.aborted) throw new CancelledError("interrupted while writing: nothing was left behind");
    // rename(2) replaces an empty directory atomically on POSIX.
    if (!staging.inside && (!exists || empty)) await rename(tree, targetDir);
    else await mergeInto(plan, tree, targetDir);
  } catch (error) {
    throw fileSystemFault(error, { path: targetDir, stagingDir: tree, targetDir }) ?? error;
  } finally {
    await rm(staging.dir, { recursive: true, force: true });
  }
}

async function mergeInto(plan: Plan, stagingDir: string, targetDir: string): Promise<void> {
  const backupDir = path.join(stagingDir, ".replaced");
  const moved: { target: string; backup?: string }[] = [];
  const createdDirs: string[] = [];
  try {
    for (const file of plan) {
      const target = path.join(targetDir, file.path);
      const made = await mkdir(path.dirname(target), { recursive: true });
      if (made) createdDirs.push(made);
      let backup: string | undefined;
      if (await lstatOrUndefined(target)) {
        backup = path.join(backupDir, file.path);
        await mkdir(path.dirname(backup), { recursive: true });
        await rename(target, backup);
      }
      await rename(path.join(stagingDir, file.path), target);
      moved.push({ target, backup });
    }
  } catch (error) {
    for (const { target, backup } of moved.reverse()) {
      if (backup) await rename(backup, target);
      else await rm(target, { force: true });
    }
    for (const dir of createdDirs.reverse()) await rmTreeOfEmptyDirs(dir);
    throw error;
  }
}

async function rmTreeOfEmptyDirs(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) await rmTreeOfEmptyDirs(path.join(dir, entry.name));
  }
  await rmdir(dir).catch(() => undefined);
}
