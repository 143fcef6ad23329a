// YAML (and so JSON) read into plain data plus the line each key and value starts on, so an error
// in an answers file or a preset can name the file, the line and the key.
//
// js-yaml reads; its `listener` reports each node as it opens (at the offset where the reader
// stands, which can be the end of the previous line) and closes (with the node's kind and value).
// Nesting those events gives the tree; the line is that of the node's first character that is not
// blank or a comment. js-yaml rather than `yaml`: a third of its size in the package (13 kB gzipped
// against 31 kB), and the rest of `yaml` (documents, comments, writing) is nothing we use.
import { CORE_SCHEMA, load, type State } from "js-yaml";

export interface YamlNode {
  /** 1-based line of the node's first character. */
  line: number;
  /** The node as plain data. */
  value: unknown;
  /** A scalar as written (`2026.10`, which reads as the number 2026.1). */
  source?: string;
  /** A mapping's entries, in file order. */
  pairs?: { key: YamlNode; value: YamlNode }[];
  /** A sequence's items. */
  items?: YamlNode[];
}

/** Not YAML: the 1-based line where reading stopped and js-yaml's reason. */
export class YamlSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

interface Event {
  from: number;
  to: number;
  kind: string | null;
  value: unknown;
  children: Event[];
}

/** The document's root node: undefined for an empty document, a null value for one of comments only. */
export function parseYamlTree(text: string): YamlNode | undefined {
  const stack: Event[] = [{ from: 0, to: 0, kind: null, value: undefined, children: [] }];
  const listener = (event: "open" | "close", state: State) => {
    if (event === "open") stack.push({ from: state.position, to: state.position, kind: null, value: undefined, children: [] });
    else {
      const node = stack.pop()!;
      Object.assign(node, { to: state.position, kind: state.kind, value: state.result });
      stack.at(-1)!.children.push(node);
    }
  };
  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  /** The 1-based line of an offset: how many line starts are at or before it (a binary search). */
  const lineOf = (offset: number) => {
    let [low, high] = [0, lineStarts.length];
    while (low < high) {
      const mid = (low + high) >> 1;
      if (lineStarts[mid] <= offset) low = mid + 1;
      else high = mid;
    }
    return low;
  };
  try {
    // The YAML 1.2 core schema, as `yaml` reads by default: `2026-01-01` stays a string (js-yaml's
    // default schema would make it a Date) and `<<` is an ordinary key, not a merge.
    load(text, { schema: CORE_SCHEMA, listener });
  } catch (error) {
    // js-yaml reads every document before it refuses more than one, without a position: the
    // second document's root has one.
    const second = stack[0].children[1];
    throw syntaxError(error, second && lineOf(contentStart(text, second.from, second.to)));
  }
  const root = stack[0].children[0];
  return root && toNode(root);

  function toNode(event: Event): YamlNode {
    // A node is reported twice when the reader first tries it as something else (a scalar that
    // might have been a mapping key, a document's root): the inner report is the same value.
    while (event.children.length === 1 && event.children[0].value === event.value) event = event.children[0];
    const start = contentStart(text, event.from, event.to);
    const node: YamlNode = { line: lineOf(start), value: event.value };
    if (event.kind === "scalar") node.source = text.slice(start, event.to).trim();
    const children = event.children.map(toNode);
    // Where the events do not line up one to one with the entries (an alias, whose events were
    // those of its anchor; `[a: 1]`, a list of one single-pair mapping; `? a`, a key with no value
    // event), the entries keep the node's own line.
    const here = (value: unknown): YamlNode => ({ line: node.line, value });
    const value = event.value;
    if (Array.isArray(value)) node.items = event.kind === "sequence" && children.length === value.length ? children : value.map(here);
    else if (value !== null && typeof value === "object")
      node.pairs =
        event.kind === "mapping" && children.length === 2 * Object.keys(value).length
          ? Array.from({ length: children.length / 2 }, (_, i) => ({ key: children[2 * i], value: children[2 * i + 1] }))
          : Object.entries(value).map(([key, entry]) => ({ key: here(key), value: here(entry) }));
    return node;
  }
}

/** The offset of the first character in [from, to) that is not blank or in a comment (else from). */
function contentStart(text: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    if (" \t\r\n".includes(text[i])) i++;
    else if (text[i] === "#") while (i < to && text[i] !== "\n") i++;
    else return i;
  }
  return from;
}

function syntaxError(error: unknown, line?: number): YamlSyntaxError {
  const { mark, reason, message } = error as { mark?: { line: number }; reason?: string; message?: string };
  return new YamlSyntaxError(mark ? mark.line + 1 : (line ?? 1), reason ?? message ?? String(error));
}
