// The SLO alerts (issue #25): the answers that set the objectives, the exact numbers derived from them,
// and the generated rules run by the real promtool through the generated scripts/test-alerts.sh, on the
// defaults and on odd objectives; a deliberately broken copy must fail the same run.
import { describe, expect, it, test } from "vitest";
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { parseAllDocuments } from "yaml";
import type { Answers } from "../src/answers/types.js";
import { questionFor } from "../src/answers/questions.js";
import { crossCheck } from "../src/answers/cross-checks.js";
import { LATENCY_BUCKETS_MS } from "../src/answers/questions/platform.js";
import { buildSlo } from "../src/render/slo.js";
import { runTool, verifyRepository } from "../src/output/verify.js";
import { baseAnswers, inCI, renderToDir } from "./helpers/render.js";
import { runCli, tempDir } from "./helpers/cli.js";
import { crdKey, loadCrdValidators, type K8sObject } from "./helpers/deploy-schemas.js";
import { generate, update } from "./helpers/update-repo.js";

const validate = (name: keyof Answers, value: unknown) => questionFor(name)!.validate(value as never);

describe("SLO answers", () => {
  test.each([
    ["sloAvailability", "99.9", "ok"],
    ["sloAvailability", "90", "ok"],
    ["sloAvailability", "99.999", "ok"],
    ["sloAvailability", "95.125", "ok"],
    ["sloAvailability", "100", /from 90 to below 100/],
    ["sloAvailability", "89.999", /from 90 to below 100/],
    ["sloAvailability", "99.9999", /at most 3 decimals/],
    ["sloAvailability", "99.9%", /no '%'/],
    ["sloAvailability", "099.9", /from 90 to below 100/],
    ["sloAvailability", " 99.9", /from 90 to below 100/],
    ["sloAvailability", "", /from 90 to below 100/],
    ["sloLatencyPercent", "99", "ok"],
    ["sloLatencyPercent", "9e1", /from 90 to below 100/],
    ["sloLatencyMs", 500, "ok"],
    ["sloLatencyMs", 5, "ok"],
    ["sloLatencyMs", 10000, "ok"],
    ["sloLatencyMs", 300, /not a bound of the service's latency histogram: use one of 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000/],
    ["sloLatencyMs", 499.5, /not a bound/],
    ["sloLatencyMs", 20000, /not a bound/],
  ] as const)("%s %j", (name, value, expected) => {
    const problem = validate(name, value);
    if (expected === "ok") expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });

  it("every histogram bound is allowed, the defaults are valid, and none is asked without monitoring", () => {
    for (const ms of LATENCY_BUCKETS_MS) expect(validate("sloLatencyMs", ms), String(ms)).toBeUndefined();
    for (const name of ["sloAvailability", "sloLatencyPercent", "sloLatencyMs"] as const) {
      const question = questionFor(name)!;
      expect(validate(name, question.default!({}))).toBeUndefined();
      expect(question.when!({ monitoring: false }), name).toBe(false);
      expect(question.when!({ monitoring: true }), name).toBe(true);
    }
  });

  it("an objective given with --no-monitoring is refused, naming both flags", () => {
    expect(crossCheck({ ...baseAnswers, monitoring: false }, new Set(["sloLatencyMs"] as const))).toEqual([
      { fields: ["sloLatencyMs", "monitoring"], text: "--slo-latency-ms applies only with --monitoring (got --no-monitoring)" },
    ]);
    expect(crossCheck({ ...baseAnswers, monitoring: false }, new Set())).toEqual([]);
    expect(crossCheck(baseAnswers, new Set(["sloAvailability", "sloLatencyPercent", "sloLatencyMs"] as const))).toEqual([]);
  });

  it("the CLI refuses a threshold between two buckets with exit 2, the allowed values, and writes nothing", async () => {
    const cwd = await tempDir();
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--no-git", "--slo-latency-ms", "300"], { cwd });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toContain("--slo-latency-ms");
    expect(run.stderr).toContain("300");
    expect(run.stderr).toContain("5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000");
    expect((await execa("ls", ["-A", cwd])).stdout).toBe("");
  });

  it("--print-schema publishes them; an answers file sets them and the record keeps them", async () => {
    const schema = JSON.parse((await runCli(["--print-schema"])).stdout);
    expect(schema.properties.sloAvailability).toMatchObject({ type: "string", pattern: "^9[0-9](\\.[0-9]{1,3})?$" });
    expect(schema.properties.sloLatencyMs).toMatchObject({ type: "integer", minimum: 5, maximum: 10000 });
    const cwd = await tempDir();
    const file = path.join(cwd, "answers.json");
    await writeFile(file, JSON.stringify({ sloAvailability: "99.95", sloLatencyPercent: "99.5", sloLatencyMs: 250 }));
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--no-git", "--answers", file], { cwd });
    expect(run.exitCode, run.stderr).toBe(0);
    const record = JSON.parse(await readFile(path.join(cwd, "svc/.create-gitops-go-service.json"), "utf8"));
    expect(record.answers).toMatchObject({ sloAvailability: "99.95", sloLatencyPercent: "99.5", sloLatencyMs: 250 });
    const rule = await readFile(path.join(cwd, "svc/deploy/overlays/dev/prometheusrule.yaml"), "utf8");
    expect(rule).toContain("> (14.4 * 0.0005)");
    expect(rule).toContain("> (14.4 * 0.005)");
    expect(rule).toContain('le="0.25"');
  });
});

describe("SLO numbers are exact", () => {
  test.each([
    ["99.9", "0.001"],
    ["99.95", "0.0005"],
    ["99.999", "0.00001"],
    ["95.125", "0.04875"],
    ["90", "0.1"],
    ["99", "0.01"],
  ])("objective %s leaves a budget of %s", (percent, budget) => {
    expect(buildSlo(percent, "99", 500).availability.budget).toBe(budget);
  });

  test.each([
    [5, 'le="0.005"', 'le="0.005"'],
    [250, 'le="0.25"', 'le="0.25"'],
    [2500, 'le="2.5"', 'le="2.5"'],
    // Whole seconds: Prometheus 3 stores le="1.0" where the service (and Prometheus 2) say le="1".
    [1000, 'le=~"1(\\\\.0)?"', 'le="1.0"'],
    [10000, 'le=~"10(\\\\.0)?"', 'le="10.0"'],
  ])("%d ms matches with %s (Prometheus 3 stores %s)", (ms, matcher, v3) => {
    const { latency } = buildSlo("99.9", "99", ms);
    expect(latency.leMatcher).toBe(matcher);
    expect(latency.leV3).toBe(v3);
  });

  it("the unit tests' traffic is whole or half requests, and a page-level burn never exceeds all of them", () => {
    expect(buildSlo("99.9", "99", 500).availability.tests).toEqual({
      healthy: "50", ticketLong: "200", ticket: "500", pageLong: "1000", page: "2000",
      goodHealthy: "99950", goodTicketLong: "99800", goodTicket: "99500", goodPageLong: "99000", goodPage: "98000",
      healthyPpm: "500", pagePpm: "20000",
    });
    expect(buildSlo("99.999", "99", 500).availability.tests).toMatchObject({ healthy: "0.5", goodHealthy: "99999.5", healthyPpm: "5" });
    expect(buildSlo("90", "99", 500).availability.tests).toMatchObject({ page: "100000", goodPage: "0", pagePpm: "1000000" });
  });
});

// promtool: Debian's 2.42 is enough (the flags and the test format are the same in 3.x); CI must have it.
const PROMTOOL = process.env.PROMTOOL ?? "promtool";
const promtoolFound = (await execa("sh", ["-c", `command -v ${PROMTOOL}`], { reject: false })).exitCode === 0;
if (!promtoolFound && !inCI) console.warn(`skipping the promtool tests: ${PROMTOOL} is not on PATH (apt-get install prometheus, or set PROMTOOL)`);

async function testAlerts(dir: string) {
  if (!promtoolFound) throw new Error(`${PROMTOOL} is required in CI (apt-get install prometheus)`);
  return execa("scripts/test-alerts.sh", [], { cwd: dir, env: { PROMTOOL }, reject: false, all: true });
}

describe.skipIf(!promtoolFound && !inCI)("the generated alerts under the real promtool", () => {
  it("defaults, three environments: every overlay's rules lint clean and pass their unit tests", async () => {
    const { dir, context } = await renderToDir();
    const run = await testAlerts(dir);
    expect(run.exitCode, run.all).toBe(0);
    for (const env of context.environments) expect(run.all).toContain(`== ${env.name}`);
    expect(run.all.match(/SUCCESS: 20 rules found/g)).toHaveLength(3);
    expect(run.all.match(/^\s*SUCCESS\s*$/gm)).toHaveLength(3);
  }, 60_000);

  it("odd objectives (99.95%, 99.5% under 1 s, 95.125% under 250 ms on one environment) pass too", async () => {
    const whole = await renderToDir({ name: "odd", environments: ["dev", "qa", "production"], sloAvailability: "99.95", sloLatencyPercent: "99.5", sloLatencyMs: 1000 });
    const quarter = await renderToDir({ name: "lean", environments: ["prod"], sloAvailability: "90", sloLatencyPercent: "95.125", sloLatencyMs: 250 });
    const runs = await Promise.all([whole, quarter].map(({ dir }) => testAlerts(dir)));
    for (const run of runs) expect(run.exitCode, run.all).toBe(0);
    const rule = await readFile(path.join(whole.dir, "deploy/overlays/qa/prometheusrule.yaml"), "utf8");
    expect(rule).toContain('http_request_duration_seconds_bucket{job="odd",namespace="odd-qa",le=~"1(\\\\.0)?"}[1h]');
    // Matching only the exporter's spelling misses what Prometheus 3 stores ("1.0"): the test says so.
    await rm(path.join(whole.dir, "deploy/overlays/dev"), { recursive: true });
    await rm(path.join(whole.dir, "deploy/overlays/production"), { recursive: true });
    await writeFile(path.join(whole.dir, "deploy/overlays/qa/prometheusrule.yaml"), rule.replaceAll('le=~"1(\\\\.0)?"', 'le="1"'));
    const prometheus2Only = await testAlerts(whole.dir);
    expect(prometheus2Only.exitCode, prometheus2Only.all).toBe(1);
    expect(prometheus2Only.all).toMatch(/FAILED[\s\S]*alertname: SLOLatencyBurnFast/);
  }, 60_000);

  it("a broken copy fails: a wrong burn factor, a wrong job selector, a bucket that is not the threshold", async () => {
    const { dir } = await renderToDir({ name: "broken" });
    const copy = await tempDir("cggs-broken-alerts-");
    await cp(dir, copy, { recursive: true });
    const breakRule = async (env: string, from: string | RegExp, to: string) => {
      const file = path.join(copy, "deploy/overlays", env, "prometheusrule.yaml");
      const text = await readFile(file, "utf8");
      const broken = text.replace(from, to);
      expect(broken, `${env}: ${from}`).not.toBe(text);
      await writeFile(file, broken);
    };
    await breakRule("dev", /\(14\.4 \*/g, "(1.44 *");
    await breakRule("staging", /job="broken"/g, 'job="broken-svc"');
    await breakRule("prod", /le="0\.5"/g, 'le="0.25"');
    // The second pair of each alert, which the first pair's burn would hide: 6x read as 60x, 3d as 1d.
    await breakRule("prod", /\(6 \*/g, "(60 *");
    await breakRule("prod", /\(1 \*/g, "(10 *");
    const run = await testAlerts(copy);
    expect(run.exitCode).toBe(1);
    const sections = Object.fromEntries(run.all.split(/^== /m).slice(1).map((s) => [s.split("\n")[0], s]));
    // A ticket-level burn now pages; no series match, so the absent alert fires on healthy traffic;
    // the wrong bucket counts half the requests as slow.
    expect(sections.dev).toMatch(/FAILED[\s\S]*alertname: SLOAvailabilityBurnFast/);
    expect(sections.staging).toMatch(/FAILED[\s\S]*alertname: ServiceMetricsAbsent/);
    expect(sections.prod).toMatch(/FAILED[\s\S]*namespace_job:http_requests_slow:ratio_rate5m/);
    expect(sections.prod).toMatch(/name: 5xx at 10x the budget page through the 6h\/30m pair alone/);
    expect(sections.prod).toMatch(/name: 5xx at 2x the budget ticket through the 3d\/6h pair alone/);
  }, 60_000);

  it("--verify runs the script when promtool is on PATH", async () => {
    const { dir, context } = await renderToDir({ name: "verified", environments: ["prod"] });
    // Only the alert check runs for real here; the Go and Kubernetes checks have their own tests, and
    // a failing script is reported like any failing tool (runTool's tests).
    const exec = (file: string, args: string[], cwd: string) => (file === "promtool" || file === "sh" ? runTool(file, args, cwd) : Promise.resolve({ code: 0, output: "" }));
    const checks = await verifyRepository(dir, context, exec);
    expect(checks.find((c) => c.name === "scripts/test-alerts.sh")).toEqual({ name: "scripts/test-alerts.sh", status: "pass" });
  }, 60_000);

  it("a missing unit test file is an error, not a pass", async () => {
    const { dir } = await renderToDir({ name: "untested", environments: ["prod"] });
    await execa("rm", [path.join(dir, "deploy/monitoring/tests/prod.yaml")]);
    const run = await testAlerts(dir);
    expect(run.exitCode).toBe(1);
    expect(run.all).toContain("deploy/monitoring/tests/prod.yaml does not exist");
  });
});

describe("the PrometheusRule object", () => {
  const validators = loadCrdValidators();

  it.skipIf(!validators && !inCI)("validates strictly against the pinned CRD; a misspelt field does not", async () => {
    const { dir } = await renderToDir();
    const [rule] = parseAllDocuments(await readFile(path.join(dir, "deploy/overlays/prod/prometheusrule.yaml"), "utf8")).map((d) => d.toJS() as K8sObject);
    const check = validators!.get(crdKey(rule))!;
    expect(check(rule)).toEqual([]);
    const misspelt = structuredClone(rule) as any;
    misspelt.spec.groups[2].rules[0].fore = misspelt.spec.groups[2].rules[0].for;
    delete misspelt.spec.groups[2].rules[0].for;
    expect(check(misspelt).join("\n")).toMatch(/must NOT have additional properties.*fore/);
  });

  it("is written only with monitoring, with the runbook and the test script", async () => {
    const off = await renderToDir({ monitoring: false });
    expect(off.files.filter((f) => /prometheusrule|deploy\/monitoring|runbook|test-alerts/.test(f))).toEqual([]);
    const kustomization = await readFile(path.join(off.dir, "deploy/overlays/dev/kustomization.yaml"), "utf8");
    expect(kustomization).not.toContain("prometheusrule");
    const on = await renderToDir();
    expect(on.files).toEqual(expect.arrayContaining(["docs/runbook.md", "scripts/test-alerts.sh", "deploy/monitoring/tests/dev.yaml", "deploy/overlays/prod/prometheusrule.yaml"]));
  });

  // Constant synthetic burns cannot tell a 1d window from a 3d one (the tests' data is an hour old),
  // so the windows and factors are checked here, on the rendered rule, against the SRE workbook's table.
  it("each recording rule reads the window it is named after; each alert pairs the workbook's windows and factors", async () => {
    const { dir } = await renderToDir({ environments: ["prod"] });
    const [rule] = parseAllDocuments(await readFile(path.join(dir, "deploy/overlays/prod/prometheusrule.yaml"), "utf8")).map((d) => d.toJS());
    const rules = rule.spec.groups.flatMap((g: any) => g.rules);
    const records = rules.filter((r: any) => r.record);
    expect(records.map((r: any) => r.record.split("ratio_rate")[1])).toEqual([...["5m", "30m", "1h", "2h", "6h", "1d", "3d"], ...["5m", "30m", "1h", "2h", "6h", "1d", "3d"]]);
    for (const r of records) {
      const window = r.record.split("ratio_rate")[1];
      expect([...r.expr.matchAll(/\[(\w+)\]/g)].map((m) => m[1]), r.record).toEqual(r.record.includes("errors") ? [window, window, window] : [window, window]);
    }
    const pairs = (expr: string) => [...expr.matchAll(/ratio_rate(\w+)\{[^}]*\} > \(([\d.]+) \*/g)].map((m) => `${m[2]}x${m[1]}`);
    for (const name of ["Availability", "Latency"]) {
      expect(pairs(rules.find((r: any) => r.alert === `SLO${name}BurnFast`).expr)).toEqual(["14.4x1h", "14.4x5m", "6x6h", "6x30m"]);
      expect(pairs(rules.find((r: any) => r.alert === `SLO${name}BurnSlow`).expr)).toEqual(["3x1d", "3x2h", "1x3d", "1x6h"]);
    }
  });

  it("every runbook_url points at a section of the generated runbook", async () => {
    const { dir, context } = await renderToDir();
    const runbook = await readFile(path.join(dir, "docs/runbook.md"), "utf8");
    const anchors = new Set([...runbook.matchAll(/^#+ (.+)$/gm)].map((m) => m[1].toLowerCase().replace(/[^a-z0-9 -]/g, "").replaceAll(" ", "-")));
    const [rule] = parseAllDocuments(await readFile(path.join(dir, "deploy/overlays/dev/prometheusrule.yaml"), "utf8")).map((d) => d.toJS());
    const alerts = rule.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert);
    expect(alerts.map((a: any) => a.alert)).toEqual(["SLOAvailabilityBurnFast", "SLOAvailabilityBurnSlow", "SLOLatencyBurnFast", "SLOLatencyBurnSlow", "ServiceMetricsDown", "ServiceMetricsAbsent"]);
    for (const a of alerts) {
      expect(a.annotations.runbook_url).toBe(`${context.runbookUrl}#${a.alert.toLowerCase()}`);
      expect(anchors, a.alert).toContain(a.alert.toLowerCase());
      expect(a.labels).toEqual({ severity: a.alert.endsWith("Fast") ? "page" : "ticket", service: "my-svc", environment: "dev" });
    }
    expect(context.runbookUrl).toBe("https://github.com/acme/my-svc/blob/main/docs/runbook.md");
  });
});

describe("update changes an objective everywhere at once", () => {
  it("--slo-availability on update rewrites the rules and their tests, which still pass", async () => {
    const dir = await generate(["--environments", "prod"]);
    const run = await update(dir, ["--slo-availability", "99.5", "--yes"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const rule = await readFile(path.join(dir, "deploy/overlays/prod/prometheusrule.yaml"), "utf8");
    expect(rule).toContain("> (14.4 * 0.005)");
    expect(rule).not.toContain("0.001)");
    const record = JSON.parse(await readFile(path.join(dir, ".create-gitops-go-service.json"), "utf8"));
    expect(record.answers.sloAvailability).toBe("99.5");
    if (promtoolFound || inCI) expect((await testAlerts(dir)).exitCode).toBe(0);
  }, 60_000);
});
