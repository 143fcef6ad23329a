// Org presets: a platform team's defaults, locks and policy, in one YAML or JSON file. The preset is
// trusted (the platform team wrote it); it is still validated, and its own mistakes are reported as
// preset errors naming file, line and key, not blamed on the user.
import { createHash } from "node:crypto";
import { readYaml } from "../shared/yaml.js";
import { readFile } from "node:fs/promises";
import type { YamlNode } from "../shared/yaml-tree.js";
import type { Answers } from "./types.js";
import { fromFile } from "./coerce.js";
import { ExitCode, UserError } from "../shared/errors.js";
import { shown, shownPath } from "../shared/show.js";
import { questionFor, type Value } from "./questions.js";
import * as rules from "./rules.js";

/** The environment variable that names a team-wide preset (set once in a shell profile or CI). */
export const PRESET_ENV = "CREATE_GITOPS_GO_SERVICE_PRESET";

export interface Policy {
  /** Allowed image registry prefixes (`ghcr.io/acme` allows `ghcr.io/acme` and `ghcr.io/acme/team`). */
  registries?: string[];
  gitops?: Answers["gitops"][];
  ci?: Answers["ci"][];
  /** A regular expression every service name (and so every namespace prefix) must match. */
  namePattern?: string;
  /** Labels every generated Kubernetes object carries (e.g. cost centre, team). */
  requiredLabels?: Record<string, string>;
  /** Argo CD projects the Applications may belong to (existing projects the platform team manages). */
  argocdProjects?: string[];
}

export interface Preset {
  name: string;
  version?: string;
  file: string;
  sha256: string;
  defaults: Partial<Answers>;
  locked: (keyof Answers)[];
  policy: Policy;
}

const TOP_KEYS = ["name", "version", "description", "defaults", "locked", "policy"];
const POLICY_KEYS = ["registries", "gitops", "ci", "namePattern", "requiredLabels", "argocdProjects"];
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/**
 * Read and validate a preset file. Every problem names the file, the line and the key; `label` names
 * where the path came from (`--preset`, a host's input), `as` how messages and the preset show the
 * file (a host reads a path of its own, e.g. in a workspace, that its user never gave).
 */
export async function readPreset(file: string, label = "--preset", as = file): Promise<Preset> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UserError(`${label}: cannot read ${shown(as)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, ExitCode.usage);
  }
  const presetError = (line: number, message: string) =>
    new UserError(`preset ${shownPath(as)}:${line}: ${message}`, ExitCode.usage, "the preset comes from your platform team: fix it there (see README, 'For platform teams')");
  const fail = (node: YamlNode | undefined, message: string): never => {
    throw presetError(node?.line ?? 1, message);
  };
  const root = await readYaml(text, (line, reason) => presetError(line, `not valid JSON or YAML: ${reason}`));
  if (!root?.pairs) return fail(root, "a preset is a mapping with the keys name, defaults, locked, policy");
  const entry = (map: YamlNode, key: string) => map.pairs!.find((p) => p.key.value === key)?.value;
  const present = (node: YamlNode | undefined): node is YamlNode => node !== undefined && node.value !== null;
  for (const pair of root.pairs) {
    const key = String(pair.key.value);
    if (!TOP_KEYS.includes(key)) fail(pair.key, `unknown key '${key}' (expected: ${TOP_KEYS.join(", ")})`);
  }
  const nameNode = entry(root, "name");
  if (typeof nameNode?.value !== "string" || !nameNode.value) return fail(nameNode ?? root, "key 'name' must be a non-empty string");
  const versionNode = entry(root, "version");
  // Shown in --check's "2026.11 → 2026.12" and in the record: one short line, as written.
  if (present(versionNode)) {
    const version = typeof versionNode.value === "string" ? versionNode.value : versionNode.source;
    if (versionNode.pairs || versionNode.items || typeof version !== "string" || !/^(?!\s)[^\p{Cc}\u2028\u2029]{1,64}(?<!\s)$/u.test(version))
      fail(versionNode, "key 'version' must be one line of 1 to 64 characters, without control characters or leading or trailing spaces (e.g. \"2026.11\")");
  }

  const defaults: Partial<Record<keyof Answers, Value>> = {};
  const defaultsNode = entry(root, "defaults");
  if (present(defaultsNode)) {
    if (!defaultsNode.pairs) fail(defaultsNode, "key 'defaults' must be a mapping of question names to values");
    for (const pair of defaultsNode.pairs!) {
      const key = String(pair.key.value);
      const question = questionFor(key);
      if (!question) return fail(pair.key, `defaults: unknown question '${key}'`);
      try {
        const value = fromFile(question, pair.value.value, pair.value);
        const problem = question.validate(value as never);
        if (problem) throw `'${Array.isArray(value) ? value.join(",") : String(value)}' ${problem}`;
        defaults[question.name] = value;
      } catch (problem) {
        fail(pair.value, `defaults.${key}: ${String(problem)}`);
      }
    }
  }

  const locked: (keyof Answers)[] = [];
  const lockedNode = entry(root, "locked");
  if (present(lockedNode)) {
    if (!lockedNode.items) fail(lockedNode, "key 'locked' must be a list of question names");
    for (const item of lockedNode.items!) {
      const key = String(item.value);
      if (!questionFor(key)) fail(item, `locked: unknown question '${key}'`);
      if (defaults[key as keyof Answers] === undefined) fail(item, `locked: '${key}' is locked but has no value in defaults`);
      locked.push(key as keyof Answers);
    }
  }

  const policy: Policy = {};
  const policyNode = entry(root, "policy");
  if (present(policyNode)) {
    if (!policyNode.pairs) fail(policyNode, "key 'policy' must be a mapping");
    for (const { key: keyNode, value: node } of policyNode.pairs!) {
      const key = String(keyNode.value);
      const value = node.value;
      if (!POLICY_KEYS.includes(key)) fail(keyNode, `policy: unknown key '${key}' (expected: ${POLICY_KEYS.join(", ")})`);
      if (key === "registries") {
        if (!Array.isArray(value) || value.length === 0) fail(node, "policy.registries must be a non-empty list of registry prefixes");
        for (const r of value as unknown[]) if (typeof r !== "string" || rules.registry(r)) fail(node, `policy.registries: '${String(r)}' ${rules.registry(String(r)) ?? "must be a string"}`);
        policy.registries = value as string[];
      } else if (key === "gitops" || key === "ci") {
        const choices = questionFor(key)!.choices!;
        if (!Array.isArray(value) || value.length === 0) fail(node, `policy.${key} allows nothing: list at least one of ${choices.join(", ")}`);
        for (const c of value as unknown[]) if (!choices.includes(String(c))) fail(node, `policy.${key}: '${String(c)}' is not one of ${choices.join(", ")}`);
        (policy as Record<string, unknown>)[key] = value;
      } else if (key === "namePattern") {
        if (typeof value !== "string") fail(node, "policy.namePattern must be a regular expression string");
        try {
          new RegExp(value as string, "u");
        } catch (error) {
          fail(node, `policy.namePattern is not a valid regular expression: ${(error as Error).message}`);
        }
        policy.namePattern = value as string;
      } else if (key === "requiredLabels") {
        if (!value || typeof value !== "object" || Array.isArray(value)) fail(node, "policy.requiredLabels must be a mapping of label keys to values");
        for (const [k, v] of Object.entries(value as object)) {
          const keyProblem = rules.labelKey(k);
          if (keyProblem) fail(node, `policy.requiredLabels: ${shown(k)} is not a valid Kubernetes label key: it ${keyProblem}`);
          if (typeof v !== "string" || !LABEL_VALUE.test(v) || v.length > 63) fail(node, `policy.requiredLabels.${k}: '${String(v)}' is not a valid label value (63 characters of [A-Za-z0-9-_.])`);
        }
        policy.requiredLabels = value as Record<string, string>;
      } else if (key === "argocdProjects") {
        if (!Array.isArray(value) || value.length === 0) fail(node, "policy.argocdProjects allows nothing: list at least one Argo CD project name");
        for (const p of value as unknown[]) if (typeof p !== "string" || rules.dns1123Label(p)) fail(node, `policy.argocdProjects: '${String(p)}' ${rules.dns1123Label(String(p)) ?? "must be a string"}`);
        policy.argocdProjects = value as string[];
      }
    }
  }

  // The question's own default (a project named like the service) is rarely on a platform team's
  // list: without a default of its own, the first allowed project is the default.
  if (policy.argocdProjects && defaults.argocdProject === undefined) defaults.argocdProject = policy.argocdProjects[0];

  const preset: Preset = {
    name: nameNode.value,
    // As written: `version: 2026.10` is the number 2026.1 to YAML, not the version the team meant.
    ...(present(versionNode) && versionNode.source !== undefined ? { version: typeof versionNode.value === "string" ? versionNode.value : versionNode.source } : {}),
    file: as,
    sha256: createHash("sha256").update(text).digest("hex"),
    defaults: defaults as Partial<Answers>,
    locked,
    policy,
  };
  // A preset whose own defaults break its policy allows nothing valid: that is the preset's error.
  for (const [name, value] of Object.entries(preset.defaults)) {
    const problem = policyProblem(preset, name as keyof Answers, value as Value);
    if (problem) fail(defaultsNode, `defaults.${name} '${String(value)}' breaks the preset's own policy: ${problem}`);
  }
  return preset;
}

/** Why a value breaks the preset's policy, or undefined. */
export function policyProblem(preset: Preset | undefined, name: keyof Answers, value: Value): string | undefined {
  const policy = preset?.policy;
  if (!policy) return undefined;
  if (name === "registry" && policy.registries && !policy.registries.some((p) => value === p || String(value).startsWith(`${p}/`)))
    return `is not an allowed registry (allowed: ${policy.registries.join(", ")})`;
  if (name === "gitops" && policy.gitops && !policy.gitops.includes(value as Answers["gitops"])) return `is not allowed (allowed: ${policy.gitops.join(", ")})`;
  if (name === "ci" && policy.ci && !policy.ci.includes(value as Answers["ci"])) return `is not allowed (allowed: ${policy.ci.join(", ")})`;
  if (name === "argocdProject" && policy.argocdProjects && !policy.argocdProjects.includes(String(value)))
    return `is not an allowed Argo CD project (allowed: ${policy.argocdProjects.join(", ")})`;
  if (name === "name" && policy.namePattern && !new RegExp(policy.namePattern, "u").test(String(value))) return `does not match the pattern ${policy.namePattern}`;
  return undefined;
}

/** How an error names a preset: `preset 'acme-platform' (presets/acme.yaml)`. */
export function describePreset(preset: Preset): string {
  return `preset '${preset.name}' (${preset.file})`;
}

/** Questions a preset makes meaningless to ask. */
export function isLocked(preset: Preset | undefined, name: keyof Answers): boolean {
  return Boolean(preset?.locked.includes(name));
}

