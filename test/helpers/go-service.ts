// Build and run a rendered Go service (free ports, poll until ready, scrape /metrics), shared by
// test/go-service.test.ts, test/rollouts.test.ts and test/properties.test.ts; and build the PromQL
// checker (tools/promql-check) for the rollouts tests and the dashboard checker (tools/dashboard-check).
import { createServer } from "node:net";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import type { Context } from "../../src/render/context.js";

/** The generated repo must build exactly from its go.mod/go.sum and the installed toolchain. */
export const GO_ENV = { GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly" };

export const goFound = (await execa("go", ["version"], { reject: false })).exitCode === 0;

/** tools/promql-check: a Go module of its own, pinned to Prometheus's parser. */
export const PROMQL_CHECK_DIR = path.resolve(import.meta.dirname, "../../tools/promql-check");

/** A port nobody listens on right now, from the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function get(url: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined; // not listening (yet, or any more)
  }
}

/** Poll until url answers `status`: never a fixed sleep. Fails early if the process exits. */
export async function waitFor(url: string, status: number, proc: ResultPromise, timeoutMs = 15_000): Promise<void> {
  let exited = false;
  proc.finally(() => (exited = true)).catch(() => {});
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await get(url);
    if (res?.status === status) return;
    if (exited) throw new Error(`process exited while waiting for ${url} to answer ${status}`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${status} within ${timeoutMs}ms (last: ${res?.status})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Values the service cannot start without, for the variables this answer set declares. */
export function requiredEnv(context: Context): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of context.env) if (e.required) env[e.name] = e.isURL ? "https://upstream.example.com" : "test";
  for (const s of context.secrets) env[s.name] = "s3cr3t-value";
  return env;
}

/** `go build` the rendered service into dir/bin/<name>; throws with Go's output on failure. */
export async function buildService(dir: string, context: Context): Promise<string> {
  const bin = path.join(dir, "bin", context.name);
  const build = await execa("go", ["build", "-o", bin, `./cmd/${context.name}`], {
    cwd: dir,
    env: { ...GO_ENV, CGO_ENABLED: "0" },
    reject: false,
    all: true,
  });
  if (build.exitCode !== 0) throw new Error(`go build failed:\n${build.all}`);
  return bin;
}

/**
 * Start the binary on free ports, send it `paths` on the app port, and return the admin port's
 * /metrics text; the process is stopped with SIGTERM afterwards.
 */
export async function scrapeAfterRequests(bin: string, context: Context, paths: string[]): Promise<string> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const env = { ...requiredEnv(context), PORT: String(port), ADMIN_PORT: String(adminPort), SHUTDOWN_DELAY: "0s", SHUTDOWN_TIMEOUT: "5s" };
  // extendEnv: false, so nothing in this process's environment (a CI's PORT) leaks in.
  const proc = execa(bin, [], { extendEnv: false, env, reject: false });
  try {
    await waitFor(`http://127.0.0.1:${port}/readyz`, 200, proc);
    for (const p of paths) {
      const res = await get(`http://127.0.0.1:${port}${p}`);
      if (!res) throw new Error(`no answer to ${p}`);
    }
    const metrics = await get(`http://127.0.0.1:${adminPort}/metrics`);
    if (metrics?.status !== 200) throw new Error(`/metrics answered ${metrics?.status}`);
    return metrics.body;
  } finally {
    proc.kill("SIGTERM");
    await proc;
  }
}

/** Build tools/promql-check into outDir and return its path. */
export async function buildPromqlCheck(outDir: string): Promise<string> {
  return buildTool(PROMQL_CHECK_DIR, outDir);
}

/** tools/dashboard-check: Grafana's schema types (grafana-foundation-sdk), strict decoding of a dashboard. */
export const DASHBOARD_CHECK_DIR = path.resolve(import.meta.dirname, "../../tools/dashboard-check");

export async function buildDashboardCheck(outDir: string): Promise<string> {
  return buildTool(DASHBOARD_CHECK_DIR, outDir);
}

/** Build one of tools/* (a Go module of its own, built from its go.mod/go.sum only) into outDir. */
async function buildTool(moduleDir: string, outDir: string): Promise<string> {
  const bin = path.join(outDir, path.basename(moduleDir));
  const build = await execa("go", ["build", "-o", bin, "."], { cwd: moduleDir, env: GO_ENV, reject: false, all: true });
  if (build.exitCode !== 0) throw new Error(`building tools/${path.basename(moduleDir)} failed:\n${build.all}`);
  return bin;
}

export interface PromqlResult {
  name: string;
  query: string;
  error?: string;
  type?: string;
  metrics: string[];
  labels: string[];
  /** Each vector selector as Prometheus prints it, with its matchers (`__name__` included). */
  selectors: { text: string; matchers: { name: string; type: "=" | "!=" | "=~" | "!~"; value: string }[] }[];
}

/** Run promql-check on queries, with values for the {{args.x}} placeholders. */
export async function promqlCheck(
  bin: string,
  queries: { name: string; query: string }[],
  args: Record<string, string>,
): Promise<{ exitCode: number; results: PromqlResult[]; stderr: string }> {
  const flags = Object.entries(args).flatMap(([k, v]) => ["-arg", `${k}=${v}`]);
  const run = await execa(bin, flags, { input: JSON.stringify(queries), reject: false });
  return {
    exitCode: run.exitCode ?? -1,
    results: run.stdout ? (JSON.parse(String(run.stdout)) as PromqlResult[]) : [],
    stderr: String(run.stderr),
  };
}

/** Metric names present in a Prometheus text exposition (sample lines, not # HELP/# TYPE). */
export function exposedSeries(text: string): { name: string; labels: string[] }[] {
  return text
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      // Greedy up to the last `}`: label values such as route="GET /v1/hello/{name}" hold braces.
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+\S+/.exec(l);
      if (!m) throw new Error(`not an exposition line: ${l}`);
      const labels = m[3] ? [...m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)].map((x) => x[1]) : [];
      return { name: m[1], labels };
    });
}
