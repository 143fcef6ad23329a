import type { Generator } from "./types.js";

export const argocd: Generator = {
  name: "argocd",
  description: "Argo CD AppProject and one Application per environment (or one ApplicationSet)",
  templates: [
    "deploy/argocd/appproject.yaml.hbs",
    { path: "deploy/argocd/application-[environment].yaml.hbs", when: (c) => !c.gitops.argocdApplicationSet },
    { path: "deploy/argocd/applicationset.yaml.hbs", when: (c) => c.gitops.argocdApplicationSet },
  ],
  when: (c) => c.gitops.argocd,
  ownership: "platform",
};
