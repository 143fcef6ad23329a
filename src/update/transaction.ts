// The visible part of an update, applied all or nothing. Everything is computed beforehand (the new
// index is built in a temporary file); this writes it in one synchronous run, so no signal handler
// can run half-way, under git's own index lock (an IDE or another git holding .git/index.lock makes
// it stop before anything is written). Any failure puts back exactly what was there: each touched
// path's bytes and mode (untracked files too), the folders it made, the merge files and the index.
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { ExitCode, UserError } from "../shared/errors.js";

export interface FileChange {
  /** Relative to the transaction's root. */
  path: string;
  /** The new bytes, or null to delete the file. */
  content: Buffer | null;
  /** Set the mode (add/replace take the template's); undefined keeps the file's own. */
  mode?: number;
  /** The bytes on disk where git converts the blob (content) for the work tree (eol, smudge). */
  worktree?: Buffer;
}

export interface Transaction {
  root: string;
  changes: FileChange[];
  /** Absolute paths of git's index and its lock. */
  index: string;
  /** The new index bytes (built from a copy of the index, with GIT_INDEX_FILE). */
  newIndex: Buffer;
  /** Absolute paths and bytes of git-dir files to write (MERGE_HEAD, MERGE_MSG). */
  gitFiles: { path: string; content: Buffer }[];
}

interface Saved {
  file: string;
  before: { content: Buffer; mode: number } | null;
}

/** What applyTransaction did, so rollback can undo it later (a signal after the apply, a failed commit). */
export interface Undo {
  saved: Saved[];
  madeDirs: string[];
  index: string;
  oldIndex: Buffer | null;
  indexReplaced: boolean;
}

function readState(file: string): Saved["before"] {
  try {
    const s = lstatSync(file);
    if (!s.isFile()) throw new UserError(`${file} is not a regular file: update will not replace it`, ExitCode.unsafeTarget);
    return { content: readFileSync(file), mode: s.mode & 0o7777 };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return null;
    throw error;
  }
}

/** The folders mkdir -p would create for file, outermost first. */
function missingDirs(file: string): string[] {
  const dirs: string[] = [];
  for (let d = path.dirname(file); ; d = path.dirname(d)) {
    try {
      lstatSync(d);
      break;
    } catch {
      dirs.unshift(d);
    }
    if (path.dirname(d) === d) break;
  }
  return dirs;
}

function removeEmptyParents(root: string, file: string): void {
  for (let d = path.dirname(file); d.length > root.length && d.startsWith(root); d = path.dirname(d)) {
    try {
      rmdirSync(d);
    } catch {
      return;
    }
  }
}

/** Lock held by someone else: the one expected failure, told apart so the message can name it. */
export class IndexLockedError extends UserError {
  constructor(lock: string) {
    super(`${lock} exists: another git process (an editor, a running git command) is using the repository; nothing was changed`, ExitCode.unsafeTarget, "wait for it to finish (or remove the file if no git process is running), then run update again");
  }
}

/**
 * Write the changes, the git-dir files and the new index, or nothing. Synchronous on purpose.
 * Throws (after restoring everything) on any failure.
 */
export function applyTransaction(tx: Transaction): Undo {
  const lock = `${tx.index}.lock`;
  let fd: number;
  try {
    fd = openSync(lock, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new IndexLockedError(lock);
    throw error;
  }
  const undo: Undo = { saved: [], madeDirs: [], index: tx.index, oldIndex: null, indexReplaced: false };
  let locked = true;
  try {
    writeSync(fd, tx.newIndex);
    closeSync(fd);
    undo.oldIndex = readState(tx.index)?.content ?? null;
    for (const change of tx.changes) {
      const file = path.join(tx.root, change.path);
      undo.saved.push({ file, before: readState(file) });
      if (change.content === null) {
        rmSync(file, { force: true });
        removeEmptyParents(tx.root, file);
        continue;
      }
      const dirs = missingDirs(file);
      if (dirs.length > 0) mkdirSync(path.dirname(file), { recursive: true });
      undo.madeDirs.push(...dirs);
      writeFileSync(file, change.worktree ?? change.content, { mode: change.mode ?? 0o644 });
      if (change.mode !== undefined) chmodSync(file, change.mode);
    }
    for (const g of tx.gitFiles) {
      undo.saved.push({ file: g.path, before: readState(g.path) });
      writeFileSync(g.path, g.content);
    }
    renameSync(lock, tx.index);
    locked = false;
    undo.indexReplaced = true;
    return undo;
  } catch (error) {
    rollback(undo, locked ? lock : undefined);
    throw error;
  }
}

/**
 * Put back what applyTransaction changed: files (bytes and mode), made folders, and the index (under
 * its lock, as git would). Best effort on each step, so one failure does not stop the others; returns
 * the paths it could not restore.
 */
export function rollback(undo: Undo, heldLock?: string): string[] {
  const failed: string[] = [];
  for (const s of [...undo.saved].reverse()) {
    try {
      if (s.before === null) rmSync(s.file, { force: true });
      else {
        mkdirSync(path.dirname(s.file), { recursive: true });
        writeFileSync(s.file, s.before.content);
        chmodSync(s.file, s.before.mode);
      }
    } catch {
      failed.push(s.file);
    }
  }
  for (const d of [...undo.madeDirs].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      // Not empty (something else wrote there) or already gone: leave it.
    }
  }
  const lock = `${undo.index}.lock`;
  if (heldLock) {
    try {
      unlinkSync(heldLock);
    } catch {
      failed.push(heldLock);
    }
  } else if (undo.indexReplaced) {
    // The new index was already in place: write the old one back the way git does.
    try {
      const fd = openSync(lock, "wx");
      try {
        if (undo.oldIndex) writeSync(fd, undo.oldIndex);
      } finally {
        closeSync(fd);
      }
      if (undo.oldIndex) renameSync(lock, undo.index);
      else {
        unlinkSync(lock);
        rmSync(undo.index, { force: true });
      }
    } catch {
      failed.push(undo.index);
    }
  }
  return failed;
}
