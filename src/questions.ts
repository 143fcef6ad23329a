// The one table of questions. It drives the prompts, the CLI flags, --help, the answers-file checks
// and (later) the published JSON Schema and the Backstage action's input. Order = prompt order;
// a question's default may read the answers to the questions above it.
import path from "node:path";
import type { Answers } from "./answers-types.js";
import * as rules from "./rules.js";

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

const each =
  (rule: (v: string) => string | undefined) =>
  (values: string[]): string | undefined => {
    for (const v of values) {
      const problem = rule(v);
      if (problem) return `'${v}' ${problem}`;
    }
    return undefined;
  };

const lowerOwner = (a: Partial<Answers>): string => (a.owner ?? "").toLowerCase();

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
    validate: rules.dns1035Label,
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
    schema: { maxLength: 300, pattern: "^[^\\u0000-\\u001f\\u007f\\u2028\\u2029]*$" },
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
];

export type AnyQuestion = Question<keyof Answers>;

/** The question table typed loosely, for code that walks it generically. */
export const questionList: readonly AnyQuestion[] = questions as unknown as AnyQuestion[];

export function questionFor(name: string): AnyQuestion | undefined {
  return questionList.find((qq) => qq.name === name);
}

export type { Value };
