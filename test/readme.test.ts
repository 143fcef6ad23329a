// The README is for users: short enough to read to the end, and every section moved out of it to docs/
// is one link away, so a link or anchor that stops resolving fails here rather than in a reader's hands.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const readme = readFileSync(path.join(root, "README.md"), "utf8");
// The documents sections were moved to; every one of their sections must be linked from the README.
const MOVED = ["docs/update.md", "docs/platform-teams.md"];

/** GitHub's heading anchor: lowercase, punctuation but '-' and '_' dropped, spaces to '-'. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
const headings = (markdown: string, level = "#{1,6}") =>
  markdown.replace(/^```[\s\S]*?^```/gm, "").match(new RegExp(`^${level} .+$`, "gm"))?.map((h) => h.replace(/^#+ /, "")) ?? [];
const allLinks = (markdown: string) => [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
// npm ships README.md without docs/ and examples/ (issue #30), so the README links to them on GitHub:
// those links are checked against this checkout, as the relative links of the docs are.
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const BLOB = `${pkg.homepage.replace(/#.*$/, "")}/blob/main/`;
const links = (markdown: string, doc = "README.md") =>
  allLinks(markdown)
    .map((l) => (l.startsWith(BLOB) ? path.relative(path.dirname(doc), l.slice(BLOB.length)) : l))
    .filter((l) => !/^[a-z]+:/.test(l));

describe("README.md", () => {
  test("has at most 200 lines", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(200);
  });

  // The README's links, and those of the documents moved out of it (relative to their folder).
  const all = ["README.md", ...MOVED].flatMap((doc) => links(readFileSync(path.join(root, doc), "utf8"), doc).map((link) => [doc, link]));
  test.each(all)("%s: link %s resolves", (doc, link) => {
    const [file, anchor] = link.split("#");
    const target = file ? path.join(root, path.dirname(doc), file) : path.join(root, doc);
    expect(existsSync(target), `${file} exists`).toBe(true);
    if (anchor) expect(headings(readFileSync(target, "utf8")).map(slug), `#${anchor} in ${file}`).toContain(anchor);
  });

  // npm shows this README on its package page and ships it alone: a relative link would point nowhere.
  test("links only absolute URLs, those into this repository at its homepage", () => {
    const relative = allLinks(readme).filter((l) => !/^[a-z]+:/.test(l));
    expect(relative).toEqual([]);
    expect(allLinks(readme).filter((l) => l.startsWith(BLOB)).length).toBeGreaterThan(10);
  });

  // `npm create <x>` runs the package create-<x>: the form a newcomer copies must name this package.
  test("shows the npm create form, which resolves to this package", () => {
    const [, createName] = /npm create (\S+)@latest \S+ -- --owner \S+/.exec(readme) ?? [];
    expect(`create-${createName}`).toBe(pkg.name);
  });

  test.each(MOVED)("every section of %s is one link away", (doc) => {
    const linked = new Set(links(readme).filter((l) => l.startsWith(`${doc}#`)).map((l) => l.split("#")[1]));
    expect(links(readme)).toContain(doc);
    for (const section of headings(readFileSync(path.join(root, doc), "utf8"), "##")) expect(linked, section).toContain(slug(section));
  });
});

// Issue #30: --[no-]catalog, --print-schema and --verify were missing from the table. Both ways:
// every flag of the question table and the mode flags has a row, and every row is a flag.
describe("README.md's option table", () => {
  test("lists exactly the flags of the question table and the mode flags", async () => {
    const { questionList } = await import("../src/answers/questions.js");
    const { MODE_FLAGS } = await import("../src/cli/args.js");
    const rows = readme.split("\n").filter((l) => /^\| `-/.test(l)).map((l) => l.split(/(?<!\\)\|/)[1]);
    const inTable = rows.flatMap((cell) => [...cell.matchAll(/--(\[no-\])?([a-z0-9-]+)/g)].map((m) => (m[1] ? `[no-]${m[2]}` : m[2])));
    const flags = [...questionList.map((q) => (q.kind === "boolean" ? `[no-]${q.flag}` : q.flag)), ...MODE_FLAGS.map((m) => m.flag)];
    expect([...inTable].sort()).toEqual([...flags].sort());
  });
});
