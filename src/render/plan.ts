import { generators, type Generator, type Owned, type Ownership } from "../../generators/index.js";
import type { Context } from "./context.js";
import { loadCompiler, renderTemplate } from "./handlebars.js";
import { readTemplates, outputPath, type TemplateFile } from "./templates.js";

export interface PlannedFile {
  path: string;
  content: Buffer;
  /** The generator that wrote it (for --dry-run and provenance). */
  generator: string;
  /** Who owns it after day one (recorded in the provenance file). */
  ownership: Ownership;
  mode: number;
}

export type Plan = PlannedFile[];

function ownedPath(owned: Owned): string {
  return typeof owned === "string" ? owned : owned.path;
}

function owns(owned: Owned, id: string): boolean {
  const p = ownedPath(owned);
  return p.endsWith("/") ? id.startsWith(p) : id === p;
}

/** The generator that owns a template id, or every claimant when not exactly one (a test checks it). */
export function ownersOf(id: string, list: readonly Generator[] = generators): Generator[] {
  return list.filter((g) => g.templates.some((o) => owns(o, id)));
}

function selected(id: string, context: Context, list: readonly Generator[]): { generator: string; ownership: Ownership } | undefined {
  const [owner, ...others] = ownersOf(id, list);
  if (!owner || others.length > 0) throw new Error(`template ${id} must be owned by exactly one generator`);
  if (!owner.when(context)) return undefined;
  const rule = owner.templates.find((o) => owns(o, id))!;
  if (typeof rule === "string") return { generator: owner.name, ownership: owner.ownership };
  if (rule.when && !rule.when(context)) return undefined;
  return { generator: owner.name, ownership: rule.ownership ?? owner.ownership };
}

// Scripts stay executable in the generated repo; everything else is an ordinary file.
const modeOf = (path: string): number => (path.endsWith(".sh") ? 0o755 : 0o644);

function expand(template: TemplateFile, context: Context, owner: { generator: string; ownership: Ownership }): PlannedFile[] {
  const perEnvironment = template.id.includes("[environment]");
  const bindings = perEnvironment ? context.environments.map((environment) => ({ environment })) : [{}];
  return bindings.map((binding) => {
    const values: Record<string, string> = { name: context.name };
    if ("environment" in binding) values.environment = binding.environment.name;
    const out = outputPath(template.id, values);
    const content = out.render ? Buffer.from(renderTemplate(template, { ...context, ...binding })) : template.content!;
    return { path: out.path, content, ...owner, mode: modeOf(out.path) };
  });
}

/**
 * Render every file in memory. Two templates that produce one path are a bug in the templates and
 * fail here, before anything is written. (Leftover `{{` markers are caught by the tests, not here:
 * a user's description may legitimately contain `{{`.)
 */
export async function planFiles(context: Context, source?: string | readonly TemplateFile[], list: readonly Generator[] = generators): Promise<Plan> {
  const plan: Plan = [];
  const seen = new Map<string, string>();
  const templates = Array.isArray(source) ? source : await readTemplates(source as string | undefined);
  if (templates.some((t) => t.id.endsWith(".hbs") && !t.spec)) await loadCompiler();
  for (const template of templates) {
    const owner = selected(template.id, context, list);
    if (!owner) continue;
    for (const file of expand(template, context, owner)) {
      const previous = seen.get(file.path);
      if (previous) throw new Error(`templates ${previous} and ${template.id} both write ${file.path}`);
      seen.set(file.path, template.id);
      plan.push(file);
    }
  }
  return plan.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// Rendered output may legitimately hold other tools' template syntax: GitHub Actions `${{ }}`, Go
// templates in an Argo CD ApplicationSet (`{{ .env }}`), Argo Rollouts arguments (`{{args.x}}`) and
// Flagger's MetricTemplate variables (`{{ namespace }}`, `{{ target }}`).
// Anything else that looks like `{{` is a Handlebars expression we failed to render.
export function hasLeftoverMarker(text: string): boolean {
  const stripped = text
    .replace(/\$\{\{[^}]*\}\}/g, "")
    .replace(/\{\{-?\s*\.[^}]*\}\}/g, "")
    .replace(/\{\{\s*args\.[\w.-]+\s*\}\}/g, "")
    .replace(/\{\{\s*(?:namespace|target|interval)\s*\}\}/g, "");
  return stripped.includes("{{");
}
