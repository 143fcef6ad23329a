// Run the built CLI as a user would: a child process, no TTY, in a directory of our choosing.
import { execa, type Options } from "execa";
import path from "node:path";
import { tempDir } from "./temp.js";

export { tempDir };

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

import { buildContext, type Context } from "../../src/render/context.js";
import type { Answers } from "../../src/answers/types.js";
import { baseAnswers } from "./render.js";
import { sizeClasses } from "../../src/answers/sizing.js";
import { TOOL } from "../../src/shared/tool.js";

/** Answers as the flags a user would type (every question has a flag). */
export function answersToFlags(answers: Answers): string[] {
  const flags = [
    "--name", answers.name, "--owner", answers.owner, "--module", answers.module, "--description", answers.description,
    "--port", String(answers.port), "--registry", answers.registry, "--repo-url", answers.repoUrl, "--gitops", answers.gitops,
    "--ci", answers.ci, "--environments", answers.environments.join(","),
    answers.monitoring ? "--monitoring" : "--no-monitoring", answers.networkPolicy ? "--network-policy" : "--no-network-policy", answers.catalog ? "--catalog" : "--no-catalog",
  ];
  if (answers.ci !== "none") flags.push("--template-update", answers.templateUpdate, "--admission", answers.admission);
  if (answers.gitops === "argocd") flags.push("--argocd-mode", answers.argocdMode, "--argocd-project", answers.argocdProject);
  const sizes = sizeClasses(answers.environments);
  if (sizes.other) flags.push("--resources", answers.resources);
  if (sizes.production) flags.push("--production-resources", answers.productionResources);
  if (answers.secret.length > 0) flags.push("--secrets", answers.secrets);
  if (answers.monitoring && answers.gitops !== "none") flags.push("--alertmanager-url", answers.alertmanagerUrl);
  flags.push("--progressive", answers.progressive);
  if (answers.progressive === "argo-rollouts")
    flags.push("--canary-max-error-percent", answers.canaryMaxErrorPercent, "--canary-max-p95-ms", String(answers.canaryMaxP95Ms), "--prometheus-url", answers.prometheusUrl);
  if (answers.monitoring)
    flags.push("--slo-availability", answers.sloAvailability, "--slo-latency-percent", answers.sloLatencyPercent, "--slo-latency-ms", String(answers.sloLatencyMs));
  for (const e of answers.env) flags.push("--env", e);
  for (const s of answers.secret) flags.push("--secret", s);
  return flags;
}

/**
 * Generate with the built CLI as a user would (`--yes`, no TTY, CI=true, git on), and return the
 * directory with the context the CLI resolved (read back from its --json result).
 */
export async function generateWithCli(overrides: Partial<Answers> = {}): Promise<{ dir: string; context: Context; commit: string }> {
  const answers = { ...baseAnswers, ...overrides };
  const cwd = await tempDir();
  const run = await runCli([answers.directory, "--yes", "--json", ...answersToFlags(answers)], { cwd });
  if (run.exitCode !== 0) throw new Error(`CLI exited ${run.exitCode}: ${run.stderr}`);
  const result = JSON.parse(run.stdout);
  return { dir: result.directory, context: buildContext(result.answers, TOOL), commit: result.commit };
}
