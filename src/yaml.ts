type Yaml = typeof import("yaml");

/**
 * Load the `yaml` package on first use (only answers files, presets and overrides need it).
 * esbuild's ESM output exposes a dynamically imported CommonJS module only as `default`; Node's
 * own loader (tests) exposes both, so take `default` when it is there.
 */
export async function loadYaml(): Promise<Yaml> {
  const mod = await import("yaml");
  return (mod as Yaml & { default?: Yaml }).default ?? mod;
}
