// Issue #30: docs named src/questions.ts, src/rules.ts, src/write.ts, ... long after they moved. Every
// repository path a document names in backticks must exist: in this repository (for a package's
// README, in the package first), or, for a path of the generated repository, in templates/.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const TOP = /^(?:\.ci|bench|docs|examples|generators|packages|schemas|scripts|src|templates|test|tools)\/[\w.@/[\]-]*$/;

const documents = [
  "README.md",
  ...readdirSync(path.join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
  "packages/backstage/README.md",
  ...readdirSync(path.join(root, "src"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `src/${d.name}/README.md`),
].filter((d) => existsSync(path.join(root, d)));

/** A path of the generated repository: a template renders it (`.hbs` dropped, `_x` for `.x`). */
function generated(p: string): boolean {
  const t = p.replace(/^\.github\//, "_github/").replace(/\/$/, "");
  return [t, `${t}.hbs`].some((c) => existsSync(path.join(root, "templates", c)));
}

const named = documents.flatMap((doc) => {
  const text = readFileSync(path.join(root, doc), "utf8");
  return [...new Set([...text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]).filter((p) => TOP.test(p) && !p.includes("*") && !p.includes("<")))].map((p) => [doc, p]);
});

test("the documents name some paths", () => {
  expect(named.length).toBeGreaterThan(40);
});

// What a command writes (npm run bench: bench/results.json, scripts/backstage-install.sh:
// packages/backstage/node_modules) is git-ignored, and named all the same: git's own rules decide.
// A path that is not there cannot tell git it is a folder, which `node_modules/` asks: ask for what lies inside too.
const ignored = (p: string) =>
  [p, `${p.replace(/\/$/, "")}/x`].some((q) => spawnSync("git", ["check-ignore", "--quiet", "--no-index", q], { cwd: root }).status === 0);

test.each(named)("%s: %s exists", (doc, p) => {
  if (ignored(p)) return;
  const base = doc.startsWith("packages/") ? path.join(root, doc.split("/").slice(0, 2).join("/")) : root;
  const found = existsSync(path.join(base, p)) || existsSync(path.join(root, p)) || generated(p);
  expect(found, `${p} named in ${doc}`).toBe(true);
});
