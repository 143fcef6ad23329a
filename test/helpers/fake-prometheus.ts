// A Prometheus HTTP API (/api/v1/query, GET or form POST, as client_golang sends it) that answers the
// generated canary queries with values the test sets, and records every query it was asked. The
// decision under test is the Argo Rollouts controller's (promote or abort from the AnalysisTemplate's
// conditions and limits); the queries are ours, and the test checks what they asked for.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CanaryMetrics {
  /** Share of 5xx responses, in percent, for the error-rate query. */
  errorPercent: number;
  /** p95 latency in milliseconds, for the latency query. */
  p95Ms: number;
}

export interface FakePrometheus {
  url: string;
  queries: string[];
  set(metrics: CanaryMetrics): void;
  close(): Promise<void>;
}

export async function startFakePrometheus(initial: CanaryMetrics): Promise<FakePrometheus> {
  let metrics = initial;
  const queries: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const form = new URLSearchParams(req.method === "POST" ? Buffer.concat(chunks).toString() : "");
      const query = url.searchParams.get("query") ?? form.get("query");
      if (url.pathname !== "/api/v1/query" || !query) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ status: "error", errorType: "bad_data", error: `unexpected ${req.method} ${url.pathname}` }));
        return;
      }
      queries.push(query);
      // Which of the two generated queries this is: the latency one is a histogram_quantile.
      const value = /histogram_quantile/.test(query) ? metrics.p95Ms : /http_requests_total/.test(query) ? metrics.errorPercent : undefined;
      if (value === undefined) {
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ status: "error", errorType: "bad_data", error: "not a canary query" }));
        return;
      }
      const body = { status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [Date.now() / 1000, String(value)] }] } };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queries,
    set: (m) => (metrics = m),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
