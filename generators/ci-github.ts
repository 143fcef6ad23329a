import type { Generator } from "./types.js";

export const ciGithub: Generator = {
  name: "ci-github",
  description: "GitHub Actions: CI, release (SHA-tagged image, signed, tag written back), promotion; Dependabot",
  templates: ["_github/"],
  when: (c) => c.ci.github,
};
