import type { Generator } from "./types.js";

export const argocd: Generator = {
  name: "argocd",
  description: "Argo CD AppProject and one Application per environment (or one ApplicationSet)",
  templates: ["deploy/argocd/"],
  when: (c) => c.gitops.argocd,
};
