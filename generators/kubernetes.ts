import type { Generator } from "./types.js";

export const kubernetes: Generator = {
  name: "kubernetes",
  description: "Kustomize base, components and one overlay per environment, plus the kube-linter config",
  templates: ["deploy/base/", "deploy/components/", "deploy/overlays/", "_kube-linter.yaml"],
  when: () => true,
};
