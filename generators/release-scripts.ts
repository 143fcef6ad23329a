import type { Generator } from "./types.js";

export const releaseScripts: Generator = {
  name: "release-scripts",
  description: "Scripts CI and people share to read and write an overlay's image tag (make set-image)",
  templates: ["scripts/"],
  when: () => true,
};
