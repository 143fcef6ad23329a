// Template overrides: a platform team replaces or adds template files without forking. The folder
// has the layout of templates/; a file that does not exist upstream must be declared an addition
// in the folder's `overrides.yaml` (`additions: [path, ...]`), so a typo cannot silently add a file.
import { existsSync } from "node:fs";
import { readYaml } from "../shared/yaml.js";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Generator } from "../../generators/index.js";
import { ExitCode, UserError } from "../shared/errors.js";
import { readTemplates, type TemplateFile } from "./templates.js";

export const OVERRIDES_MANIFEST = "overrides.yaml";

export interface Overridden {
  templates: TemplateFile[];
  /** Owns the declared additions (always written, platform-owned). */
  generator?: Generator;
}

/** Merge an override folder over the upstream templates. */
export async function applyOverrides(upstream: TemplateFile[], dir: string): Promise<Overridden> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new UserError(`--templates: '${dir}' is not a folder`, ExitCode.usage);
  const manifestPath = path.join(dir, OVERRIDES_MANIFEST);
  let additions: string[] = [];
  if (existsSync(manifestPath)) {
    const tree = await readYaml(await readFile(manifestPath, "utf8"), (line, reason) => new UserError(`--templates: ${manifestPath}:${line}: not valid YAML: ${reason}`, ExitCode.usage));
    const manifest = tree?.value as { additions?: unknown } | null | undefined;
    const keys = Object.keys(manifest ?? {}).filter((k) => k !== "additions");
    if (keys.length > 0) throw new UserError(`--templates: ${manifestPath}: unknown key '${keys[0]}' (expected: additions)`, ExitCode.usage);
    if (manifest?.additions !== undefined && (!Array.isArray(manifest.additions) || manifest.additions.some((a) => typeof a !== "string")))
      throw new UserError(`--templates: ${manifestPath}: 'additions' must be a list of template paths`, ExitCode.usage);
    additions = (manifest?.additions as string[] | undefined) ?? [];
  }
  const byId = new Map(upstream.map((t) => [t.id, t]));
  const overrides = (await readTemplates(dir)).filter((t) => t.id !== OVERRIDES_MANIFEST).map((t) => ({ ...t, origin: path.join(dir, t.id) }));
  for (const t of overrides) {
    if (!byId.has(t.id) && !additions.includes(t.id))
      throw new UserError(`--templates: ${t.id} overrides no template`, ExitCode.usage, `declare it in ${manifestPath} under 'additions' if it is a new file, or fix its path (the layout is that of templates/)`);
    byId.set(t.id, t);
  }
  for (const a of additions) if (!overrides.some((t) => t.id === a)) throw new UserError(`--templates: ${manifestPath} declares the addition ${a}, but there is no such file`, ExitCode.usage);
  return {
    templates: [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    generator: additions.length > 0 ? { name: "overrides", description: `Additions from ${dir}`, templates: additions, when: () => true, ownership: "platform" } : undefined,
  };
}
