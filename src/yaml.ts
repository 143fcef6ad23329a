type YamlTree = typeof import("./yaml-tree.js");

/** Load the YAML reader on first use (only answers files, presets and overrides need it). */
export async function loadYaml(): Promise<YamlTree> {
  return import("./yaml-tree.js");
}
