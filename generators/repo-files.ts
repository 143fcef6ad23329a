import type { Generator } from "./types.js";

export const repoFiles: Generator = {
  name: "repo-files",
  description: "Repository files: README, SECURITY.md, .gitignore",
  templates: ["README.md.hbs", "SECURITY.md.hbs", "_gitignore"],
  when: () => true,
  ownership: "shared",
};
