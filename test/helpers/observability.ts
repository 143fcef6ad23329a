// A real monitoring chain on loopback for test/observability.test.ts (and, without Alertmanager, for
// the canary analysis of test/gitops.test.ts): the generated service (built with two test routes
// added through `go build -overlay`, its own sources untouched), scraped every second by a real
// Prometheus with the labels a prometheus-operator ServiceMonitor scrape gives, loading the generated
// PrometheusRule, alerting to a real Alertmanager that delivers to a webhook
// served by the test. Debian's binaries (prometheus 2.42, alertmanager 0.25) install in seconds, where
// building Prometheus 3 and Alertmanager from the module proxy took about 20 minutes here. Of what
// differs from Prometheus 3, what we know matters to this test is its rewriting of classic histograms'
// `le` values ("1" becomes "1.0"), which leMatcherHolds checks without a server.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { execa } from "execa";
import { parseAllDocuments, stringify } from "yaml";
import type { Context } from "../../src/render/context.js";
import { freePorts, live, startProcess, stopProcess, tail, waitFor, type Proc } from "./cluster-control-plane.js";
import { GO_ENV, requiredEnv } from "./go-service.js";

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? "/usr/bin/prometheus";
export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? "/usr/bin/prometheus-alertmanager";

/** The test routes: a 500 and a slow answer, registered on the service's own mux, so they pass
 * through its metrics middleware like any route. Never part of a generated repository. */
const TEST_ROUTES = `package server

import (
	"net/http"
	"strconv"
	"time"
)

func addObservabilityTestRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /test/fail", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "injected failure", http.StatusInternalServerError)
	})
	mux.HandleFunc("GET /test/slow", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		_, _ = w.Write([]byte("slow\\n"))
	})
}
`;

/**
 * Builds the rendered service with the test routes. The mux is a local of NewHandler, out of reach of
 * an init(), so the overlay replaces routes.go by a copy whose addRoutes also calls the test routes
 * (one line added) and adds one file; the rendered sources on disk stay as generated.
 */
export async function buildServiceWithTestRoutes(dir: string, context: Context, work: string): Promise<string> {
  const routes = path.join(dir, "internal/server/routes.go");
  const text = await readFile(routes, "utf8");
  const head = /^func addRoutes\((\w+) \*http\.ServeMux[^\n]*\{\n/m.exec(text);
  if (!head) throw new Error(`${routes}: no "func addRoutes(mux *http.ServeMux, ...) {" to add the test routes to`);
  const at = head.index + head[0].length;
  await mkdir(work, { recursive: true });
  const patched = path.join(work, "routes.go");
  const extra = path.join(work, "observability_test_routes.go");
  await writeFile(patched, `${text.slice(0, at)}\taddObservabilityTestRoutes(${head[1]})\n${text.slice(at)}`);
  await writeFile(extra, TEST_ROUTES);
  const overlay = path.join(work, "overlay.json");
  await writeFile(overlay, JSON.stringify({ Replace: { [routes]: patched, [path.join(dir, "internal/server/zz_observability_test_routes.go")]: extra } }));
  const bin = path.join(work, context.name);
  const build = await execa("go", ["build", `-overlay=${overlay}`, "-o", bin, `./cmd/${context.name}`], {
    cwd: dir,
    env: { ...GO_ENV, CGO_ENABLED: "0" },
    reject: false,
    all: true,
  });
  if (build.exitCode !== 0) throw new Error(`go build -overlay failed:\n${build.all}`);
  return bin;
}

/**
 * The target labels a prometheus-operator scrape through the generated ServiceMonitor gives the
 * service's series: job is the Service's name (no jobLabel), endpoint the port's name, plus the
 * pod's labels listed in podTargetLabels (rollouts-pod-template-hash with the canary component).
 */
export async function serviceMonitorLabels(dir: string, namespace: string, podLabelValues: Record<string, string>): Promise<Record<string, string>> {
  const docs = async (file: string) => parseAllDocuments(await readFile(path.join(dir, file), "utf8")).map((d) => d.toJS());
  const [service] = await docs("deploy/base/service.yaml");
  const [deployment] = await docs("deploy/base/deployment.yaml");
  const monitors = (await Promise.all(
    ["deploy/components/servicemonitor/servicemonitor.yaml", "deploy/components/rollout-canary/patch-servicemonitor.yaml"]
      .filter((f) => existsSync(path.join(dir, f)))
      .map(docs),
  )).flat();
  const base = monitors.find((m) => m.spec?.endpoints);
  if (!base) throw new Error("no ServiceMonitor with endpoints in deploy/components/servicemonitor");
  if (base.spec.jobLabel) throw new Error("the ServiceMonitor sets jobLabel: derive job from that Service label here");
  const labels: Record<string, string> = {
    namespace,
    service: service.metadata.name,
    pod: `${service.metadata.name}-5d8f7c9b64-x7k2p`,
    container: deployment.spec.template.spec.containers[0].name,
    endpoint: base.spec.endpoints[0].port,
  };
  for (const name of monitors.flatMap((m) => m.spec?.podTargetLabels ?? [])) {
    if (!(name in podLabelValues)) throw new Error(`podTargetLabels ${name}: give the test a value for it`);
    labels[name.replace(/[^a-zA-Z0-9_]/g, "_")] = podLabelValues[name];
  }
  return { job: service.metadata.name, ...labels };
}

export interface Delivery {
  at: number;
  labels: Record<string, string>;
  status: string;
}

/** A webhook receiver on loopback that records every alert Alertmanager delivers, with its arrival time. */
export async function startWebhook(): Promise<{ url: string; deliveries: Delivery[]; close: () => Promise<void> }> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const at = Date.now();
      for (const a of JSON.parse(body).alerts ?? []) deliveries.push({ at, labels: a.labels, status: a.status });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    deliveries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Chain {
  appUrl: string;
  promUrl: string;
  /** Empty when the chain was started without a webhook (no Alertmanager). */
  amUrl: string;
  service: Proc;
  /** Stops everything this chain started, service first; idempotent. */
  stop(): Promise<void>;
  stopService(): Promise<void>;
  /** Reloads Prometheus (SIGHUP) without the service's target, as when no ServiceMonitor selects it. */
  dropTarget(): Promise<void>;
  /**
   * Reloads Prometheus (SIGHUP) scraping the service with these labels instead, as when the pod behind
   * the target changes (a canary's new rollouts-pod-template-hash); resolves once a scrape carries them.
   */
  relabel(scrapeLabels: Record<string, string>): Promise<void>;
  /** The last lines of Prometheus's and Alertmanager's logs, for a failure message (the folder goes after the run). */
  logTails(lines?: number): string;
}

/**
 * Starts the service, Alertmanager and Prometheus on free loopback ports, in `work`. `rules` is the
 * PrometheusRule's spec.groups, loaded with evaluation every second and `for` shortened to `forOverride`
 * (the only changes the test makes to them). Without `webhookUrl` there is no Alertmanager and no
 * rule (the canary's analysis only queries); `promPort` fixes Prometheus's port when its address had
 * to be known first (a repository generated with `--prometheus-url`).
 */
export async function startChain(opts: {
  work: string;
  bin: string;
  context: Context;
  scrapeLabels: Record<string, string>;
  rules?: any[];
  forOverride?: string;
  webhookUrl?: string;
  promPort?: number;
}): Promise<Chain> {
  const { work } = opts;
  let scrapeLabels = opts.scrapeLabels;
  const [appPort, adminPort, freePromPort, amPort] = await freePorts(4);
  const promPort = opts.promPort ?? freePromPort;
  const procs: Proc[] = [];
  const start = (name: string, bin: string, args: string[], env?: NodeJS.ProcessEnv) => {
    const p = startProcess(name, bin, args, path.join(work, `${name}.log`), env);
    procs.push(p);
    live.add(p);
    return p;
  };
  const stopOne = async (p: Proc) => {
    await stopProcess(p);
    live.delete(p);
  };
  const stop = async () => {
    for (const p of procs) await stopOne(p);
  };
  try {
    const service = start("service", opts.bin, [], {
      ...requiredEnv(opts.context),
      PORT: String(appPort),
      ADMIN_PORT: String(adminPort),
      SHUTDOWN_DELAY: "0s",
      SHUTDOWN_TIMEOUT: "5s",
    });
    const alerting = opts.webhookUrl !== undefined;
    let am: Proc | undefined;
    if (alerting) {
      await writeFile(path.join(work, "alertmanager.yml"), stringify({
        route: { receiver: "webhook", group_by: ["..."], group_wait: "1s", group_interval: "1s", repeat_interval: "1h" },
        receivers: [{ name: "webhook", webhook_configs: [{ url: opts.webhookUrl, send_resolved: false }] }],
      }));
      am = start("alertmanager", ALERTMANAGER_BIN, [
        `--config.file=${path.join(work, "alertmanager.yml")}`,
        `--storage.path=${path.join(work, "alertmanager-data")}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        "--cluster.listen-address=", // no gossip: one instance, no port on all interfaces
      ]);
    }
    const groups = (opts.rules ?? []).map((g) => ({
      ...g,
      interval: "1s",
      rules: g.rules.map((r: any) => (r.for ? { ...r, for: opts.forOverride } : r)),
    }));
    await writeFile(path.join(work, "rules.yml"), stringify({ groups }));
    const promConfig = (targets: string[]) => stringify({
      global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
      rule_files: [path.join(work, "rules.yml")],
      ...(alerting ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] } } : {}),
      scrape_configs: [{
        job_name: scrapeLabels.job,
        metrics_path: "/metrics",
        static_configs: [{ targets, labels: Object.fromEntries(Object.entries(scrapeLabels).filter(([k]) => k !== "job")) }],
      }],
    });
    await writeFile(path.join(work, "prometheus.yml"), promConfig([`127.0.0.1:${adminPort}`]));
    const prom = start("prometheus", PROMETHEUS_BIN, [
      `--config.file=${path.join(work, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(work, "prometheus-data")}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    const appUrl = `http://127.0.0.1:${appPort}`;
    const promUrl = `http://127.0.0.1:${promPort}`;
    const amUrl = `http://127.0.0.1:${amPort}`;
    const ok = (url: string) => async () => (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
    await waitFor("service /readyz", 15_000, [service], service.log, ok(`${appUrl}/readyz`));
    if (am) await waitFor("alertmanager ready", 30_000, [am], am.log, ok(`${amUrl}/-/ready`));
    await waitFor("prometheus ready", 30_000, [prom], prom.log, ok(`${promUrl}/-/ready`));
    // Ready is not scraping: Prometheus applies its targets up to 5 s later. Traffic driven before the
    // first scrape lands in a series' first sample, which rate() never counts (on an idle machine the
    // healthy traffic did, and the canary judged only the two slow requests).
    await until("Prometheus's first scrape of the service", 30_000, async () =>
      ((await query(promUrl, `up{job=${JSON.stringify(scrapeLabels.job)}} == 1`)).length > 0 ? true : undefined));
    const dropTarget = async () => {
      await writeFile(path.join(work, "prometheus.yml"), promConfig([]));
      process.kill(prom.child.pid!, "SIGHUP");
    };
    const relabel = async (labels: Record<string, string>) => {
      scrapeLabels = labels;
      await writeFile(path.join(work, "prometheus.yml"), promConfig([`127.0.0.1:${adminPort}`]));
      process.kill(prom.child.pid!, "SIGHUP");
      const selector = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",");
      await until(`a scrape with ${selector}`, 30_000, async () => ((await query(promUrl, `up{${selector}} == 1`)).length > 0 ? true : undefined));
    };
    const logTails = (lines = 20) => [prom, ...(am ? [am] : [])].map((p) => `--- last ${lines} lines of ${p.name}'s log ---\n${tail(p.log, lines)}`).join("\n");
    return { appUrl, promUrl, amUrl: am ? amUrl : "", service, stop, stopService: () => stopOne(service), dropTarget, relabel, logTails };
  } catch (e) {
    await stop();
    throw e;
  }
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query; throws with Prometheus's error (a parse error, a wrong type) instead of returning it. */
export async function query(promUrl: string, q: string): Promise<Sample[]> {
  const res = await fetch(`${promUrl}/api/v1/query?${new URLSearchParams({ query: q })}`, { signal: AbortSignal.timeout(10_000) });
  const body = await res.json();
  if (body.status !== "success") throw new Error(`query failed (${body.errorType}: ${body.error}): ${q}`);
  if (body.data.resultType !== "vector") return body.data.resultType === "scalar" ? [{ metric: {}, value: body.data.result }] : [];
  return body.data.result;
}

/** `count` requests to appUrl+path, `concurrency` at a time; the statuses seen, counted. */
export async function drive(appUrl: string, urlPath: string, count: number, concurrency: number): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const res = await fetch(`${appUrl}${urlPath}`, { signal: AbortSignal.timeout(30_000) });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return statuses;
}

/** Polls `check` every 250 ms until it returns a value, or throws after `timeoutMs`. */
export async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Prometheus 3 writes a classic histogram's integer `le` with ".0" ("1" becomes "1.0"); 2.x keeps the exposed text. */
export function prometheus3Le(le: string): string {
  return /^-?\d+$/.test(le) ? `${le}.0` : le;
}

/**
 * Whether a matcher on `le` selects the same buckets whether Prometheus 2 or 3 scraped them:
 * `le="1"` selects nothing in Prometheus 3, `le="1.0"` nothing in 2; `le=~"1(\\.0)?"` works in both.
 */
export function leMatcherHolds(m: { type: string; value: string }, exposedLes: string[]): boolean {
  const re = new RegExp(`^(?:${m.value})$`);
  const hit = (v: string) => (m.type === "=" ? v === m.value : m.type === "!=" ? v !== m.value : m.type === "=~" ? re.test(v) : !re.test(v));
  return exposedLes.every((le) => hit(le) === hit(prometheus3Le(le)));
}
