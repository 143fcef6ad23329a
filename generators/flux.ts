import type { Generator } from "./types.js";

export const flux: Generator = {
  name: "flux",
  description: "Flux GitRepository and one Kustomization per environment",
  templates: ["deploy/flux/"],
  when: (c) => c.gitops.flux,
};
