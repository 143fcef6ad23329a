// File-system errors are the environment's, not ours (issue #17): a full disk or a folder we may not
// write in ends the run with exit 3, the path and what to do, not "internal error ... report it".
import path from "node:path";
import { ExitCode, UserError } from "./errors.js";
import { shownPath } from "./show.js";

const WORDS: Record<string, string> = {
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "a folder is where a file goes",
  EACCES: "permission denied: the folder is not writable",
  EPERM: "operation not permitted: the folder is not writable",
  EROFS: "the file system is read-only",
  ENOENT: "a part of the path does not exist and cannot be created",
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exhausted",
  EFBIG: "the file is larger than the file system allows",
  EEXIST: "a file is in the way",
  EIO: "the device reported an input/output error",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  ENAMETOOLONG: "a name in the path is too long for the file system",
  ELOOP: "too many levels of symbolic links",
  EBUSY: "the file or folder is busy",
  ETXTBSY: "the file is busy",
  EXDEV: "the staging folder and the target are on different file systems",
  ESTALE: "the network file handle is stale",
};

const HINTS: Record<string, string> = {
  ENOSPC: "free some space on that device, or choose another location",
  EDQUOT: "free some space within your quota, or choose another location",
  EFBIG: "choose another location",
  EACCES: "make the folder writable for you, or choose another location",
  EPERM: "make the folder writable for you, or choose another location",
  EROFS: "choose a location on a writable file system",
  EMFILE: "raise the open-file limit (ulimit -n), or retry",
  ENFILE: "retry when the system has fewer open files",
};

/** An errno code in words, code kept for searching (e.g. "no space left on the device (ENOSPC)"). */
export function explain(code: string | undefined): string {
  return code && WORDS[code] ? `${WORDS[code]} (${code})` : String(code);
}

/**
 * The exit-3 UserError for a file-system error (one with an errno code we know), or undefined for
 * anything else (a bug). Paths inside the staging folder are shown as the target path they stand for.
 * @example throw fileSystemFault(error, { stagingDir, targetDir }) ?? error
 */
export function fileSystemFault(error: unknown, where: { path: string; verb?: string; stagingDir?: string; targetDir?: string }): UserError | undefined {
  const e = error as NodeJS.ErrnoException;
  if (error instanceof UserError || !e || typeof e.code !== "string" || !WORDS[e.code]) return undefined;
  // A program that cannot be started is not a file we failed to write (git.ts words those).
  if (typeof e.syscall === "string" && e.syscall.startsWith("spawn")) return undefined;
  let at = e.path ?? where.path;
  if (where.stagingDir && where.targetDir && (at === where.stagingDir || at.startsWith(where.stagingDir + path.sep)))
    at = path.join(where.targetDir, path.relative(where.stagingDir, at));
  const fault = new UserError(`cannot ${where.verb ?? "write"} ${shownPath(at)}: ${explain(e.code)}`, ExitCode.unsafeTarget, HINTS[e.code] ?? "choose another location");
  return Object.assign(fault, { cause: error });
}
