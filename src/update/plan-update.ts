// Plan an update in memory: the answers (recorded + new questions), the current templates' output,
// the base read back from git, the work tree, and the decision per file. Writes nothing.
import type { Answers } from "../answers/types.js";
import { renderRepository } from "../render/render-repository.js";
import { ExitCode, UserError } from "../shared/errors.js";
import type { PlannedFile } from "../render/plan.js";
import { readPreset, type Preset } from "../answers/preset.js";
import type { Prompter } from "../answers/prompts.js";
import { PROVENANCE_FILE, type Provenance } from "../render/provenance.js";
import { TOOL } from "../shared/tool.js";
import { gitBlobId } from "../render/provenance.js";
import { decide, type Decision, type MergeFn } from "./merge.js";
import { workTreeSource, type FileState, type RepoSource } from "./sources.js";
import { presetMismatch } from "./record.js";
import type { AnswerChange } from "./answer-changes.js";
import { updateAnswers } from "./update-answers.js";
import { staleImports } from "./imports.js";

export interface UpdateOptions {
  flags: Partial<Answers>;
  answersFile?: string;
  presetFile?: string;
  /** Where presetFile came from, for messages (default --preset). */
  presetLabel?: string;
  templatesDir?: string;
  yes: boolean;
  overwritePlatform: boolean;
  /** Lost bases that cannot be regenerated become whole-file conflicts instead of a refusal. */
  acceptLostBase?: boolean;
  prompter?: Prompter;
  merge?: MergeFn;
  /** Where the repository is read (default: its work tree). */
  source?: RepoSource;
}

export interface UpdatePlan {
  directory: string;
  record: Provenance;
  answers: Answers;
  /** Questions the record has no answer for (new since the repository was made), with the value used. */
  newAnswers: Partial<Answers>;
  placeholders: (keyof Answers)[];
  /** Recorded answers this update changes (given in this run, or derived and following), old → new. */
  answerChanges: AnswerChange[];
  /** Go files that import the old module path after the update (the module changed): named, never rewritten. */
  staleImports: string[];
  from: { version: string; sha256: string };
  to: { version: string; sha256: string };
  /** One decision per path, sorted; the provenance record itself is not among them. */
  decisions: Decision[];
  /** The new provenance record (always written last). */
  provenance: PlannedFile;
  /** The new plan by path: the pure template output (the base of the next update). */
  plan: Map<string, PlannedFile>;
  /** Recorded paths whose generated content (base) was found in the history (or regenerated). */
  baseKnown: Set<string>;
  /** Bases rendered again because history lost them: written as blobs when a conflict stages them. */
  regenerated: Buffer[];
  /** The known base bytes by path (read from history, regenerated, or the unchanged work-tree file). */
  bases: Map<string, Buffer>;
  /** What the source held at each path (work tree or HEAD), its file modes, and the record's bytes. */
  ours: Map<string, FileState>;
  modes: Map<string, number>;
  /** Paths git converts (eol, ident, encoding): ours is their clean form, and the work tree is written through git. */
  converted: Set<string>;
  /** Ignored untracked files at planned paths (work tree only): read as absent. */
  ignored: Set<string>;
  recordBytes: Buffer;
}

/**
 * Whether the update changes nothing: every file kept and the record as it is. (Equal template
 * digests are not enough: a changed answer, a new question or a new preset version changes files
 * or the record with the same templates.)
 */
export function upToDate(plan: UpdatePlan): boolean {
  return plan.decisions.every((d) => d.action === "keep") && plan.recordBytes.equals(plan.provenance.content);
}

async function presetFor(record: Provenance, presetFile: string | undefined, label: string | undefined): Promise<Preset | undefined> {
  const preset = presetFile ? await readPreset(presetFile, label) : undefined;
  const mismatch = presetMismatch(record, preset);
  if (mismatch) throw mismatch;
  return preset;
}

/** Everything `update` would do to dir, decided and held in memory. */
export async function planUpdate(directory: string, options: UpdateOptions): Promise<UpdatePlan> {
  const source = options.source ?? workTreeSource(directory);
  const { record, bytes: recordBytes } = await source.record();
  const preset = await presetFor(record, options.presetFile, options.presetLabel);

  const { answers, placeholders, derived, newAnswers, answerChanges } = await updateAnswers(record, directory, preset, options);

  const { plan } = await renderRepository(answers, { preset, templatesDir: options.templatesDir, derived });
  const provenance = plan.find((f) => f.path === PROVENANCE_FILE)!;
  const next = new Map(plan.filter((f) => f.path !== PROVENANCE_FILE).map((f) => [f.path, f]));
  const written = JSON.parse(provenance.content.toString("utf8")) as Provenance;
  const to = written.template;

  const paths = [...new Set([...Object.keys(record.files), ...next.keys()])].filter((p) => p !== PROVENANCE_FILE).sort();
  // Bytes the templates just wrote need not be read again where the source holds the same blob.
  const writtenBlobs = new Map(Object.entries(written.files).flatMap(([p, f]) => (next.has(p) ? [[f.gitBlob, next.get(p)!.content] as const] : [])));
  const ours = await source.files(paths, writtenBlobs);
  // A file still holding its generated bytes is its own base: git is asked only for the others
  // (none at all in a repository without local edits).
  const blobs = new Map<string, Buffer | undefined>();
  for (const [p, f] of Object.entries(record.files)) {
    const own = ours.get(p);
    if (Buffer.isBuffer(own) && gitBlobId(own) === f.gitBlob) blobs.set(f.gitBlob, own);
  }
  for (const [id, content] of await source.blobs(Object.values(record.files).map((f) => f.gitBlob).filter((id) => !blobs.has(id)))) blobs.set(id, content);
  const regenerated =
    Object.values(record.files).some((f) => blobs.get(f.gitBlob) === undefined) && record.template.sha256 === to.sha256
      ? await regenerateBases(record, directory, blobs, { preset, templatesDir: options.templatesDir })
      : [];
  const decisions: Decision[] = [];
  for (const p of paths) {
    const rec = record.files[p];
    const theirs = next.get(p);
    decisions.push(
      await decide(
        {
          path: p,
          ownership: rec?.ownership ?? theirs!.ownership,
          recorded: rec !== undefined,
          base: rec ? (blobs.get(rec.gitBlob) ?? "unknown") : "unknown",
          ours: ours.get(p)!,
          theirs: theirs?.content ?? null,
        },
        { overwritePlatform: options.overwritePlatform },
        options.merge,
      ),
    );
  }
  const missing = decisions.filter((d) => d.baseMissing).map((d) => d.path);
  if (missing.length > 0 && (await source.shallow()))
    throw new UserError(
      `this is a shallow clone: the generated content of ${missing.length} file${missing.length === 1 ? "" : "s"} (${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", …" : ""}) is in commits it does not have, so local edits cannot be told from the template's`,
      ExitCode.unsafeTarget,
      "fetch the whole history first: git fetch --unshallow (in CI: actions/checkout with fetch-depth: 0, or GIT_DEPTH: 0 on GitLab), then run update again",
    );
  // Lost with templates this run cannot render (only its own are bundled): refused, so a fleet run
  // never turns every edited file into a whole-file conflict unasked.
  const lost = decisions.filter((d) => d.baseMissing && d.action === "conflict").map((d) => d.path);
  if (lost.length > 0 && !options.acceptLostBase) {
    const templates = record.template.version === to.version ? `the ${record.template.version} templates with digest ${record.template.sha256.slice(0, 12)} (this run has ${to.sha256.slice(0, 12)})` : `the ${record.template.version} templates`;
    throw new UserError(
      `the generated content of ${lost.length} edited file${lost.length === 1 ? "" : "s"} (${lost.slice(0, 3).join(", ")}${lost.length > 3 ? ", …" : ""}) is not in this repository's history (a squash or rebase merge dropped the template snapshot, or the files were copied without their history), and ${TOOL.name} ${TOOL.version} cannot render ${templates} again to regenerate it: local edits cannot be told from the template's`,
      ExitCode.unsafeTarget,
      "fetch the commit that has it (GitHub keeps a squash-merged pull request's commits: git fetch origin '+refs/pull/*/head:refs/remotes/origin/pr/*'), then run update again; or run update --accept-lost-base and resolve those files as whole-file conflicts",
    );
  }
  const oldModule = record.answers.module;
  const moved = typeof oldModule === "string" && oldModule !== answers.module;
  return {
    directory,
    record,
    answers,
    newAnswers,
    placeholders,
    answerChanges,
    staleImports: moved ? await staleImports(directory, oldModule, decisions, ours, options.source !== undefined) : [],
    from: { version: record.template.version, sha256: record.template.sha256 },
    to: { version: to.version, sha256: to.sha256 },
    decisions,
    provenance,
    plan: next,
    baseKnown: new Set(Object.entries(record.files).filter(([, f]) => blobs.get(f.gitBlob) !== undefined).map(([p]) => p)),
    regenerated,
    bases: new Map(Object.entries(record.files).flatMap(([p, f]) => (blobs.get(f.gitBlob) ? [[p, blobs.get(f.gitBlob)!] as const] : []))),
    ours,
    modes: source.modes,
    converted: source.converted,
    ignored: source.ignored ?? new Set(),
    recordBytes,
  };
}

/**
 * The base after a squash or rebase merge dropped the snapshot commit (or in a clone without it): when
 * the recorded templates are the ones this run has, rendering the recorded answers gives the
 * generated content again. Only bytes whose blob id is the recorded one are used, so a difference in
 * rendering can never pass for the base.
 */
async function regenerateBases(record: Provenance, directory: string, blobs: Map<string, Buffer | undefined>, options: { preset?: Preset; templatesDir?: string }): Promise<Buffer[]> {
  let plan: PlannedFile[];
  try {
    ({ plan } = await renderRepository({ ...record.answers, directory } as Answers, options));
  } catch {
    return []; // the recorded answers no longer render (edited by hand): the bases stay unknown
  }
  const found: Buffer[] = [];
  for (const f of plan) {
    const id = record.files[f.path]?.gitBlob;
    if (id && blobs.get(id) === undefined && gitBlobId(f.content) === id) blobs.set(id, f.content), found.push(f.content);
  }
  return found;
}
