// git's index file read for what `git status` reads it for: whether a tracked file still has the
// bytes of its staged blob, told from its stat data instead of reading and hashing it. --check over a
// fleet compares ~30 platform files per repository; one lstat each instead of open, read and hash.
// The rules are git's (read-cache.c): every stat field git records must match, and an entry is not
// trusted when the file changed in the same clock tick the index was written ("racily clean"): then
// the caller reads the file. Versions 2-4 are read; a split or sparse index, SHA-256 and anything
// unexpected give undefined, and the caller reads every file, as before.
import { existsSync, lstatSync, readFileSync, statSync, type Stats } from "node:fs";
import path from "node:path";

interface Entry {
  ctimeS: number;
  ctimeNs: number;
  mtimeS: number;
  mtimeNs: number;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  id: string;
}

export interface GitIndex {
  entries: Map<string, Entry>;
  /** When the index was written (ms): an entry whose file changed at or after it is not trusted. */
  writtenMs: number;
  /** Whether a .gitattributes file is tracked (it may convert bytes: see mayConvert). */
  attributes: boolean;
  /** Whether an entry is skip-worktree (a sparse checkout): git status does not look at its file, so neither may we. */
  skipWorktree: boolean;
}

const ENTRY_FIXED = 62; // ten 32-bit stat fields, the 20-byte id, 16 bits of flags

/** The index of a git folder (SHA-1 only); undefined when absent or not a kind read here. */
export function readIndex(gitDir: string): GitIndex | undefined {
  const file = path.join(gitDir, "index");
  let data: Buffer;
  let writtenMs: number;
  try {
    writtenMs = statSync(file).mtimeMs;
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  if (data.length < 12 + 20 || data.toString("latin1", 0, 4) !== "DIRC") return undefined;
  const version = data.readUInt32BE(4);
  if (version < 2 || version > 4) return undefined;
  const count = data.readUInt32BE(8);
  const entries = new Map<string, Entry>();
  let at = 12;
  let previous = "";
  let attributes = false;
  let skipWorktree = false;
  for (let n = 0; n < count; n++) {
    const start = at;
    if (start + ENTRY_FIXED > data.length - 20) return undefined;
    const flags = data.readUInt16BE(start + 60);
    const extended = (flags & 0x4000) !== 0;
    if (extended && version < 3) return undefined;
    const extra = extended ? data.readUInt16BE(start + 62) : 0;
    let p = start + ENTRY_FIXED + (extended ? 2 : 0);
    let name: string;
    if (version === 4) {
      // The path is the previous one less a varint count of bytes, plus a NUL-ended suffix; no padding.
      let strip = data[p] & 0x7f;
      while (data[p++] & 0x80) strip = ((strip + 1) << 7) | (data[p] & 0x7f);
      const nul = data.indexOf(0, p);
      if (nul < 0) return undefined;
      const before = Buffer.from(previous, "utf8");
      name = Buffer.concat([before.subarray(0, before.length - strip), data.subarray(p, nul)]).toString("utf8");
      at = nul + 1;
    } else {
      const nul = data.indexOf(0, p);
      if (nul < 0) return undefined;
      name = data.toString("utf8", p, nul);
      at = start + Math.ceil((nul + 1 - start) / 8) * 8; // 1-8 NULs, to a multiple of 8
    }
    previous = name;
    if (name === ".gitattributes" || name.endsWith("/.gitattributes")) attributes = true;
    // A conflict stage, intent-to-add or skip-worktree: the staged id says nothing about the file.
    if ((extra & 0x4000) !== 0) skipWorktree = true;
    if (((flags >> 12) & 3) !== 0 || (extra & 0x6000) !== 0) {
      entries.delete(name);
      continue;
    }
    const u32 = (k: number) => data.readUInt32BE(start + 4 * k);
    entries.set(name, {
      ctimeS: u32(0),
      ctimeNs: u32(1),
      mtimeS: u32(2),
      mtimeNs: u32(3),
      ino: u32(5),
      mode: u32(6),
      uid: u32(7),
      gid: u32(8),
      size: u32(9),
      id: data.toString("hex", start + 40, start + 60),
    });
  }
  // A split index keeps most entries in another file ("link"); a sparse one has folders as entries.
  for (let e = at; e + 8 <= data.length - 20; ) {
    const signature = data.toString("latin1", e, e + 4);
    if (signature === "link" || signature === "sdir") return undefined;
    e += 8 + data.readUInt32BE(e + 4);
  }
  return { entries, writtenMs, attributes, skipWorktree };
}

/** Config keys (or sections) of a repository's own config that may convert bytes, or include a file that may. */
const CONVERSION_CONFIG = /^\s*(autocrlf|eol|attributesfile)\s*(=|$)|^\s*\[\s*(filter|include|includeif)\b/im;

/**
 * Whether git may convert a file's bytes between the work tree and its blob in this repository
 * (core.autocrlf, core.eol, an attributes file with text/eol/filter/ident/working-tree-encoding): a
 * staged blob id then says nothing about the work tree's bytes, which --check compares (the record's
 * ids are of the bytes as written), so the index is not trusted. Conservative: any such setting counts.
 */
export function mayConvert(gitDir: string, config: string, index: GitIndex): boolean {
  if (index.attributes || existsSync(path.join(path.dirname(gitDir), ".gitattributes")) || existsSync(path.join(gitDir, "info", "attributes"))) return true;
  return CONVERSION_CONFIG.test(config);
}

const low32 = (v: number) => v % 2 ** 32;
/** A time as git records it (seconds, nanoseconds) in ms, to compare with the ms fs.Stats gives. */
const ms = (seconds: number, nanoseconds: number) => seconds * 1000 + nanoseconds / 1e6;
/** fs.Stats times are doubles in ms (sub-microsecond resolution today): equal within a microsecond. */
const sameTime = (a: number, b: number) => Math.abs(a - b) < 0.001;

/**
 * The blob id of the file at `file` (tracked as `name`) when its stat data shows it unchanged since
 * it was staged; undefined when it has to be read (changed, racily clean, not a plain file, untracked).
 * Times are compared to the microsecond (bigint stats, exact to the ns, cost a fleet check more than
 * the comparison saves); to make up for it an entry must have been written a millisecond before the
 * index, where git's own rule is "before": any later change then moves ctime far past the recorded one.
 */
export function unchangedBlob(index: GitIndex, name: string, file: string): string | undefined {
  const e = index.entries.get(name);
  if (!e) return undefined;
  let s: Stats | undefined;
  try {
    s = lstatSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
  if (!s || !s.isFile() || (e.mode & 0o170000) !== 0o100000) return undefined;
  const mtime = ms(e.mtimeS, e.mtimeNs);
  const same =
    sameTime(s.mtimeMs, mtime) &&
    sameTime(s.ctimeMs, ms(e.ctimeS, e.ctimeNs)) &&
    low32(s.ino) === e.ino &&
    low32(s.uid) === e.uid &&
    low32(s.gid) === e.gid &&
    low32(s.size) === e.size &&
    ((s.mode & 0o111) !== 0) === ((e.mode & 0o111) !== 0);
  return same && mtime + 1 < index.writtenMs ? e.id : undefined;
}
