type Yaml = typeof import("./yaml-api.js");

/** Load the `yaml` package on first use (only answers files, presets and overrides need it). */
export async function loadYaml(): Promise<Yaml> {
  return import("./yaml-api.js");
}
