// Progressive delivery with Argo Rollouts (issue #11): the rollout-canary component renders where it
// should, its Rollout and AnalysisTemplate validate strictly against the pinned Argo Rollouts CRDs,
// the Rollout drives the Deployment the base really defines, the AnalysisTemplate's PromQL parses with
// Prometheus's own parser (tools/promql-check) and asks only for metrics and labels that the generated
// service really exports (scraped from the running binary) or that the ServiceMonitor adds.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import type { Answers } from "../src/answers/types.js";
import { crossCheck } from "../src/answers/cross-checks.js";
import { inputNaming } from "../src/answers/naming.js";
import { questionFor } from "../src/answers/questions.js";
import { runCli, tempDir } from "./helpers/cli.js";
import { CRD_DIR, crdKey, loadCrdValidators, type K8sObject } from "./helpers/deploy-schemas.js";
import { baseAnswers, inCI } from "./helpers/render.js";
import { kindIn, only, renderOverlays as render, parseManifests as parse, type RenderedOverlays as Rendered } from "./helpers/overlays.js";
import {
  buildPromqlCheck,
  buildService,
  exposedSeries,
  goFound,
  promqlCheck,
  scrapeAfterRequests,
  type PromqlResult,
} from "./helpers/go-service.js";

const ROLLOUT_KEYS = ["argoproj.io/v1alpha1/Rollout", "argoproj.io/v1alpha1/AnalysisTemplate"];
const crdValidators = loadCrdValidators();
const crdsReady = !!crdValidators && ROLLOUT_KEYS.every((k) => crdValidators.has(k));
const crdsMissing = `pinned Argo Rollouts CRDs (${ROLLOUT_KEYS.join(", ")}) not found in ${CRD_DIR}`;
if (!crdsReady && !inCI) console.warn(`skipping Argo Rollouts CRD tests: ${crdsMissing}`);
const goMissing = "go is not on PATH: the service and tools/promql-check are not built";
if (!goFound && !inCI) console.warn(`skipping Go-based Argo Rollouts tests: ${goMissing}`);

/** Labels Prometheus (Operator) puts on every scraped series besides the pod labels asked for. */
const SCRAPE_TARGET_LABELS = ["namespace", "pod", "service", "job", "endpoint", "container", "instance"];
/** Prometheus's label-name sanitising of podTargetLabels (rollouts-pod-template-hash -> rollouts_pod_template_hash). */
const promLabel = (k8sLabel: string) => k8sLabel.replace(/[^a-zA-Z0-9_]/g, "_");

/** Non-default thresholds, so that the test sees the answers flow into the manifests. */
const CANARY: Partial<Answers> = {
  progressive: "argo-rollouts",
  canaryMaxErrorPercent: "0.25",
  canaryMaxP95Ms: 300,
  prometheusUrl: "https://prometheus.example.com:9443/prom",
};

describe("argo-rollouts: three environments", () => {
  let r: Rendered;
  beforeAll(async () => {
    r = await render(CANARY);
  });

  it("switches the canary on in every environment but the first, last among the components", () => {
    expect(r.context.environments.map((e) => [e.name, e.canary])).toEqual([["dev", false], ["staging", true], ["prod", true]]);
    for (const env of r.context.environments) {
      const objects = r.overlays.get(env.name)!;
      expect(kindIn(objects, "Rollout"), env.name).toHaveLength(env.canary ? 1 : 0);
      expect(kindIn(objects, "AnalysisTemplate"), env.name).toHaveLength(env.canary ? 1 : 0);
      expect(env.components.at(-1) === "rollout-canary").toBe(env.canary);
    }
    for (const f of ["kustomization.yaml", "rollout.yaml", "analysistemplate.yaml", "patch-hpa.yaml", "patch-servicemonitor.yaml"])
      expect(r.files).toContain(`deploy/components/rollout-canary/${f}`);
  });

  it.skipIf(!crdsReady && !inCI)("the Rollout and AnalysisTemplate validate strictly against the pinned Argo Rollouts CRDs", () => {
    if (!crdsReady) throw new Error(crdsMissing);
    for (const env of r.context.environments.filter((e) => e.canary)) {
      for (const kind of ["Rollout", "AnalysisTemplate"]) {
        const obj = only(r.overlays.get(env.name)!, kind);
        expect(crdValidators!.get(crdKey(obj))!(obj), `${env.name} ${kind}`).toEqual([]);
      }
    }
  });

  it.skipIf(!crdsReady && !inCI)("negative control: the strict validator rejects a misspelt Rollout field and a wrong type", () => {
    if (!crdsReady) throw new Error(crdsMissing);
    const rollout = only(r.overlays.get("prod")!, "Rollout");
    const typo = structuredClone(rollout);
    typo.spec.workloadRef.scaledown = typo.spec.workloadRef.scaleDown;
    expect(crdValidators!.get(crdKey(typo))!(typo).join("\n")).toMatch(/additional properties.*scaledown/);
    const template = only(r.overlays.get("prod")!, "AnalysisTemplate");
    const badType = structuredClone(template);
    badType.spec.metrics[0].provider.prometheus.timeout = "30s";
    expect(crdValidators!.get(crdKey(badType))!(badType)).not.toEqual([]);
  });

  it("the Rollout takes over the Deployment the base defines, and the HPA follows it", async () => {
    const [baseDeployment] = parse(await readFile(path.join(r.dir, "deploy/base/deployment.yaml"), "utf8"), "base deployment") as any[];
    expect(baseDeployment.kind).toBe("Deployment");
    for (const env of r.context.environments.filter((e) => e.canary)) {
      const objects = r.overlays.get(env.name)!;
      const rollout = only(objects, "Rollout");
      const deployment = only(objects, "Deployment");
      expect(rollout.spec.workloadRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: baseDeployment.metadata.name, scaleDown: "progressively" });
      expect(rollout.spec.workloadRef.name).toBe(deployment.metadata.name);
      // The Deployment stays the one description of the pod; the Rollout selects the same pods.
      expect(rollout.spec.template).toBeUndefined();
      expect(rollout.spec.selector).toEqual(deployment.spec.selector);
      expect(rollout.spec.replicas, "the HPA owns the count").toBeUndefined();
      expect(rollout.metadata.namespace).toBe(env.namespace);
      const hpa = only(objects, "HorizontalPodAutoscaler");
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: rollout.metadata.name });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(env.production ? 2 : 1); // the overlay's sizing still applies
      // No serving pod is removed before its replacement is ready, as with the Deployment.
      expect(rollout.spec.strategy.canary.maxUnavailable).toBe(0);
      expect(rollout.spec.progressDeadlineAbort).toBe(true);
    }
    const dev = r.overlays.get("dev")!;
    expect(only(dev, "HorizontalPodAutoscaler").spec.scaleTargetRef.kind).toBe("Deployment");
  });

  it("canary steps: weights, pauses and analysis steps that run the AnalysisTemplate with every argument it needs", () => {
    for (const env of r.context.environments.filter((e) => e.canary)) {
      const objects = r.overlays.get(env.name)!;
      const rollout = only(objects, "Rollout");
      const template = only(objects, "AnalysisTemplate");
      const steps: any[] = rollout.spec.strategy.canary.steps;
      const kinds = steps.map((s) => Object.keys(s)[0]);
      expect(kinds).toContain("setWeight");
      expect(kinds).toContain("pause");
      expect(kinds.indexOf("analysis")).toBeGreaterThan(kinds.indexOf("pause"));
      const weights = steps.filter((s) => "setWeight" in s).map((s) => s.setWeight);
      expect(weights).toEqual([...weights].sort((a, b) => a - b));
      expect(weights.every((w) => w > 0 && w < 100)).toBe(true);
      const needed = template.spec.args.filter((a: any) => a.value === undefined && a.valueFrom === undefined).map((a: any) => a.name).sort();
      for (const step of steps.filter((s) => "analysis" in s)) {
        expect(step.analysis.templates).toEqual([{ templateName: template.metadata.name }]);
        const given = step.analysis.args.map((a: any) => a.name).sort();
        expect(given).toEqual(needed);
        // The canary's own pods: the pod-template hash of the latest ReplicaSet.
        const hash = step.analysis.args.find((a: any) => a.valueFrom?.podTemplateHashValue);
        expect(hash.valueFrom.podTemplateHashValue).toBe("Latest");
      }
    }
  });

  it("the analysis uses the answers: Prometheus address and both thresholds", () => {
    const template = only(r.overlays.get("prod")!, "AnalysisTemplate");
    const metrics: any[] = template.spec.metrics;
    expect(metrics.map((m) => m.name).sort()).toEqual(["error-rate", "latency-p95"]);
    for (const m of metrics) {
      expect(m.provider.prometheus.address).toBe(CANARY.prometheusUrl);
      expect(Number(m.count)).toBeGreaterThan(0); // a step analysis must end
      expect(m.interval).toMatch(/^\d+[sm]$/);
    }
    expect(metrics.find((m) => m.name === "error-rate").successCondition).toBe(`result[0] <= ${CANARY.canaryMaxErrorPercent}`);
    expect(metrics.find((m) => m.name === "latency-p95").successCondition).toBe(`result[0] <= ${CANARY.canaryMaxP95Ms}`);
  });

  it("the ServiceMonitor copies the rollouts pod-template hash onto the metrics where the canary runs", () => {
    for (const env of r.context.environments) {
      const sm = only(r.overlays.get(env.name)!, "ServiceMonitor");
      expect(sm.spec.podTargetLabels ?? [], env.name).toEqual(env.canary ? ["rollouts-pod-template-hash"] : []);
    }
  });

  it("Argo CD's AppProject allows the two new kinds", async () => {
    const [project] = parse(await readFile(path.join(r.dir, "deploy/argocd/appproject.yaml"), "utf8"), "appproject") as any[];
    expect(project.spec.namespaceResourceWhitelist).toEqual(
      expect.arrayContaining([
        { group: "argoproj.io", kind: "Rollout" },
        { group: "argoproj.io", kind: "AnalysisTemplate" },
      ]),
    );
  });

  it("the README explains both paths and how to roll back", async () => {
    const readme = await readFile(path.join(r.dir, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### When a bad version is pushed"), readme.indexOf("### Rolling back"));
    expect(section).toContain("maxUnavailable: 0");
    expect(section).toContain("progressDeadlineSeconds");
    expect(section).toMatch(/aborts/);
    expect(section).toContain(`${CANARY.canaryMaxErrorPercent}%`);
    expect(section).toContain(`${CANARY.canaryMaxP95Ms} ms`);
    expect(section).toMatch(/Git still names the bad tag/);
    expect(section).toContain("- `dev`: by the Deployment's **rolling update**");
    expect(section).toContain("- `prod`: as an **Argo Rollouts canary**");
    expect(readme).toContain("git revert <commit>");
  });

  describe.skipIf(!goFound && !inCI)("PromQL and the service's real metrics", () => {
    let tools: string;
    let checker: string;
    let queries: { name: string; query: string }[];
    let args: Record<string, string>;
    let parsed: PromqlResult[];

    beforeAll(async () => {
      if (!goFound) throw new Error(goMissing);
      tools = await tempDir("promql-check-");
      checker = await buildPromqlCheck(tools);
      const template = only(r.overlays.get("prod")!, "AnalysisTemplate");
      queries = template.spec.metrics.map((m: any) => ({ name: m.name, query: m.provider.prometheus.query }));
      // Sample values, as the Rollout would pass them (a pod-template hash, the namespace).
      args = { "canary-hash": "6d4f8c9b7", namespace: r.context.environments[2].namespace };
      expect(template.spec.args.map((a: any) => a.name).sort()).toEqual(Object.keys(args).sort());
      const run = await promqlCheck(checker, queries, args);
      expect(run.exitCode, run.stderr).toBe(0);
      parsed = run.results;
    }, 300_000);

    it("every query parses with Prometheus's parser into one instant vector", () => {
      expect(parsed.map((p) => p.name)).toEqual(queries.map((q) => q.name));
      for (const p of parsed) {
        expect(p.error, p.name).toBeUndefined();
        expect(p.type, p.name).toBe("vector");
        expect(p.query).not.toContain("{{");
        expect(p.query).toContain(`rollouts_pod_template_hash="${args["canary-hash"]}"`);
      }
    });

    it("negative controls: a broken expression and a placeholder without a value are rejected", async () => {
      const broken = await promqlCheck(checker, [{ name: "broken", query: 'sum(rate(http_requests_total{code=~"5.."}[2m])' }], {});
      expect(broken.exitCode).toBe(1);
      expect(broken.results[0].error).toMatch(/parse error/);
      const badMatcher = await promqlCheck(checker, [{ name: "bad", query: 'http_requests_total{code=~"5.."' }], {});
      expect(badMatcher.exitCode).toBe(1);
      const unfilled = await promqlCheck(checker, queries, { namespace: "x" });
      expect(unfilled.exitCode).toBe(1);
      expect(unfilled.stderr).toContain("args.canary-hash");
    });

    it("every metric a query uses is exported by the running service, with every label it filters on", async () => {
      const bin = await buildService(r.dir, r.context);
      const text = await scrapeAfterRequests(bin, r.context, ["/v1/hello/gopher", "/v1/hello/canary", "/no-such-route"]);
      const series = exposedSeries(text);
      const podLabels = only(r.overlays.get("prod")!, "ServiceMonitor").spec.podTargetLabels.map(promLabel);
      expect(podLabels).toContain("rollouts_pod_template_hash");
      const used = [...new Set(parsed.flatMap((p) => p.metrics))].sort();
      expect(used).toEqual(["http_request_duration_seconds_bucket", "http_requests_total"]);
      for (const p of parsed) {
        const exported = new Set(series.filter((s) => p.metrics.includes(s.name)).flatMap((s) => s.labels));
        for (const metric of p.metrics) expect(series.some((s) => s.name === metric), `${metric} in /metrics`).toBe(true);
        for (const label of p.labels) {
          expect(exported.has(label) || SCRAPE_TARGET_LABELS.includes(label) || podLabels.includes(label), `${p.name}: label ${label}`).toBe(true);
        }
      }
      // The labels the queries depend on come from where the test says they do.
      const requests = series.filter((s) => s.name === "http_requests_total");
      expect(requests.length).toBeGreaterThan(0);
      for (const s of requests) expect(s.labels.sort()).toEqual(["code", "method", "route"]);
    }, 300_000);
  });
});

describe("argo-rollouts: one environment", () => {
  it("the only environment gets the canary", async () => {
    const r = await render({ ...CANARY, gitops: "none", environments: ["prod"], secret: [] });
    expect(r.context.environments[0].canary).toBe(true);
    const objects = r.overlays.get("prod")!;
    expect(only(objects, "Rollout").spec.workloadRef.name).toBe(only(objects, "Deployment").metadata.name);
    if (crdsReady) for (const kind of ["Rollout", "AnalysisTemplate"]) expect(crdValidators!.get(crdKey(only(objects, kind)))!(only(objects, kind))).toEqual([]);
  });
});

describe("progressive none", () => {
  it("writes no Rollout, no component and the same overlays as before", async () => {
    const r = await render({});
    expect(r.files.some((f) => f.includes("rollout"))).toBe(false);
    for (const [env, objects] of r.overlays) {
      expect(kindIn(objects, "Rollout"), env).toEqual([]);
      expect(only(objects, "HorizontalPodAutoscaler").spec.scaleTargetRef.kind).toBe("Deployment");
      expect(only(objects, "ServiceMonitor").spec.podTargetLabels).toBeUndefined();
    }
    const readme = await readFile(path.join(r.dir, "README.md"), "utf8");
    expect(readme).toContain("--progressive argo-rollouts");
  });
});

describe("progressive answers: validators and cross-checks", () => {
  const validate = (name: keyof Answers, value: unknown) => questionFor(name)!.validate(value as never);

  it("thresholds: a percentage below 100, a p95 the histogram can measure, an http(s) Prometheus", () => {
    for (const ok of ["1", "0.5", "0.001", "99.999", "5"]) expect(validate("canaryMaxErrorPercent", ok), ok).toBeUndefined();
    for (const bad of ["0", "0.0", "100", "1%", "-1", "1.2345", "abc", "", " 1"]) expect(validate("canaryMaxErrorPercent", bad), bad).toBeDefined();
    for (const ok of [10, 300, 10000]) expect(validate("canaryMaxP95Ms", ok), String(ok)).toBeUndefined();
    for (const bad of [0, 9, 10001, 2.5]) expect(validate("canaryMaxP95Ms", bad), String(bad)).toBeDefined();
    for (const ok of ["http://prometheus-operated.monitoring.svc:9090", "https://prom.example.com/prometheus"])
      expect(validate("prometheusUrl", ok), ok).toBeUndefined();
    for (const bad of ["prometheus:9090", "ftp://prom", "http://user:pw@prom:9090", "http://prom:9090/?q=1", "http://prom/{{args.x}}"])
      expect(validate("prometheusUrl", bad), bad).toBeDefined();
    // The defaults are valid.
    for (const name of ["canaryMaxErrorPercent", "canaryMaxP95Ms", "prometheusUrl", "progressive"] as const)
      expect(validate(name, questionFor(name)!.default!({}))).toBeUndefined();
  });

  it("cross-checks name both flags", () => {
    const all = new Set<keyof Answers>();
    const withFlux = crossCheck({ ...baseAnswers, gitops: "flux", progressive: "argo-rollouts" }, all);
    expect(withFlux.map((p) => p.text).join("\n")).toMatch(/--progressive argo-rollouts.*--gitops flux.*Flagger.*--progressive flagger/);
    expect(withFlux.map((p) => p.fields)).toEqual([["progressive", "gitops"]]);
    const noMonitoring = crossCheck({ ...baseAnswers, monitoring: false, progressive: "argo-rollouts" }, all);
    expect(noMonitoring.map((p) => p.text).join("\n")).toMatch(/--progressive argo-rollouts needs --monitoring/);
    const stray = crossCheck({ ...baseAnswers, canaryMaxP95Ms: 300 }, new Set(["canaryMaxP95Ms"] as const));
    expect(stray).toEqual([{ fields: ["canaryMaxP95Ms", "progressive"], text: "--canary-max-p95-ms applies only with --progressive argo-rollouts or flagger (got --progressive none)" }]);
    // A host names its inputs instead, from the same problem.
    expect(crossCheck({ ...baseAnswers, canaryMaxP95Ms: 300 }, new Set(["canaryMaxP95Ms"] as const), inputNaming("input."))[0].text).toBe(
      "input.canaryMaxP95Ms applies only with input.progressive: argo-rollouts or flagger (got input.progressive: none)",
    );
    expect(crossCheck({ ...baseAnswers, progressive: "argo-rollouts" }, all)).toEqual([]);
    expect(crossCheck({ ...baseAnswers, gitops: "none", progressive: "argo-rollouts" }, all)).toEqual([]);
  });

  it("the CLI refuses --gitops flux with --progressive argo-rollouts (exit 2) and writes nothing", async () => {
    const cwd = await tempDir();
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--no-git", "--gitops", "flux", "--progressive", "argo-rollouts"], { cwd });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toContain("--progressive argo-rollouts");
    expect(run.stderr).toContain("--gitops flux");
    expect((await execa("ls", ["-A", cwd])).stdout).toBe("");
  });

  it("the CLI writes the canary with --progressive argo-rollouts and the thresholds by flag", async () => {
    const cwd = await tempDir();
    const run = await runCli(
      ["svc", "--yes", "--owner", "acme", "--no-git", "--progressive", "argo-rollouts", "--canary-max-error-percent", "0.5", "--canary-max-p95-ms", "250"],
      { cwd },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const template = await readFile(path.join(cwd, "svc/deploy/components/rollout-canary/analysistemplate.yaml"), "utf8");
    expect(template).toContain(`successCondition: "result[0] <= 0.5"`);
    expect(template).toContain(`successCondition: "result[0] <= 250"`);
  });
});
