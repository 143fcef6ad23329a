import { createHash } from "node:crypto";
import type { Answers } from "../answers/types.js";
import type { Plan, PlannedFile } from "./plan.js";
import type { TemplateFile } from "./templates.js";

/** The one file every generated repository carries to say how it was made (`update` reads it). */
export const PROVENANCE_FILE = ".create-gitops-go-service.json";

export interface PresetIdentity {
  name: string;
  version?: string;
  /** sha256 of the preset file as read, so two presets with one name are told apart. */
  sha256: string;
}

export interface Provenance {
  schemaVersion: 1;
  tool: { name: string; version: string };
  /** Templates ship inside the tool: their version is the tool's, their digest pins the exact content (overrides included). */
  template: { version: string; sha256: string };
  preset: PresetIdentity | null;
  /** The answers, without the target directory (a machine-specific path). Secrets are names only: there are no values. */
  answers: Omit<Answers, "directory">;
  /**
   * The answers that took their default from the answers above them (module, registry and repository
   * URL from the owner, say), in question order; every other answer was set (flag, answers file,
   * prompt) or is a placeholder. `update` recomputes a derived answer when an answer it is derived
   * from changes (`update --owner acme`) and keeps a set one. Records written before it have none:
   * `update` then takes an answer equal to what the recorded answers derive as derived.
   */
  derived?: (keyof Answers)[];
  /**
   * Per file: its sha256, its ownership class, and its git blob id, so `update` can read the exact
   * generated content back from the repository's own history as the base of a 3-way merge.
   */
  files: Record<string, { sha256: string; gitBlob: string; ownership: PlannedFile["ownership"] }>;
}

const sha256 = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");

/** The id git gives these bytes as a blob (`git hash-object`). */
export function gitBlobId(content: Buffer): string {
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

/** Digest over every template's path and sha256, in sorted order: the same templates, the same digest. */
export function templatesDigest(templates: readonly TemplateFile[]): string {
  const hash = createHash("sha256");
  for (const t of [...templates].sort((a, b) => (a.id < b.id ? -1 : 1))) hash.update(`${t.id}\0${t.sha256}\n`);
  return hash.digest("hex");
}

/** The provenance record for a plan, as one more planned file. Deterministic: sorted keys, no clock. */
export function provenanceFile(
  plan: Plan,
  answers: Answers,
  tool: { name: string; version: string },
  templates: readonly TemplateFile[],
  preset: PresetIdentity | null,
  derived: readonly (keyof Answers)[],
): PlannedFile {
  const { directory: _directory, ...recorded } = answers;
  const record: Provenance = {
    schemaVersion: 1,
    tool: { name: tool.name, version: tool.version },
    template: { version: tool.version, sha256: templatesDigest(templates) },
    preset,
    answers: recorded,
    derived: [...derived],
    files: Object.fromEntries(plan.map((f) => [f.path, { sha256: sha256(f.content), gitBlob: gitBlobId(f.content), ownership: f.ownership }])),
  };
  return {
    path: PROVENANCE_FILE,
    content: Buffer.from(serializeRecord(record)),
    generator: "provenance",
    ownership: "platform",
    mode: 0o644,
  };
}

/** The record's bytes as written: keys sorted, two-space indents, one newline at the end. */
export function serializeRecord(record: Provenance): string {
  return `${JSON.stringify(sortKeys(record), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sortKeys(v)]));
  return value;
}
