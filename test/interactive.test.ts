// The real prompts (@inquirer/prompts) driven through a pseudo-terminal, every question answered.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { expect, test } from "vitest";
import { CLI, gitEnv, tempDir } from "./helpers/cli.js";
import { questionList } from "../src/answers/questions.js";

const DRIVER = path.resolve(import.meta.dirname, "helpers/pty-drive.py");
const ENTER = "\r";
const DOWN = "\x1b[B";
const CTRL_C = "\x03";

// [prompt text to wait for, keys to type]; the order is the question table's order.
const script: [string, string][] = [
  ["Service name", ENTER], // keep the directory's name
  ["Git organisation", `acme${ENTER}`],
  ["One-line description", `Takes orders${ENTER}`],
  ["CI system", `${DOWN}${ENTER}`], // gitlab
  ["Go module path", ENTER], // derived default: gitlab.com/acme/orders
  ["HTTP port", `9000${ENTER}`],
  ["Configuration variables", `UPSTREAM_URL, GREETING=hi${ENTER}`],
  ["Secret variables", `API_TOKEN${ENTER}`],
  ["How secrets reach the cluster", ENTER],
  ["Image registry", ENTER],
  ["Git URL", ENTER],
  ["GitOps controller", `${DOWN}${ENTER}`], // flux: so no Argo CD mode question
  ["Environments", `dev,prod${ENTER}`],
  ["Pod size outside production", ENTER],
  ["Pod size in production", `cpu=500m,memory=1Gi,replicas=2-6${ENTER}`],
  ["ServiceMonitor", `n${ENTER}`],
  ["NetworkPolicy", ENTER],
  ["catalog-info", ENTER],
];

const env = { ...gitEnv, PATH: process.env.PATH!, HOME: process.env.HOME ?? "/root", TERM: "xterm" };

test("every question can be answered at a real terminal, and the answers land in the files", async () => {
  // The script covers every question the table would ask for these answers: flux skips argocdMode, argocdProject and
  // progressive (Argo Rollouts is not offered with Flux), and with it the canary thresholds.
  const skipped = ["argocdMode", "argocdProject", "progressive", "canaryMaxErrorPercent", "canaryMaxP95Ms", "prometheusUrl"];
  expect(script.length).toBe(questionList.filter((q) => !skipped.includes(q.name)).length);
  const cwd = await tempDir();
  const run = await execa("python3", [DRIVER, JSON.stringify(script), "--", "node", CLI, "orders"], { cwd, env, extendEnv: false, reject: false });
  expect(run.exitCode, run.stdout).toBe(0);
  const dir = path.join(cwd, "orders");
  expect(await readFile(path.join(dir, "go.mod"), "utf8")).toMatch(/^module gitlab\.com\/acme\/orders$/m);
  const result = run.stdout;
  expect(result).toContain("Wrote");
  expect(result).toContain(".gitlab-ci.yml");
  expect(result).toContain("deploy/flux".split("/")[1]);
  const prod = await readFile(path.join(dir, "deploy/overlays/prod/patch-resources.yaml"), "utf8");
  expect(prod).toMatch(/cpu: "500m"\n\s+memory: "1Gi"\n\s+limits:\n\s+memory: "1Gi"/);
  expect(prod).toMatch(/minReplicas: 2\n\s+maxReplicas: 6/);
});

test("Ctrl-C at a prompt exits 130 and writes nothing", async () => {
  const cwd = await tempDir();
  const run = await execa("python3", [DRIVER, JSON.stringify([["Service name", CTRL_C]]), "--", "node", CLI, "orders"], { cwd, env, extendEnv: false, reject: false });
  expect(run.exitCode, run.stdout).toBe(130);
  expect(run.stdout).toContain("cancelled");
  expect(await execa("ls", ["-A", cwd]).then((r) => r.stdout)).toBe("");
});
