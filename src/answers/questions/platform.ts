// Platform: monitoring, network policy, progressive delivery and the service catalog.
import { q } from "./question.js";
import { prometheusUrl } from "../urls.js";

// Canary thresholds (progressive: argo-rollouts). Kept here: they only serve these questions.
/** A percentage below 100 with at most three decimals; a string so that 0.1 stays exactly 0.1. */
const PERCENT = /^(0|[1-9][0-9]?)(\.[0-9]{1,3})?$/;

function percent(value: string): string | undefined {
  if (!PERCENT.test(value)) return "is not a percentage below 100: write a number such as 1 or 0.5 (at most 3 decimals, no '%')";
  if (Number(value) === 0) return "is 0: a single failed request would abort every rollout; use a small share such as 0.1";
  return undefined;
}

function p95Milliseconds(value: number): string | undefined {
  if (!Number.isInteger(value)) return "is not a whole number of milliseconds";
  if (value < 10) return "is below 10 ms, finer than the service's latency histogram can tell apart";
  if (value > 10000) return "is above 10000 ms: the service's latency histogram ends at 10 s, so a higher p95 cannot be measured";
  return undefined;
}

export const platformQuestions = [
  q({
    name: "monitoring",
    flag: "monitoring",
    kind: "boolean",
    message: "Add a Prometheus ServiceMonitor?",
    help: "Add a ServiceMonitor for the Prometheus Operator (--no-monitoring to leave it out)",
    example: "true",
    default: () => true,
    validate: () => undefined,
  }),
  q({
    name: "networkPolicy",
    flag: "network-policy",
    kind: "boolean",
    message: "Add a NetworkPolicy?",
    help: "Add a NetworkPolicy limiting ingress to the service's ports (--no-network-policy to leave it out)",
    example: "true",
    default: () => true,
    validate: () => undefined,
  }),
  q({
    name: "progressive",
    flag: "progressive",
    kind: "choice",
    message: "Progressive delivery",
    help: "argo-rollouts: a canary Rollout that Prometheus analysis promotes or aborts (needs --gitops argocd or none, and --monitoring)",
    example: "argo-rollouts",
    choices: ["none", "argo-rollouts"],
    default: () => "none" as const,
    // Not offered where it cannot work (cross-checks.ts says why if given anyway): Flux's route is Flagger,
    // and the analysis reads metrics only the ServiceMonitor makes Prometheus scrape.
    when: (a) => a.gitops !== "flux" && a.monitoring !== false,
    validate: () => undefined,
  }),
  q({
    name: "canaryMaxErrorPercent",
    flag: "canary-max-error-percent",
    kind: "text",
    message: "Largest share of 5xx responses a canary may serve, in percent",
    help: "Canary analysis: the largest share of 5xx responses, in percent (0 < p < 100, up to 3 decimals); above it the rollout aborts",
    example: "0.5",
    default: () => "1",
    when: (a) => a.progressive === "argo-rollouts",
    validate: percent,
    schema: { pattern: PERCENT.source },
  }),
  q({
    name: "canaryMaxP95Ms",
    flag: "canary-max-p95-ms",
    kind: "number",
    message: "Largest p95 latency a canary may have, in milliseconds",
    help: "Canary analysis: the largest 95th-percentile latency, in milliseconds (10-10000); above it the rollout aborts",
    example: "300",
    default: () => 500,
    when: (a) => a.progressive === "argo-rollouts",
    validate: p95Milliseconds,
    schema: { minimum: 10, maximum: 10000 },
  }),
  q({
    name: "prometheusUrl",
    flag: "prometheus-url",
    kind: "text",
    message: "Prometheus address the canary analysis queries",
    help: "Canary analysis: the Prometheus (http or https) that scrapes the ServiceMonitor",
    example: "http://prometheus-operated.monitoring.svc:9090",
    default: () => "http://prometheus-operated.monitoring.svc:9090",
    when: (a) => a.progressive === "argo-rollouts",
    validate: prometheusUrl.check,
    schema: { pattern: prometheusUrl.pattern },
  }),
  q({
    name: "catalog",
    flag: "catalog",
    kind: "boolean",
    message: "Add a Backstage catalog-info.yaml?",
    help: "Add a Backstage catalog-info.yaml (a Component), so the service shows up in a catalog (--no-catalog to leave it out)",
    example: "true",
    default: () => true,
    validate: () => undefined,
  }),
];
