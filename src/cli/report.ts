import path from "node:path";
import type { Result } from "../create-service.js";

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

/** What a person sees at the end: the tree, what git did, and the next commands. */
export function formatSummary(result: Result, cwd: string): string {
  const rel = path.relative(cwd, result.directory) || ".";
  const { answers } = result;
  const out: string[] = [];
  out.push(`${result.dryRun ? "Would write" : "Wrote"} ${result.files.length} files to ${result.directory}`);
  out.push(formatTree(result.files.map((f) => f.path)));
  if (result.git.status === "committed") out.push(`\ngit: initialised branch main with one commit ${result.git.commit.slice(0, 12)}`);
  if (result.git.status === "skipped") out.push(`\ngit: skipped: ${result.git.reason}`);
  if (result.placeholders.length > 0)
    out.push(`\nnote: placeholders used for ${result.placeholders.map((p) => `'${p}'`).join(", ")} (${result.placeholders.map((p) => `${p}=${String(answers[p])}`).join(", ")}); rerun with the real values before pushing`);
  if (result.dryRun) return out.join("\n");
  const required = answers.env.filter((e) => !e.includes("=")).concat(answers.secret);
  const envPrefix = required.map((n) => `${n}=...`).join(" ");
  out.push(`
Next steps:
  cd ${rel}
  make test                    # go vet + tests with the race detector
  ${envPrefix ? `${envPrefix} ` : ""}make run${" ".repeat(Math.max(1, 20 - (envPrefix ? envPrefix.length + 1 : 0)))}# serves :${answers.port} (/livez /readyz /healthz) and /metrics on the admin port
  git remote add origin ${answers.repoUrl}
  git push -u origin main      # CI builds the image tagged with the commit SHA and writes it into deploy/overlays/${answers.environments[0]}`);
  return out.join("\n");
}
