import path from "node:path";
import type { Result } from "../create-service.js";
import { adminPort } from "../render/context.js";

/** The written files as an indented tree, folders first. */
export function formatTree(paths: string[]): string {
  type Node = Map<string, Node>;
  const root: Node = new Map();
  for (const p of paths) {
    let node = root;
    for (const part of p.split("/")) {
      if (!node.has(part)) node.set(part, new Map());
      node = node.get(part)!;
    }
  }
  const lines: string[] = [];
  const walk = (node: Node, prefix: string) => {
    // Plain code-unit order: the same on every machine, and localeCompare's collator costs ~8 ms to load.
    const entries = [...node.entries()].sort(([a, an], [b, bn]) => Number(bn.size > 0) - Number(an.size > 0) || (a < b ? -1 : a > b ? 1 : 0));
    entries.forEach(([name, child], i) => {
      const last = i === entries.length - 1;
      lines.push(`${prefix}${last ? "└── " : "├── "}${name}${child.size > 0 ? "/" : ""}`);
      walk(child, prefix + (last ? "    " : "│   "));
    });
  };
  walk(root, "");
  return lines.join("\n");
}

/**
 * A word a POSIX shell reads back as `text`, for commands the user pastes (issue #29): plain when
 * every character is inert, else single-quoted; a leading '-' becomes `./-x`, so that cd does not
 * read it as an option. (Four lines: no dependency for it.)
 * @example shellWord("sp dir/x y") === "'sp dir/x y'"; shellWord("-lead3") === "./-lead3"
 */
export function shellWord(text: string): string {
  const word = text.startsWith("-") ? `./${text}` : text;
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** `items` joined by ", " in lines of at most `width` characters, each indented by `indent`. */
function wrapList(items: string[], width: number, indent = "  "): string[] {
  const lines: string[] = [];
  for (const item of items) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + item.length + 2 <= width) lines[last] += `, ${item}`;
    else lines.push(`${indent}${item}`);
  }
  return lines.map((l, i) => (i < lines.length - 1 ? `${l},` : l));
}

/**
 * The written files on a few lines: each top folder with its file count, then the top files. The
 * full tree was 80 lines and scrolled the rest of the summary away (issue #30); --verbose shows it.
 */
export function formatCollapsed(paths: string[], width = 80): string {
  const folders = new Map<string, number>();
  const files: string[] = [];
  for (const p of paths) {
    const slash = p.indexOf("/");
    if (slash < 0) files.push(p);
    else folders.set(p.slice(0, slash), (folders.get(p.slice(0, slash)) ?? 0) + 1);
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const folderItems = [...folders.keys()].sort(byName).map((f) => `${f}/ (${folders.get(f)})`);
  return [...wrapList(folderItems, width), ...wrapList(files.sort(byName), width)].join("\n");
}

/** Commands and their comments, the comments in one column (a command without one does not widen it). */
function aligned(rows: [string, string?][]): string[] {
  const column = Math.max(...rows.map(([command, comment]) => (comment ? command.length : 0))) + 2;
  return rows.map(([command, comment]) => (comment ? `  ${command.padEnd(column)}# ${comment}` : `  ${command}`));
}

/** What a person sees at the end: where and how many files, what git did, and the next commands. */
export function formatSummary(result: Result, cwd: string, options: { verbose?: boolean } = {}): string {
  const rel = path.relative(cwd, result.directory) || ".";
  const { answers } = result;
  const out: string[] = [];
  const paths = result.files.map((f) => f.path);
  // A dry run is asked for its list: it shows the whole tree, as --verbose does.
  const full = options.verbose || result.dryRun;
  out.push(`${result.dryRun ? "Would write" : "Wrote"} ${result.files.length} files to ${result.directory}${full ? "" : " (--verbose lists them)"}:`);
  out.push(full ? formatTree(paths) : formatCollapsed(paths));
  if (result.git.status === "committed") out.push(`\ngit: initialised branch main with one commit ${result.git.commit.slice(0, 12)}`);
  if (result.git.status === "skipped") out.push(`\ngit: skipped: ${result.git.reason}`);
  if (result.placeholders.length > 0)
    out.push(`\nnote: placeholders used for ${result.placeholders.map((p) => `'${p}'`).join(", ")} (${result.placeholders.map((p) => `${p}=${String(answers[p])}`).join(", ")}); rerun with the real values before pushing`);
  if (result.dryRun) return out.join("\n");
  const required = answers.env.filter((e) => !e.includes("=")).concat(answers.secret);
  const envPrefix = required.map((n) => `${n}=...`).join(" ");
  const rows: [string, string?][] = [
    [`cd ${shellWord(rel)}`],
    ["make test", "go vet + tests with the race detector"],
    [`${envPrefix ? `${envPrefix} ` : ""}make run`, `/livez /readyz /healthz on :${answers.port}, /metrics on :${adminPort(answers.port)}`],
  ];
  // Only a repository this run made has no remote yet; --no-git made none (issue #30).
  if (result.git.status === "committed")
    rows.push([`git remote add origin ${shellWord(answers.repoUrl)}`], ["git push -u origin main", `CI tags the image by commit SHA into overlays/${answers.environments[0]}`]);
  out.push(`\nNext steps:\n${aligned(rows).join("\n")}`);
  return out.join("\n");
}
