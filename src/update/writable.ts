// Before update writes anything: can it? A read-only mount (a CI cache, a container's bind mount,
// a snapshot) fails deep inside a write otherwise, where Node's recursive mkdir reports EROFS as
// ENOENT ("a part of the path does not exist") and git's own message names no path (#28 class 11).
// access(2) answers EROFS for any user, root included, in one system call per folder.
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { ExitCode, UserError } from "../shared/errors.js";
import { explain } from "../shared/fs-errors.js";
import { shownPath } from "../shared/show.js";
import type { UpdateArgs } from "./args.js";
import type { HeadView } from "./git/head.js";
import type { WorkTree } from "./preflight.js";

const REFUSED = new Set(["EROFS", "EACCES", "EPERM"]);

/**
 * Throw exit 3 naming the first folder update cannot write (read-only file system, permission), with
 * what to do; nothing has been written yet. Folders that do not exist are left to the write itself.
 * @example checkWritable(writtenFolders(args, directory, view, tree))
 */
export function checkWritable({ folders, command }: { folders: readonly string[]; command: string }): void {
  for (const folder of folders) {
    try {
      accessSync(folder, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!code || !REFUSED.has(code)) continue;
      throw new UserError(
        `${command} cannot write ${shownPath(folder)}: ${explain(code)}: nothing was changed`,
        ExitCode.unsafeTarget,
        code === "EROFS"
          ? "remount it read-write (mount -o remount,rw <mount point>), or run update in a writable clone (git clone, update --branch, git push); update --check only reads"
          : "make it writable for you (the repository's owner or group), or run update in a writable clone; update --check only reads",
      );
    }
  }
}

/**
 * The folders a command writes in, and its name: objects and refs (--branch, from the located HEAD
 * view or git's work tree); the work tree, the git dir (the index, MERGE_HEAD) and objects (update,
 * --commit).
 */
export function writtenFolders(args: Pick<UpdateArgs, "branch" | "commit">, directory: string, view: HeadView | undefined, tree: WorkTree | undefined): { folders: string[]; command: string } {
  if (args.branch !== undefined && view) return { folders: [view.objectsDir, path.join(view.at.gitDir, "refs/heads")], command: "--branch" };
  const common = tree!.commonDir;
  if (args.branch !== undefined) return { folders: [path.join(common, "objects"), path.join(common, "refs/heads")], command: "--branch" };
  return { folders: [directory, tree!.gitDir, path.join(common, "objects")], command: args.commit ? "update --commit" : "update" };
}
