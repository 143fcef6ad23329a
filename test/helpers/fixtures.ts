import type { Answers } from "../../src/answers/types.js";
import { baseAnswers } from "./render.js";

/** Named answer sets shared by the golden test and the end-to-end tests. */
export const fixtures: Record<string, Answers> = {
  // What `create-gitops-go-service my-svc --yes --owner acme` resolves to.
  defaults: {
    ...baseAnswers,
    env: [],
    secret: [],
    description: "my-svc service",
  },
  // Every option away from its default.
  full: {
    ...baseAnswers,
    directory: "orders-api",
    name: "orders-api",
    module: "gitlab.com/acme/platform/orders-api",
    owner: "acme/platform",
    description: `Takes "orders": {{handlebars}} ${"${{ github.token }}"} #1`,
    port: 9000,
    env: ["UPSTREAM_URL", "GREETING=hello, world", "CACHE_TTL=30s"],
    secret: ["DATABASE_PASSWORD", "API_TOKEN"],
    registry: "registry.gitlab.com/acme/platform",
    repoUrl: "git@gitlab.com:acme/platform/orders-api.git",
    gitops: "flux",
    argocdMode: "applications",
    ci: "gitlab",
    environments: ["dev", "prod"],
    secrets: "none",
    monitoring: false,
    networkPolicy: false,
    admission: "sigstore",
  },
};

/**
 * The answer combinations the deploy artifacts are checked over: rendered and validated offline by
 * test/deploy.test.ts, applied to a real API server by test/cluster.test.ts.
 */
export const deployCases: { title: string; answers: Partial<Answers> }[] = [
  { title: "argocd applications, three environments, secrets, everything on", answers: {} },
  { title: "argocd applicationset, three environments", answers: { argocdMode: "applicationset" } },
  { title: "flux, three environments, no secrets", answers: { gitops: "flux", secret: [] } },
  {
    title: "no gitops, one environment, monitoring and network policy off",
    answers: { gitops: "none", environments: ["dev"], monitoring: false, networkPolicy: false },
  },
  { title: "argocd applications, one prod environment, no secrets", answers: { environments: ["prod"], secret: [] } },
  {
    title: "flux, one environment, secrets provided outside Git, no required env, port 9090",
    answers: { gitops: "flux", environments: ["dev"], secrets: "none", env: ["GREETING=hello world"], port: 9090 },
  },
  {
    title: "argocd applicationset, one environment, no monitoring, two secrets",
    answers: { argocdMode: "applicationset", environments: ["dev"], monitoring: false, secret: ["API_TOKEN", "DATABASE_URL"] },
  },
  {
    title: "argocd, an existing shared project, custom sizes (3 replicas outside production, 2 in it)",
    answers: { argocdProject: "payments", resources: "cpu=100m,memory=256Mi,replicas=3-5", productionResources: "cpu=1.5,memory=2Gi,replicas=2-20" },
  },
  // kustomize writes ConfigMap keys in yaml.v3's order (a '_' before a letter), kube-linter's
  // sorted-keys wants byte order ('S' before '_'): found by the accepted-space property test.
  { title: "one environment, env names the two orders sort apart (ADMINS, ADMIN_PORT)", answers: { environments: ["dev"], env: ["ADMINS=ops", "P_O2C=x"], secret: [] } },
  // Argo Rollouts (test/rollouts.test.ts checks the Rollout and its analysis in depth).
  { title: "argocd applications, three environments, argo-rollouts canary after the first", answers: { progressive: "argo-rollouts" } },
  // The admission policy: the ClusterImagePolicy in every platform file (test/security.test.ts "F2 admission").
  { title: "argocd applications, three environments, sigstore image policy", answers: { admission: "sigstore" } },
  {
    title: "no gitops, one environment, argo-rollouts canary there, no network policy",
    answers: { gitops: "none", environments: ["prod"], secret: [], networkPolicy: false, progressive: "argo-rollouts", canaryMaxErrorPercent: "0.25" },
  },
  // Flagger (test/flagger.test.ts checks the Canary and its MetricTemplates in depth).
  { title: "flux, three environments, flagger canary after the first", answers: { gitops: "flux", progressive: "flagger" } },
  {
    title: "flux, one environment, flagger canary there, no network policy",
    answers: { gitops: "flux", environments: ["prod"], secret: [], networkPolicy: false, progressive: "flagger", canaryMaxP95Ms: 250 },
  },
];
