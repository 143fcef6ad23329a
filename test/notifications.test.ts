// Deployment failures routed to Alertmanager (issue #25): the --alertmanager-url answer, the Flux
// Provider and Alert (validated strictly against the pinned notification-controller CRDs and tied to
// the objects they watch by name), the Argo CD and Argo Rollouts subscription annotations, and the
// README's platform part (its webhook template renders to the alert JSON Alertmanager's API takes).
// Each object exists only for its GitOps engine and only with --monitoring.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { describe, expect, it, test } from "vitest";
import type { Answers } from "../src/answers/types.js";
import { crossCheck } from "../src/answers/cross-checks.js";
import { questionFor } from "../src/answers/questions.js";
import { resolveAnswers } from "../src/answers/resolve.js";
import { parseCliArgs } from "../src/cli/args.js";
import { CRD_DIR, crdKey, loadCrdValidators, type K8sObject } from "./helpers/deploy-schemas.js";
import { baseAnswers, inCI, renderToDir } from "./helpers/render.js";
import { failure } from "./helpers/user-error.js";

const crdValidators = loadCrdValidators();
const NOTIFICATION_KEYS = ["notification.toolkit.fluxcd.io/v1beta3/Provider", "notification.toolkit.fluxcd.io/v1beta3/Alert"];
const crdsReady = !!crdValidators && NOTIFICATION_KEYS.every((k) => crdValidators.has(k));
const crdsMissing = `pinned Flux notification CRDs (${NOTIFICATION_KEYS.join(", ")}) not found in ${CRD_DIR}`;
if (!crdsReady && !inCI) console.warn(`skipping Flux notification CRD tests: ${crdsMissing}`);

const DEFAULT_URL = "http://alertmanager-operated.monitoring.svc:9093/api/v2/alerts";
/** `notifications.argoproj.io/subscribe.<trigger>.<service>` (Argo CD and Argo Rollouts docs, "Subscriptions"). */
const SUBSCRIPTION = /^notifications\.argoproj\.io\/subscribe\.([a-z0-9-]+)\.([a-zA-Z0-9_-]+)$/;

const validate = (value: unknown) => questionFor("alertmanagerUrl")!.validate(value as never);

describe("--alertmanager-url", () => {
  test.each([
    [DEFAULT_URL],
    ["https://alertmanager.example.com/api/v2/alerts/"],
    ["http://monitoring.example.com:9443/alertmanager/api/v2/alerts"],
  ])("accepts %s", (url) => expect(validate(url)).toBeUndefined());

  test.each([
    ["alertmanager.monitoring.svc/api/v2/alerts", /has no scheme/],
    ["ftp://alertmanager/api/v2/alerts", /uses 'ftp:'/],
    ["http://user:pw@alertmanager:9093/api/v2/alerts", /credentials \(put them in a Secret/],
    ["http://alertmanager:9093/api/v2/alerts?receiver=x", /query or fragment/],
    ["http://alertmanager:9093/api/v2/alerts#x", /query or fragment/],
    ["http://alertmanager:9093", /does not end in \/api\/v2\/alerts/],
    ["http://alertmanager:9093/api/v1/alerts", /does not end in \/api\/v2\/alerts/],
    ["http://alertmanager/{{x}}/api/v2/alerts", /path that is not segments/],
  ])("refuses %s", (url, why) => expect(validate(url)).toMatch(why));

  test("the default is valid and the answers-file schema agrees with the validator on every case above", () => {
    const q = questionFor("alertmanagerUrl")!;
    expect(q.default!({})).toBe(DEFAULT_URL);
    const pattern = new RegExp(q.schema!.pattern as string);
    for (const ok of [DEFAULT_URL, "https://alertmanager.example.com/api/v2/alerts/"]) expect(ok).toMatch(pattern);
    for (const bad of ["http://user:pw@a/api/v2/alerts", "http://a/api/v2/alerts?x=1", "http://a:9093"]) expect(bad).not.toMatch(pattern);
  });

  test("asked only with monitoring and a GitOps engine; a flag without them is refused naming both", async () => {
    const q = questionFor("alertmanagerUrl")!;
    expect(q.when!({ monitoring: true, gitops: "flux" })).toBe(true);
    expect(q.when!({ monitoring: true, gitops: "none" })).toBe(false);
    expect(q.when!({ monitoring: false, gitops: "argocd" })).toBe(false);
    const given = new Set<keyof Answers>(["alertmanagerUrl"]);
    expect(crossCheck({ ...baseAnswers, gitops: "none" }, given).map((p) => p.fields)).toEqual([["alertmanagerUrl", "gitops"]]);
    expect(crossCheck({ ...baseAnswers, monitoring: false }, given).map((p) => p.text)).toEqual([
      "--alertmanager-url applies only with --monitoring and --gitops argocd or flux (got --no-monitoring): only a GitOps controller sends deployment failures",
    ]);
    expect(crossCheck({ ...baseAnswers, gitops: "flux" }, given)).toEqual([]);
    // Through the CLI's own parsing: the flag, its validator, exit 2.
    const args = parseCliArgs(["svc", "--owner", "acme", "--alertmanager-url", "http://am:9093"]);
    const error = await failure(resolveAnswers({ directory: args.directory, flags: args.flags, yes: true }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/--alertmanager-url.*does not end in \/api\/v2\/alerts/);
  });
});

function parseDocs(text: string, where: string): K8sObject[] {
  return parseAllDocuments(text, { strict: true, uniqueKeys: true }).map((doc) => {
    if (doc.errors.length) throw new Error(`${where}: ${doc.errors.map((e) => e.message).join("\n")}`);
    return doc.toJS() as K8sObject;
  });
}

async function gitopsObjects(dir: string, files: string[]): Promise<K8sObject[]> {
  const docs = await Promise.all(files.filter((f) => /^deploy\/(argocd|flux)\/.*\.yaml$/.test(f)).map(async (f) => parseDocs(await readFile(path.join(dir, f), "utf8"), f)));
  return docs.flat();
}

const subscriptions = (annotations: Record<string, string> | undefined) =>
  Object.keys(annotations ?? {})
    .filter((k) => k.startsWith("notifications.argoproj.io/"))
    .map((k) => {
      const m = SUBSCRIPTION.exec(k);
      if (!m) throw new Error(`${k} does not follow notifications.argoproj.io/subscribe.<trigger>.<service>`);
      return `${m[1]}.${m[2]}`;
    })
    .sort();

const URL_ANSWER: Partial<Answers> = { alertmanagerUrl: "https://alertmanager.example.com/am/api/v2/alerts" };

describe("Flux: a Provider and an Alert beside the GitRepository and Kustomizations", () => {
  it.skipIf(!crdsReady && !inCI)("validate strictly, post to the answer's address, and watch exactly the service's GitRepository and Kustomizations", async () => {
    if (!crdsReady) throw new Error(crdsMissing);
    const { dir, context, files } = await renderToDir({ ...URL_ANSWER, gitops: "flux" });
    expect(files).toEqual(expect.arrayContaining(["deploy/flux/alertmanager-provider.yaml", "deploy/flux/alert.yaml"]));
    const objects = await gitopsObjects(dir, files);
    for (const o of objects.filter((x) => x.apiVersion.startsWith("notification."))) expect(crdValidators!.get(crdKey(o))!(o), o.kind).toEqual([]);
    const [provider] = objects.filter((o) => o.kind === "Provider") as any[];
    const [alert] = objects.filter((o) => o.kind === "Alert") as any[];
    expect(provider.spec).toEqual({ type: "alertmanager", address: URL_ANSWER.alertmanagerUrl });
    expect(alert.spec.providerRef).toEqual({ name: provider.metadata.name });
    expect(alert.spec.eventSeverity).toBe("error");
    // An Alert sees only objects in its own namespace (unless a source names another): all in flux-system.
    const watched = objects.filter((o) => o.kind === "GitRepository" || o.kind === "Kustomization");
    expect(watched).toHaveLength(1 + context.environments.length);
    for (const o of [provider, ...watched]) expect(o.metadata.namespace).toBe(alert.metadata.namespace);
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(alert.spec.eventSources.sort(byName)).toEqual(watched.map((o) => ({ kind: o.kind, name: o.metadata.name })).sort(byName));
    expect(alert.spec.eventMetadata).toEqual({ summary: `${context.name} failed to deploy`, service: context.name });
    // Negative control: the same validator refuses a provider type and a severity Flux does not have.
    const badType = structuredClone(provider);
    badType.spec.type = "alert-manager";
    expect(crdValidators!.get(crdKey(badType))!(badType).join("\n")).toMatch(/allowed values/);
    const badSeverity = structuredClone(alert);
    badSeverity.spec.eventSeverity = "warning";
    expect(crdValidators!.get(crdKey(badSeverity))!(badSeverity)).not.toEqual([]);
  });

  it("none without monitoring, and the README says so only when they exist", async () => {
    const off = await renderToDir({ gitops: "flux", monitoring: false });
    expect(off.files.filter((f) => /alert/.test(f))).toEqual([]);
    expect(await readFile(path.join(off.dir, "README.md"), "utf8")).not.toContain("Alerts and dashboards");
    const on = await renderToDir({ ...URL_ANSWER, gitops: "flux" });
    const readme = await readFile(path.join(on.dir, "README.md"), "utf8");
    expect(readme).toContain("### Deployment notifications");
    expect(readme).toContain(URL_ANSWER.alertmanagerUrl);
    expect(readme).toContain("notification-controller");
    expect(readme).not.toContain("argocd-notifications-cm");
  });
});

describe("Argo CD: subscription annotations and the platform's webhook", () => {
  it.each([
    ["applications", { argocdMode: "applications" }],
    ["applicationset", { argocdMode: "applicationset" }],
  ] as const)("%s: every Application subscribes alertmanager to on-sync-failed and on-health-degraded", async (_, answers) => {
    const { dir, context, files } = await renderToDir(answers);
    const objects = await gitopsObjects(dir, files);
    const metadata = context.gitops.argocdApplicationSet
      ? objects.filter((o) => o.kind === "ApplicationSet").map((s: any) => s.spec.template.metadata)
      : objects.filter((o) => o.kind === "Application").map((a) => a.metadata);
    expect(metadata.length).toBe(context.gitops.argocdApplicationSet ? 1 : context.environments.length);
    for (const m of metadata) {
      expect(subscriptions(m.annotations)).toEqual(["on-health-degraded.alertmanager", "on-sync-failed.alertmanager"]);
      // A webhook takes no recipient: the value is empty.
      expect(Object.values(m.annotations)).toEqual(["", ""]);
    }
    expect(files.some((f) => f.startsWith("deploy/flux/"))).toBe(false);
  });

  it("the canary Rollout subscribes alertmanager to Argo Rollouts' on-rollout-aborted", async () => {
    const { dir, context } = await renderToDir({ progressive: "argo-rollouts" });
    const [rollout] = parseDocs(await readFile(path.join(dir, "deploy/components/rollout-canary/rollout.yaml"), "utf8"), "rollout") as any[];
    expect(subscriptions(rollout.metadata.annotations)).toEqual(["on-rollout-aborted.alertmanager"]);
    const readme = await readFile(path.join(dir, "README.md"), "utf8");
    expect(readme).toContain("argo-rollouts-notification-configmap");
    expect(context.notifications.argocd).toBe(true);
  });

  it("no annotations without monitoring, nor with gitops none", async () => {
    const off = await renderToDir({ monitoring: false });
    for (const o of await gitopsObjects(off.dir, off.files)) expect(subscriptions(o.metadata.annotations), o.kind).toEqual([]);
    const none = await renderToDir({ gitops: "none", progressive: "argo-rollouts" });
    expect(none.files.some((f) => f.startsWith("deploy/flux/") || f.startsWith("deploy/argocd/"))).toBe(false);
    const [rollout] = parseDocs(await readFile(path.join(none.dir, "deploy/components/rollout-canary/rollout.yaml"), "utf8"), "rollout") as any[];
    expect(rollout.metadata.annotations).toBeUndefined();
    expect(await readFile(path.join(none.dir, "README.md"), "utf8")).not.toContain("### Deployment notifications");
  });

  it("the README's argocd-notifications-cm part parses, points at the answer, and its template renders to Alertmanager's alert JSON", async () => {
    const { dir, context } = await renderToDir(URL_ANSWER);
    const readme = await readFile(path.join(dir, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Deployment notifications"), readme.indexOf("## Images, tags and promotion"));
    const block = /```yaml\n([\s\S]*?)```/.exec(section)![1];
    const cm = parse(block) as Record<string, string>;
    const service = parse(cm["service.webhook.alertmanager"]);
    expect(service.url).toBe(URL_ANSWER.alertmanagerUrl);
    expect(service.headers).toContainEqual({ name: "Content-Type", value: "application/json" });
    const webhook = parse(cm["template.app-sync-failed"]).webhook.alertmanager;
    expect(webhook.method).toBe("POST");
    // Render the Go template the way notifications-engine would, for an Application of this service,
    // including a message that needs JSON escaping (sprig's toJson).
    const app = { metadata: { name: `${context.name}-dev` }, spec: { destination: { namespace: context.environments[0].namespace } }, status: { operationState: { message: 'one or more objects failed: "quoted"\nnext line' } } };
    const body = webhook.body.replace(/\{\{\s*\.app\.([\w.]+)(\s*\|\s*toJson)?\s*\}\}/g, (_: string, p: string, json?: string) => {
      const value = p.split(".").reduce((o: any, k) => o[k], app);
      return json ? JSON.stringify(value) : value;
    });
    expect(body).not.toContain("{{");
    // Alertmanager's POST /api/v2/alerts takes an array of alerts, each with labels (alertname required).
    const alerts = JSON.parse(body);
    expect(alerts).toEqual([
      {
        labels: { alertname: "ArgoCDSyncFailed", severity: "error", application: app.metadata.name, namespace: app.spec.destination.namespace },
        annotations: { summary: `Sync of ${app.metadata.name} failed`, description: app.status.operationState.message },
      },
    ]);
    // The health template's part, written out as well (the GitOps loop applies both as written).
    const health = parse(cm["template.app-health-degraded"]).webhook.alertmanager;
    expect(health.method).toBe("POST");
    const degraded = { ...app, status: { health: { status: "Degraded" } } };
    const healthBody = health.body.replace(/\{\{\s*\.app\.([\w.]+)\s*\}\}/g, (_: string, p: string) => p.split(".").reduce((o: any, k) => o[k], degraded));
    expect(JSON.parse(healthBody)).toEqual([
      {
        labels: { alertname: "ArgoCDHealthDegraded", severity: "error", application: app.metadata.name, namespace: app.spec.destination.namespace },
        annotations: { summary: `${app.metadata.name} is degraded`, description: `Health of ${app.metadata.name} is Degraded` },
      },
    ]);
  });
  it("with the canary, the README's argo-rollouts-notification-configmap part parses, points at the answer, and renders to Alertmanager's alert JSON", async () => {
    const { dir, context } = await renderToDir({ ...URL_ANSWER, gitops: "argocd", progressive: "argo-rollouts" });
    const readme = await readFile(path.join(dir, "README.md"), "utf8");
    const block = /```yaml\n(# argo-rollouts-notification-configmap[^\n]*\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(block, "a yaml block starting '# argo-rollouts-notification-configmap'").toBeDefined();
    const cm = parse(block!) as Record<string, string>;
    expect(parse(cm["service.webhook.alertmanager"]).url).toBe(URL_ANSWER.alertmanagerUrl);
    const webhook = parse(cm["template.rollout-aborted"]).webhook.alertmanager;
    expect(webhook.method).toBe("POST");
    const rollout = { metadata: { name: context.name, namespace: context.environments[1].namespace }, status: { message: 'RolloutAborted: metric "error-rate" assessed Failed' } };
    const body = webhook.body.replace(/\{\{\s*\.rollout\.([\w.]+)(\s*\|\s*toJson)?\s*\}\}/g, (_: string, p: string, json?: string) => {
      const value = p.split(".").reduce((o: any, k) => o[k], rollout);
      return json ? JSON.stringify(value) : value;
    });
    expect(JSON.parse(body)).toEqual([
      {
        labels: { alertname: "ArgoRolloutAborted", severity: "error", rollout: context.name, namespace: rollout.metadata.namespace },
        annotations: { summary: `Rollout ${context.name} was aborted`, description: rollout.status.message },
      },
    ]);
  });
});
