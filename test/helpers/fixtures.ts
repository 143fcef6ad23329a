import type { Answers } from "../../src/answers-types.js";
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
  },
};
