// Issue #27, "Must show": the outside reviewer's scanners run in the suite on the generated variants.
// - kube-score (test-only, pinned in scripts/install-tools.sh) on every rendered overlay of the default,
//   Flux + GitLab, ApplicationSet + Argo Rollouts and Flagger variants; what it finds is either fixed
//   or allowed, with the reason, in test/kube-score-allowlist.yaml, which must not go stale.
// - gosec runs inside golangci-lint with the generated .golangci.yml (test/go-service.test.ts runs it
//   clean); here a planted command injection and credential must make that config fail.
// - actionlint with shellcheck runs clean on every generated workflow (test/ci.test.ts,
//   test/security.test.ts); here a planted script injection and unquoted variable must fail it.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { parse, parseAllDocuments, stringify } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { needTool, onPath, renderToDir, tool } from "./helpers/render.js";
import { GO_ENV, goFound } from "./helpers/go-service.js";
import type { Answers } from "../src/answers/types.js";

type Yaml = Record<string, any>;
/** One kube-score complaint: a check graded below OK (not skipped) on one object of one overlay. */
interface Finding { variant: string; env: string; components: string[]; kind: string; name: string; check: string; summary: string; path: string }
interface AllowEntry { check: string; kind: string; summary: string; environments?: string[]; components?: string[]; reason: string }

const KUBE_SCORE = tool("kube-score");
const ALLOWLIST = path.resolve(import.meta.dirname, "kube-score-allowlist.yaml");
// The Kubernetes the GitOps loop test runs (tools/cluster/kube/go.mod), so stable-version judges
// the API versions against the cluster they are applied to, not kube-score's default v1.18.
const KUBE_VERSION = /^require k8s\.io\/kubernetes v(\d+\.\d+)\.\d+$/m.exec(
  await readFile(path.resolve(import.meta.dirname, "../tools/cluster/kube/go.mod"), "utf8"),
)![1];

const variants: [string, Partial<Answers>][] = [
  ["default", {}],
  ["flux-gitlab", { ci: "gitlab", gitops: "flux", repoUrl: "https://gitlab.com/acme/platform/my-svc.git", registry: "registry.gitlab.com/acme/platform" }],
  ["applicationset-rollouts", { argocdMode: "applicationset", progressive: "argo-rollouts" }],
  ["flux-flagger", { gitops: "flux", progressive: "flagger" }],
];


/** kube-score on one rendered overlay, every default check plus the seccomp one; no annotation can silence a check. */
async function kubeScore(file: string, where: Omit<Finding, "kind" | "name" | "check" | "summary" | "path">): Promise<Finding[]> {
  const args = ["score", "-o", "json", "--kubernetes-version", `v${KUBE_VERSION}`, "--enable-optional-test", "container-seccomp-profile", "--disable-ignore-checks-annotations", file];
  const result = await execa(KUBE_SCORE, args, { reject: false });
  // Exit 1 is kube-score's "a critical finding"; anything else (or stderr) is a failure to run.
  expect([0, 1], result.stderr).toContain(result.exitCode);
  expect(result.stderr).toBe("");
  const findings: Finding[] = [];
  for (const obj of JSON.parse(result.stdout) as Yaml[]) {
    for (const c of (obj.checks ?? []) as Yaml[]) {
      if (c.skipped || c.grade >= 10) continue; // 10 is kube-score's AllOK; 7 AlmostOK, 5 Warning, 1 Critical
      const comments = (c.comments ?? []) as Yaml[];
      for (const m of comments.length ? comments : [{ summary: "", path: "" }]) {
        findings.push({ ...where, kind: obj.type_meta.kind, name: obj.object_meta.name, check: c.check.id, summary: m.summary, path: m.path });
      }
    }
  }
  return findings;
}

const allows = (e: AllowEntry, f: Finding) =>
  e.check === f.check && e.kind === f.kind && e.summary === f.summary && (!e.environments || e.environments.includes(f.env)) && (!e.components || e.components.some((c) => f.components.includes(c)));
const show = (f: Finding) => `${f.variant}/${f.env} ${f.kind}/${f.name} ${f.check}: ${f.path ? `(${f.path}) ` : ""}${f.summary}`;

async function renderOverlays(variant: string, answers: Partial<Answers>, edit?: (objects: Yaml[]) => void): Promise<Finding[]> {
  const r = await renderToDir(answers);
  const findings: Finding[] = [];
  for (const env of r.context.environments) {
    const { stdout } = await execa("kubectl", ["kustomize", `deploy/overlays/${env.name}`], { cwd: r.dir });
    const file = path.join(r.dir, `rendered-${env.name}.yaml`);
    if (edit) {
      const objects = parseAllDocuments(stdout).map((d) => d.toJS() as Yaml);
      edit(objects);
      await writeFile(file, objects.map((o) => stringify(o)).join("---\n"));
    } else await writeFile(file, stdout);
    findings.push(...(await kubeScore(file, { variant, env: env.name, components: env.components })));
  }
  return findings;
}

describe("kube-score on the generated variants (#27)", () => {
  const found = existsSync(KUBE_SCORE);
  let allowlist: AllowEntry[];
  const findings: Finding[] = [];

  beforeAll(async () => {
    allowlist = parse(await readFile(ALLOWLIST, "utf8")) as AllowEntry[];
    if (!found) return;
    for (const [variant, answers] of variants) findings.push(...(await renderOverlays(variant, answers)));
  });

  it("the allow-list names real checks, each entry once, each with a reason", async () => {
    const keys = ["check", "kind", "summary", "environments", "components", "reason"];
    for (const e of allowlist) {
      expect(Object.keys(e).filter((k) => !keys.includes(k)), e.check).toEqual([]);
      expect(e.reason.split(/\s+/).length, `${e.check}: a reason, not a word`).toBeGreaterThan(12);
    }
    expect(new Set(allowlist.map((e) => `${e.check} ${e.kind} ${e.summary}`)).size).toBe(allowlist.length);
    if (!needTool("kube-score", found)) return;
    const { stdout } = await execa(KUBE_SCORE, ["list"]);
    const ids = new Set(stdout.split("\n").map((l) => l.split(",")[0]));
    for (const e of allowlist) expect(ids, e.check).toContain(e.check);
  });

  it("every finding is allowed, with a reason", () => {
    if (!needTool("kube-score", found)) return;
    expect(findings.length, "kube-score ran and found something to judge").toBeGreaterThan(0);
    expect(findings.filter((f) => !allowlist.some((e) => allows(e, f))).map(show)).toEqual([]);
  });

  it("every allow-list entry still allows a finding (none is stale)", () => {
    if (!needTool("kube-score", found)) return;
    expect(allowlist.filter((e) => !findings.some((f) => allows(e, f))).map((e) => `${e.check} ${e.kind}: ${e.summary}`)).toEqual([]);
  });

  it("a Deployment without a readiness probe, a memory limit or a read-only root fails it", async () => {
    if (!needTool("kube-score", found)) return;
    const broken = await renderOverlays("default-broken", { environments: ["prod"] }, (objects) => {
      const container = objects.find((o) => o.kind === "Deployment")!.spec.template.spec.containers[0];
      delete container.readinessProbe;
      delete container.resources.limits.memory;
      container.securityContext.readOnlyRootFilesystem = false;
    });
    const refused = broken.filter((f) => !allowlist.some((e) => allows(e, f))).map((f) => `${f.check}: ${f.summary}`);
    expect(refused).toEqual(
      expect.arrayContaining([
        "pod-probes: Container is missing a readinessProbe",
        "container-resources: Memory limit is not set",
        "container-security-context-readonlyrootfilesystem: The pod has a container with a writable root filesystem",
      ]),
    );
  });
});

describe("gosec in the generated golangci-lint config (#27)", () => {
  it.skipIf(!goFound)("flags a planted command injection (G204) and a hard-coded credential (G101)", async () => {
    if (!needTool("golangci-lint", existsSync(tool("golangci-lint")))) return;
    const { dir } = await renderToDir({ env: [], secret: [] });
    await mkdir(path.join(dir, "internal/planted"));
    await writeFile(path.join(dir, "internal/planted/planted.go"), [
      "// Package planted holds what gosec must refuse.",
      "package planted",
      "",
      'import (\n\t"context"\n\t"os"\n\t"os/exec"\n)',
      "",
      "// DatabasePassword is a credential in the source.",
      'const DatabasePassword = "q8Zr4Lw2Xv9Kp3Tn7Yb1Hc6M"',
      "",
      "// Run runs whatever the first argument names.",
      "func Run(ctx context.Context) error {",
      "\treturn exec.CommandContext(ctx, os.Args[1]).Run()",
      "}",
      "",
    ].join("\n"));
    // The generated config as the generated CI runs it; only the planted package, to keep it short.
    // --allow-serial-runners: test/go-service.test.ts may be linting at the same time (see there).
    const lint = await execa(tool("golangci-lint"), ["run", "--allow-serial-runners", "./internal/planted/..."], { cwd: dir, env: GO_ENV, reject: false, all: true });
    expect(lint.exitCode, lint.all).toBe(1);
    expect(lint.all).toMatch(/planted\.go:\d+:\d+: G204: .*\(gosec\)/);
    expect(lint.all).toMatch(/planted\.go:\d+:\d+: G101: .*\(gosec\)/);
  }, 300_000);
});

describe("actionlint with shellcheck on a generated workflow (#27)", () => {
  it("flags a planted script injection and an unquoted variable", async () => {
    if (!needTool("actionlint", existsSync(tool("actionlint")))) return;
    if (!needTool("shellcheck", await onPath("shellcheck"))) return;
    const { dir } = await renderToDir({});
    const file = path.join(dir, ".github/workflows/ci.yaml");
    const ci = parse(await readFile(file, "utf8")) as Yaml;
    const [job] = Object.values(ci.jobs as Record<string, Yaml>);
    job.steps.push({ name: "planted injection", run: 'echo "${{ github.event.pull_request.title }}"' }, { name: "planted word splitting", run: "ls $RUNNER_TEMP" });
    await writeFile(file, stringify(ci));
    const result = await execa(tool("actionlint"), ["-no-color", "-oneline", "-shellcheck", "shellcheck", ".github/workflows/ci.yaml"], { cwd: dir, reject: false });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/"github\.event\.pull_request\.title" is potentially untrusted.*\[expression\]/);
    expect(result.stdout).toMatch(/SC2086.*\[shellcheck\]/);
  });
});
