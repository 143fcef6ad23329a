import type { Generator } from "./types.js";

export const flux: Generator = {
  name: "flux",
  description: "Flux GitRepository and one Kustomization per environment, and with monitoring an Alert and Provider sending failed deployments to Alertmanager",
  templates: [
    "deploy/flux/gitrepository.yaml.hbs",
    "deploy/flux/kustomization-[environment].yaml.hbs",
    { path: "deploy/flux/alertmanager-provider.yaml.hbs", when: (c) => c.notifications.flux },
    { path: "deploy/flux/alert.yaml.hbs", when: (c) => c.notifications.flux },
  ],
  when: (c) => c.gitops.flux,
  ownership: "platform",
};
