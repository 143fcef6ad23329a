// Every PromQL query a generated repository contains, answered by a REAL Prometheus scraping the REAL
// generated service, and its alerts delivered by a REAL Alertmanager (issue #25). The service is built
// with a 500 route and a slow route added through `go build -overlay` (its sources and its metrics
// middleware untouched), scraped every second with the labels a prometheus-operator ServiceMonitor
// scrape gives; the generated PrometheusRule is loaded as it is, with only its evaluation interval and
// `for` shortened. Queries are found by walking the repository (test/helpers/generated-queries.ts),
// so a new one is covered without editing this file. A query passes when it parses with Prometheus
// 3's parser (tools/promql-check), evaluates without error, each of its selectors selects at least
// one series (`... or vector(0)` answers even when nothing matches), its `le` matchers select the same
// buckets under Prometheus 2 and 3, and (except alert conditions, empty while healthy) it answers.
// Run with `npm run test:observability`: not part of `npm test`. Without Go or the Debian binaries it
// is skipped on a developer machine; in CI it fails instead.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Context } from "../src/render/context.js";
import { analysisSucceeds, generatedQueries, type GeneratedQuery } from "./helpers/generated-queries.js";
import { buildPromqlCheck, goFound, promqlCheck, type PromqlResult } from "./helpers/go-service.js";
import {
  ALERTMANAGER_BIN,
  buildServiceWithTestRoutes,
  drive,
  leMatcherHolds,
  PROMETHEUS_BIN,
  query,
  serviceMonitorLabels,
  startChain,
  startWebhook,
  until,
  type Chain,
  type Delivery,
} from "./helpers/observability.js";
import { inCI, renderToDir } from "./helpers/render.js";
import { tempDir } from "./helpers/temp.js";

const requested = process.env.npm_lifecycle_event === "test:observability" || process.env.OBSERVABILITY_TESTS === "1";
if (!requested) console.warn("skipping the observability tests: run them with `npm run test:observability` (or OBSERVABILITY_TESTS=1)");
const missing = !goFound
  ? "go is not on PATH (the service and tools/promql-check are built)"
  : [PROMETHEUS_BIN, ALERTMANAGER_BIN].find((b) => !existsSync(b))?.concat(" not found: apt-get install prometheus prometheus-alertmanager");
if (requested && missing && !inCI) console.warn(`skipping the observability tests: ${missing}`);

/** The test's only change to the rules besides the 1 s evaluation: `for` waits this long, not minutes. */
const FOR_OVERRIDE = "3s";
const CANARY_HASH = "5d8f7c9b64";
const GOOD = "/v1/hello/world";
/**
 * Answers whose queries differ from the defaults' only in numbers and bounds; checked against the same
 * running Prometheus. A whole-second latency bound is the one whose `le` Prometheus 2 and 3 spell apart.
 */
const VARIANTS = [{ sloLatencyMs: 1000, sloLatencyPercent: "99.5", sloAvailability: "99.95" }];

/** How the test fills the placeholders for one environment, the way Rollouts and Grafana would. */
const valuesFor = (env: { name: string; namespace: string }) => ({
  environment: env.name,
  analysisArgs: { namespace: env.namespace, "canary-hash": CANARY_HASH },
  // Grafana's $__rate_interval is at least four scrape intervals: 4 s here, rounded up.
  dashboardVars: { namespace: env.namespace, __rate_interval: "10s", __interval: "1s", __range: "5m" },
});

interface Checked {
  q: GeneratedQuery;
  parsed: PromqlResult;
}

describe.skipIf(!requested || (missing !== undefined && !inCI))(
  "real Prometheus and Alertmanager (Debian prometheus 2.42, alertmanager 0.25) over the real service",
  () => {
    let context: Context;
    let checked: Checked[] = [];
    let variantChecks: Checked[] = [];
    let rules: any[] = [];
    let exposedLes: string[] = [];
    let chain: Chain | undefined;
    let webhook: Awaited<ReturnType<typeof startWebhook>> | undefined;
    let namespace: string;
    let renderedDir: string;
    const started = Date.now();

    beforeAll(async () => {
      if (missing) throw new Error(`observability prerequisites: ${missing}`);
      const rendered = await renderToDir({ progressive: "argo-rollouts" });
      renderedDir = rendered.dir;
      context = rendered.context;
      const env = context.environments[0];
      namespace = env.namespace;
      const work = await tempDir("observability-");
      const [bin, promqlBin] = await Promise.all([buildServiceWithTestRoutes(rendered.dir, context, work), buildPromqlCheck(work)]);
      const queries = await generatedQueries(rendered.dir, valuesFor(env));
      const parse = await promqlCheck(promqlBin, queries.map((q) => ({ name: q.source, query: q.query })), {});
      if (parse.exitCode !== 0) throw new Error(`queries Prometheus 3's parser refuses:\n${parse.stderr}`);
      checked = queries.map((q, i) => ({ q, parsed: parse.results[i] }));
      for (const answers of VARIANTS) {
        const variant = await renderToDir({ progressive: "argo-rollouts", ...answers });
        const seen = new Set(queries.map((q) => q.query));
        const theirs = (await generatedQueries(variant.dir, valuesFor(env))).filter((q) => !seen.has(q.query));
        const r = await promqlCheck(promqlBin, theirs.map((q) => ({ name: q.source, query: q.query })), {});
        if (r.exitCode !== 0) throw new Error(`queries Prometheus 3's parser refuses (${JSON.stringify(answers)}):\n${r.stderr}`);
        variantChecks.push(...theirs.map((q, i) => ({ q: { ...q, source: `${JSON.stringify(answers)} ${q.source}` }, parsed: r.results[i] })));
      }
      for (const file of rendered.files.filter((f) => f.startsWith(`deploy/overlays/${env.name}/`) && f.endsWith(".yaml"))) {
        for (const d of parseAllDocuments(await readFile(path.join(rendered.dir, file), "utf8"))) {
          const o = d.toJS();
          if (o?.kind === "PrometheusRule") rules.push(...o.spec.groups);
        }
      }
      webhook = await startWebhook();
      chain = await startChain({
        work,
        bin,
        context,
        scrapeLabels: await serviceMonitorLabels(rendered.dir, namespace, { "rollouts-pod-template-hash": CANARY_HASH }),
        rules,
        forOverride: FOR_OVERRIDE,
        webhookUrl: webhook.url,
      });
      console.log(`observability: ${queries.length} queries (${count(queries)}) and ${variantChecks.length} more from other answers, ${rules.length} rule groups; chain up ${((Date.now() - started) / 1000).toFixed(1)} s after start`);
    }, 180_000);

    afterAll(async () => {
      await chain?.stop();
      await webhook?.close();
      console.log(`observability: whole file ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

    const count = (qs: GeneratedQuery[]) => {
      const by = new Map<string, number>();
      for (const q of qs) by.set(q.kind, (by.get(q.kind) ?? 0) + 1);
      return [...by].map(([k, n]) => `${n} ${k}`).join(", ");
    };

    /** What is wrong with one query against the running Prometheus: nothing, when the list is empty. */
    async function problems({ q, parsed }: Checked): Promise<string[]> {
      const out: string[] = [];
      for (const sel of parsed.selectors) {
        try {
          if ((await query(chain!.promUrl, sel.text)).length === 0) out.push(`selector selects nothing: ${sel.text}`);
        } catch (e) {
          out.push(String(e));
        }
        for (const m of sel.matchers.filter((m) => m.name === "le"))
          if (!leMatcherHolds(m, exposedLes)) out.push(`le${m.type}"${m.value}" selects different buckets in Prometheus 2 and 3 (3 writes "1" as "1.0"): ${sel.text}`);
      }
      try {
        const result = await query(chain!.promUrl, q.query);
        if (q.kind !== "alert" && result.length === 0) out.push("the query answers nothing");
      } catch (e) {
        out.push(String(e));
      }
      return out;
    }

    async function allProblems(list: Checked[]): Promise<string[]> {
      const out: string[] = [];
      for (const c of list) for (const p of await problems(c)) out.push(`${c.q.kind} ${c.q.source}: ${p}\n    ${c.q.query.trim().replace(/\n\s*/g, " ")}`);
      return out;
    }

    const alerts = async () => (await query(chain!.promUrl, "ALERTS")).map((s) => `${s.metric.alertname} (${s.metric.alertstate})`);
    /** The first delivery of alert `name` at the webhook after `since`; on timeout, what Prometheus saw and the logs. */
    const delivered = async (name: string, since: number): Promise<Delivery> => {
      try {
        return await until(`${name} at the webhook`, 60_000, () =>
          Promise.resolve(webhook!.deliveries.find((d: Delivery) => d.labels.alertname === name && d.at >= since)));
      } catch (e) {
        throw new Error(`${(e as Error).message}; ALERTS: ${JSON.stringify(await alerts())}\n${chain!.logTails()}`);
      }
    };
    /** Each canary metric as Argo Rollouts would judge it now: the query's first value against its successCondition. */
    const canary = async () =>
      Promise.all(checked.filter((c) => c.q.successCondition).map(async (c) => {
        const value = Number((await query(chain!.promUrl, c.q.query))[0].value[1]);
        return { metric: c.q.source.split(" ").pop()!, value, ok: analysisSucceeds(c.q.successCondition!, value) };
      }));
    const shown = (v: { metric: string; value: number; ok: boolean }[]) => v.map((m) => `${m.metric}=${m.value.toPrecision(3)} (${m.ok ? "pass" : "fail"})`).join(", ");

    const alertNamed = (name: string) => checked.find((c) => c.q.alert?.name === name);

    it("every query in the repository selects the real service's series and answers (healthy traffic, no alert fires)", async () => {
      // A 5xx and a slow request in each of two rounds, two scrapes apart, among thousands: every series
      // the queries select exists (client libraries create a labelled series on first use), rate() sees
      // every counter increase, and the budgets burn at about half the rate that would raise a ticket.
      for (const good of [1000, 2000]) {
        await drive(chain!.appUrl, GOOD, good, 20);
        await drive(chain!.appUrl, "/test/fail", 1, 1);
        await drive(chain!.appUrl, "/test/slow?ms=1200", 1, 1);
        if (good === 1000) await new Promise((r) => setTimeout(r, 2_000));
      }
      const metrics = await (await fetch(`${chain!.promUrl}/api/v1/label/le/values`)).json();
      exposedLes = metrics.data;
      expect(exposedLes.length, "no histogram bucket scraped").toBeGreaterThan(0);
      expect(checked.filter((c) => c.q.kind === "analysis").length, "the AnalysisTemplate's queries were not found").toBeGreaterThan(0);
      const t0 = Date.now();
      let left: string[] = [];
      // Rate windows need two samples and records one evaluation after that: poll, bounded.
      await until("every query answering", 30_000, async () => ((left = await allProblems(checked)).length === 0 ? true : undefined)).catch(() => {});
      console.log(`observability: ${checked.length} queries checked, ${left.length ? `${left.length} problems left` : "all answering"} ${((Date.now() - t0) / 1000).toFixed(1)} s after the traffic`);
      expect(left, left.join("\n")).toEqual([]);
      // The variants' rules are not loaded, but their selectors read the same series and recording rules.
      const variantLeft = await allProblems(variantChecks);
      expect(variantLeft, variantLeft.join("\n")).toEqual([]);
      expect(variantChecks.some((c) => c.parsed.selectors.some((s) => s.matchers.some((m) => m.name === "le" && m.type === "=~"))), "no variant query with a whole-second le bound").toBe(true);
      const shares = await Promise.all(checked.filter((c) => c.q.record?.endsWith("rate5m")).map(async (c) => `${c.q.record}=${Number((await query(chain!.promUrl, c.q.record!))[0].value[1]).toPrecision(2)}`));
      const verdicts = await canary();
      console.log(`observability: healthy traffic: ${shares.join(", ")}; canary analysis: ${shown(verdicts)}`);
      expect(verdicts.length, "no AnalysisTemplate metric with a successCondition").toBeGreaterThan(0);
      expect(verdicts.filter((v) => !v.ok)).toEqual([]);
      // Healthy: no alert even pending, for longer than the shortened `for` plus two evaluations.
      const quietUntil = Date.now() + 6_000;
      while (Date.now() < quietUntil) {
        expect(await alerts()).toEqual([]);
        await new Promise((r) => setTimeout(r, 500));
      }
    }, 60_000);

    it("the other environments' queries are the first's with their own namespace (so proving the first's proves them)", async () => {
      const [first, ...rest] = context.environments;
      const text = (qs: GeneratedQuery[]) => qs.map((q) => `${q.kind} ${q.source.replace(/^deploy\/overlays\/[^/]+\//, "")}\n${q.query}`);
      for (const env of rest) {
        const theirs = (await generatedQueries(renderedDir, valuesFor(env))).map((q) => ({ ...q, query: q.query.replaceAll(`"${env.namespace}"`, `"${first.namespace}"`) }));
        expect(text(theirs), env.name).toEqual(text(checked.map((c) => c.q)));
      }
    });

    it("the same check fails on a broken copy: a query selecting job=\"wrong\" or a namespace that does not exist", async () => {
      const selects = (c: Checked) => c.q.query.includes(`job="${context.name}"`) || c.q.query.includes(`"${namespace}"`);
      const target = checked.find((c) => c.q.kind === "record" && selects(c)) ?? checked.find(selects)!;
      const broken = target.q.query.replaceAll(`job="${context.name}"`, 'job="wrong"').replaceAll(`"${namespace}"`, '"wrong"');
      expect(broken).not.toBe(target.q.query);
      const parsed = { ...target.parsed, selectors: target.parsed.selectors.map((s) => ({ ...s, text: s.text.replaceAll(`job="${context.name}"`, 'job="wrong"').replaceAll(`"${namespace}"`, '"wrong"') })) };
      const found = await problems({ q: { ...target.q, query: broken }, parsed });
      expect(found.join("\n")).toMatch(/selector selects nothing/);
      expect(leMatcherHolds({ type: "=", value: "1" }, ["0.5", "1", "+Inf"])).toBe(false);
      expect(leMatcherHolds({ type: "=~", value: "1(\\.0)?" }, ["0.5", "1", "+Inf"])).toBe(true);
      // A placeholder the test has no value for is an error, not a query with a hole in it.
      await expect(generatedQueries(renderedDir, { ...valuesFor(context.environments[0]), analysisArgs: {} })).rejects.toThrow(/no value for \{\{args\./);
      await expect(generatedQueries(renderedDir, { ...valuesFor(context.environments[0]), dashboardVars: {} })).rejects.toThrow(/no value for dashboard variable/);
    });

    it("a 5xx burst fires the fast-burn availability page, delivered by Alertmanager with service, environment and severity", async () => {
      const page = alertNamed("SLOAvailabilityBurnFast");
      if (!page) throw new Error("the PrometheusRule has no SLOAvailabilityBurnFast");
      const first = Date.now();
      await drive(chain!.appUrl, "/test/fail", 1500, 20);
      const d = await delivered("SLOAvailabilityBurnFast", first);
      const verdicts = await canary();
      expect(verdicts.find((v) => v.metric === "error-rate")?.ok, `the canary would pass this: ${shown(verdicts)}`).toBe(false);
      console.log(`observability: canary analysis after the burst: ${shown(verdicts)}`);
      console.log(`observability: first 5xx -> SLOAvailabilityBurnFast delivered by Alertmanager in ${((d.at - first) / 1000).toFixed(1)} s (for: ${page.q.alert!.for} shortened to ${FOR_OVERRIDE})`);
      expect(d.labels).toMatchObject({ service: context.name, environment: context.environments[0].name, severity: page.q.alert!.labels.severity });
      expect(d.labels.severity).toBeTruthy();
    }, 90_000);

    it("slow requests fire the fast-burn latency alert", async () => {
      expect(alertNamed("SLOLatencyBurnFast"), "the PrometheusRule has no SLOLatencyBurnFast").toBeDefined();
      // Slower than every bound the rules compare with, whichever they are.
      const bounds = checked.flatMap((c) => c.parsed.selectors.flatMap((s) => s.matchers.filter((m) => m.name === "le").map((m) => parseFloat(m.value))));
      const ms = Math.round(Math.max(0.5, ...bounds.filter(Number.isFinite)) * 1000) + 300;
      const first = Date.now();
      await drive(chain!.appUrl, `/test/slow?ms=${ms}`, 1200, 200);
      const d = await delivered("SLOLatencyBurnFast", first);
      const verdicts = await canary();
      expect(verdicts.find((v) => v.metric === "latency-p95")?.ok, `the canary would pass this: ${shown(verdicts)}`).toBe(false);
      console.log(`observability: canary analysis after the slow requests: ${shown(verdicts)}`);
      console.log(`observability: first ${ms} ms request -> SLOLatencyBurnFast delivered in ${((d.at - first) / 1000).toFixed(1)} s`);
      expect(d.labels).toMatchObject({ service: context.name, environment: context.environments[0].name });
    }, 90_000);

    it("a service Prometheus cannot scrape fires ServiceMetricsDown", async () => {
      expect(alertNamed("ServiceMetricsDown"), "the PrometheusRule has no ServiceMetricsDown").toBeDefined();
      const stopped = Date.now();
      await chain!.stopService();
      const d = await delivered("ServiceMetricsDown", stopped);
      console.log(`observability: service stopped -> ServiceMetricsDown delivered in ${((d.at - stopped) / 1000).toFixed(1)} s`);
      expect(d.labels).toMatchObject({ service: context.name, environment: context.environments[0].name });
    }, 90_000);

    it("a service Prometheus has no target for fires ServiceMetricsAbsent", async () => {
      expect(alertNamed("ServiceMetricsAbsent"), "the PrometheusRule has no ServiceMetricsAbsent").toBeDefined();
      const dropped = Date.now();
      await chain!.dropTarget();
      const d = await delivered("ServiceMetricsAbsent", dropped);
      console.log(`observability: target dropped -> ServiceMetricsAbsent delivered in ${((d.at - dropped) / 1000).toFixed(1)} s`);
      expect(d.labels).toMatchObject({ service: context.name, environment: context.environments[0].name });
    }, 90_000);
  },
);
