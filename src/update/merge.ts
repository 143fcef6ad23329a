// The per-file decision of `update`: given the generated base, the work tree and the new template
// output, what happens to one path. Pure apart from `git merge-file` (injected for tests).
import type { Ownership } from "../../generators/index.js";
import { mergeFile as gitMergeFile } from "./git.js";

export type Action = "replace" | "merge" | "conflict" | "add" | "remove" | "keep";

export interface FileInput {
  path: string;
  /** From the recorded provenance for files it lists, from the new plan for new files. */
  ownership: Ownership;
  /** Whether the recorded provenance lists the file (false: the template adds it). */
  recorded: boolean;
  /** The generated content read back from history; "unknown" when its blob is missing. Ignored when not recorded. */
  base: Buffer | "unknown";
  /** The work-tree content; null when the file is absent; "irregular" for a symlink, folder, etc. */
  ours: Buffer | null | "irregular";
  /** The current templates' output; null when the template no longer writes the file. */
  theirs: Buffer | null;
}

export interface Decision {
  path: string;
  ownership: Ownership;
  action: Action;
  /** Why, in a few words (shown beside the action). */
  reason: string;
  /** What to do to the work tree: bytes to write, "delete", or nothing. */
  write?: Buffer | "delete";
  /** Conflict markers in the written content (false for conflicts that leave the file as it is). */
  markers?: boolean;
  /** The decision had to do without the generated base (its blob is not in the repository). */
  baseMissing?: boolean;
}

export type MergeFn = typeof gitMergeFile;

const isBinary = (b: Buffer): boolean => b.subarray(0, 8000).includes(0);

/** A conflict over the whole file, in the markers git uses, when no hunk overlaps but a conflict must be shown. */
export function wholeFileConflict(ours: Buffer, base: Buffer | undefined, theirs: Buffer): Buffer {
  const block = (b: Buffer) => (b.length === 0 || b.at(-1) === 0x0a ? b.toString("utf8") : `${b.toString("utf8")}\n`);
  return Buffer.from(`<<<<<<< ours\n${block(ours)}||||||| base\n${base ? block(base) : ""}=======\n${block(theirs)}>>>>>>> template\n`);
}

/** Conflict markers for ours vs theirs: hunk by hunk where git finds overlaps, else over the whole file. */
async function conflictContent(ours: Buffer, base: Buffer | undefined, theirs: Buffer, merge: MergeFn): Promise<Buffer | undefined> {
  if (isBinary(ours) || isBinary(theirs) || (base && isBinary(base))) return undefined;
  const merged = await merge(ours, base ?? Buffer.alloc(0), theirs);
  return merged.conflicts > 0 ? merged.content : wholeFileConflict(ours, base, theirs);
}

/**
 * Lines CI writes and owns: the image tag and digest in each overlay (scripts/set-image.sh rewrites
 * exactly those lines). The repository's values are the truth, so they are put into base and template
 * output before the merge: a template change next to them (newName after a registry change) then
 * merges instead of conflicting with every release bump. The template writes no digest (it has none
 * before the first release): a repository's digest line goes into base and template output right after
 * their newTag line, where set-image.sh adds it; a repository without one (not released since digests
 * were written) gets none, since a placeholder digest beside a real tag would be unpullable.
 */
const CI_WRITTEN: { path: RegExp; lines: { line: RegExp; after?: RegExp }[] }[] = [
  {
    path: /^deploy\/overlays\/[^/]+\/kustomization\.yaml$/,
    lines: [{ line: /^[ \t]*newTag:.*$/m }, { line: /^[ \t]*digest:.*$/m, after: /^[ \t]*newTag:.*$/m }],
  },
];

function keepCiWritten(file: string, ours: Buffer | null, base: Buffer, theirs: Buffer): { base: Buffer; theirs: Buffer; kept?: string } {
  const rule = CI_WRITTEN.find((r) => r.path.test(file));
  if (!rule || !ours) return { base, theirs };
  const all = (b: Buffer, re: RegExp) => b.toString("utf8").match(new RegExp(re.source, "gm")) ?? [];
  const kept: string[] = [];
  for (const { line, after } of rule.lines) {
    const [o, b, t] = [all(ours, line), all(base, line), all(theirs, line)];
    if (o.length !== 1) continue;
    const mine = o[0];
    // Only where each side has exactly one anchor or line: anything else is left to the plain merge.
    const swap = (buf: Buffer, re: RegExp, to: (found: string) => string) => {
      const found = all(buf, re);
      return found.length === 1 ? Buffer.from(buf.toString("utf8").replace(found[0], () => to(found[0]))) : undefined;
    };
    const [newBase, newTheirs] =
      b.length === 1 && t.length === 1 && mine !== b[0] ? [swap(base, line, () => mine), swap(theirs, line, () => mine)]
      : after && b.length === 0 && t.length === 0 ? [swap(base, after, (a) => `${a}\n${mine}`), swap(theirs, after, (a) => `${a}\n${mine}`)]
      : [];
    if (!newBase || !newTheirs) continue;
    [base, theirs] = [newBase, newTheirs];
    kept.push(mine.trim().split(":")[0]);
  }
  return { base, theirs, ...(kept.length ? { kept: kept.join(", ") } : {}) };
}

/**
 * The decision table (README, "Updating a generated repository"). `team` files are never touched;
 * `platform` files are replaced unless edited locally; `shared` files are merged three ways.
 */
export async function decide(input: FileInput, options: { overwritePlatform: boolean }, merge: MergeFn = gitMergeFile): Promise<Decision> {
  const { path, ownership } = input;
  let theirs = input.theirs;
  const out = (action: Action, reason: string, extra: Partial<Decision> = {}): Decision => ({ path, ownership, action, reason, ...extra });
  const same = (a: Buffer | null | "irregular" | "unknown", b: Buffer | null) => Buffer.isBuffer(a) && b !== null && a.equals(b);

  // A symlink or folder where a file was generated is never written through. It is the team's
  // change, kept like any other edit unless the template changed the file too (or adds it anew).
  if (input.ours === "irregular") {
    const unchanged = input.recorded && same(input.base, theirs);
    if (!theirs || unchanged || ownership === "team") return out("keep", "not a regular file in the work tree: left alone");
    return out("conflict", "not a regular file in the work tree, and the template changed it: left alone");
  }

  // Added by the template.
  if (!input.recorded) {
    if (theirs === null) return out("keep", "not generated");
    if (input.ours === null) return out("add", "new in the template", { write: theirs });
    if (same(input.ours, theirs)) return out("keep", "already has the template's content");
    if (ownership === "team") return out("keep", "new team file already exists: yours is kept");
    const content = await conflictContent(input.ours, undefined, theirs, merge);
    return out("conflict", "new in the template, but a different file is already at this path", content ? { write: content, markers: true } : {});
  }

  let base = input.base === "unknown" ? undefined : input.base;
  const ours = input.ours;

  // Removed by the template.
  if (theirs === null) {
    if (ownership === "team") return out("keep", "no longer generated; team-owned, so kept");
    if (ours === null) return out("remove", "no longer generated (already deleted)");
    if (!base) return out("conflict", "no longer generated, and its generated content is not in the history to tell whether it was edited: kept", { baseMissing: true });
    if (ours.equals(base)) return out("remove", "no longer generated", { write: "delete" });
    return out("conflict", "no longer generated, but edited locally: kept");
  }

  if (ownership === "team") return out("keep", "team-owned");
  if (same(ours, theirs)) return out("keep", "up to date");
  if (!base) {
    if (ownership === "platform" && options.overwritePlatform) return out("replace", "generated content not in the history; --overwrite-platform", { write: theirs, baseMissing: true });
    if (ours === null) return out("conflict", "deleted locally, and its generated content is not in the history: left deleted", { baseMissing: true });
    const content = await conflictContent(ours, undefined, theirs, merge);
    return out(
      "conflict",
      "its generated content is not in this repository's history (a squash or rebase merge dropped the template snapshot), so local edits cannot be told from the template's",
      { ...(content ? { write: content, markers: true } : {}), baseMissing: true },
    );
  }
  const ci = keepCiWritten(path, ours, base, theirs);
  ({ base, theirs } = ci);
  const kept = ci.kept ? `; CI's ${ci.kept} kept` : "";
  const templateChanged = !base.equals(theirs);
  if (ours === null) {
    if (!templateChanged) return out("keep", "deleted locally; the template did not change it");
    if (ownership === "platform" && options.overwritePlatform) return out("replace", "deleted locally; restored (--overwrite-platform)", { write: theirs });
    return out("conflict", "deleted locally, changed by the template: left deleted");
  }
  const edited = !ours.equals(base);
  if (!templateChanged) return out("keep", ownership === "platform" ? "edited locally (platform-owned); the template did not change it" : "edited locally; the template did not change it");
  if (!edited) return out("replace", `changed by the template${kept}`, { write: theirs });
  if (ownership === "platform") {
    if (options.overwritePlatform) return out("replace", "edited locally; overwritten (--overwrite-platform)", { write: theirs });
    const content = await conflictContent(ours, base, theirs, merge);
    return out("conflict", "platform-owned but edited locally, and changed by the template", content ? { write: content, markers: true } : {});
  }
  // shared: a real three-way merge.
  if (isBinary(ours) || isBinary(base) || isBinary(theirs)) return out("conflict", "binary file edited on both sides: yours is kept");
  const merged = await merge(ours, base, theirs);
  if (merged.conflicts === 0) return out("merge", `edited locally and by the template: merged${kept}`, { write: merged.content });
  return out("conflict", `edited locally and by the template in the same place (${merged.conflicts} conflicting hunk${merged.conflicts === 1 ? "" : "s"})`, { write: merged.content, markers: true });
}
