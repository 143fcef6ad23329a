import type { Generator } from "./types.js";

export const kubernetes: Generator = {
  name: "kubernetes",
  description: "Kustomize base, components and one overlay per environment, plus the kube-linter config",
  templates: [
    "deploy/base/",
    // Per-environment values are the team's; the overlay's kustomization is shared (CI writes its tag).
    { path: "deploy/overlays/[environment]/config.env.hbs", ownership: "team" },
    { path: "deploy/overlays/[environment]/patch-resources.yaml.hbs", ownership: "team" },
    { path: "deploy/overlays/[environment]/kustomization.yaml.hbs", ownership: "shared" },
    // The namespace, its Pod Security labels and (Flux) the controller's rights in it: the platform
    // applies these, the service's controller never does (a repository writer cannot relabel them).
    "deploy/platform/[environment].yaml.hbs",
    "_kube-linter.yaml",
    // Components: only the ones the overlays switch on (context.kustomizeComponents) are written.
    { path: "deploy/components/networkpolicy/", when: (c) => c.kustomizeComponents.includes("networkpolicy") },
    { path: "deploy/components/servicemonitor/", when: (c) => c.kustomizeComponents.includes("servicemonitor") },
    // The team tunes its dashboard in Grafana and commits the JSON back: an update merges, never replaces.
    { path: "deploy/components/dashboard/dashboard.json.hbs", ownership: "shared", when: (c) => c.kustomizeComponents.includes("dashboard") },
    { path: "deploy/components/dashboard/", when: (c) => c.kustomizeComponents.includes("dashboard") },
    { path: "deploy/components/external-secret/", when: (c) => c.kustomizeComponents.includes("external-secret") },
    // Switched on per environment (environment.components): the overlays after the first one.
    { path: "deploy/components/rollout-canary/", when: (c) => c.environments.some((e) => e.components.includes("rollout-canary")) },
    { path: "deploy/components/flagger-canary/", when: (c) => c.environments.some((e) => e.components.includes("flagger-canary")) },
  ],
  when: () => true,
  ownership: "platform",
};
