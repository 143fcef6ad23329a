// `update --check [dir...]`: which repositories are behind the current templates. Reads only, and
// renders nothing. It reads the record committed at HEAD (what `update`, which needs a clean work
// tree, starts from; so a staged but uncommitted update still reads "behind"; without git, or before
// the first commit, the work tree's). Behind = `update` would change the record, which it does
// exactly when one of the inputs of the output differs from the recorded ones (copier compares
// versions the same way): the tool version, the templates' digest, the preset file's digest (given
// with --preset or $CREATE_GITOPS_GO_SERVICE_PRESET, as update takes it), or a question the record has
// no answer for. A repository made with a preset is unreadable to a run without it, as update refuses it. With the same inputs the output is the same (rendering is deterministic), so an
// up-to-date repository is one `update` leaves as it is: test/update-agreement.test.ts holds the two
// to that, on clean, squash-merged and shallow repositories.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { applyOverrides } from "../render/overrides.js";
import { PROVENANCE_FILE, serializeRecord, templatesDigest, type Provenance } from "../render/provenance.js";
import { questionFor, questionList } from "../answers/questions.js";
import { readTemplates } from "../render/templates.js";
import { UserError } from "../shared/errors.js";
import { TOOL } from "../shared/tool.js";
import type { Preset } from "../answers/preset.js";
import { parseRecord, presetMismatch, readRecord } from "./record.js";
import type { HeadView } from "./git/head.js";
import { runGit, unsafeOwnership } from "./git.js";
import { mayConvert, readIndex, unchangedBlob, type GitIndex } from "./git/git-index.js";

export interface CheckRow {
  directory: string;
  service?: string;
  status: "up-to-date" | "behind" | "error";
  /** The recorded template version (and digest). */
  from?: { version: string; sha256: string };
  to: { version: string; sha256: string };
  /** "0.1.0 → 0.2.0"; "digest differs" when the versions are equal but the templates are not; "new questions: …". */
  behindBy?: string;
  /** Platform-owned files whose bytes differ from the recorded ones: an update will report them as conflicts. */
  modifiedPlatform: string[];
  error?: string;
}

/** The digest of the templates this run would update to (with the same overrides folder, if any). */
export async function currentDigest(templatesDir?: string): Promise<string> {
  let templates = await readTemplates();
  if (templatesDir) templates = (await applyOverrides(templates, templatesDir)).templates;
  return templatesDigest(templates);
}

/**
 * Why update would change this record (undefined: it would not). preset: the one this run updates
 * with; the record holds its sha256, so any edit to the file (a new lock, label or default) is seen.
 */
export function behindReason(record: Provenance, to: { version: string; sha256: string }, preset?: Preset, text?: string): string | undefined {
  if (record.template.version !== to.version) return `${record.template.version} → ${to.version}`;
  if (record.template.sha256 !== to.sha256) return "digest differs";
  if (preset && (record.preset?.sha256 !== preset.sha256 || record.preset.version !== preset.version)) {
    if (!record.preset) return `preset '${preset.name}' added`;
    const was = record.preset.version ?? "unversioned";
    const now = preset.version ?? "unversioned";
    return was === now ? `preset '${preset.name}' changed (version ${now}, other content)` : `preset '${preset.name}' ${was} → ${now}`;
  }
  const fresh = questionList.filter((q) => !(q.name in record.answers)).map((q) => q.name);
  if (fresh.length > 0) return `new questions: ${fresh.join(", ")}`;
  // update drops answers to questions this version does not ask, and writes the record in its own form.
  const gone = Object.keys(record.answers).filter((k) => !questionFor(k));
  if (gone.length > 0) return `answers to questions no longer asked: ${gone.join(", ")}`;
  // update writes which answers are derived (#28): a record without it is rewritten.
  if (record.derived === undefined) return "the record does not say which answers are derived (written before that was recorded)";
  if (text !== undefined && text !== serializeRecord(record)) return "the record is not in the form update writes (reformatted by hand or a tool)";
  return undefined;
}

/**
 * Whether git may convert bytes (core.autocrlf, core.eol, filters, attributes) by a setting outside
 * any one repository (global or system config, the global or system attributes file): then no index
 * is trusted (see mayConvert). One git process per run.
 */
export async function conversionOutside(cwd: string): Promise<boolean> {
  const xdg = process.env.XDG_CONFIG_HOME || path.join(homedir(), ".config");
  if (existsSync(path.join(xdg, "git", "attributes")) || existsSync("/etc/gitattributes")) return true;
  const run = await runGit(cwd, ["config", "--get-regexp", "^(core\\.(autocrlf|eol|attributesfile)|(filter|include|includeif)\\..*)$"]).catch(() => undefined);
  if (!run || run.code === 1) return false; // no git (nothing is read through it), or no such key
  return run.code !== 0 || run.stdout.toString("utf8").split("\n").some((l) => l !== "" && !/^core\.autocrlf false$/i.test(l));
}

/** The record committed at HEAD through git in dir; undefined without a commit, a record in it, or git. */
async function readHeadWithGit(dir: string): Promise<{ text: string; source: string } | undefined> {
  const run = await runGit(dir, ["cat-file", "blob", `HEAD:./${PROVENANCE_FILE}`]).catch((error: Error) => {
    if (error.message.includes("git is not installed")) return undefined;
    throw error;
  });
  const foreign = run && unsafeOwnership(dir, run.stderr);
  if (foreign) throw foreign; // not the work tree's record: git would read nothing here
  return run?.code === 0 ? { text: run.stdout.toString("utf8"), source: `${path.join(dir, PROVENANCE_FILE)} (at HEAD)` } : undefined;
}

/** What git status sees: each tracked file's staged blob id (its clean form), and the files whose work tree differs from it. */
interface SeenByGit {
  staged: Map<string, string>;
  changed: Set<string>;
}

/**
 * Where the index cannot be read here (line-ending conversion, filters, a sparse checkout, a layout
 * git/head.ts does not read), git compares: as git status does, through its conversions, ignoring the
 * files outside a sparse checkout. Nothing is written (--no-optional-locks). undefined without git.
 */
async function seenByGit(directory: string): Promise<SeenByGit | undefined> {
  const [prefix, listed, status] = await Promise.all([
    runGit(directory, ["rev-parse", "--show-prefix"]),
    runGit(directory, ["ls-files", "-s", "-z", "--", "."]),
    runGit(directory, ["--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=no", "--", "."]),
  ]).catch(() => []);
  if (!prefix || prefix.code !== 0 || listed.code !== 0 || status.code !== 0) return undefined;
  const top = prefix.stdout.toString("utf8").trim();
  const staged = new Map<string, string>();
  for (const r of listed.stdout.toString("utf8").split("\0").filter(Boolean)) {
    const [, id, stage] = r.slice(0, r.indexOf("\t")).split(" ");
    if (stage === "0") staged.set(r.slice(r.indexOf("\t") + 1), id);
  }
  const changed = new Set<string>();
  const fields = status.stdout.toString("utf8").split("\0");
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.length < 4) continue;
    if (f[0] === "R" || f[0] === "C") i++;
    if (f[1] !== " " && f.slice(3).startsWith(top)) changed.add(f.slice(3 + top.length));
  }
  return { staged, changed };
}

/**
 * Platform files whose bytes in the work tree differ from the recorded ones. With the repository's
 * index, a file whose stat data git would trust is compared by its staged blob id, without reading it.
 */
function modifiedPlatformFiles(directory: string, record: Provenance, index?: { index: GitIndex; prefix: string }, seen?: SeenByGit): string[] {
  // Synchronous reads: ~30 small files, where the thread-pool round trip of each async read cost more.
  const modified: string[] = [];
  for (const [p, f] of Object.entries(record.files)) {
    if (f.ownership !== "platform") continue;
    const file = path.join(directory, p);
    const known = seen?.staged.get(p);
    if (known) {
      if (known !== f.gitBlob || seen!.changed.has(p)) modified.push(p);
      continue;
    }
    const staged = index && unchangedBlob(index.index, `${index.prefix}${p}`, file);
    if (staged) {
      if (staged !== f.gitBlob) modified.push(p);
      continue;
    }
    let bytes: Buffer | undefined;
    try {
      bytes = readFileSync(file);
    } catch {
      bytes = undefined;
    }
    if (!bytes || createHash("sha256").update(bytes).digest("hex") !== f.sha256) modified.push(p);
  }
  return modified;
}

/**
 * One repository's row. view: its HEAD, read from files (git/head.ts); without one, git is asked for the
 * committed record, and where there is no commit (or no git) the work tree's is read.
 */
export async function checkOne(directory: string, digest: string, view: HeadView | undefined, converts = false, preset?: Preset): Promise<CheckRow> {
  const to = { version: TOOL.version, sha256: digest };
  try {
    const head = view ? await view.recordText().then((text) => text === undefined ? undefined : { text, source: `${path.join(directory, PROVENANCE_FILE)} (at HEAD)` }) : await readHeadWithGit(directory);
    const record = head ? parseRecord(head.text, head.source) : await readRecord(directory);
    const mismatch = presetMismatch(record, preset);
    if (mismatch) throw mismatch;
    // Where git may convert bytes, a staged id is not the work tree's: every file is read.
    const read = view && !converts ? readIndex(view.at.gitDir) : undefined;
    const index = read && !read.skipWorktree && !mayConvert(view!.at.gitDir, view!.at.config, read) ? read : undefined;
    const modifiedPlatform = modifiedPlatformFiles(directory, record, index && { index, prefix: view!.at.prefix }, index ? undefined : await seenByGit(directory));
    const behindBy = behindReason(record, to, preset, head?.text ?? undefined);
    const service = typeof record.answers.name === "string" ? record.answers.name : path.basename(directory);
    return { directory, service, status: behindBy ? "behind" : "up-to-date", from: record.template, to, behindBy, modifiedPlatform: modifiedPlatform.sort() };
  } catch (error) {
    const hint = error instanceof UserError && error.hint ? ` (${error.hint})` : "";
    return { directory, status: "error", to, modifiedPlatform: [], error: `${(error as Error).message}${hint}` };
  }
}

/** 0 every repository is up to date, 1 at least one is behind, 2 at least one could not be read. */
export function checkExitCode(rows: readonly CheckRow[]): number {
  if (rows.some((r) => r.status === "error")) return 2;
  return rows.some((r) => r.status === "behind") ? 1 : 0;
}

function modifiedText(r: CheckRow): string {
  if (r.modifiedPlatform.length === 0) return "0";
  const names = r.modifiedPlatform.slice(0, 3).join(", ") + (r.modifiedPlatform.length > 3 ? ", …" : "");
  return `${r.modifiedPlatform.length} (${names})`;
}

/** One line for one repository. */
export function formatCheckLine(r: CheckRow): string {
  if (r.status === "error") return `${r.directory}: error: ${r.error}`;
  const modified = r.modifiedPlatform.length > 0 ? `; locally modified platform files: ${modifiedText(r)}` : "";
  if (r.status === "up-to-date") return `${r.service}: up to date (template ${r.from!.version})${modified}`;
  return `${r.service}: update available: ${r.behindBy}${modified} — run: create-gitops-go-service update${r.directory === "." ? "" : ` ${r.directory}`}`;
}

/** A table, one row per repository (for several directories). */
export function formatCheckTable(rows: readonly CheckRow[]): string {
  const header = ["SERVICE", "DIRECTORY", "TEMPLATE", "BEHIND BY", "MODIFIED PLATFORM FILES"];
  const body = rows.map((r) =>
    r.status === "error"
      ? [r.service ?? "?", r.directory, "?", `error: ${r.error}`, ""]
      : [r.service!, r.directory, r.from!.version, r.status === "up-to-date" ? "up to date" : r.behindBy!, modifiedText(r)],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd();
  const behind = rows.filter((r) => r.status === "behind").length;
  const errors = rows.filter((r) => r.status === "error").length;
  const summary = `${rows.length} repositories: ${rows.length - behind - errors} up to date, ${behind} behind${errors ? `, ${errors} unreadable` : ""} (current templates: ${TOOL.version})`;
  return [line(header), ...body.map(line), "", summary].join("\n");
}
