// Issue #19: src/ shows the pipeline. Each folder's README.md says what it may import; this reads
// every file's imports (TypeScript's own pre-parser: static, re-exports, dynamic import()) and holds
// each folder to its line, and finds no import cycle anywhere in src/.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const src = path.join(root, "src");
const MAX_LINES = 250;

/** `answers/` for src/answers/**, `io.ts` for a top-level file, `../generators/` outside src/. */
function unitOf(file: string): string {
  const rel = path.relative(src, file).split(path.sep);
  if (rel[0] === "..") return rel[1] === "generators" ? "../generators/" : "outside";
  return rel.length === 1 ? rel[0] : `${rel[0]}/`;
}

/** A folder's (or top-level src/'s) "May import:" line as a set of units; undefined = anything. */
function allowed(folder: string): Set<string> | undefined {
  const readme = readFileSync(path.join(folder, "README.md"), "utf8");
  const line = /^May import: (.*)$/m.exec(readme)?.[1];
  if (line === undefined) throw new Error(`${path.relative(root, folder)}/README.md has no "May import:" line`);
  if (line === "everything in src/") return undefined;
  if (line === "nothing else in src/") return new Set();
  return new Set(line.split(/,\s*/));
}

/** Every .ts file under src/ with the files it imports (resolved; packages and node: left out). */
function importGraph(dir = src): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const file = path.join(entry.parentPath, entry.name);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    graph.set(
      file,
      importedFiles.filter((i) => i.fileName.startsWith(".")).map((i) => path.resolve(path.dirname(file), i.fileName).replace(/\.js$/, ".ts")),
    );
  }
  return graph;
}

/** Each import that breaks its folder's rule, as "from -> to". */
function backwardImports(graph: Map<string, string[]>): string[] {
  const problems: string[] = [];
  for (const [file, targets] of graph) {
    const unit = unitOf(file);
    const rules = allowed(unit.endsWith("/") ? path.join(src, unit) : src);
    for (const target of targets) {
      const to = unitOf(target);
      if (to === "outside" || to === unit || (!unit.endsWith("/") && !to.endsWith("/") && to !== "../generators/")) continue;
      if (rules && !rules.has(to)) problems.push(`${path.relative(root, file)} -> ${path.relative(root, target)}`);
    }
  }
  return problems;
}

/** Every import cycle among src/ files (depth-first; one path per cycle found). */
function cycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, "open" | "done">();
  const found: string[] = [];
  const visit = (file: string, trail: string[]): void => {
    state.set(file, "open");
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === "open") found.push([...trail.slice(trail.indexOf(next)), next].map((f) => path.relative(src, f)).join(" -> "));
      else if (!state.has(next)) visit(next, [...trail, next]);
    }
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);
  return found;
}

describe("the layout of src/", () => {
  const graph = importGraph();

  it("reads the imports of every file (the graph is not empty, imports resolve to files)", () => {
    expect(graph.size).toBeGreaterThan(40);
    expect(graph.get(path.join(src, "create-service.ts"))).toContain(path.join(src, "render/render-repository.ts"));
  });

  it("every folder states what it owns and what it may import, and keeps to it", () => {
    expect(backwardImports(graph)).toEqual([]);
  });

  it("has no import cycle", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it(`has no file over ${MAX_LINES} lines`, () => {
    const long = [...graph.keys()].filter((f) => readFileSync(f, "utf8").split("\n").length - 1 > MAX_LINES).map((f) => path.relative(root, f));
    expect(long).toEqual([]);
  });
});
