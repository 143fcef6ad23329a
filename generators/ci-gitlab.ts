import type { Generator } from "./types.js";

export const ciGitlab: Generator = {
  name: "ci-gitlab",
  description: "GitLab CI with the same stages and the same tag write-back",
  templates: ["_gitlab-ci.yml.hbs", "renovate.json5.hbs"],
  when: (c) => c.ci.gitlab,
  ownership: "platform",
};
