import type { Generator } from "./types.js";

export const ciGithub: Generator = {
  name: "ci-github",
  description: "GitHub Actions: CI, release (SHA-tagged image, signed, tag written back), promotion; Dependabot",
  // With a single environment there is nothing to promote into (a choice input needs options).
  templates: [
    { path: "_github/workflows/promote.yaml.hbs", when: (c) => c.environments.length > 1 },
    { path: "_github/workflows/template-update.yaml.hbs", when: (c) => c.templateUpdate.enabled },
    "_github/",
  ],
  when: (c) => c.ci.github,
  ownership: "platform",
};
