import { go, goModules, images, tools, actions } from "./versions.js";
import type { Answers } from "../answers/types.js";
import { isProduction, parseSizing, type Sizing } from "../answers/sizing.js";

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
   * Changes reach this environment through the Argo Rollouts canary (deploy/components/rollout-canary):
   * with --progressive argo-rollouts, every environment but the first (which takes every commit and
   * rarely has the traffic an analysis needs), or the only one.
   */
  canary: boolean;
  /** Kustomize components this overlay switches on: kustomizeComponents, then rollout-canary if `canary`. */
  components: string[];
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
  environments: Environment[];
  firstEnvironment: Environment;
  secretsProvider: { externalSecrets: boolean; none: boolean };
  monitoring: boolean;
  networkPolicy: boolean;
  /** Backstage catalog entry; `projectSlug` is `<owner>/<name>` as the repository URL says it. */
  catalog: { enabled: boolean; projectSlug: string; owner: string };
  /** Extra labels on every Kubernetes object (a preset's policy.requiredLabels), sorted by key. */
  labels: { key: string; value: string }[];
  /** Kustomize components under deploy/components/ that every overlay switches on, in a fixed order. */
  kustomizeComponents: string[];
  progressive: { none: boolean; argoRollouts: boolean };
  /**
   * The canary analysis (used with progressive.argoRollouts): thresholds in the units the answers
   * use, which are also the units the AnalysisTemplate's queries return.
   */
  canary: { maxErrorPercent: string; maxP95Ms: number; prometheusUrl: string };
  versions: {
    go: { version: string; directive: string; minor: string };
    goModules: typeof goModules;
    images: typeof images;
    tools: typeof tools;
    actions: typeof actions;
  };
}

const INITIAL_IMAGE_TAG = "set-by-ci";

// Common initialisms Go style keeps upper-case in identifiers (a subset of golint's list).
const INITIALISMS = new Set(["API", "DB", "DNS", "HTTP", "HTTPS", "ID", "IP", "JSON", "SQL", "TLS", "TTL", "UI", "URI", "URL", "UUID"]);

/** DATABASE_URL -> DatabaseURL; leading digits cannot occur (env names start with a letter or _). */
export function goIdentifier(envName: string): string {
  return envName
    .split("_")
    .filter(Boolean)
    .map((part) => (INITIALISMS.has(part) ? part : part[0] + part.slice(1).toLowerCase()))
    .join("");
}

function toEnvVar(spec: string): EnvVar {
  const eq = spec.indexOf("=");
  const name = eq === -1 ? spec : spec.slice(0, eq);
  return {
    name,
    goName: goIdentifier(name),
    required: eq === -1,
    default: eq === -1 ? "" : spec.slice(eq + 1),
    isURL: name === "URL" || name.endsWith("_URL"),
  };
}

function fewReplicasReason(production: boolean, sizing: Sizing): string | undefined {
  if (sizing.minReplicas >= 3) return undefined;
  if (!production) return sizing.minReplicas === 1 ? "one replica is enough outside production" : `${sizing.minReplicas} replicas are enough outside production`;
  return `${sizing.minReplicas} replicas chosen for production; the PodDisruptionBudget lets only one go at a time`;
}

function toEnvironments(answers: Answers, sizes: { production: Sizing; other: Sizing }, components: string[], progressive: boolean): Environment[] {
  const names = answers.environments;
  return names.map((name, i) => {
    const canary = progressive && (i > 0 || names.length === 1);
    const production = isProduction(names, i);
    const sizing = production ? sizes.production : sizes.other;
    const reason = fewReplicasReason(production, sizing);
    return {
      name,
      namespace: `${answers.name}-${name}`,
      isFirst: i === 0,
      isLast: i === names.length - 1,
      production,
      sizing,
      ...(reason ? { fewReplicasReason: reason } : {}),
      ...(i > 0 ? { previous: names[i - 1] } : {}),
      canary,
      // rollout-canary goes last: it patches objects of the base and of the servicemonitor component.
      components: [...components, ...(canary ? ["rollout-canary"] : [])],
    };
  });
}

/**
 * Flux accepts only URL forms (http, https, ssh://), Argo CD accepts those too: scp-like
 * `git@host:org/repo.git` becomes `ssh://git@host/org/repo.git`, which means the same to git.
 */
export function gitopsRepoUrl(url: string): string {
  const scp = /^([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+):(?!\/\/)(.+)$/.exec(url);
  // `git@github.com:/acme/svc.git` (a leading '/') means the same repository: no '//' in the URL.
  return scp ? `ssh://${scp[1]}@${scp[2]}/${scp[3].replace(/^\/+/, "")}` : url;
}

/** `https://host/path` for any accepted git URL: https as given, ssh and scp-like without user and port. */
export function httpsRepoUrl(url: string): string {
  const parsed = new URL(gitopsRepoUrl(url));
  return parsed.protocol === "https:" ? url : `https://${parsed.hostname}${parsed.pathname.replace(/^\/+/, "/")}`;
}

/** `acme/orders` from `https://github.com/acme/orders.git` or `git@github.com:acme/orders.git`. */
export function projectSlug(repoUrl: string): string {
  const pathPart = gitopsRepoUrl(repoUrl).replace(/^[a-z]+:\/\/[^/]+\//, "");
  return pathPart.replace(/\.git$/, "").replace(/\/+$/, "");
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Derive every name the templates use from validated answers. Pure and deterministic.
 * @example buildContext(answers, { name: "create-gitops-go-service", version: "0.1.0" }).image
 */
export function buildContext(answers: Answers, tool: { name: string; version: string }, requiredLabels: Record<string, string> = {}): Context {
  const secrets = answers.secret.map((name) => ({
    name,
    goName: goIdentifier(name),
    remoteKey: `${answers.name}/${name.toLowerCase().replaceAll("_", "-")}`,
  }));
  const env = answers.env.map(toEnvVar);
  const kustomizeComponents = [
    ...(answers.networkPolicy ? ["networkpolicy"] : []),
    ...(answers.monitoring ? ["servicemonitor"] : []),
    ...(secrets.length > 0 && answers.secrets === "external-secrets" ? ["external-secret"] : []),
  ];
  const progressive = answers.progressive === "argo-rollouts";
  // Validated answers always parse; each size is parsed once, whatever the number of environments.
  const sizes = { production: parseSizing(answers.productionResources).sizing!, other: parseSizing(answers.resources).sizing! };
  const environments = toEnvironments(answers, sizes, kustomizeComponents, progressive);
  return deepFreeze({
    tool: { ...tool },
    name: answers.name,
    module: answers.module,
    owner: answers.owner,
    description: answers.description,
    port: answers.port,
    adminPort: answers.port === 9090 ? 9091 : 9090,
    env,
    secrets,
    hasSecrets: secrets.length > 0,
    hasRequiredEnv: env.some((e) => e.required),
    hasOptionalEnv: env.some((e) => !e.required),
    hasURLEnv: env.some((e) => e.isURL),
    hasRequiredVars: secrets.length > 0 || env.some((e) => e.required),
    registry: answers.registry,
    image: `${answers.registry}/${answers.name}`,
    initialImageTag: INITIAL_IMAGE_TAG,
    repoUrl: gitopsRepoUrl(answers.repoUrl),
    sourceUrl: httpsRepoUrl(answers.repoUrl),
    gitops: {
      argocd: answers.gitops === "argocd",
      flux: answers.gitops === "flux",
      none: answers.gitops === "none",
      argocdApplicationSet: answers.gitops === "argocd" && answers.argocdMode === "applicationset",
    },
    argocdProject: { name: answers.argocdProject, own: answers.argocdProject === answers.name },
    // The base carries the non-production size: an overlay without its patch still gets a small pod that fits.
    baseSizing: sizes.other,
    ci: { github: answers.ci === "github", gitlab: answers.ci === "gitlab", none: answers.ci === "none" },
    environments,
    firstEnvironment: environments[0],
    secretsProvider: {
      externalSecrets: secrets.length > 0 && answers.secrets === "external-secrets",
      none: secrets.length === 0 || answers.secrets === "none",
    },
    monitoring: answers.monitoring,
    networkPolicy: answers.networkPolicy,
    // A Backstage entity name has no '/': a GitLab group path becomes one dashed group name.
    catalog: { enabled: answers.catalog, projectSlug: projectSlug(answers.repoUrl), owner: answers.owner.replaceAll("/", "-") },
    labels: Object.keys(requiredLabels)
      .sort()
      .map((key) => ({ key, value: requiredLabels[key] })),
    kustomizeComponents,
    progressive: { none: !progressive, argoRollouts: progressive },
    canary: { maxErrorPercent: answers.canaryMaxErrorPercent, maxP95Ms: answers.canaryMaxP95Ms, prometheusUrl: answers.prometheusUrl },
    versions: {
      go: { version: go.version, directive: go.directive, minor: go.minor },
      goModules: { ...goModules },
      images: { ...images },
      tools: { ...tools },
      actions: structuredClone(actions),
    },
  });
}
