/** The resolved answers: every question in src/questions.ts has exactly one field here. */
export interface Answers {
  directory: string;
  name: string;
  module: string;
  owner: string;
  description: string;
  port: number;
  /** `NAME` (required) or `NAME=default`, in the order given. */
  env: string[];
  secret: string[];
  registry: string;
  repoUrl: string;
  gitops: "argocd" | "flux" | "none";
  argocdMode: "applications" | "applicationset";
  /** The Argo CD project: the service's own (its name, generated) or an existing one. */
  argocdProject: string;
  ci: "github" | "gitlab" | "none";
  /** When CI proposes its own template update: a 5-field cron schedule (UTC), or `off`. */
  templateUpdate: string;
  environments: string[];
  /** Pod size outside production: `cpu=50m,memory=128Mi,replicas=1-3` (see src/sizing.ts). */
  resources: string;
  /** Pod size in production, same form; at least 2 replicas. */
  productionResources: string;
  secrets: "external-secrets" | "none";
  monitoring: boolean;
  /** Alertmanager's alerts endpoint (…/api/v2/alerts) that Flux or Argo CD posts failed deployments to. */
  alertmanagerUrl: string;
  networkPolicy: boolean;
  /**
   * An admission policy for the service's image: `sigstore` writes a policy-controller ClusterImagePolicy
   * (deploy/platform/) admitting only images the release pipeline on main signed.
   */
  admission: "none" | "sigstore";
  /** Write a Backstage catalog-info.yaml. */
  catalog: boolean;
  /**
   * Progressive delivery: `argo-rollouts` adds a canary Rollout with Prometheus analysis (Argo CD);
   * `flagger` a Flagger Canary (Blue/Green with a load test) with the same analysis (Flux).
   */
  progressive: "none" | "argo-rollouts" | "flagger";
  /** Largest share of 5xx responses a canary may serve, in percent: a decimal string ("1", "0.5"). */
  canaryMaxErrorPercent: string;
  /** Largest p95 latency a canary may have, in whole milliseconds. */
  canaryMaxP95Ms: number;
  /** Availability SLO in percent, a decimal string from 90 to below 100 ("99.9"): exact, never a float. */
  sloAvailability: string;
  /** Latency SLO: the share of requests (percent, same form) faster than sloLatencyMs. */
  sloLatencyPercent: string;
  /** Latency SLO threshold in ms: one of the histogram's bucket bounds (LATENCY_BUCKETS_MS). */
  sloLatencyMs: number;
  /** The Prometheus the canary analysis queries (http or https URL). */
  prometheusUrl: string;
}
