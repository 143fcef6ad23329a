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

// The template update CI proposes (issue #31): the script, and the pin bots bump. The pin is shared:
// Dependabot edits it, and the update that follows writes the same version (a clean three-way merge).
export const templateUpdate: Generator = {
  name: "template-update",
  description: "scripts/template-update.sh, which proposes the template's update as a pull request, and the version it proposes (tools/template)",
  templates: ["scripts/template-update.sh.hbs", { path: "tools/template/package.json.hbs", ownership: "shared" }],
  when: (c) => c.templateUpdate.enabled,
  ownership: "platform",
};
