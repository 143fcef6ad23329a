// How a value the user gave (or a path on their disk) appears in a message (issue #17): escape
// sequences in it must not reach the terminal (a window title, a cleared screen), NUL must be
// visible, and a 50 MB value must not become 50 MB of stderr.

/** Longest part of a value a message repeats, in UTF-16 code units. */
export const SHOWN_MAX = 80;

// C0 and C1 controls, DEL, line/paragraph separators, bidirectional overrides and isolates (they
// reorder what the terminal shows), the BOM, and lone surrogates (not text).
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** Control and invisible characters written as escapes (`\x1b`, `\x00`, `\n`, `\u202e`). */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`);
  });
}

/**
 * A value for a message: quoted, control characters escaped, and cut after `max` characters with its
 * full length stated.
 * @example shown("a\u001b[2Jb") === "'a\\x1b[2Jb'"; shown("x".repeat(1e6)) === "'xxx…' (1000000 characters)"
 */
export function shown(value: unknown, max = SHOWN_MAX): string {
  const text = Array.isArray(value) ? value.map(String).join(",") : String(value);
  if (text.length <= max) return `'${escapeControls(text)}'`;
  // Do not cut a surrogate pair in two.
  const head = text.slice(0, /[\ud800-\udbff]/.test(text[max - 1]) ? max - 1 : max);
  return `'${escapeControls(head)}…' (${text.length} characters)`;
}

/** A path for a message (unquoted, as paths are shown elsewhere): escaped, and cut when absurdly long. */
export function shownPath(p: string): string {
  return p.length <= 300 ? escapeControls(p) : `${escapeControls(p.slice(0, 300))}… (${p.length} characters)`;
}

/** Most a single message may print on stderr: every line escaped and cut, the whole bounded. */
const LINE_MAX = 1000;
const MESSAGE_MAX = 3500;

/**
 * The last line of defence before stderr: whatever a message holds, no raw control character reaches
 * the terminal and no message is longer than ~3.5 KB (the lines that do not fit are counted).
 */
export function terminalSafe(message: string): string {
  const out: string[] = [];
  let size = 0;
  const lines = message.split("\n");
  for (const [i, line] of lines.entries()) {
    let safe = escapeControls(line.slice(0, LINE_MAX + 1));
    if (safe.length > LINE_MAX) safe = `${safe.slice(0, LINE_MAX)}… (line cut: ${line.length} characters)`;
    if (size + safe.length > MESSAGE_MAX) {
      out.push(`… and ${lines.length - i} more line${lines.length - i === 1 ? "" : "s"}`);
      break;
    }
    out.push(safe);
    size += safe.length + 1;
  }
  return out.join("\n");
}
