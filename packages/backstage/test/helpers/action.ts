import { createHash } from "node:crypto";
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { vi } from "vitest";
import { createMockActionContext } from "@backstage/plugin-scaffolder-node-test-utils";
import { createGitopsGoServiceAction, type GitopsGoServiceActionOptions } from "../../src/action.js";
import { engine } from "../../src/engine.js";

export const REPO = path.resolve(import.meta.dirname, "../../../..");
export const EXAMPLE_PRESET = path.join(REPO, "examples/preset.yaml");

export type Input = Record<string, unknown>;

/** Run the action's handler as the scaffolder would after validating the input. */
export async function runAction(input: Input, workspacePath: string, options: { dryRun?: boolean; action?: GitopsGoServiceActionOptions; instance?: ReturnType<typeof createGitopsGoServiceAction> } = {}) {
  const logger = { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn(), child: vi.fn() };
  logger.child.mockReturnValue(logger);
  const ctx = createMockActionContext({ input: input as never, workspacePath, logger });
  // createMockActionContext drops isDryRun; the scaffolder sets it on the context it passes.
  if (options.dryRun) ctx.isDryRun = true;
  await (options.instance ?? createGitopsGoServiceAction(options.action)).handler(ctx as never);
  const outputs = Object.fromEntries((ctx.output as unknown as { mock: { calls: [string, unknown][] } }).mock.calls);
  const logs = logger.info.mock.calls.map((c) => String(c[0]));
  return { ctx, outputs, logs, logger };
}

/** Every file under dir: relative path -> sha256 and permission bits (symbolic links are reported). */
export async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const rel = path.relative(dir, full).split(path.sep).join("/");
    const stat = await lstat(full);
    if (stat.isSymbolicLink()) out[rel] = "symlink";
    else if (stat.isFile()) out[rel] = `${createHash("sha256").update(await readFile(full)).digest("hex")} ${(stat.mode & 0o777).toString(8)}`;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Action input -> the CLI flags that say the same (lists joined, repeatables repeated, booleans as --[no-]). */
export function toFlags(input: Input): string[] {
  const flags: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (key === "preset") {
      flags.push("--preset", String(value));
      continue;
    }
    const q = engine.questionList.find((qq) => qq.name === key);
    if (!q) throw new Error(`no flag for ${key}`);
    if (q.kind === "boolean") flags.push(value ? `--${q.flag}` : `--no-${q.flag}`);
    else if (q.kind === "repeatable") for (const v of value as string[]) flags.push(`--${q.flag}`, v);
    else if (q.kind === "list") flags.push(`--${q.flag}`, (value as string[]).join(","));
    else flags.push(`--${q.flag}`, String(value));
  }
  return flags;
}
