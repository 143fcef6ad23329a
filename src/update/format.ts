// The text `update` prints for one repository: what happens to each file, and what to do next.
import path from "node:path";
import type { Applied } from "./apply.js";
import type { Decision } from "./merge.js";
import type { UpdatePlan } from "./plan-update.js";
import { answerChangeLines } from "./answer-changes.js";

const SHOWN: Decision["action"][] = ["conflict", "replace", "merge", "add", "remove"];

export function formatPlan(plan: UpdatePlan, cwd: string, applied: Applied | undefined, dryRun: boolean): string {
  const short = (s: string) => s.slice(0, 12);
  const where = path.relative(cwd, plan.directory) || ".";
  const out: string[] = [];
  const same = plan.from.sha256 === plan.to.sha256;
  out.push(`${where}: template ${plan.from.version} (${short(plan.from.sha256)}) → ${plan.to.version} (${short(plan.to.sha256)})${same ? ": templates unchanged" : ""}`);
  out.push(...answerChangeLines(plan.answerChanges));
  for (const [k, v] of Object.entries(plan.newAnswers)) out.push(`  new question ${k}: ${JSON.stringify(v)}${plan.placeholders.includes(k as never) ? " (placeholder: change it)" : ""}`);
  const shown = plan.decisions.filter((d) => SHOWN.includes(d.action) || (d.action === "keep" && /edited locally|deleted locally/.test(d.reason)));
  const width = Math.max(0, ...shown.map((d) => d.path.length));
  for (const d of shown.sort((a, b) => SHOWN.indexOf(a.action) - SHOWN.indexOf(b.action) || (a.path < b.path ? -1 : 1)))
    out.push(`  ${d.action.padEnd(8)} ${d.path.padEnd(width)}  ${d.ownership}: ${d.reason}`);
  const kept = plan.decisions.length - shown.length;
  if (kept > 0) out.push(`  (${kept} file${kept === 1 ? "" : "s"} kept: unchanged, or team-owned)`);
  const conflicts = plan.decisions.filter((d) => d.action === "conflict");
  if (dryRun) out.push(`dry run: nothing written${conflicts.length ? `; ${conflicts.length} conflict${conflicts.length === 1 ? "" : "s"} expected` : ""}`);
  else if (applied && applied.changed.length === 0 && conflicts.length === 0) out.push("already up to date: nothing changed");
  else if (conflicts.length === 0)
    out.push(
      applied?.commit
        ? `committed ${short(applied.commit)}${applied.branch ? ` on the new branch ${applied.branch} (the checkout is as it was)` : ""}: ${applied.changed.length} file(s) changed`
        : `${applied?.changed.length} file(s) changed and staged: review with git diff --cached, then git commit` +
            (applied?.snapshot ? " (it records the template snapshot as a merge parent: the base of the next update; git merge --abort undoes the update)" : " (git reset --merge undoes the update)"),
    );
  return out.join("\n");
}

/** The warning (stderr) for Go files that still import the old module path, and the one command that fixes them. */
export function staleImportsText(files: readonly string[], from: string, to: string, written: boolean): string {
  const list = files.slice(0, 10).join(", ") + (files.length > 10 ? `, … (${files.length} in all)` : "");
  const one = files.length === 1;
  const verb = written ? (one ? "still imports" : "still import") : "would still import";
  const sed = `s#"${from.replace(/\./g, "\\.")}\\([/"]\\)#"${to}\\1#g`;
  return (
    `warning: the module path changed (${from} → ${to}); ${files.length} Go file${one ? "" : "s"} the update does not rewrite (the team's files, or the team's import lines) ${verb} the old one, and go build fails until ${one ? "it is" : "they are"} changed: ${list}\n` +
    `hint: rewrite them with: git grep -lzF '"${from}' -- '*.go' | xargs -0 sed -i '${sed}'\n`
  );
}
