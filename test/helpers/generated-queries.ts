// Every PromQL query a generated repository contains, found by walking its files rather than by
// listing them, so a query added to a template is covered by test/observability.test.ts without
// touching the test: PrometheusRule records and alerts, Argo Rollouts AnalysisTemplate queries, and
// Grafana dashboard panel and variable queries (as .json files or inside a ConfigMap). Placeholders are
// substituted the way their consumer would: Rollouts' {{args.x}}, Grafana's $variables.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { parseAllDocuments } from "yaml";

export type QueryKind = "record" | "alert" | "analysis" | "dashboard" | "dashboard-variable";

export interface GeneratedQuery {
  kind: QueryKind;
  /** Where it was found: the file and the rule, metric or panel, for the failure message. */
  source: string;
  /** Substituted, ready for Prometheus's query API. */
  query: string;
  /** A recording rule's output metric. */
  record?: string;
  /** An AnalysisTemplate metric's successCondition, as written (`result[0] <= 1`). */
  successCondition?: string;
  /** An alert's name, `for` and labels. */
  alert?: { name: string; for?: string; labels: Record<string, string> };
}

export interface QueryValues {
  /** Values for the AnalysisTemplate's args, as the Rollout's analysis steps pass them. */
  analysisArgs: Record<string, string>;
  /** Values for dashboard variables ($namespace) and Grafana's built-ins ($__rate_interval). */
  dashboardVars: Record<string, string>;
  /** Only files of this environment's overlay are read: the others differ by their namespace only. */
  environment: string;
}

async function walk(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const p = path.posix.join(rel, e.name);
    if (e.isDirectory()) {
      if (e.name !== ".git") out.push(...(await walk(dir, p)));
    } else out.push(p);
  }
  return out.sort();
}

/** Rollouts replaces `{{ args.name }}` (spaces allowed); an arg without a value here is an error. */
export function substituteArgs(query: string, args: Record<string, string>, source: string): string {
  return query.replace(/\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g, (_, name: string) => {
    if (!(name in args)) throw new Error(`${source}: no value for {{args.${name}}}: add it to the test's analysisArgs`);
    return args[name];
  });
}

/** Grafana's `$var`, `${var}`, `${var:format}` and `[[var]]`; an unknown variable is an error. */
export function substituteVars(query: string, vars: Record<string, string>, source: string): string {
  return query.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (_, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c)!;
    if (!(name in vars)) throw new Error(`${source}: no value for dashboard variable $${name}: add it to the test's dashboardVars`);
    return vars[name];
  });
}

function dashboardQueries(dashboard: any, source: string, vars: Record<string, string>): GeneratedQuery[] {
  const out: GeneratedQuery[] = [];
  const visit = (node: any, where: string) => {
    if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${where}[${i}]`));
    if (node === null || typeof node !== "object") return;
    if (Array.isArray(node.targets)) {
      node.targets.forEach((t: any, i: number) => {
        if (typeof t?.expr === "string" && t.expr.trim())
          out.push({ kind: "dashboard", source: `${source} ${node.title ?? where} targets[${i}]`, query: substituteVars(t.expr, vars, source) });
      });
    }
    for (const [k, v] of Object.entries(node)) if (k !== "targets") visit(v, `${where}.${k}`);
  };
  visit(dashboard.panels ?? [], "panels");
  // Query variables: label_values(<selector>, label) is Grafana's, not PromQL; its selector is.
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type !== "query") continue;
    const text: string = typeof v.query === "string" ? v.query : (v.query?.query ?? "");
    const m = /^\s*(label_values|query_result)\((.*)\)\s*$/s.exec(text);
    const comma = m?.[1] === "label_values" ? m[2].lastIndexOf(",") : -1;
    // label_values(label) alone lists a label over every series: no selector to prove.
    const inner = !m ? text : m[1] === "query_result" ? m[2] : comma < 0 ? "" : m[2].slice(0, comma);
    if (inner.trim()) out.push({ kind: "dashboard-variable", source: `${source} variable ${v.name}`, query: substituteVars(inner, vars, source) });
  }
  return out;
}

function objectQueries(doc: any, source: string, values: QueryValues): GeneratedQuery[] {
  if (doc?.kind === "PrometheusRule") {
    return (doc.spec?.groups ?? []).flatMap((g: any) =>
      (g.rules ?? []).map((r: any): GeneratedQuery =>
        r.record
          ? { kind: "record", source: `${source} ${g.name}/${r.record}`, query: String(r.expr), record: r.record }
          : { kind: "alert", source: `${source} ${g.name}/${r.alert}`, query: String(r.expr), alert: { name: r.alert, for: r.for, labels: r.labels ?? {} } },
      ),
    );
  }
  if (doc?.kind === "AnalysisTemplate" || doc?.kind === "ClusterAnalysisTemplate") {
    return (doc.spec?.metrics ?? [])
      .filter((m: any) => typeof m.provider?.prometheus?.query === "string")
      .map((m: any) => ({
        kind: "analysis",
        source: `${source} ${m.name}`,
        query: substituteArgs(m.provider.prometheus.query, values.analysisArgs, `${source} ${m.name}`),
        successCondition: m.successCondition,
      }));
  }
  if (doc?.kind === "ConfigMap") {
    return Object.entries(doc.data ?? {}).flatMap(([key, text]) => {
      if (!key.endsWith(".json")) return [];
      const json = JSON.parse(String(text));
      return json?.panels ? dashboardQueries(json, `${source} ${key}`, values.dashboardVars) : [];
    });
  }
  return [];
}

/** Every query in the rendered repository at `dir`, in file order. */
export async function generatedQueries(dir: string, values: QueryValues): Promise<GeneratedQuery[]> {
  const out: GeneratedQuery[] = [];
  for (const file of await walk(dir)) {
    const overlay = /^deploy\/overlays\/([^/]+)\//.exec(file);
    if (overlay && overlay[1] !== values.environment) continue;
    if (/\.ya?ml$/.test(file)) {
      // Only Kubernetes objects: promtool's test files (deploy/monitoring/tests) hold synthetic series.
      for (const d of parseAllDocuments(await readFile(path.join(dir, file), "utf8"))) out.push(...objectQueries(d.toJS(), file, values));
    } else if (file.endsWith(".json")) {
      const json = JSON.parse(await readFile(path.join(dir, file), "utf8"));
      if (json?.panels) out.push(...dashboardQueries(json, file, values.dashboardVars));
    }
  }
  return out;
}

/**
 * Evaluates an Argo Rollouts successCondition of the one shape the templates write, `result[0] <op> <number>`,
 * on a query's first value; any other shape throws, so a new one is added here rather than ignored.
 */
export function analysisSucceeds(condition: string, value: number): boolean {
  const m = /^\s*result\[0\]\s*(<=|>=|<|>|==)\s*(-?[0-9.]+)\s*$/.exec(condition);
  if (!m) throw new Error(`successCondition ${JSON.stringify(condition)}: only "result[0] <op> <number>" is evaluated here`);
  const limit = Number(m[2]);
  return { "<=": value <= limit, ">=": value >= limit, "<": value < limit, ">": value > limit, "==": value === limit }[m[1]]!;
}
