// The Kubernetes / GitOps output (issue #3): every overlay renders with kustomize, every document
// parses, validates (core kinds with kubernetes-models, custom resources strictly against the pinned
// upstream CRDs) and passes kube-linter, and the files agree with each other and with the service.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import type { Context } from "../src/render/context.js";
import { deployCases } from "./helpers/fixtures.js";
import { baseAnswers, inCI, renderToDir, tool } from "./helpers/render.js";
import { parseSizing } from "../src/answers/sizing.js";
import { CRD_DIR, crdKey, loadCrdValidators, validateCoreKind, type K8sObject } from "./helpers/deploy-schemas.js";

/** What the service reads besides the declared env vars (internal/config). */
const BUILT_INS = ["PORT", "ADMIN_PORT", "LOG_LEVEL", "SHUTDOWN_DELAY", "SHUTDOWN_TIMEOUT"];
const CRD_KINDS = ["Application", "ApplicationSet", "AppProject", "GitRepository", "Kustomization", "ServiceMonitor", "PrometheusRule", "ExternalSecret", "Rollout", "AnalysisTemplate", "Alert", "Provider", "Canary", "MetricTemplate", "PodMonitor", "ClusterImagePolicy"];
const KUBE_LINTER = tool("kube-linter");

const crdValidators = loadCrdValidators();
const crdsMissing = `pinned CRDs not found at ${CRD_DIR} (vendored in schemas/crds)`;
const linterMissing = `kube-linter not found at ${KUBE_LINTER} (run scripts/install-tools.sh)`;
if (!crdValidators && !inCI) console.warn(`skipping CRD schema tests: ${crdsMissing}`);
const hasLinter = existsSync(KUBE_LINTER);
if (!hasLinter && !inCI) console.warn(`skipping kube-linter tests: ${linterMissing}`);

/** Parse a YAML stream strictly: duplicate keys, bad indentation and warnings all fail. */
function parseStrict(text: string, where: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text, { strict: true, uniqueKeys: true, prettyErrors: true })) {
    if (doc.errors.length || doc.warnings.length) {
      throw new Error(`${where}: ${[...doc.errors, ...doc.warnings].map((e) => e.message).join("\n")}`);
    }
    const value = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value as K8sObject);
  }
  return objects;
}

function strictCrdErrors(obj: K8sObject): string[] {
  const validate = crdValidators!.get(crdKey(obj));
  if (!validate) return [`no pinned CRD for ${crdKey(obj)}`];
  return validate(obj);
}

/** The dashboard's ConfigMap (deploy/components/dashboard): checked on its own, in test/dashboard.test.ts. */
const isDashboard = (o: K8sObject) => o.kind === "ConfigMap" && o.metadata.labels?.grafana_dashboard === "1";

const one = <T>(objects: T[], what: string): T => {
  expect(objects, what).toHaveLength(1);
  return objects[0];
};

describe.each(deployCases)("deploy: $title", ({ answers }) => {
  let dir: string;
  let context: Context;
  let files: string[];
  /** Rendered overlay (kustomize output) per environment name. */
  const rendered = new Map<string, { file: string; objects: K8sObject[] }>();
  /** Argo CD / Flux files, parsed. */
  let gitopsObjects: { file: string; objects: K8sObject[] }[] = [];
  /** deploy/platform/<env>.yaml, parsed: what the platform applies (namespace, and Flux's account and Role). */
  const platform = new Map<string, K8sObject[]>();

  beforeAll(async () => {
    ({ dir, context, files } = await renderToDir(answers));
    for (const env of context.environments) {
      const { stdout } = await execa("kubectl", ["kustomize", path.join(dir, "deploy/overlays", env.name)]);
      const file = path.join(dir, `rendered-${env.name}.yaml`);
      await writeFile(file, stdout);
      rendered.set(env.name, { file, objects: parseStrict(stdout, `kustomize ${env.name}`) });
    }
    for (const env of context.environments) {
      const file = `deploy/platform/${env.name}.yaml`;
      platform.set(env.name, parseStrict(await readFile(path.join(dir, file), "utf8"), file));
    }
    gitopsObjects = await Promise.all(
      files
        .filter((f) => /^deploy\/(argocd|flux)\/.*\.ya?ml$/.test(f))
        .map(async (file) => ({ file, objects: parseStrict(await readFile(path.join(dir, file), "utf8"), file) })),
    );
  });

  const objectsOf = (env: string, kind: string) => rendered.get(env)!.objects.filter((o) => o.kind === kind && !isDashboard(o));
  const deploymentOf = (env: string): any => one(objectsOf(env, "Deployment"), `${env}: Deployment`);
  const allGitops = () => gitopsObjects.flatMap((g) => g.objects);
  const serviceReads = () => [...BUILT_INS, ...context.env.map((e) => e.name)].sort();

  it("writes one overlay per environment and only the components that are on", () => {
    for (const env of context.environments) {
      expect(files).toContain(`deploy/overlays/${env.name}/kustomization.yaml`);
      expect(files).toContain(`deploy/platform/${env.name}.yaml`);
      // The platform owns the namespace: no overlay may create it (#27 F5).
      expect(files).not.toContain(`deploy/overlays/${env.name}/namespace.yaml`);
      expect(files).toContain(`deploy/overlays/${env.name}/config.env`);
    }
    const components = [...new Set(files.filter((f) => f.startsWith("deploy/components/")).map((f) => f.split("/")[2]))].sort();
    expect(components).toEqual([...new Set(context.environments.flatMap((e) => e.components))].sort());
    for (const env of context.environments) expect(env.components.slice(0, context.kustomizeComponents.length)).toEqual(context.kustomizeComponents);
    expect(files.some((f) => f.startsWith("deploy/argocd/"))).toBe(context.gitops.argocd);
    expect(files.some((f) => f.startsWith("deploy/flux/"))).toBe(context.gitops.flux);
    expect(files.includes("deploy/argocd/applicationset.yaml")).toBe(context.gitops.argocdApplicationSet);
    expect(files).toContain(".kube-linter.yaml");
  });

  it("every generated YAML file parses strictly", async () => {
    const yamlFiles = files.filter((f) => /\.ya?ml$/.test(f) && (f.startsWith("deploy/") || f === ".kube-linter.yaml"));
    expect(yamlFiles.length).toBeGreaterThan(5);
    for (const f of yamlFiles) parseStrict(await readFile(path.join(dir, f), "utf8"), f);
  });

  it("uses no deprecated kustomize fields, no plain Secret, no latest tag, no healthCheck", async () => {
    for (const f of files.filter((x) => x.startsWith("deploy/"))) {
      const text = await readFile(path.join(dir, f), "utf8");
      // healthCheckExprs (Flux reading a Flagger Canary's status, --progressive flagger) is not a healthCheck.
      for (const banned of [/^\s*commonLabels:/m, /^\s*patchesStrategicMerge:/m, /^\s*patchesJson6902:/m, /^\s*vars:/m, /^\s*bases:/m, /^\s*healthCheck(?!Exprs)/m, /:latest\b/, /newTag:\s*latest\b/]) {
        expect(text, `${f} matches ${banned}`).not.toMatch(banned);
      }
      // Only the dashboard's ConfigMap, which no pod mounts, keeps a fixed name (on its own generator).
      if (f !== "deploy/components/dashboard/kustomization.yaml") expect(text, `${f} disables the name hash`).not.toMatch(/disableNameSuffixHash|generatorOptions/);
    }
    for (const env of context.environments) {
      expect(objectsOf(env.name, "Secret"), `${env.name}: no Secret manifest in Git`).toEqual([]);
    }
  });

  it("every overlay has exactly one images entry with one newTag line, set to the placeholder", async () => {
    for (const env of context.environments) {
      const text = await readFile(path.join(dir, "deploy/overlays", env.name, "kustomization.yaml"), "utf8");
      expect(text.match(/^\s*newTag:/gm), `${env.name}: newTag lines`).toHaveLength(1);
      const [k] = parseStrict(text, env.name) as any[];
      expect(k.images).toEqual([{ name: "app", newName: context.image, newTag: context.initialImageTag }]);
      expect(k.namespace).toBe(env.namespace);
      expect(k.resources).toEqual(["../../base", ...(context.monitoring ? ["prometheusrule.yaml"] : [])]);
      expect(k.components ?? []).toEqual(env.components.map((c) => `../../components/${c}`));
      expect(k.configMapGenerator).toEqual([{ name: `${context.name}-config`, behavior: "merge", envs: ["config.env"] }]);
    }
    const [base] = parseStrict(await readFile(path.join(dir, "deploy/base/kustomization.yaml"), "utf8"), "base") as any[];
    expect(base.labels).toContainEqual({ pairs: { "app.kubernetes.io/name": context.name }, includeSelectors: true });
    expect(base.labels.filter((l: any) => l.includeSelectors).length).toBe(1);
    expect(base.configMapGenerator).toEqual([{ name: `${context.name}-config`, envs: ["config.env"] }]);
  });

  it("core kinds validate with kubernetes-models", async () => {
    for (const [env, { objects }] of rendered) {
      const core = objects.filter((o) => !CRD_KINDS.includes(o.kind));
      // Flagger creates and owns the Service of a Flagger canary's environment (flagger-canary deletes ours).
      const canary = context.environments.find((e) => e.name === env)!.canary;
      const service = canary && context.progressive.flagger ? [] : ["Service"];
      expect(core.map((o) => o.kind).sort(), env).toEqual(expect.arrayContaining(["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", ...service, "ServiceAccount"]));
      expect(core.filter((o) => o.kind === "Service"), env).toHaveLength(service.length);
      for (const obj of core) await validateCoreKind(obj);
    }
    // The platform's custom resources (the ClusterImagePolicy of --admission sigstore) are checked below.
    for (const objects of platform.values()) for (const obj of objects) if (!CRD_KINDS.includes(obj.kind)) await validateCoreKind(obj);
  });

  it.skipIf(!crdValidators && !inCI)("custom resources validate strictly against the pinned CRDs", () => {
    if (!crdValidators) throw new Error(crdsMissing);
    const custom = [...[...rendered.values()].flatMap((r) => r.objects), ...allGitops(), ...[...platform.values()].flat()].filter((o) => CRD_KINDS.includes(o.kind));
    expect(custom.length).toBe(
      // With monitoring: a ServiceMonitor and a PrometheusRule per environment.
      context.environments.length * (2 * Number(context.monitoring) + Number(context.secretsProvider.externalSecrets)) +
        // A Rollout and an AnalysisTemplate; or a Canary, two MetricTemplates and a PodMonitor instead of the ServiceMonitor.
        context.environments.filter((e) => e.canary).length * (context.progressive.flagger ? 3 : 2) +
        (context.gitops.argocd ? Number(context.argocdProject.own) + (context.gitops.argocdApplicationSet ? 1 : context.environments.length) : 0) +
        (context.gitops.flux ? 1 + context.environments.length : 0) +
        (context.notifications.flux ? 2 : 0) +
        // The ClusterImagePolicy, in every environment's platform file.
        (context.imagePolicy.enabled ? context.environments.length : 0),
    );
    for (const obj of custom) expect(strictCrdErrors(obj), `${obj.kind} ${obj.metadata.name}`).toEqual([]);
  });

  it.skipIf(!hasLinter && !inCI)("kube-linter reports no findings on any overlay", async () => {
    if (!hasLinter) throw new Error(linterMissing);
    for (const [env, { file }] of rendered) {
      const result = await execa(KUBE_LINTER, ["lint", "--config", path.join(dir, ".kube-linter.yaml"), file], { reject: false, all: true });
      expect(result.all, `kube-linter on ${env}`).toContain("No lint errors found!");
      expect(result.exitCode, `kube-linter on ${env}: ${result.all}`).toBe(0);
    }
  });

  it("the ConfigMap holds exactly what the service reads; required vars without default are empty and flagged", async () => {
    for (const env of context.environments) {
      const cm: any = one(objectsOf(env.name, "ConfigMap"), `${env.name}: ConfigMap`);
      expect(cm.metadata.name).toMatch(new RegExp(`^${context.name}-config-[a-z0-9]{10}$`));
      expect(Object.keys(cm.data).sort(), env.name).toEqual(serviceReads());
      expect(cm.data.PORT).toBe(String(context.port));
      expect(cm.data.ADMIN_PORT).toBe(String(context.adminPort));
      for (const v of context.env) expect(cm.data[v.name], v.name).toBe(v.required ? "" : v.default);
      const overlayEnv = await readFile(path.join(dir, "deploy/overlays", env.name, "config.env"), "utf8");
      for (const v of context.env.filter((x) => x.required)) {
        const lines = overlayEnv.split("\n");
        const at = lines.indexOf(`${v.name}=`);
        expect(at, `${env.name}/config.env sets ${v.name}=`).toBeGreaterThan(0);
        expect(lines[at - 1]).toMatch(/^#/);
        expect(lines.slice(Math.max(0, at - 3), at).join(" ")).toMatch(new RegExp(`${v.name} MUST be set`));
      }
      const dep = deploymentOf(env.name);
      const envFrom = dep.spec.template.spec.containers[0].envFrom;
      expect(envFrom[0]).toEqual({ configMapRef: { name: cm.metadata.name } });
    }
  });

  it("the rendered Go config reads exactly the ConfigMap keys plus the secrets", async () => {
    const source = await readFile(path.join(dir, "internal/config/config.go"), "utf8");
    const reads = [...source.matchAll(/\bp\.(\w+)\("([A-Z][A-Z0-9_]*)"/g)].map((m) => ({ how: m[1], name: m[2] }));
    const secretNames = reads.filter((r) => r.how === "secret").map((r) => r.name).sort();
    const plainNames = [...new Set(reads.filter((r) => r.how !== "secret").map((r) => r.name))].sort();
    expect(plainNames).toEqual(serviceReads());
    expect(secretNames).toEqual(context.secrets.map((s) => s.name).sort());
    for (const env of context.environments) {
      const cm: any = one(objectsOf(env.name, "ConfigMap"), "ConfigMap");
      expect(Object.keys(cm.data).sort()).toEqual(plainNames);
    }
  });

  it("secrets come from the Secret <name>-secrets, filled by an ExternalSecret when that provider is on", () => {
    for (const env of context.environments) {
      const envFrom = deploymentOf(env.name).spec.template.spec.containers[0].envFrom;
      const refs = envFrom.filter((e: any) => e.secretRef).map((e: any) => e.secretRef.name);
      expect(refs).toEqual(context.hasSecrets ? [`${context.name}-secrets`] : []);
      const es = objectsOf(env.name, "ExternalSecret") as any[];
      if (!context.secretsProvider.externalSecrets) {
        expect(es).toEqual([]);
        continue;
      }
      const [externalSecret] = es;
      expect(es).toHaveLength(1);
      expect(externalSecret.apiVersion).toBe("external-secrets.io/v1");
      expect(externalSecret.spec.target.name).toBe(`${context.name}-secrets`);
      expect(externalSecret.spec.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: "default" });
      expect(externalSecret.spec.data).toEqual(context.secrets.map((s) => ({ secretKey: s.name, remoteRef: { key: s.remoteKey } })));
      // Secret keys and ConfigMap keys together are what the service reads, without overlap.
      const cm: any = one(objectsOf(env.name, "ConfigMap"), "ConfigMap");
      const keys = [...Object.keys(cm.data), ...externalSecret.spec.data.map((d: any) => d.secretKey)].sort();
      expect(keys).toEqual([...serviceReads(), ...context.secrets.map((s) => s.name)].sort());
    }
  });

  it("the Deployment: image, ports, probes, rollout, security, resources", () => {
    for (const env of context.environments) {
      const dep = deploymentOf(env.name);
      const pod = dep.spec.template.spec;
      const [c] = pod.containers;
      expect(pod.containers).toHaveLength(1);
      expect(c.image).toBe(`${context.image}:${context.initialImageTag}`);
      expect(dep.spec.replicas, "the HPA owns replicas").toBeUndefined();
      // Probes: httpGet only, on the named port that is the app's containerPort.
      const portOf = (name: string) => c.ports.find((p: any) => p.name === name)?.containerPort;
      expect(portOf("http")).toBe(context.port);
      expect(portOf("metrics")).toBe(context.adminPort);
      const probes = { startupProbe: "/livez", livenessProbe: "/livez", readinessProbe: "/readyz" };
      for (const [probe, p] of Object.entries(probes)) {
        expect(Object.keys(c[probe]).filter((k) => ["exec", "tcpSocket", "grpc"].includes(k)), probe).toEqual([]);
        expect(c[probe].httpGet.path, probe).toBe(p);
        const port = c[probe].httpGet.port;
        expect(typeof port === "number" ? port : portOf(port), `${probe} port`).toBe(context.port);
      }
      // Rollout that never removes a serving pod first, and fails loudly.
      expect(dep.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      expect(dep.spec.progressDeadlineSeconds).toBeGreaterThan(0);
      expect(dep.spec.minReadySeconds).toBeGreaterThan(0);
      // Graceful shutdown fits in the grace period.
      const cm: any = one(objectsOf(env.name, "ConfigMap"), "ConfigMap");
      const seconds = (d: string) => Number(/^(\d+)s$/.exec(d)![1]);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(seconds(cm.data.SHUTDOWN_DELAY) + seconds(cm.data.SHUTDOWN_TIMEOUT));
      // Pod Security "restricted" plus read-only root filesystem.
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.serviceAccountName).toBe(context.name);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } });
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
      const tmp = c.volumeMounts.find((m: any) => m.mountPath === "/tmp");
      expect(pod.volumes.find((v: any) => v.name === tmp.name).emptyDir).toBeDefined();
      // Memory limit = request; GOMEMLIMIT below it.
      expect(c.resources.limits.memory).toBe(c.resources.requests.memory);
      expect(c.resources.requests.cpu).toBeDefined();
      const mib = (q: string) => {
        const [, n, unit] = /^(\d+)(Mi|Gi)(B)?$/.exec(q)!;
        return Number(n) * (unit === "Gi" ? 1024 : 1);
      };
      const gomemlimit = c.env.find((e: any) => e.name === "GOMEMLIMIT").value;
      expect(mib(gomemlimit)).toBeLessThan(mib(c.resources.limits.memory));
      expect(mib(gomemlimit)).toBeGreaterThanOrEqual(0.8 * mib(c.resources.limits.memory));
    }
  });

  it("Service, HPA, PDB and namespace agree with the Deployment", () => {
    for (const env of context.environments) {
      const dep = deploymentOf(env.name);
      const podLabels = dep.spec.template.metadata.labels;
      expect(dep.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": context.name });
      // With a Flagger canary, Flagger creates the Services and serves from a copy of the Deployment whose
      // pods it labels <name>-primary (test/flagger.test.ts checks the Canary's side).
      const flagger = env.canary && context.progressive.flagger;
      if (!flagger) {
        const svc: any = one(objectsOf(env.name, "Service"), "Service");
        for (const [k, v] of Object.entries(svc.spec.selector)) expect(podLabels[k]).toBe(v);
        expect(svc.spec.ports.map((p: any) => p.targetPort).sort()).toEqual(["http", "metrics"]);
      }
      const hpa: any = one(objectsOf(env.name, "HorizontalPodAutoscaler"), "HPA");
      expect(hpa.spec.scaleTargetRef).toEqual(
        env.canary && context.progressive.argoRollouts
          ? { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: one(objectsOf(env.name, "Rollout"), "Rollout").metadata.name }
          : { apiVersion: "apps/v1", kind: "Deployment", name: dep.metadata.name },
      );
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(env.production ? 2 : 1);
      const pdb: any = one(objectsOf(env.name, "PodDisruptionBudget"), "PDB");
      expect(pdb.spec).toMatchObject({ maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" });
      expect(pdb.spec.selector.matchLabels).toEqual(flagger ? { "app.kubernetes.io/name": `${context.name}-primary` } : dep.spec.selector.matchLabels);
      const ns: any = one(platform.get(env.name)!.filter((o) => o.kind === "Namespace"), "Namespace");
      expect(ns.metadata.name).toBe(env.namespace);
      expect(ns.metadata.labels).toMatchObject({
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
      });
      // Only namespaced objects, all in the environment's namespace.
      for (const o of rendered.get(env.name)!.objects) {
        expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(env.namespace);
      }
    }
  });

  it("each environment has the size its class was given (--resources, --production-resources)", () => {
    for (const env of context.environments) {
      const all = { ...baseAnswers, ...answers };
      const given = parseSizing(env.production ? all.productionResources : all.resources).sizing!;
      const container = deploymentOf(env.name).spec.template.spec.containers[0];
      expect(String(container.resources.requests.cpu), env.name).toBe(given.cpu);
      expect(container.resources.requests.memory).toBe(given.memory);
      expect(container.resources.limits).toEqual({ memory: given.memory, "ephemeral-storage": "128Mi" });
      expect(container.resources.limits).not.toHaveProperty("cpu");
      expect(container.env.find((e: any) => e.name === "GOMEMLIMIT").value).toBe(given.goMemLimit);
      const hpa: any = one(objectsOf(env.name, "HorizontalPodAutoscaler"), "HPA");
      expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([given.minReplicas, given.maxReplicas]);
      // kube-linter's three-replica rule is silenced exactly where fewer were chosen, with the reason.
      const silenced = hpa.metadata.annotations?.["ignore-check.kube-linter.io/hpa-minimum-three-replicas"];
      if (given.minReplicas < 3) expect(silenced, env.name).toMatch(/replicas? (is|are) enough outside production|chosen for production/);
      else expect(silenced, env.name).toBeUndefined();
    }
  });

  it("optional components: NetworkPolicy and ServiceMonitor select the app and its ports", () => {
    for (const env of context.environments) {
      const dep = deploymentOf(env.name);
      const nps = objectsOf(env.name, "NetworkPolicy") as any[];
      expect(nps).toHaveLength(context.networkPolicy ? 1 : 0);
      const flagger = env.canary && context.progressive.flagger;
      for (const np of nps) {
        if (flagger) expect(np.spec.podSelector).toEqual({ matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: [context.name, `${context.name}-primary`] }] });
        else expect(np.spec.podSelector.matchLabels).toEqual(dep.spec.selector.matchLabels);
        const byPort = Object.fromEntries(np.spec.ingress.map((r: any) => [r.ports[0].port, r.from]));
        expect(Object.keys(byPort).sort()).toEqual(["http", "metrics"]);
        expect(byPort.metrics[0].namespaceSelector.matchLabels, "metrics only from a monitoring namespace").toBeDefined();
      }
      const sms = objectsOf(env.name, "ServiceMonitor") as any[];
      // A Flagger canary's environment is scraped by a PodMonitor instead (test/flagger.test.ts).
      expect(sms).toHaveLength(context.monitoring && !flagger ? 1 : 0);
      expect(objectsOf(env.name, "PodMonitor")).toHaveLength(flagger ? 1 : 0);
      if (flagger) continue;
      const svc: any = one(objectsOf(env.name, "Service"), "Service");
      for (const sm of sms) {
        expect(sm.apiVersion).toBe("monitoring.coreos.com/v1");
        for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) expect(svc.metadata.labels[k]).toBe(v);
        expect(sm.spec.endpoints).toEqual([expect.objectContaining({ port: "metrics", path: "/metrics" })]);
        expect(svc.spec.ports.map((p: any) => p.name)).toContain("metrics");
      }
    }
  });

  it("Argo CD: a scoped AppProject (unless the project exists) and one Application per environment pointing at its overlay", () => {
    if (!context.gitops.argocd) return;
    const projects = allGitops().filter((o) => o.kind === "AppProject");
    // An existing project (--argocd-project other than the name) is the platform team's: not written here.
    expect(projects).toHaveLength(context.argocdProject.own ? 1 : 0);
    for (const project of projects as any[]) {
      expect(project.metadata.name).toBe(context.argocdProject.name);
      expect(project.spec.sourceRepos).toEqual([context.repoUrl]);
      expect(project.spec.destinations.map((d: any) => d.namespace).sort()).toEqual(context.environments.map((e) => e.namespace).sort());
      // No cluster-scoped kind at all: the platform creates the namespaces (#27 F5).
      expect(project.spec.clusterResourceWhitelist).toEqual([]);
      // Every namespaced kind an overlay renders is allowed by the project.
      const allowed = new Set(project.spec.namespaceResourceWhitelist.map((r: any) => `${r.group}/${r.kind}`));
      for (const { objects } of rendered.values()) {
        for (const o of objects) {
          const group = o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : "";
          expect(allowed.has(`${group}/${o.kind}`), `${o.kind} allowed by the AppProject`).toBe(true);
        }
      }
    }

    let apps: any[];
    if (context.gitops.argocdApplicationSet) {
      const set: any = one(allGitops().filter((o) => o.kind === "ApplicationSet"), "ApplicationSet");
      expect(set.spec.goTemplate).toBe(true);
      expect(set.spec.goTemplateOptions).toEqual(["missingkey=error"]);
      const elements = set.spec.generators[0].list.elements;
      expect(elements.map((e: any) => e.env)).toEqual(context.environments.map((e) => e.name));
      // Expand the Go template the way Argo CD does for `{{ .key }}` references.
      const expand = (value: unknown, element: Record<string, string>): any =>
        JSON.parse(JSON.stringify(value).replace(/\{\{ \.(\w+) \}\}/g, (_, key: string) => {
          if (!(key in element)) throw new Error(`missing key ${key}`);
          return element[key];
        }));
      apps = elements.map((element: any) => ({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: { ...expand(set.spec.template.metadata, element), namespace: set.metadata.namespace },
        spec: expand(set.spec.template.spec, element),
      }));
      if (crdValidators) for (const app of apps) expect(strictCrdErrors(app), app.metadata.name).toEqual([]);
    } else {
      apps = allGitops().filter((o) => o.kind === "Application");
    }
    expect(apps).toHaveLength(context.environments.length);
    for (const [i, env] of context.environments.entries()) {
      const app = apps[context.gitops.argocdApplicationSet ? i : apps.findIndex((a) => a.spec.source.path === `deploy/overlays/${env.name}`)];
      expect(app, `Application for ${env.name}`).toBeDefined();
      expect(app.metadata.namespace).toBe("argocd");
      expect(app.metadata.finalizers).toEqual(["resources-finalizer.argocd.argoproj.io"]);
      expect(app.spec.project).toBe(context.argocdProject.name);
      expect(app.spec.source).toEqual({ repoURL: context.repoUrl, targetRevision: "main", path: `deploy/overlays/${env.name}` });
      expect(existsSync(path.join(dir, app.spec.source.path, "kustomization.yaml"))).toBe(true);
      expect(app.spec.destination).toEqual({ server: "https://kubernetes.default.svc", namespace: env.namespace });
      expect(app.spec.destination.namespace).toBe(one(platform.get(env.name)!.filter((o) => o.kind === "Namespace"), "Namespace").metadata.name);
      expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(app.spec.syncPolicy.syncOptions).toEqual(expect.arrayContaining(["PruneLast=true", "ServerSideApply=true"]));
      expect(app.spec.syncPolicy.syncOptions).not.toContain("CreateNamespace=true");
      expect(app.spec.syncPolicy.retry.backoff).toBeDefined();
      expect(app.spec.revisionHistoryLimit).toBeGreaterThan(0);
      expect(app.spec).not.toHaveProperty("healthCheck");
    }
  });

  it("Flux: a GitRepository on main and one Kustomization per environment, in promotion order", () => {
    if (!context.gitops.flux) return;
    const repo: any = one(allGitops().filter((o) => o.kind === "GitRepository"), "GitRepository");
    expect(repo.apiVersion).toBe("source.toolkit.fluxcd.io/v1");
    expect(repo.spec.url).toBe(context.repoUrl);
    expect(repo.spec.ref).toEqual({ branch: "main" });
    expect(repo.spec.ignore).toMatch(/!\/deploy/);
    const ks = allGitops().filter((o) => o.kind === "Kustomization") as any[];
    expect(ks).toHaveLength(context.environments.length);
    const names = new Set(ks.map((k) => k.metadata.name));
    for (const env of context.environments) {
      const k = ks.find((x) => x.spec.path === `./deploy/overlays/${env.name}`);
      expect(k, `Kustomization for ${env.name}`).toBeDefined();
      expect(k.apiVersion).toBe("kustomize.toolkit.fluxcd.io/v1");
      expect(existsSync(path.join(dir, k.spec.path, "kustomization.yaml"))).toBe(true);
      expect(k.spec).toMatchObject({ prune: true, wait: true, sourceRef: { kind: "GitRepository", name: repo.metadata.name } });
      expect(k.spec.timeout && k.spec.interval && k.spec.retryInterval).toBeTruthy();
      // Applied as the environment's own account, into its namespace only (#27 F1).
      expect(k.spec.targetNamespace).toBe(env.namespace);
      expect(k.spec.serviceAccountName).toBe(`${context.name}-${env.name}`);
      const mine = platform.get(env.name)!;
      const sa: any = one(mine.filter((o) => o.kind === "ServiceAccount"), `${env.name}: ServiceAccount`);
      expect(sa.metadata).toMatchObject({ name: k.spec.serviceAccountName, namespace: k.metadata.namespace });
      const binding: any = one(mine.filter((o) => o.kind === "RoleBinding"), `${env.name}: RoleBinding`);
      const role: any = one(mine.filter((o) => o.kind === "Role"), `${env.name}: Role`);
      expect(binding.metadata.namespace).toBe(env.namespace);
      expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name });
      expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: sa.metadata.name, namespace: sa.metadata.namespace }]);
      expect(role.metadata.namespace).toBe(env.namespace);
      expect(mine.some((o) => o.kind === "ClusterRole" || o.kind === "ClusterRoleBinding")).toBe(false);
      // The Role writes exactly the kinds the overlay renders (plural resource names), no wildcard;
      // it only reads what Flux's health check of a Deployment reads (its ReplicaSets and pods).
      const resources = (rules: any[]) => new Set(rules.flatMap((r: any) => r.apiGroups.flatMap((g: string) => r.resources.map((res: string) => `${g}/${res}`))));
      const readOnly = role.rules.filter((r: any) => !r.verbs.some((v: string) => !["get", "list", "watch"].includes(v)));
      expect([...resources(readOnly)].sort()).toEqual(["/pods", "apps/replicasets"]);
      const granted = resources(role.rules.filter((r: any) => !readOnly.includes(r)));
      const plural = (kind: string) => kind.toLowerCase().replace(/y$/, "ie") + "s";
      const rendersKinds = new Set(rendered.get(env.name)!.objects.map((o) => `${o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : ""}/${plural(o.kind)}`));
      expect([...granted].sort(), env.name).toEqual([...rendersKinds].sort());
      if (env.previous) {
        expect(k.spec.dependsOn).toEqual([{ name: `${context.name}-${env.previous}` }]);
        expect(names.has(k.spec.dependsOn[0].name)).toBe(true);
      } else expect(k.spec.dependsOn).toBeUndefined();
    }
  });
});

describe("deploy: negative controls", () => {
  const app = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: "x", namespace: "argocd" },
    spec: {
      project: "x",
      source: { repoURL: "https://github.com/acme/x.git", targetRevision: "main", path: "deploy/overlays/dev" },
      destination: { server: "https://kubernetes.default.svc", namespace: "x-dev" },
    },
  };

  it.skipIf(!crdValidators && !inCI)("the strict CRD validator accepts a valid Application and rejects healthCheck and typos", () => {
    if (!crdValidators) throw new Error(crdsMissing);
    expect(strictCrdErrors(app)).toEqual([]);
    const withHealthCheck = structuredClone(app) as any;
    withHealthCheck.spec.healthCheck = { live: { exec: { command: ["curl", "-f", "http://localhost:8080/healthz"] } } };
    expect(strictCrdErrors(withHealthCheck).join("\n")).toMatch(/must NOT have additional properties.*healthCheck/);
    const typo = structuredClone(app) as any;
    typo.spec.source.revision = "main";
    expect(strictCrdErrors(typo)).not.toEqual([]);
    const badFlux = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: { name: "x" }, spec: { interval: "ten minutes", prune: true, sourceRef: { kind: "GitRepository", name: "x" } } };
    expect(strictCrdErrors(badFlux)).not.toEqual([]);
  });

  it("kubernetes-models rejects a malformed Deployment", async () => {
    const bad = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "x" },
      spec: { selector: { matchLabels: { a: "b" } }, template: { spec: { containers: [{ name: "x", image: "x:1", ports: [{ containerPort: "8080" }] }] } } },
    } as unknown as K8sObject;
    await expect(validateCoreKind(bad)).rejects.toThrow(/containerPort/);
  });

  it.skipIf(!hasLinter && !inCI)("kube-linter with the generated config flags a pod without probes or security context", async () => {
    if (!hasLinter) throw new Error(linterMissing);
    const { dir } = await renderToDir({ gitops: "none", environments: ["dev"] });
    const file = path.join(dir, "bad.yaml");
    await writeFile(file, [
      "apiVersion: apps/v1", "kind: Deployment", "metadata: {name: bad, namespace: x}", "spec:",
      "  selector: {matchLabels: {app: bad}}", "  template:", "    metadata: {labels: {app: bad}}", "    spec:",
      "      containers: [{name: bad, image: 'nginx:latest'}]", "",
    ].join("\n"));
    const result = await execa(KUBE_LINTER, ["lint", "--config", path.join(dir, ".kube-linter.yaml"), file], { reject: false, all: true });
    expect(result.exitCode).not.toBe(0);
    for (const check of ["latest-tag", "no-liveness-probe", "no-readiness-probe", "run-as-non-root", "no-read-only-root-fs"]) {
      expect(result.all).toContain(`check: ${check}`);
    }
    // Only the documented checks are off, each with a reason on the line above.
    const config = await readFile(path.join(dir, ".kube-linter.yaml"), "utf8");
    const lines = config.split("\n");
    for (const [i, line] of lines.entries()) {
      if (/^\s+- [a-z-]+$/.test(line)) expect(lines[i - 1], `reason for ${line.trim()}`).toMatch(/^\s+(#|- )/);
    }
  });
});
