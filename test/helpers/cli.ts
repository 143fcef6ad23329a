// Run the built CLI as a user would: a child process, no TTY, in a directory of our choosing.
import { execa, type Options } from "execa";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

export const CLI = path.resolve(import.meta.dirname, "../../dist/cli.js");

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// A git identity for the commit, isolated from the developer's own config and hooks.
export const gitEnv = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
};

export async function runCli(args: string[], options: Options = {}): Promise<CliRun> {
  const result = await execa("node", [CLI, ...args], {
    reject: false,
    stdin: "ignore",
    env: { ...gitEnv, CI: "true" },
    ...options,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export async function tempDir(prefix = "cggs-"): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}
