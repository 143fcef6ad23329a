// The YAML reader behind answers files and presets: plain data plus the line of every key and value,
// rebuilt from js-yaml's open/close events. `yaml` (a devDependency, which keeps a source range on
// every node) is the oracle: on random documents, written as block YAML and as indented JSON, both
// must agree on every value and every line.
import fc from "fast-check";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Node } from "yaml";
import { describe, expect, test } from "vitest";
import { parseYamlTree, YamlSyntaxError, type YamlNode } from "../src/shared/yaml-tree.js";
import { FIXED_SEED } from "./helpers/rel-arbitraries.js";

/** Every node as `path → line`, from our tree. */
function ourLines(node: YamlNode, path = "$", out = new Map<string, number>()): Map<string, number> {
  out.set(path, node.line);
  node.items?.forEach((item, i) => ourLines(item, `${path}[${i}]`, out));
  for (const { key, value } of node.pairs ?? []) {
    out.set(`${path}.${String(key.value)}(key)`, key.line);
    ourLines(value, `${path}.${String(key.value)}`, out);
  }
  return out;
}

/** The same from `yaml`'s document. */
function oracleLines(node: Node | null, lines: LineCounter, path = "$", out = new Map<string, number>()): Map<string, number> {
  if (!node?.range) return out;
  out.set(path, lines.linePos(node.range[0]).line);
  if (isSeq(node)) node.items.forEach((item, i) => oracleLines(item as Node, lines, `${path}[${i}]`, out));
  if (isMap(node))
    for (const pair of node.items) {
      const key = pair.key as Node;
      const name = isScalar(key) ? String(key.value) : "";
      out.set(`${path}.${name}(key)`, lines.linePos(key.range![0]).line);
      oracleLines(pair.value as Node, lines, `${path}.${name}`, out);
    }
  return out;
}

const key = fc.stringMatching(/^[a-z][a-zA-Z0-9_-]{0,8}$/);
const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom("2026-11-30", "yes", "1.10", "<<", "# not a comment"));
const { document } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("list"), tie("map")),
  list: fc.array(tie("value"), { minLength: 1, maxLength: 4 }),
  map: fc.dictionary(key, tie("value"), { minKeys: 1, maxKeys: 4 }),
  document: fc.dictionary(key, tie("value"), { minKeys: 1, maxKeys: 6 }),
}));

describe("parseYamlTree", () => {
  test.each([
    ["block YAML", (data: unknown) => stringify(data)],
    ["block YAML with comments and blank lines", (data: unknown) => stringify(data).replaceAll(/\n(?=\S)/g, "\n\n# a comment\n")],
    ["indented JSON", (data: unknown) => JSON.stringify(data, null, 2)],
  ])("agrees with yaml on every value and every line: %s", (_, write) => {
    fc.assert(
      fc.property(document, (data) => {
        const text = write(data);
        const lines = new LineCounter();
        const oracle = parseDocument(text, { lineCounter: lines });
        expect(oracle.errors).toEqual([]);
        const ours = parseYamlTree(text)!;
        expect(ours.value).toEqual(oracle.toJS());
        expect(ourLines(ours)).toEqual(oracleLines(oracle.contents, lines));
      }),
      { seed: FIXED_SEED, numRuns: 200 },
    );
  });

  test("a value on the lines after its key starts where its content does", () => {
    const tree = parseYamlTree("policy:\n  # allowed\n\n  registries:\n    - ghcr.io/acme\n")!;
    const policy = tree.pairs![0].value;
    expect(policy.line).toBe(4);
    expect(policy.pairs![0].value).toMatchObject({ line: 5, value: ["ghcr.io/acme"], items: [{ line: 5, value: "ghcr.io/acme" }] });
  });

  test("a scalar keeps its source text: 2026.10 reads as a number but was written as a version", () => {
    const tree = parseYamlTree("version: 2026.10 # October\nlist: [1.10, 'q']\n")!;
    expect(tree.pairs![0].value).toMatchObject({ value: 2026.1, source: "2026.10" });
    expect(tree.pairs![1].value.items!.map((i) => i.source)).toEqual(["1.10", "'q'"]);
  });

  test.each([
    ["an alias of a mapping", "base: &b {port: 9000}\ndefaults: *b\n", { port: 9000 }, [["port", 9000]]],
    ["a list of one single-pair mapping", "defaults: [port: 9000]\n", [{ port: 9000 }], undefined],
    ["a key with no value", "defaults:\n  ? port\n  owner: acme\n", { port: null, owner: "acme" }, [["port", null], ["owner", "acme"]]],
  ])("entries without events of their own keep the node's line: %s", (_, text, value, pairs) => {
    const node = parseYamlTree(text)!.pairs!.find((p) => p.key.value === "defaults")!.value;
    expect(node.value).toEqual(value);
    if (pairs) expect(node.pairs!.map((p) => [p.key.value, p.value.value])).toEqual(pairs);
    else expect(node.items!.map((i) => i.value)).toEqual(value);
    for (const child of [...(node.pairs ?? []).flatMap((p) => [p.key, p.value]), ...(node.items ?? [])]) expect(child.line).toBe(node.line);
  });

  test("the YAML 1.2 core schema: dates stay strings, << is an ordinary key", () => {
    expect(parseYamlTree("version: 2026-11-30\n<<: {a: 1}\n")!.value).toEqual({ version: "2026-11-30", "<<": { a: 1 } });
  });

  test("an empty document has no root; one of comments only, or ~, is a null value", () => {
    expect(parseYamlTree("")).toBeUndefined();
    expect(parseYamlTree("# nothing\n")).toMatchObject({ value: null });
    expect(parseYamlTree("~\n")).toMatchObject({ value: null });
  });

  test.each([
    ["a duplicate key", "owner: a\nport: 9000\nowner: b\n", 3, "duplicated mapping key"],
    ["an unclosed flow list", "owner: acme\nenv: [a\n", 3, "unexpected end of the stream within a flow collection"],
    ["two documents", "a: 1\n---\n# the second\nb: 2\n", 4, "expected a single document in the stream, but found more"],
    ["a tab as indentation", "a:\n\tb: 1\n", 2, ""],
  ])("not YAML: %s, with its line", (_, text, line, reason) => {
    let error: unknown;
    try {
      parseYamlTree(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(YamlSyntaxError);
    expect((error as YamlSyntaxError).line).toBe(line);
    expect((error as YamlSyntaxError).reason).toContain(reason);
  });
});
