// `update dir1 dir2 …`: one result row per repository, a table and an exit code for the whole run.
// Each repository is updated on its own (its failure is its row), in one process; services of one
// repository are updated together (monorepo.ts).
import { ExitCode } from "../shared/errors.js";
import type { Applied } from "./apply.js";
import type { UpdatePlan } from "./plan-update.js";

export interface FleetRow {
  directory: string;
  service?: string;
  /** updated (changes written, staged or committed), up-to-date, conflicts, or error (nothing written). */
  status: "updated" | "up-to-date" | "conflicts" | "error";
  exitCode: number;
  from?: string;
  to?: string;
  changed: number;
  conflicts: string[];
  commit?: string;
  branch?: string;
  error?: string;
}

export function fleetRow(directory: string, plan: UpdatePlan, applied: Applied | undefined, exitCode: number): FleetRow {
  const conflicts = plan.decisions.filter((d) => d.action === "conflict").map((d) => d.path);
  const changed = applied?.changed.length ?? 0;
  return {
    directory,
    service: typeof plan.answers.name === "string" ? plan.answers.name : undefined,
    status: conflicts.length > 0 ? "conflicts" : changed > 0 ? "updated" : "up-to-date",
    exitCode,
    from: plan.from.version,
    to: plan.to.version,
    changed,
    conflicts,
    commit: applied?.commit,
    branch: applied?.branch,
  };
}

/**
 * 0 when every repository is updated or up to date; 5 when conflicts are the worst; else the first
 * error's code. A service held back by a sibling's conflicts (exit 5, see monorepo.ts) counts as
 * conflicts, so it never hides another repository's failure.
 */
export function fleetExitCode(rows: readonly FleetRow[]): number {
  const failed = rows.find((r) => r.status === "error" && r.exitCode !== ExitCode.conflicts);
  if (failed) return failed.exitCode;
  return rows.some((r) => r.status === "conflicts" || r.status === "error") ? ExitCode.conflicts : ExitCode.ok;
}

export function formatFleetTable(rows: readonly FleetRow[], conflictsWritten: boolean): string {
  const header = ["SERVICE", "DIRECTORY", "TEMPLATE", "RESULT", "DETAIL"];
  const detail = (r: FleetRow): string => {
    if (r.status === "error") return r.error ?? "";
    if (r.status === "conflicts") return `${r.conflicts.slice(0, 3).join(", ")}${r.conflicts.length > 3 ? ", …" : ""}${conflictsWritten ? "" : " (nothing written: run update in it)"}`;
    if (r.commit) return `${r.changed} file(s), commit ${r.commit.slice(0, 12)}${r.branch ? ` on ${r.branch}` : ""}`;
    return r.changed > 0 ? `${r.changed} file(s) staged` : "";
  };
  const body = rows.map((r) => [r.service ?? "?", r.directory, r.from ? `${r.from} → ${r.to}` : "?", r.status === "conflicts" ? `conflicts (${r.conflicts.length})` : r.status, detail(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd();
  const count = (s: FleetRow["status"]) => rows.filter((r) => r.status === s).length;
  const summary = `${rows.length} repositories: ${count("updated")} updated, ${count("up-to-date")} up to date, ${count("conflicts")} with conflicts, ${count("error")} failed`;
  return [line(header), ...body.map(line), "", summary].join("\n");
}
