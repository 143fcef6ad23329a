// Render templates in-process (no CLI, no git) into a fresh temp dir. For tests of the generated
// output; the end-to-end tests run the built CLI instead.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { buildContext, type Context } from "../../src/render/context.js";
import { planFiles } from "../../src/render/plan.js";
import type { Answers } from "../../src/answers/types.js";
import { tempDir } from "./temp.js";

/** Defaults as the CLI would resolve them for `my-svc --yes --owner acme` plus one env var, one secret. */
export const baseAnswers: Answers = {
  directory: "my-svc",
  name: "my-svc",
  module: "github.com/acme/my-svc",
  owner: "acme",
  description: "An example service",
  port: 8080,
  env: ["GREETING=hello", "UPSTREAM_URL"],
  secret: ["API_TOKEN"],
  registry: "ghcr.io/acme",
  repoUrl: "https://github.com/acme/my-svc.git",
  gitops: "argocd",
  argocdMode: "applications",
  argocdProject: "my-svc",
  ci: "github",
  templateUpdate: "17 5 * * 1",
  environments: ["dev", "staging", "prod"],
  resources: "cpu=50m,memory=128Mi,replicas=1-3",
  productionResources: "cpu=250m,memory=512Mi,replicas=3-10",
  secrets: "external-secrets",
  monitoring: true,
  networkPolicy: true,
  admission: "none",
  catalog: true,
  progressive: "none",
  canaryMaxErrorPercent: "1",
  canaryMaxP95Ms: 500,
  sloAvailability: "99.9",
  sloLatencyPercent: "99",
  sloLatencyMs: 500,
  prometheusUrl: "http://prometheus-operated.monitoring.svc:9090",
  alertmanagerUrl: "http://alertmanager-operated.monitoring.svc:9093/api/v2/alerts",
};

export const TOOL = { name: "create-gitops-go-service", version: "0.0.0-test" };

export async function renderToDir(overrides: Partial<Answers> = {}, dir?: string): Promise<{ dir: string; context: Context; files: string[] }> {
  // Like the CLI, the Argo CD project follows the name unless given.
  const answers = { ...baseAnswers, argocdProject: overrides.name ?? baseAnswers.name, ...overrides };
  const context = buildContext(answers, TOOL);
  const plan = await planFiles(context);
  const out = dir ?? (await tempDir(`cggs-${answers.name}-`));
  for (const file of plan) {
    const target = path.join(out, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content, { mode: file.mode });
  }
  return { dir: out, context, files: plan.map((f) => f.path) };
}

/** Path to a pinned Go tool installed by scripts/install-tools.sh, or the PATH name as a fallback. */
export function tool(name: string): string {
  return path.resolve(import.meta.dirname, "../../.tools/bin", name);
}

/** In CI nothing may be skipped; on a developer machine a missing tool skips with a message. */
export const inCI = process.env.CI === "true" || process.env.CI === "1";

/** Whether a command is on PATH. */
export const onPath = async (cmd: string) => (await execa("sh", ["-c", `command -v ${cmd}`], { reject: false })).exitCode === 0;

/** A missing tool fails in CI and skips (with the reason printed) on a developer machine. */
export function needTool(name: string, found: boolean): boolean {
  if (found) return true;
  if (inCI) throw new Error(`${name} is required in CI (scripts/install-tools.sh installs it)`);
  console.warn(`skipped: ${name} not installed (run scripts/install-tools.sh)`);
  return false;
}
