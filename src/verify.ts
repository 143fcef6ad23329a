// --verify: run, in the generated repository, the checks its own CI runs, with whatever tools are on
// PATH. A missing tool is reported as missing, never passed over in silence.
import path from "node:path";
import type { Context } from "./context.js";

export interface Check {
  name: string;
  status: "pass" | "fail" | "missing";
  /** The tool's own output (tail) on failure, or what is missing. */
  detail?: string;
}

type Run = (file: string, args: string[], cwd: string) => Promise<{ code: number | "missing"; output: string }>;

async function runner(): Promise<Run> {
  // Loaded only for --verify: a plain run never pays for it.
  const { execa } = await import("execa");
  return async (file, args, cwd) => {
    const result = await execa(file, args, { cwd, reject: false, all: true, stdin: "ignore" });
    if ((result as { code?: string }).code === "ENOENT" || (result.failed && result.exitCode === undefined)) return { code: "missing", output: "" };
    return { code: result.exitCode ?? 1, output: String(result.all ?? "") };
  };
}

const tail = (text: string) => text.trim().split("\n").slice(-15).join("\n");

/** Every check, in order; each is independent, so one failure does not hide the others. */
export async function verifyRepository(dir: string, context: Context, run?: Run): Promise<Check[]> {
  const exec = run ?? (await runner());
  const checks: Check[] = [];
  const check = async (name: string, file: string, args: string[], ok: (output: string) => boolean = () => true, cwd = dir) => {
    const { code, output } = await exec(file, args, cwd);
    if (code === "missing") checks.push({ name, status: "missing", detail: `${file} not found on PATH` });
    else if (code === 0 && ok(output)) checks.push({ name, status: "pass" });
    else checks.push({ name, status: "fail", detail: tail(output) || `exit ${code}` });
    return code;
  };
  await check("gofmt -l .", "gofmt", ["-l", "."], (out) => out.trim() === "");
  await check("go vet ./...", "go", ["vet", "./..."]);
  await check("go test ./...", "go", ["test", "./..."]);
  await check("go build ./...", "go", ["build", "./..."]);
  await check("golangci-lint run", "golangci-lint", ["run", "./..."]);
  for (const env of context.environments) {
    const overlay = path.join("deploy", "overlays", env.name);
    await check(`kubectl kustomize ${overlay}`, "kubectl", ["kustomize", overlay]);
  }
  if (context.ci.github) await check("actionlint", "actionlint", []);
  return checks;
}

export function formatChecks(checks: Check[]): string {
  const mark = { pass: "✓", fail: "✗", missing: "–" } as const;
  const lines = checks.map((c) => `  ${mark[c.status]} ${c.name}${c.status === "missing" ? `: not run (${c.detail})` : ""}${c.status === "fail" ? `\n${c.detail!.replace(/^/gm, "      ")}` : ""}`);
  const count = (s: Check["status"]) => checks.filter((c) => c.status === s).length;
  return `verify: ${count("pass")} passed, ${count("fail")} failed, ${count("missing")} not run (tool missing)\n${lines.join("\n")}`;
}
