// Answers -> Plan in memory: the templates' output plus the provenance record. Writes nothing; create
// and update both render through it.
import type { Answers } from "../answers/types.js";
import type { Preset } from "../answers/preset.js";
import { TOOL } from "../shared/tool.js";
import { generators, type Generator } from "../../generators/index.js";
import { buildContext, type Context } from "./context.js";
import { applyOverrides } from "./overrides.js";
import { planFiles, type Plan } from "./plan.js";
import { provenanceFile } from "./provenance.js";
import { readTemplates } from "./templates.js";
import { derivedAnswers } from "../answers/derived.js";

/**
 * Everything the repository will contain, rendered in memory: the templates' output plus the
 * provenance record that describes it. Pure given the answers and the templates. derived: the
 * answers that took their default (resolveAnswers says which); without it, every answer equal to
 * its default is recorded as derived.
 */
export async function renderRepository(
  answers: Answers,
  options: { preset?: Preset; templatesDir?: string; derived?: readonly (keyof Answers)[] } = {},
): Promise<{ context: Context; plan: Plan }> {
  const { preset } = options;
  const context = buildContext(answers, TOOL, preset?.policy.requiredLabels);
  let templates = await readTemplates();
  let list: readonly Generator[] = generators;
  if (options.templatesDir) {
    const overridden = await applyOverrides(templates, options.templatesDir);
    templates = overridden.templates;
    if (overridden.generator) list = [...generators, overridden.generator];
  }
  const rendered = await planFiles(context, templates, list);
  const identity = preset ? { name: preset.name, ...(preset.version ? { version: preset.version } : {}), sha256: preset.sha256 } : null;
  const derived = options.derived ?? derivedAnswers(answers, new Set(), preset);
  const plan = [...rendered, provenanceFile(rendered, answers, TOOL, templates, identity, derived)];
  return { context, plan: plan.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}
