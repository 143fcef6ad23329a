import type { Generator } from "./types.js";

export const argocd: Generator = {
  name: "argocd",
  description: "Argo CD AppProject (unless the project exists already) and one Application per environment (or one ApplicationSet)",
  templates: [
    { path: "deploy/argocd/appproject.yaml.hbs", when: (c) => c.argocdProject.own },
    { path: "deploy/argocd/application-[environment].yaml.hbs", when: (c) => !c.gitops.argocdApplicationSet },
    { path: "deploy/argocd/applicationset.yaml.hbs", when: (c) => c.gitops.argocdApplicationSet },
  ],
  when: (c) => c.gitops.argocd,
  ownership: "platform",
};
