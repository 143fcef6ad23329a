import { createHash } from "node:crypto";
import { go, goModules, images, tools, controllers, actions } from "./versions.js";
import type { Answers } from "../answers/types.js";
import { isProduction, parseSizing, type Sizing } from "../answers/sizing.js";
import { gitopsRepoUrl, goIdentifier, httpsRepoUrl, projectSlug } from "../answers/names.js";
import { isUrlName } from "../answers/urls.js";
import type { Context, Environment, EnvVar } from "./context-types.js";
import { egressOf, imagePolicyOf, signingOf } from "./security.js";
import { buildSlo } from "./slo.js";

export type { Context, Environment, EnvVar, SecretVar } from "./context-types.js";

const INITIAL_IMAGE_TAG = "set-by-ci";

function toEnvVar(spec: string): EnvVar {
  const eq = spec.indexOf("=");
  const name = eq === -1 ? spec : spec.slice(0, eq);
  return {
    name,
    goName: goIdentifier(name),
    required: eq === -1,
    default: eq === -1 ? "" : spec.slice(eq + 1),
    isURL: isUrlName(name),
  };
}

function fewReplicasReason(production: boolean, sizing: Sizing): string | undefined {
  if (sizing.minReplicas >= 3) return undefined;
  if (!production) return sizing.minReplicas === 1 ? "one replica is enough outside production" : `${sizing.minReplicas} replicas are enough outside production`;
  return `${sizing.minReplicas} replicas chosen for production; the PodDisruptionBudget lets only one go at a time`;
}

/** The component that releases an environment's changes progressively, per --progressive. */
const CANARY_COMPONENT = { "argo-rollouts": "rollout-canary", flagger: "flagger-canary" } as const;

function toEnvironments(answers: Answers, sizes: { production: Sizing; other: Sizing }, components: string[]): Environment[] {
  const canaryComponent = answers.progressive === "none" ? undefined : CANARY_COMPONENT[answers.progressive];
  const names = answers.environments;
  return names.map((name, i) => {
    const canary = canaryComponent !== undefined && (i > 0 || names.length === 1);
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
      // The canary component goes last: it patches objects of the base and of the servicemonitor component.
      components: [...components, ...(canary ? [canaryComponent] : [])],
    };
  });
}

// Grafana refuses a dashboard uid longer than 40 characters, and a service name may have 63: a long name
// keeps its start and gains a short hash of the whole, so two long names that share a start stay apart.
function dashboardUid(name: string): string {
  if (name.length <= 40) return name;
  return `${name.slice(0, 31)}-${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
}

// Alertmanager shows runbook_url as a link, so it must be absolute: the runbook as the forge displays it
// on main. GitHub writes /blob/, GitLab (and the forges that copy it) /-/blob/.
function runbookUrl(sourceUrl: string): string {
  const github = new URL(sourceUrl).hostname === "github.com";
  const base = sourceUrl.replace(/\/+$/, "").replace(/\.git$/, "");
  return `${base}/${github ? "blob" : "-/blob"}/main/docs/runbook.md`;
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
  const slo = buildSlo(answers.sloAvailability, answers.sloLatencyPercent, answers.sloLatencyMs);
  const env = answers.env.map(toEnvVar);
  const kustomizeComponents = [
    ...(answers.networkPolicy ? ["networkpolicy"] : []),
    ...(answers.monitoring ? ["servicemonitor", "dashboard"] : []),
    ...(secrets.length > 0 && answers.secrets === "external-secrets" ? ["external-secret"] : []),
  ];
  // Validated answers always parse; each size is parsed once, whatever the number of environments.
  const sizes = { production: parseSizing(answers.productionResources).sizing!, other: parseSizing(answers.resources).sizing! };
  const environments = toEnvironments(answers, sizes, kustomizeComponents);
  const image = `${answers.registry}/${answers.name}`;
  const signing = signingOf(answers.ci, httpsRepoUrl(answers.repoUrl), projectSlug(answers.repoUrl));
  return deepFreeze({
    tool: { ...tool },
    name: answers.name,
    module: answers.module,
    owner: answers.owner,
    description: answers.description,
    port: answers.port,
    adminPort: adminPort(answers.port),
    env,
    secrets,
    hasSecrets: secrets.length > 0,
    hasRequiredEnv: env.some((e) => e.required),
    hasOptionalEnv: env.some((e) => !e.required),
    hasURLEnv: env.some((e) => e.isURL),
    hasRequiredVars: secrets.length > 0 || env.some((e) => e.required),
    registry: answers.registry,
    image,
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
    templateUpdate: templateUpdateOf(answers),
    environments,
    firstEnvironment: environments[0],
    lastEnvironment: environments[environments.length - 1],
    secretsProvider: {
      externalSecrets: secrets.length > 0 && answers.secrets === "external-secrets",
      none: secrets.length === 0 || answers.secrets === "none",
    },
    monitoring: answers.monitoring,
    // The burn panel divides by the same objective the SLO alerts use.
    dashboard: { uid: dashboardUid(answers.name), availabilityObjective: slo.availability.percent, errorBudget: slo.availability.budget },
    notifications: {
      flux: answers.monitoring && answers.gitops === "flux",
      argocd: answers.monitoring && answers.gitops === "argocd",
      alertmanagerUrl: answers.alertmanagerUrl,
    },
    networkPolicy: answers.networkPolicy,
    egress: egressOf(env),
    signing,
    imagePolicy: imagePolicyOf(answers.admission, answers.name, image, signing),
    // A Backstage entity name has no '/': a GitLab group path becomes one dashed group name.
    catalog: { enabled: answers.catalog, projectSlug: projectSlug(answers.repoUrl), owner: answers.owner.replaceAll("/", "-") },
    labels: Object.keys(requiredLabels)
      .sort()
      .map((key) => ({ key, value: requiredLabels[key] })),
    kustomizeComponents,
    progressive: { none: answers.progressive === "none", argoRollouts: answers.progressive === "argo-rollouts", flagger: answers.progressive === "flagger" },
    slo,
    runbookUrl: runbookUrl(httpsRepoUrl(answers.repoUrl)),
    canary: { maxErrorPercent: answers.canaryMaxErrorPercent, maxP95Ms: answers.canaryMaxP95Ms, prometheusUrl: answers.prometheusUrl },
    versions: {
      go: { version: go.version, directive: go.directive, minor: go.minor },
      goModules: { ...goModules },
      images: { ...images },
      tools: { ...tools },
      controllers: { ...controllers },
      actions: structuredClone(actions),
    },
  });
}

/** The scheduled template update: on with either CI and a schedule (`off` turns it off). */
function templateUpdateOf(answers: Answers): { enabled: boolean; cron: string } {
  const enabled = answers.ci !== "none" && answers.templateUpdate !== "off";
  return { enabled, cron: enabled ? answers.templateUpdate.trim().split(/\s+/).join(" ") : "" };
}

/** The admin port (/metrics): 9090, or 9091 when the service itself serves on 9090. */
export function adminPort(port: number): number {
  return port === 9090 ? 9091 : 9090;
}
