// What the templates see: the Context buildContext derives from the answers (context.ts).
import type { go, goModules, images, tools, controllers, actions } from "./versions.js";
import type { Sizing } from "../answers/sizing.js";
import type { Slo } from "./slo.js";

/** One `--env NAME[=default]` entry as the templates see it. */
export interface EnvVar {
  name: string;
  /** Go field name in internal/config (DATABASE_URL -> DatabaseURL). */
  goName: string;
  required: boolean;
  /** The default value (empty string when required). */
  default: string;
  /** The name ends in `_URL`: internal/config checks the value is an absolute URL. */
  isURL: boolean;
}

/** One `--secret NAME` entry. Secrets are always required; values never appear anywhere. */
export interface SecretVar {
  name: string;
  goName: string;
  /** Key in the secret store an ExternalSecret reads it from (service/NAME, kebab-case). */
  remoteKey: string;
}

export interface Environment {
  name: string;
  /** Kubernetes namespace: `<service>-<env>`. */
  namespace: string;
  isFirst: boolean;
  isLast: boolean;
  /** Production-sized (replicas, resources): the last of several environments, or one named prod. */
  production: boolean;
  /** Requests, limits, GOMEMLIMIT and replicas: --production-resources or --resources. */
  sizing: Sizing;
  /**
   * Why kube-linter's hpa-minimum-three-replicas does not apply here, when minReplicas is below 3
   * (the annotation that silences it says so); undefined at 3 or more.
   */
  fewReplicasReason?: string;
  /** The environment CI promotes from (undefined for the first one). */
  previous?: string;
  /**
   * Changes reach this environment through a canary (deploy/components/rollout-canary with
   * --progressive argo-rollouts, deploy/components/flagger-canary with --progressive flagger): every
   * environment but the first (which takes every commit and rarely has the traffic an analysis needs),
   * or the only one.
   */
  canary: boolean;
  /** Kustomize components this overlay switches on: kustomizeComponents, then the canary component if `canary`. */
  components: string[];
}

/** The keyless signer a verifier must insist on: the release workflow of this repository, on main only. */
export interface Signing {
  issuer: string;
  identity: string;
}

/**
 * The admission policy (--admission sigstore): a policy-controller ClusterImagePolicy named `name`
 * in each deploy/platform/<env>.yaml, admitting images matching `globs` only when `signing` signed them.
 */
export interface ImagePolicy {
  /** On with --admission sigstore and CI (something must sign); the namespaces then carry the label that enforces it. */
  enabled: boolean;
  name: string;
  globs: string[];
}

/** One in-cluster destination, from an env default such as http://orders.shop.svc:8080. */
export interface InClusterEgress {
  env: string;
  /** Undefined: a Service in the pod's own namespace (a one-label host). */
  namespace?: string;
  port: number;
}

export interface Egress {
  inCluster: InClusterEgress[];
  /** TCP ports open to public addresses (never private, link-local or metadata ones). */
  publicPorts: number[];
  hasPublic: boolean;
}

/** Everything a template can read. Pure function of the answers and the tool version; frozen. */
export interface Context {
  tool: { name: string; version: string };
  name: string;
  module: string;
  owner: string;
  description: string;
  port: number;
  /** Admin listener for /metrics (kept off the public port). */
  adminPort: number;
  env: EnvVar[];
  secrets: SecretVar[];
  hasSecrets: boolean;
  /** Some env var has no default (internal/config then needs its "required" helper). */
  hasRequiredEnv: boolean;
  /** Some env var has a default. */
  hasOptionalEnv: boolean;
  /** Some env var is a URL (`isURL`): internal/config imports net/url. */
  hasURLEnv: boolean;
  /** The service cannot start without setting something: a required env var or any secret. */
  hasRequiredVars: boolean;
  registry: string;
  /** Image repository CI pushes and overlays reference: `<registry>/<name>`. */
  image: string;
  /** Tag the overlays carry until CI's first release writes a commit SHA. */
  initialImageTag: string;
  /** Where the GitOps controller pulls from, always in URL form (see gitopsRepoUrl). */
  repoUrl: string;
  /** The repository's https address, for the image's source label (GHCR links only https). */
  sourceUrl: string;
  gitops: { argocd: boolean; flux: boolean; none: boolean; argocdApplicationSet: boolean };
  /**
   * The Argo CD project the Applications name. `own`: it is the service's own project (named like
   * the service) and deploy/argocd/appproject.yaml defines it; otherwise it exists already.
   */
  argocdProject: { name: string; own: boolean };
  /** Sizing in deploy/base: the non-production one (--resources), which each overlay patches. */
  baseSizing: Sizing;
  ci: { github: boolean; gitlab: boolean; none: boolean };
  /**
   * The template update CI proposes (scripts/template-update.sh): on with CI unless the answer is `off`;
   * `cron` is the schedule with single spaces (GitHub's `on.schedule`, GitLab's pipeline schedule).
   */
  templateUpdate: { enabled: boolean; cron: string };
  environments: Environment[];
  firstEnvironment: Environment;
  /** Production, when there are several: promotions into it need its code owners. */
  lastEnvironment: Environment;
  secretsProvider: { externalSecrets: boolean; none: boolean };
  monitoring: boolean;
  /**
   * The Grafana dashboard (deploy/components/dashboard, with monitoring): its uid, the service name or,
   * above Grafana's 40 characters, a shortened one; the same in every environment (one dashboard, a
   * namespace variable), and the availability objective (percent) and error budget (ratio) its burn panel uses.
   */
  dashboard: { uid: string; availabilityObjective: string; errorBudget: string };
  /**
   * Failed deployments sent to Alertmanager (with monitoring): a Flux Provider and Alert beside the
   * Kustomizations, or subscription annotations on the Argo CD Applications (and the Rollout).
   */
  notifications: { flux: boolean; argocd: boolean; alertmanagerUrl: string };
  networkPolicy: boolean;
  /** Where the pods may connect (NetworkPolicy egress), derived from the env defaults. */
  egress: Egress;
  /** The identity CI signs the image with, for `cosign verify`; undefined without CI. */
  signing?: Signing;
  /** The admission policy that refuses images `signing` did not sign (--admission sigstore). */
  imagePolicy: ImagePolicy;
  /** Backstage catalog entry; `projectSlug` is `<owner>/<name>` as the repository URL says it. */
  catalog: { enabled: boolean; projectSlug: string; owner: string };
  /** Extra labels on every Kubernetes object (a preset's policy.requiredLabels), sorted by key. */
  labels: { key: string; value: string }[];
  /** Kustomize components under deploy/components/ that every overlay switches on, in a fixed order. */
  kustomizeComponents: string[];
  progressive: { none: boolean; argoRollouts: boolean; flagger: boolean };
  /**
   * The canary analysis (used with progressive.argoRollouts or progressive.flagger): thresholds in the
   * units the answers use, which are also the units the AnalysisTemplate's and MetricTemplates' queries return.
   */
  canary: { maxErrorPercent: string; maxP95Ms: number; prometheusUrl: string };
  /** The SLO alerts (used with monitoring): objectives, exact error budgets, the latency bound's `le`. */
  slo: Slo;
  /** docs/runbook.md as the forge shows it on main; each alert's runbook_url adds its anchor. */
  runbookUrl: string;
  versions: {
    go: { version: string; directive: string; minor: string };
    goModules: typeof goModules;
    images: typeof images;
    tools: typeof tools;
    /** Controllers the README names as prerequisites (Flagger with --progressive flagger). */
    controllers: typeof controllers;
    actions: typeof actions;
  };
}
