import type { Generator } from "./types.js";

export const flux: Generator = {
  name: "flux",
  description: "Flux GitRepository and one Kustomization per environment",
  templates: ["deploy/flux/gitrepository.yaml.hbs", "deploy/flux/kustomization-[environment].yaml.hbs"],
  when: (c) => c.gitops.flux,
  ownership: "platform",
};
