// The Grafana dashboard (issue #25): a ConfigMap the kube-prometheus-stack sidecar loads, in every
// overlay with --monitoring and nowhere without; its JSON a classic Grafana dashboard whose every panel
// queries Prometheus through the ${datasource} variable with an `expr`; and every expression parses
// with Prometheus's own parser (tools/promql-check) and selects only metrics the running service
// exports, with labels the service or the scrape gives them. Each check is also run on a broken copy.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import type { Context } from "../src/render/context.js";
import { buildContext } from "../src/render/context.js";
import { tempDir } from "./helpers/cli.js";
import type { K8sObject } from "./helpers/deploy-schemas.js";
import { buildDashboardCheck, buildPromqlCheck, buildService, exposedSeries, goFound, promqlCheck, scrapeAfterRequests, type PromqlResult } from "./helpers/go-service.js";
import { baseAnswers, inCI, renderToDir, TOOL } from "./helpers/render.js";

const goMissing = "go is not on PATH: the service and tools/promql-check are not built";
if (!goFound && !inCI) console.warn(`skipping the dashboard's PromQL tests: ${goMissing}`);

/** Labels Prometheus (Operator) puts on every scraped series: the ServiceMonitor's target labels. */
const SCRAPE_TARGET_LABELS = ["namespace", "pod", "service", "job", "endpoint", "container", "instance"];
/** Series Prometheus writes itself for each target, not the service. */
const SCRAPE_SERIES = ["up"];
/** The Grafana schema version written (Grafana migrates older dashboards forward on load). */
const SCHEMA_VERSION = 41;
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

type Dashboard = Record<string, any>;

/** Every target of every panel (rows nest theirs), with the panel's title. */
const targetsOf = (dashboard: Dashboard): { panel: string; expr: string }[] =>
  (dashboard.panels ?? []).flatMap((p: any) => [p, ...(p.panels ?? [])]).flatMap((p: any) => (p.targets ?? []).map((t: any) => ({ panel: p.title, expr: t.expr })));

const PROMQL_KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless"]);

/** Metric names an expression selects with no `{…}` after them (strings, matchers, ranges and groupings set aside). */
function unscopedMetrics(expr: string): string[] {
  const scrubbed = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, "{}")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "");
  const bare: string[] = [];
  for (const m of scrubbed.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{)?/g)) {
    const after = scrubbed.slice(m.index + m[0].length).trimStart();
    if (m[2] || after.startsWith("(") || PROMQL_KEYWORDS.has(m[1])) continue;
    bare.push(m[1]);
  }
  return bare;
}

/**
 * What is wrong with a dashboard as this project ships it, one line per problem: the classic model at
 * the pinned schemaVersion, a fixed uid within Grafana's 40 characters, exactly the two variables, and
 * panels that each query Prometheus through ${datasource} with an expr scoped to the job and namespace.
 */
function dashboardProblems(d: Dashboard, context: Context): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => void (ok || problems.push(what));
  need(d.schemaVersion === SCHEMA_VERSION, `schemaVersion ${d.schemaVersion}, not ${SCHEMA_VERSION}`);
  need(d.uid === context.dashboard.uid && typeof d.uid === "string" && d.uid.length <= 40, `uid ${d.uid}`);
  need(d.title === context.name && typeof d.refresh === "string", "title or refresh");
  need(d.id === undefined, "an id (Grafana assigns it; a fixed one clashes on import)");
  const vars = d.templating?.list ?? [];
  need(JSON.stringify(vars.map((v: any) => [v.name, v.type])) === JSON.stringify([["datasource", "datasource"], ["namespace", "query"]]), "variables other than datasource and namespace");
  need(vars[0]?.query === "prometheus", "datasource variable not of type prometheus");
  const nsQuery = `label_values(build_info{job="${context.name}"}, namespace)`;
  need(vars[1]?.query?.query === nsQuery && vars[1]?.definition === nsQuery, "namespace variable query");
  const ids = new Set<number>();
  for (const p of d.panels ?? []) {
    need(!ids.has(p.id), `panel id ${p.id} twice`);
    ids.add(p.id);
    need(JSON.stringify(p.datasource) === JSON.stringify(DATASOURCE), `${p.title}: datasource`);
    need(p.gridPos && p.gridPos.x + p.gridPos.w <= 24 && p.gridPos.h > 0, `${p.title}: gridPos`);
    need(Array.isArray(p.targets) && p.targets.length > 0, `${p.title}: no targets`);
    for (const t of p.targets ?? []) {
      need(typeof t.expr === "string" && t.expr.length > 0, `${p.title}: a target without expr`);
      need(JSON.stringify(t.datasource) === JSON.stringify(DATASOURCE), `${p.title}: target datasource`);
      // Every selector of the expression is this service's job in the chosen environment, and no
      // metric is selected without one.
      for (const sel of (t.expr ?? "").match(/\{[^}]*\}/g) ?? []) need(sel.includes(`job="${context.name}"`) && sel.includes('namespace="$namespace"'), `${p.title}: ${sel}`);
      for (const metric of unscopedMetrics(t.expr ?? "")) need(false, `${p.title}: ${metric} without a selector`);
    }
  }
  need(!JSON.stringify(d).includes("{{"), "a {{ (a Handlebars leftover, or a Grafana legend the leftover check cannot tell apart)");
  return problems;
}

/** A Grafana expression as Prometheus receives it: the variables replaced the way Grafana does. */
const asPromql = (expr: string, namespace: string) => expr.replaceAll("$__rate_interval", "1m").replaceAll("$namespace", namespace);

/** Metrics and labels the parsed queries use that neither the service nor the scrape provides. */
function unknownSelections(parsed: PromqlResult[], series: { name: string; labels: string[] }[]): string[] {
  const unknown: string[] = [];
  for (const p of parsed) {
    for (const metric of p.metrics) if (!SCRAPE_SERIES.includes(metric) && !series.some((s) => s.name === metric)) unknown.push(`${p.name}: metric ${metric}`);
    const exported = new Set(series.filter((s) => p.metrics.includes(s.name)).flatMap((s) => s.labels));
    for (const label of p.labels) if (!exported.has(label) && !SCRAPE_TARGET_LABELS.includes(label)) unknown.push(`${p.name}: label ${label}`);
  }
  return unknown;
}

describe("dashboard with monitoring", () => {
  let dir: string;
  let context: Context;
  let files: string[];
  let dashboard: Dashboard;
  let text: string;
  const configMaps = new Map<string, K8sObject & { data: Record<string, string> }>();

  beforeAll(async () => {
    ({ dir, context, files } = await renderToDir({}));
    text = await readFile(path.join(dir, "deploy/components/dashboard/dashboard.json"), "utf8");
    dashboard = JSON.parse(text);
    for (const env of context.environments) {
      const { stdout } = await execa("kubectl", ["kustomize", path.join(dir, "deploy/overlays", env.name)]);
      const cms = parseAllDocuments(stdout).map((d) => d.toJS() as any).filter((o) => o.kind === "ConfigMap" && o.metadata.name === `${context.name}-dashboard`);
      expect(cms, env.name).toHaveLength(1);
      configMaps.set(env.name, cms[0]);
    }
  });

  it("every overlay carries the same dashboard as a fixed-name ConfigMap the Grafana sidecar selects", () => {
    expect(files).toEqual(expect.arrayContaining(["deploy/components/dashboard/kustomization.yaml", "deploy/components/dashboard/dashboard.json"]));
    for (const env of context.environments) {
      expect(env.components).toContain("dashboard");
      const cm = configMaps.get(env.name)!;
      expect(cm.metadata.namespace).toBe(env.namespace);
      expect(cm.metadata.labels).toMatchObject({ grafana_dashboard: "1", "app.kubernetes.io/name": context.name });
      // One key named after the service: the sidecar's file name, so services never overwrite each other.
      expect(Object.keys(cm.data)).toEqual([`${context.name}.json`]);
      expect(cm.data[`${context.name}.json`]).toBe(text);
    }
  });

  it("is a Grafana dashboard as shipped: schemaVersion, uid, two variables, every panel an expr on ${datasource}", () => {
    expect(dashboardProblems(dashboard, context)).toEqual([]);
    const exprs = targetsOf(dashboard).map((t) => t.expr);
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    // The signals the issue asks for, each from the service's real metric names.
    for (const needle of ["http_requests_total", 'code=~"5.."', "histogram_quantile(0.99", "http_request_duration_seconds_bucket", "http_requests_in_flight", "go_goroutines", "go_memstats_heap_inuse_bytes", "build_info", `/ ${context.dashboard.errorBudget}`])
      expect(exprs.some((e) => e.includes(needle)), needle).toBe(true);
    // Rates follow Grafana's scrape-aware window, except the burn windows, which the SLO fixes.
    for (const e of exprs.filter((x) => x.includes("rate(") && !x.includes(context.dashboard.errorBudget))) expect(e).toContain("[$__rate_interval]");
  });

  it("negative control: a broken copy is refused on each rule", () => {
    const broken = structuredClone(dashboard);
    broken.schemaVersion = 16;
    broken.templating.list.push({ name: "pod", type: "query" });
    delete broken.panels[0].targets[0].expr;
    broken.panels[1].targets = [];
    broken.panels[2].targets[0].expr = "sum(rate(http_requests_total[5m]))";
    broken.panels[3].targets[0].legendFormat = "{{route}}";
    const problems = dashboardProblems(broken, context).join("\n");
    for (const want of ["schemaVersion 16", "variables other than", "a target without expr", "no targets", "http_requests_total without a selector", "a {{"]) expect(problems).toContain(want);
  });

  it("a long service name gets a uid within Grafana's 40 characters, distinct from a sibling's; the error budget", () => {
    const long = "a".repeat(40) + "-orders-api-with-a-very-long-name";
    const sibling = "a".repeat(40) + "-orders-api-with-a-very-long-nome";
    const [u1, u2] = [long, sibling].map((name) => buildContext({ ...baseAnswers, name, argocdProject: name }, TOOL).dashboard.uid);
    expect(u1.length).toBeLessThanOrEqual(40);
    expect(u1).not.toBe(u2);
    const { dashboard: d } = buildContext(baseAnswers, TOOL);
    expect(d.uid).toBe(baseAnswers.name);
    // The burn panel divides by the budget of the objective: 99.9% leaves 0.001, without float noise.
    expect([d.availabilityObjective, d.errorBudget]).toEqual(["99.9", "0.001"]);
  });

  describe.skipIf(!goFound && !inCI)("PromQL against the service's real metrics", () => {
    let checker: string;
    let series: { name: string; labels: string[] }[];
    let queries: { name: string; query: string }[];

    beforeAll(async () => {
      if (!goFound) throw new Error(goMissing);
      checker = await buildPromqlCheck(await tempDir("promql-check-"));
      const bin = await buildService(dir, context);
      series = exposedSeries(await scrapeAfterRequests(bin, context, ["/v1/hello/gopher", "/no-such-route"]));
      const namespace = context.environments[0].namespace;
      queries = targetsOf(dashboard).map((t, i) => ({ name: `${t.panel} #${i}`, query: asPromql(t.expr, namespace) }));
      // The namespace variable's selector, which label_values() wraps.
      const variable = /^label_values\((.*), namespace\)$/.exec(dashboard.templating.list[1].query.query)![1];
      queries.push({ name: "variable namespace", query: variable });
    }, 300_000);

    it("every expression parses into an instant vector and selects only exported metrics and scrape labels", async () => {
      const run = await promqlCheck(checker, queries, {});
      expect(run.exitCode, run.stderr).toBe(0);
      for (const p of run.results) {
        expect(p.error, p.name).toBeUndefined();
        expect(p.type, p.name).toBe("vector");
      }
      expect(unknownSelections(run.results, series)).toEqual([]);
      const used = new Set(run.results.flatMap((p) => p.metrics));
      for (const m of ["build_info", "http_requests_total", "http_request_duration_seconds_bucket", "http_requests_in_flight", "go_goroutines", "process_resident_memory_bytes"]) expect(used, m).toContain(m);
    }, 300_000);

    it("negative control: a misspelt metric, an unknown label and a syntax error are caught", async () => {
      const broken = [
        { name: "typo", query: 'sum(rate(http_request_total{job="x"}[1m]))' },
        { name: "label", query: 'sum(http_requests_in_flight{job="x",route="GET /"})' },
      ];
      const run = await promqlCheck(checker, broken, {});
      expect(unknownSelections(run.results, series)).toEqual(["typo: metric http_request_total", "label: label route"]);
      const syntax = await promqlCheck(checker, [{ name: "syntax", query: asPromql(targetsOf(dashboard)[0].expr.replace(/\)$/, ""), "ns") }], {});
      expect(syntax.exitCode).toBe(1);
    });
  });
});

// Grafana loads almost any JSON and drops what it does not know, so a misspelt option only shows up as
// a panel that lost a setting. tools/dashboard-check decodes the dashboard strictly with the types
// generated from Grafana's own schema (grafana-foundation-sdk, pinned in its go.mod): unknown, mistyped
// and missing required fields, per panel type and per query, are errors.
describe.skipIf(!goFound && !inCI)("dashboard against Grafana's schema", () => {
  let checker: string;
  let file: string;
  let work: string;
  beforeAll(async () => {
    const { dir } = await renderToDir({});
    file = path.join(dir, "deploy/components/dashboard/dashboard.json");
    work = await tempDir("dashboard-check-");
    checker = await buildDashboardCheck(work);
  }, 600_000);

  it("decodes strictly with Grafana's schema types and validates", async () => {
    const run = await execa(checker, [file], { reject: false });
    expect(run.stdout).toBe("");
    expect(run.exitCode).toBe(0);
  });

  it("negative control: an unknown panel field, a misspelt option, a mistyped field and a required option left out are each reported", async () => {
    const d = JSON.parse(await readFile(file, "utf8"));
    const stat = d.panels.findIndex((p: any) => p.type === "stat");
    d.panels[0].gridPoss = d.panels[0].gridPos;
    d.panels[stat].options.graphMod = "none";
    delete d.panels[stat].options.justifyMode;
    d.panels[1].id = "two";
    d.panels[2].targets[0].refid = "A";
    const broken = path.join(work, "broken.json");
    await writeFile(broken, JSON.stringify(d));
    const run = await execa(checker, [broken], { reject: false });
    expect(run.exitCode).toBe(1);
    for (const want of ["panels[0].Panel: unexpected field 'gridPoss'", `panels[${stat}].options`, "graphMod", "justifyMode: required field is missing", "panels[1].id", "panels[2].targets[0].Dataquery: unexpected field 'refid'"])
      expect(run.stdout).toContain(want);
  });
});

describe("dashboard without monitoring", () => {
  it("writes no dashboard and no overlay names the component", async () => {
    const { dir, context, files } = await renderToDir({ monitoring: false });
    expect(files.some((f) => f.startsWith("deploy/components/dashboard/"))).toBe(false);
    for (const env of context.environments) expect(env.components).not.toContain("dashboard");
    expect(await readFile(path.join(dir, "README.md"), "utf8")).not.toContain("### Dashboard");
  });
});
