import type { Generator } from "./types.js";

// Every CI choice (and `--ci none`, where people run them by hand) writes tags with the same scripts,
// so they belong to no CI generator. promote.sh needs an environment to promote from.
export const releaseScripts: Generator = {
  name: "release-scripts",
  description: "scripts/ that write an image tag into an overlay, read it back, and promote it to the next environment",
  templates: [{ path: "scripts/promote.sh.hbs", when: (c) => c.environments.length > 1 }, "scripts/current-image-tag.sh", "scripts/set-image.sh"],
  when: () => true,
  ownership: "platform",
};
