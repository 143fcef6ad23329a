import { realpath } from "node:fs/promises";
import path from "node:path";
import { engine } from "./engine.js";

const { UserError, ExitCode } = engine;

function inside(root: string, p: string): boolean {
  const relative = path.relative(root, p);
  return relative === "" || (!relative.startsWith(`..${path.sep}`) && relative !== ".." && !path.isAbsolute(relative));
}

/** The nearest existing ancestor of p (p itself when it exists), with symbolic links resolved. */
async function realAncestor(p: string): Promise<string> {
  for (let current = p; ; current = path.dirname(current)) {
    try {
      return path.join(await realpath(current), path.relative(current, p));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || path.dirname(current) === current) throw error;
    }
  }
}

/**
 * An input path resolved inside the workspace, in the CLI's style of message (`input: 'value' rule`).
 * Absolute paths, `..` and symbolic links that lead out of the workspace are refused.
 */
export async function resolveInWorkspace(workspacePath: string, value: string, input: string): Promise<string> {
  const refuse = (rule: string): never => {
    throw new UserError(`${input}: '${value}' ${rule}`, ExitCode.unsafeTarget, "give a relative path inside the task workspace, such as '.' or 'service'", [input.replace(/^input\./, "")]);
  };
  if (value.trim() === "" || value.includes("\0")) refuse("is not a path");
  if (path.isAbsolute(value)) refuse("is an absolute path: it must be relative to the workspace");
  const workspace = path.resolve(workspacePath);
  const resolved = path.resolve(workspace, value);
  if (!inside(workspace, resolved)) refuse("is outside the workspace");
  if (!inside(await realpath(workspace), await realAncestor(resolved))) refuse("leads outside the workspace through a symbolic link");
  return resolved;
}
