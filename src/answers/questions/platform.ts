// Platform: monitoring, network policy, the image admission policy, progressive delivery and the service catalog.
import { q } from "./question.js";
import { alertmanagerUrl, prometheusUrl } from "../urls.js";

// Canary thresholds (progressive: argo-rollouts or flagger). Kept here: they only serve these questions.
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

// SLO objectives (monitoring). 90 is the floor: below it a month's error budget is more than three days of
// outage, and the 6x page would need more than 60% errors. (Below 93.06 the 14.4x page over 1h cannot
// fire at all, since 14.4 x the budget is over 100%; the 6x page over 6h still does.)
const OBJECTIVE = /^9[0-9](\.[0-9]{1,3})?$/;

function objective(value: string): string | undefined {
  if (!OBJECTIVE.test(value)) return "is not an objective from 90 to below 100 percent: write a number such as 99.9 (at most 3 decimals, no '%')";
  return undefined;
}

/**
 * The upper bounds of the service's latency histogram (prometheus.DefBuckets in internal/metrics), in ms:
 * an SLO threshold between two of them cannot be measured, only guessed by interpolation.
 */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;

function latencyBucket(value: number): string | undefined {
  if (!(LATENCY_BUCKETS_MS as readonly number[]).includes(value))
    return `is not a bound of the service's latency histogram: use one of ${LATENCY_BUCKETS_MS.join(", ")} (milliseconds)`;
  return undefined;
}

const ALERTMANAGER_URL = "http://alertmanager-operated.monitoring.svc:9093/api/v2/alerts";

export const platformQuestions = [
  q({
    name: "monitoring",
    flag: "monitoring",
    kind: "boolean",
    message: "Add monitoring (Prometheus ServiceMonitor, Grafana dashboard, deployment alerts)?",
    help: "Add a ServiceMonitor for the Prometheus Operator, a Grafana dashboard and, with Argo CD or Flux, failed deployments sent to Alertmanager (--no-monitoring to leave them out)",
    example: "true",
    default: () => true,
    validate: () => undefined,
  }),
  q({
    name: "alertmanagerUrl",
    flag: "alertmanager-url",
    kind: "text",
    message: "Alertmanager address failed deployments are sent to",
    help: "Deployment notifications: Alertmanager's alerts endpoint (http or https, ending in /api/v2/alerts) that Flux or Argo CD posts failed syncs to",
    example: ALERTMANAGER_URL,
    default: () => ALERTMANAGER_URL,
    // Only a GitOps controller sends deployment failures; without monitoring nothing is sent.
    when: (a) => a.monitoring !== false && a.gitops !== "none",
    validate: alertmanagerUrl.check,
    schema: { pattern: alertmanagerUrl.pattern },
  }),
  q({
    name: "networkPolicy",
    flag: "network-policy",
    kind: "boolean",
    message: "Add a NetworkPolicy?",
    help: "Add a NetworkPolicy: ingress only to the service's ports, egress only to DNS and the destinations the env defaults name (--no-network-policy to leave it out)",
    example: "true",
    default: () => true,
    validate: () => undefined,
  }),
  q({
    name: "admission",
    flag: "admission",
    kind: "choice",
    message: "Admission policy that refuses images of this service the release pipeline on main did not sign",
    help:
      "sigstore: a Sigstore policy-controller ClusterImagePolicy in deploy/platform/ and the namespace label that enforces it: pods of this service run only " +
      "images signed by the release workflow (GitHub) or pipeline (GitLab) on main; the cluster needs policy-controller (not with --ci none)",
    example: "sigstore",
    choices: ["none", "sigstore"],
    // Off by default: the platform files must apply on a cluster without policy-controller, where a
    // ClusterImagePolicy has no CRD and `kubectl apply` of deploy/platform/ would fail.
    default: () => "none" as const,
    // Without CI nothing signs the image, so no policy could ever admit it.
    when: (a) => a.ci !== "none",
    validate: () => undefined,
  }),
  q({
    name: "progressive",
    flag: "progressive",
    kind: "choice",
    message: "Progressive delivery",
    help:
      "argo-rollouts: a canary Rollout that Prometheus analysis promotes or aborts (needs --gitops argocd or none, and --monitoring); " +
      "flagger: a Flagger Canary (Blue/Green, load-tested) that the same analysis promotes or rolls back (needs --gitops flux, and --monitoring)",
    example: "argo-rollouts",
    choices: ["none", "argo-rollouts", "flagger"],
    default: () => "none" as const,
    // Not offered where it cannot work (cross-checks.ts says why if given anyway): each GitOps engine has
    // its own controller (Argo Rollouts beside Argo CD, Flagger beside Flux), and the analysis reads
    // metrics only the ServiceMonitor or PodMonitor makes Prometheus scrape.
    when: (a) => a.monitoring !== false,
    validate: () => undefined,
  }),
  q({
    name: "canaryMaxErrorPercent",
    flag: "canary-max-error-percent",
    kind: "text",
    message: "Largest share of 5xx responses a canary may serve, in percent",
    help: "Canary analysis: the largest share of 5xx responses, in percent (0 < p < 100, up to 3 decimals); above it the rollout aborts (flagger: rolls back)",
    example: "0.5",
    default: () => "1",
    when: (a) => a.progressive !== "none",
    validate: percent,
    schema: { pattern: PERCENT.source },
  }),
  q({
    name: "canaryMaxP95Ms",
    flag: "canary-max-p95-ms",
    kind: "number",
    message: "Largest p95 latency a canary may have, in milliseconds",
    help: "Canary analysis: the largest 95th-percentile latency, in milliseconds (10-10000); above it the rollout aborts (flagger: rolls back)",
    example: "300",
    default: () => 500,
    when: (a) => a.progressive !== "none",
    validate: p95Milliseconds,
    schema: { minimum: 10, maximum: 10000 },
  }),
  q({
    name: "prometheusUrl",
    flag: "prometheus-url",
    kind: "text",
    message: "Prometheus address the canary analysis queries",
    help: "Canary analysis: the Prometheus (http or https) that scrapes the ServiceMonitor (PodMonitor with flagger)",
    example: "http://prometheus-operated.monitoring.svc:9090",
    default: () => "http://prometheus-operated.monitoring.svc:9090",
    when: (a) => a.progressive !== "none",
    validate: prometheusUrl.check,
    schema: { pattern: prometheusUrl.pattern },
  }),
  q({
    name: "sloAvailability",
    flag: "slo-availability",
    kind: "text",
    message: "Availability objective: share of requests answered without a 5xx, in percent",
    help: "SLO alerts: the availability objective in percent (90 <= p < 100, up to 3 decimals); the burn-rate alerts spend its error budget",
    example: "99.9",
    default: () => "99.9",
    when: (a) => a.monitoring !== false,
    validate: objective,
    schema: { pattern: OBJECTIVE.source },
  }),
  q({
    name: "sloLatencyPercent",
    flag: "slo-latency-percent",
    kind: "text",
    message: "Latency objective: share of requests faster than the threshold, in percent",
    help: "SLO alerts: the share of requests that must be faster than --slo-latency-ms, in percent (90 <= p < 100, up to 3 decimals)",
    example: "99",
    default: () => "99",
    when: (a) => a.monitoring !== false,
    validate: objective,
    schema: { pattern: OBJECTIVE.source },
  }),
  q({
    name: "sloLatencyMs",
    flag: "slo-latency-ms",
    kind: "number",
    message: "Latency objective: the threshold, in milliseconds (a bound of the latency histogram)",
    help: `SLO alerts: the latency threshold in milliseconds, one of the histogram's bounds (${LATENCY_BUCKETS_MS.join(", ")})`,
    example: "500",
    default: () => 500,
    when: (a) => a.monitoring !== false,
    validate: latencyBucket,
    // The bounds only: the Backstage form maps minimum/maximum, not enum; validate names the allowed values.
    schema: { minimum: LATENCY_BUCKETS_MS[0], maximum: LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1] },
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
