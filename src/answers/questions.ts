// The one table of questions. It drives the prompts, the CLI flags, --help, the answers-file checks
// and (later) the published JSON Schema and the Backstage action's input. Order = prompt order;
// a question's default may read the answers to the questions above it.
import path from "node:path";
import type { Answers } from "./types.js";
import * as rules from "./rules.js";
import { productionSizing, sizeClasses, sizing, SIZING_PATTERN } from "./sizing.js";
import { shown } from "../shared/show.js";

export type Kind = "text" | "number" | "boolean" | "choice" | "list" | "repeatable";
type Value = Answers[keyof Answers];

export interface Question<K extends keyof Answers = keyof Answers> {
  name: K;
  /** Long flag without dashes. Booleans also get `--no-<flag>`. */
  flag: string;
  kind: Kind;
  message: string;
  /** One line for --help. */
  help: string;
  /** An example value for --help and error hints. */
  example: string;
  choices?: readonly string[];
  /** The default, computed from earlier answers; undefined = no default (must be given). */
  default?: (answers: Partial<Answers>) => Answers[K] | undefined;
  /** What --yes uses when there is no default: a visible placeholder the user should change. */
  placeholder?: Answers[K];
  /** Asked (and meaningful) only when this holds. */
  when?: (answers: Partial<Answers>) => boolean;
  /** undefined when valid, else the rule broken (the caller names the flag and value). */
  validate: (value: Answers[K]) => string | undefined;
  /**
   * JSON Schema keywords that say as much of `validate` as a schema can (pattern, bounds), for the
   * published input schema (--print-schema, Backstage). `validate` stays the authority.
   */
  schema?: Record<string, unknown>;
}

/** A rule for every item of a list: each bad item on a line of its own, all of them (issue #17). */
const each =
  (rule: (v: string) => string | undefined) =>
  (values: string[]): string | undefined => {
    const problems = values.flatMap((v) => {
      const problem = rule(v);
      return problem ? [`${shown(v)} ${problem}`] : [];
    });
    return problems.length > 0 ? problems.join("\n") : undefined;
  };

const lowerOwner = (a: Partial<Answers>): string => (a.owner ?? "").toLowerCase();

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

function httpUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not an http or https URL (e.g. http://prometheus-operated.monitoring.svc:9090)";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `uses ${shown(url.protocol)}: use an http or https URL`;
  if (!url.hostname) return "has no host";
  if (/[\s"'`$\\{}]/.test(value)) return "contains whitespace, quotes, braces, '$' or '\\'";
  if (url.username || url.password) return "must not contain credentials (add them to the AnalysisTemplate's authentication instead)";
  if (url.search || url.hash) return "must not contain a query or fragment";
  return undefined;
}

function q<K extends keyof Answers>(question: Question<K>): Question<K> {
  return question;
}

export const questions = [
  q({
    name: "name",
    flag: "name",
    kind: "text",
    message: "Service name",
    help: "Service name: a DNS-1035 label, since it names the Kubernetes Service (default: the directory's name)",
    example: "orders-api",
    default: (a) => (a.directory ? path.basename(path.resolve(a.directory)) : undefined),
    placeholder: "my-service",
    validate: rules.serviceName,
    schema: { pattern: "^[a-z]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 },
  }),
  q({
    name: "owner",
    flag: "owner",
    kind: "text",
    message: "Git organisation (owner of the repository)",
    help: "Git organisation or user that will own the repository (GitLab: group/subgroup)",
    example: "acme",
    placeholder: "example-org",
    validate: rules.owner,
    schema: { pattern: "^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:/[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)*$", maxLength: 100 },
  }),
  q({
    name: "description",
    flag: "description",
    kind: "text",
    message: "One-line description",
    help: "One-line description, used in the README and catalog metadata",
    example: "Takes and tracks customer orders",
    default: (a) => `${a.name ?? "The"} service`,
    validate: (v) => rules.oneLine(v, 300),
    schema: { maxLength: 300, pattern: "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\uFFFE\\uFFFF]*$" },
  }),
  q({
    name: "ci",
    flag: "ci",
    kind: "choice",
    message: "CI system",
    help: "CI that tests, builds, tags the image with the commit SHA and writes the tag back",
    example: "github",
    choices: ["github", "gitlab", "none"],
    default: () => "github" as const,
    validate: () => undefined,
  }),
  q({
    name: "module",
    flag: "module",
    kind: "text",
    message: "Go module path",
    help: "Go module path (default: github.com/<owner>/<name>)",
    example: "github.com/acme/orders-api",
    default: (a) => (a.owner && a.name ? `${a.ci === "gitlab" ? "gitlab.com" : "github.com"}/${a.owner}/${a.name}` : undefined),
    validate: rules.goModulePath,
    schema: { pattern: "^[a-z0-9.-]+\\.[a-z0-9.-]+(/[A-Za-z0-9._~-]+)*$" },
  }),
  q({
    name: "port",
    flag: "port",
    kind: "number",
    message: "HTTP port the service listens on",
    help: "HTTP port the service listens on (1024-65535: the container runs as non-root with no capabilities)",
    example: "8080",
    default: () => 8080,
    validate: rules.port,
    schema: { minimum: 1024, maximum: 65535 },
  }),
  q({
    name: "env",
    flag: "env",
    kind: "repeatable",
    message: "Configuration variables (NAME or NAME=default, comma-separated; without a default it is required)",
    help: "Non-secret configuration the service needs: NAME[=default], repeatable; without a default it is required",
    example: "UPSTREAM_URL",
    default: () => [],
    validate: each(rules.envSpec),
    schema: { items: { pattern: "^[A-Z][A-Z0-9_]*(=.*)?$" } },
  }),
  q({
    name: "secret",
    flag: "secret",
    kind: "repeatable",
    message: "Secret variables (NAME, comma-separated; values are never written anywhere)",
    help: "Secret value the service needs: NAME, repeatable; always required; no value is ever written",
    example: "DATABASE_PASSWORD",
    default: () => [],
    validate: each(rules.envName),
    schema: { items: { pattern: "^[A-Z][A-Z0-9_]*$" } },
  }),
  q({
    name: "secrets",
    flag: "secrets",
    kind: "choice",
    message: "How secrets reach the cluster",
    help: "How the Secret is filled in the cluster: an ExternalSecret, or none (you create it)",
    example: "external-secrets",
    choices: ["external-secrets", "none"],
    default: () => "external-secrets" as const,
    when: (a) => (a.secret ?? []).length > 0,
    validate: () => undefined,
  }),
  q({
    name: "registry",
    flag: "registry",
    kind: "text",
    message: "Image registry and path prefix",
    help: "Image repository prefix; the image is <registry>/<name> (default: ghcr.io/<owner>)",
    example: "ghcr.io/acme",
    default: (a) => (a.owner ? (a.ci === "gitlab" ? `registry.gitlab.com/${lowerOwner(a)}` : `ghcr.io/${lowerOwner(a)}`) : undefined),
    validate: rules.registry,
    schema: { pattern: "^[a-zA-Z0-9.-]+(:[0-9]+)?(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)+$", maxLength: 200 },
  }),
  q({
    name: "repoUrl",
    flag: "repo-url",
    kind: "text",
    message: "Git URL the repository will live at (GitOps controllers pull from it)",
    help: "Where the repository will live; the GitOps manifests pull from it (https or ssh)",
    example: "https://github.com/acme/orders-api.git",
    default: (a) => (a.owner && a.name ? `https://${a.ci === "gitlab" ? "gitlab.com" : "github.com"}/${a.owner}/${a.name}.git` : undefined),
    validate: rules.gitUrl,
    schema: { pattern: "^(https://|ssh://|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:)" },
  }),
  q({
    name: "gitops",
    flag: "gitops",
    kind: "choice",
    message: "GitOps controller",
    help: "GitOps controller that syncs the overlays",
    example: "argocd",
    choices: ["argocd", "flux", "none"],
    default: () => "argocd" as const,
    validate: () => undefined,
  }),
  q({
    name: "argocdMode",
    flag: "argocd-mode",
    kind: "choice",
    message: "Argo CD objects",
    help: "One Application per environment, or one ApplicationSet (only with --gitops argocd)",
    example: "applications",
    choices: ["applications", "applicationset"],
    default: () => "applications" as const,
    when: (a) => a.gitops === "argocd",
    validate: () => undefined,
  }),
  q({
    name: "argocdProject",
    flag: "argocd-project",
    kind: "text",
    message: "Argo CD project",
    help: "Argo CD project of the Applications: the service's own, generated (default: the name), or an existing one your platform team manages (only with --gitops argocd)",
    example: "payments",
    default: (a) => a.name,
    when: (a) => a.gitops === "argocd",
    validate: rules.dns1123Label,
    schema: { pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 },
  }),
  q({
    name: "environments",
    flag: "environments",
    kind: "list",
    message: "Environments, in promotion order (comma-separated)",
    help: "Environments in promotion order, comma-separated; one overlay and namespace each",
    example: "dev,staging,prod",
    default: () => ["dev", "staging", "prod"],
    validate: (v) => (v.length === 0 ? "needs at least one environment" : v.length > 10 ? "has more than 10 environments" : each(rules.dns1123Label)(v)),
    schema: { minItems: 1, maxItems: 10, uniqueItems: true, items: { pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 } },
  }),
  q({
    name: "resources",
    flag: "resources",
    kind: "text",
    message: "Pod size outside production (cpu request, memory, replicas min-max)",
    help: "Pod size in every environment but production: cpu request, memory (request = limit), HPA replicas min-max",
    example: "cpu=100m,memory=256Mi,replicas=1-5",
    default: () => "cpu=50m,memory=128Mi,replicas=1-3",
    when: (a) => sizeClasses(a.environments ?? []).other,
    validate: sizing,
    schema: { pattern: SIZING_PATTERN },
  }),
  q({
    name: "productionResources",
    flag: "production-resources",
    kind: "text",
    message: "Pod size in production (cpu request, memory, replicas min-max; at least 2 replicas)",
    help: "Pod size in production (the last environment, or one named prod): cpu request, memory, HPA replicas min-max (min at least 2)",
    example: "cpu=500m,memory=1Gi,replicas=3-20",
    default: () => "cpu=250m,memory=512Mi,replicas=3-10",
    when: (a) => sizeClasses(a.environments ?? []).production,
    validate: productionSizing,
    schema: { pattern: SIZING_PATTERN },
  }),
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
    validate: httpUrl,
    schema: { pattern: "^https?://[^\\s\"'`$\\\\{}?#@]+$" },
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

export type AnyQuestion = Question<keyof Answers>;

/** The question table typed loosely, for code that walks it generically. */
export const questionList: readonly AnyQuestion[] = questions as unknown as AnyQuestion[];

export function questionFor(name: string): AnyQuestion | undefined {
  return questionList.find((qq) => qq.name === name);
}

export type { Value };
