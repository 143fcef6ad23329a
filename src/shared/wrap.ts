// Help text that fits the terminal (issue #30: 33 lines of --help ran past 100 columns).
import type { Writable } from "node:stream";

/** Where option texts start; on a narrower terminal they start on the next line. */
const COLUMN = 30;
const NARROW = 60;

/** The width to wrap help to: the terminal's (at most 100: longer lines are hard to read), else 80. */
export function helpWidth(stream: Writable & { isTTY?: boolean; columns?: number }): number {
  return stream.isTTY ? Math.min(stream.columns || 80, 100) : 80;
}

/** Words in lines of at most `width` characters; a word longer than that gets a line of its own. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** `text` wrapped to `width`, every line indented by `indent` spaces. */
export function indented(text: string, width: number, indent: number): string {
  return wrapWords(text, width - indent)
    .map((l) => `${" ".repeat(indent)}${l}`)
    .join("\n");
}

/** An option and its text, the text wrapped in a column of its own. */
export function optionEntry(option: string, text: string, width: number): string {
  if (width < NARROW) return [`  ${option}`, indented(text, width, 6)].join("\n");
  const lines = wrapWords(text, width - COLUMN);
  // A word wider than the column (a default URL) is not broken, so that it pastes whole: its line
  // starts further left, as far as it needs, and never left of a narrow terminal's indent.
  const pad = (l: string) => " ".repeat(l.length <= width - COLUMN ? COLUMN : Math.max(6, width - l.length));
  const fitsBeside = option.length + 2 <= COLUMN - 2 && (lines[0] ?? "").length <= width - COLUMN;
  const first = fitsBeside ? `${`  ${option}`.padEnd(COLUMN)}${lines.shift() ?? ""}` : `  ${option}`;
  return [first, ...lines.map((l) => `${pad(l)}${l}`)].join("\n");
}
