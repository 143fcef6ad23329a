// Progressive delivery with Flagger (issue #26): the flagger-canary component renders where it should,
// its Canary, MetricTemplates and PodMonitor validate strictly against the pinned Flagger and
// Prometheus Operator CRDs, the Canary targets the Deployment and HPA the base really defines, the
// objects Flagger creates itself are not also in Git, and the answers are checked together. The
// real controller promoting and rolling back runs in test/gitops.test.ts ("Flagger canary").
// (The kube-linter and server-side dry-run gates run over the flagger cases of deployCases.)
import { readFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import type { Answers } from "../src/answers/types.js";
import { crossCheck } from "../src/answers/cross-checks.js";
import { controllers } from "../src/render/versions.js";
import { runCli, tempDir } from "./helpers/cli.js";
import { CRD_DIR, crdKey, loadCrdValidators, type K8sObject } from "./helpers/deploy-schemas.js";
import { required } from "./helpers/gitops-stack.js";
import { baseAnswers, inCI } from "./helpers/render.js";
import { kindIn, only, renderOverlays as render, parseManifests as parse, type RenderedOverlays as Rendered } from "./helpers/overlays.js";

const FLAGGER_KEYS = ["flagger.app/v1beta1/Canary", "flagger.app/v1beta1/MetricTemplate", "monitoring.coreos.com/v1/PodMonitor"];
const crdValidators = loadCrdValidators();
const crdsReady = !!crdValidators && FLAGGER_KEYS.every((k) => crdValidators.has(k));
const crdsMissing = `pinned Flagger and PodMonitor CRDs (${FLAGGER_KEYS.join(", ")}) not found in ${CRD_DIR}`;
if (!crdsReady && !inCI) console.warn(`skipping Flagger CRD tests: ${crdsMissing}`);

const CANARY: Partial<Answers> = {
  gitops: "flux",
  progressive: "flagger",
  canaryMaxErrorPercent: "0.25",
  canaryMaxP95Ms: 300,
  prometheusUrl: "https://prometheus.example.com:9443/prom",
};

describe("flagger: three environments", () => {
  let r: Rendered;
  beforeAll(async () => {
    r = await render(CANARY);
  });

  it("switches the canary on in every environment but the first, last among the components", () => {
    expect(r.context.environments.map((e) => [e.name, e.canary])).toEqual([["dev", false], ["staging", true], ["prod", true]]);
    for (const env of r.context.environments) {
      const objects = r.overlays.get(env.name)!;
      expect(kindIn(objects, "Canary"), env.name).toHaveLength(env.canary ? 1 : 0);
      expect(kindIn(objects, "MetricTemplate"), env.name).toHaveLength(env.canary ? 2 : 0);
      expect(env.components.at(-1) === "flagger-canary").toBe(env.canary);
      expect(kindIn(objects, "Rollout"), env.name).toEqual([]);
    }
    expect(r.files.some((f) => f.includes("rollout-canary"))).toBe(false);
  });

  it.skipIf(!crdsReady && !inCI)("the Canary, MetricTemplates and PodMonitor validate strictly against the pinned CRDs", () => {
    if (!crdsReady) throw new Error(crdsMissing);
    for (const env of r.context.environments.filter((e) => e.canary)) {
      for (const obj of r.overlays.get(env.name)!.filter((o) => ["Canary", "MetricTemplate", "PodMonitor"].includes(o.kind))) {
        expect(crdValidators!.get(crdKey(obj))!(obj), `${env.name} ${obj.kind} ${obj.metadata.name}`).toEqual([]);
      }
    }
  });

  it.skipIf(!crdsReady && !inCI)("negative control: the strict validator rejects a misspelt Canary field and a wrong type", () => {
    if (!crdsReady) throw new Error(crdsMissing);
    const canary = only(r.overlays.get("prod")!, "Canary");
    const typo = structuredClone(canary);
    typo.spec.analysis.iteration = typo.spec.analysis.iterations;
    expect(crdValidators!.get(crdKey(typo))!(typo).join("\n")).toMatch(/additional properties.*iteration/);
    const badType = structuredClone(canary);
    badType.spec.analysis.metrics[0].thresholdRange.max = "1%";
    expect(crdValidators!.get(crdKey(badType))!(badType)).not.toEqual([]);
  });

  it("the Canary targets the Deployment and HPA the base defines; what Flagger creates is not in Git", () => {
    for (const env of r.context.environments) {
      const objects = r.overlays.get(env.name)!;
      const deployment = only(objects, "Deployment");
      const hpa = only(objects, "HorizontalPodAutoscaler");
      // The HPA keeps scaling the Deployment: Flagger copies it for the primary (autoscalerRef).
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name });
      if (!env.canary) {
        expect(only(objects, "Service").metadata.name).toBe(r.context.name);
        expect(kindIn(objects, "PodMonitor")).toEqual([]);
        continue;
      }
      const canary = only(objects, "Canary");
      expect(canary.spec.provider).toBe("kubernetes");
      expect(canary.spec.targetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name });
      expect(canary.spec.autoscalerRef).toEqual({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: hpa.metadata.name });
      expect(deployment.spec.replicas, "Flagger scales the target to zero: Git must not set a count").toBeUndefined();
      // Flagger owns <name>, <name>-primary and <name>-canary: none may come from Git.
      expect(kindIn(objects, "Service"), env.name).toEqual([]);
      expect(kindIn(objects, "ServiceMonitor"), env.name).toEqual([]);
      // Blue/Green: iterations, no weights (the kubernetes provider cannot shift traffic).
      expect(canary.spec.analysis.iterations).toBeGreaterThan(0);
      expect(canary.spec.analysis.stepWeight).toBeUndefined();
      expect(canary.spec.analysis.maxWeight).toBeUndefined();
      // The service port and the one the container names.
      const ports = deployment.spec.template.spec.containers[0].ports.map((p: any) => p.name);
      expect(ports).toContain(canary.spec.service.targetPort);
      // The PodMonitor scrapes the primary's pods and the canary's, under the ServiceMonitor's job.
      const pm = only(objects, "PodMonitor");
      expect(pm.spec.selector.matchExpressions).toEqual([{ key: "app.kubernetes.io/name", operator: "In", values: [r.context.name, `${r.context.name}-primary`] }]);
      expect(pm.spec.podTargetLabels).toEqual(["app.kubernetes.io/name"]);
      expect(ports).toContain(pm.spec.podMetricsEndpoints[0].port);
      expect(pm.spec.podMetricsEndpoints[0].relabelings).toEqual([{ targetLabel: "job", replacement: r.context.name }]);
      // The load test reaches the canary Service of this namespace.
      const hooks = canary.spec.analysis.webhooks;
      expect(hooks.map((h: any) => h.type)).toEqual(["pre-rollout", "rollout"]);
      for (const h of hooks) expect(h.metadata.cmd).toContain(`http://${r.context.name}-canary.${env.namespace}/`);
    }
  });

  it("the analysis uses the answers: Prometheus address and both thresholds, on the canary's pods", () => {
    const objects = r.overlays.get("prod")!;
    const canary = only(objects, "Canary");
    const metrics: any[] = canary.spec.analysis.metrics;
    expect(metrics.map((m) => m.name).sort()).toEqual(["error-rate", "latency-p95"]);
    expect(metrics.find((m) => m.name === "error-rate").thresholdRange).toEqual({ max: Number(CANARY.canaryMaxErrorPercent) });
    expect(metrics.find((m) => m.name === "latency-p95").thresholdRange).toEqual({ max: CANARY.canaryMaxP95Ms });
    const templates = kindIn(objects, "MetricTemplate");
    for (const m of metrics) {
      const t = templates.find((x) => x.metadata.name === m.templateRef.name);
      expect(t, m.templateRef.name).toBeDefined();
      expect(t.spec.provider).toEqual({ type: "prometheus", address: CANARY.prometheusUrl });
      expect(t.spec.query).toContain('namespace="{{ namespace }}"');
      expect(t.spec.query).toContain('app_kubernetes_io_name="{{ target }}"');
      // No request must never read as a pass: no `or vector(0)` around the whole query.
      expect(t.spec.query.trim()).not.toMatch(/or vector\(0\)\s*$/);
    }
  });

  it("Flux reads the Canary's health where there is one: failed while Git asks for a rolled-back spec", async () => {
    for (const env of r.context.environments) {
      const [k] = parseAllDocuments(await readFile(path.join(r.dir, `deploy/flux/kustomization-${env.name}.yaml`), "utf8")).map((d) => d.toJS());
      if (!env.canary) {
        expect(k.spec.healthCheckExprs, env.name).toBeUndefined();
        continue;
      }
      expect(k.spec.wait).toBe(true);
      expect(k.spec.healthCheckExprs).toEqual([
        {
          apiVersion: "flagger.app/v1beta1",
          kind: "Canary",
          failed: "status.phase == 'Failed' && status.lastAppliedSpec != status.lastPromotedSpec",
          current: "status.phase != 'Failed' || status.lastAppliedSpec == status.lastPromotedSpec",
        },
      ]);
    }
  });

  it("the README says what is shifted, what is measured and what to install", async () => {
    const readme = await readFile(path.join(r.dir, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### When a bad version is pushed"), readme.indexOf("### Rolling back"));
    expect(section).toContain("- `prod`: as a **Flagger Blue/Green canary**");
    expect(section).toContain("- `dev`: by the Deployment's **rolling update**");
    expect(section).toContain("What is shifted");
    expect(section).toContain(`${CANARY.canaryMaxErrorPercent}%`);
    expect(section).toContain(`${CANARY.canaryMaxP95Ms} ms`);
    expect(section).toContain("flagger-loadtester");
    expect(section).toContain(`Flagger ${controllers.flagger}`);
    expect(section).toMatch(/rolls back/);
  });
});

describe("flagger answers: cross-checks and the CLI", () => {
  it("the README's Flagger version is the one the GitOps loop builds", () => {
    expect(required("flagger", "github.com/fluxcd/flagger")).toBe(controllers.flagger);
  });

  it("cross-checks: Flux only, monitoring needed, each with its reason", () => {
    const all = new Set<keyof Answers>();
    expect(crossCheck({ ...baseAnswers, gitops: "flux", progressive: "flagger" }, all)).toEqual([]);
    for (const gitops of ["argocd", "none"] as const) {
      const p = crossCheck({ ...baseAnswers, gitops, progressive: "flagger" }, all);
      expect(p.map((x) => x.fields)).toEqual([["progressive", "gitops"]]);
      expect(p[0].text).toBe(
        `--progressive flagger works only with --gitops flux (got --gitops ${gitops}): Flagger is Flux's progressive delivery controller; ` +
          "with Argo CD or without a GitOps controller use --progressive argo-rollouts",
      );
    }
    const noMonitoring = crossCheck({ ...baseAnswers, gitops: "flux", monitoring: false, progressive: "flagger" }, all);
    expect(noMonitoring.map((x) => x.text)).toEqual([
      "--progressive flagger needs --monitoring: Flagger's analysis reads metrics that only the PodMonitor makes Prometheus scrape",
    ]);
  });

  for (const [title, args, wants] of [
    ["with Argo CD", ["--gitops", "argocd", "--progressive", "flagger"], ["--progressive flagger works only with --gitops flux (got --gitops argocd)"]],
    ["without monitoring", ["--gitops", "flux", "--no-monitoring", "--progressive", "flagger"], ["--progressive flagger needs --monitoring"]],
    // One answer: the last flag wins (as for every choice), and argo-rollouts beside Flux is refused.
    ["with argo-rollouts too", ["--gitops", "flux", "--progressive", "flagger", "--progressive", "argo-rollouts"], ["--progressive argo-rollouts works only with --gitops argocd or none (got --gitops flux)", "use --progressive flagger"]],
  ] as const) {
    it(`the CLI refuses --progressive flagger ${title} (exit 2) and writes nothing`, async () => {
      const cwd = await tempDir();
      const run = await runCli(["svc", "--yes", "--owner", "acme", "--no-git", ...args], { cwd });
      expect(run.exitCode, run.stderr).toBe(2);
      for (const w of wants) expect(run.stderr).toContain(w);
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect((await execa("ls", ["-A", cwd])).stdout).toBe("");
    });
  }

  it("the CLI writes the Flagger canary with --gitops flux --progressive flagger and the thresholds by flag", async () => {
    const cwd = await tempDir();
    const run = await runCli(
      ["svc", "--yes", "--owner", "acme", "--no-git", "--gitops", "flux", "--progressive", "flagger", "--canary-max-error-percent", "0.5", "--canary-max-p95-ms", "250"],
      { cwd },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const canary = await readFile(path.join(cwd, "svc/deploy/components/flagger-canary/canary.yaml"), "utf8");
    expect(canary).toMatch(/thresholdRange:\n\s+max: 0\.5\n/);
    expect(canary).toMatch(/thresholdRange:\n\s+max: 250\n/);
  });
});
