// --verify: run, in the generated repository, the checks its own CI runs, with whatever tools are on
// PATH. A missing tool is reported as missing, never passed over in silence.
import { spawn } from "node:child_process";
import path from "node:path";
import type { Context } from "../render/context.js";

export interface Check {
  name: string;
  status: "pass" | "fail" | "missing";
  /** The tool's own output (tail) on failure, or what is missing. */
  detail?: string;
}

type Run = (file: string, args: string[], cwd: string) => Promise<{ code: number | "missing"; output: string }>;

// Plain child_process: execa cost 113 KB of bundle (35 KB of the packed tarball) for this one use.
// stdout and stderr are collected in arrival order (the interleaving a terminal shows), stdin is
// closed, and nothing rejects: a tool that is not on PATH comes back as "missing".
/**
 * Run one tool to completion: its exit code (or "missing") and its stdout and stderr as they arrived.
 * @example await runTool("go", ["vet", "./..."], dir) // { code: 0, output: "" }
 */
export const runTool: Run = (file, args, cwd) =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const child = spawn(file, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ENOENT" ? { code: "missing", output: "" } : { code: 1, output: `${file}: ${error.message}` }));
    child.on("close", (code, signal) => {
      const output = Buffer.concat(chunks).toString("utf8");
      resolve(signal ? { code: 1, output: `${output}${file} was killed by ${signal}\n` } : { code: code ?? 1, output });
    });
  });

const tail = (text: string) => text.trim().split("\n").slice(-15).join("\n");

/** Every check, in order; each is independent, so one failure does not hide the others. */
export async function verifyRepository(dir: string, context: Context, exec: Run = runTool): Promise<Check[]> {
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
  // The SLO alerts, as CI checks them. The script itself exits 2 without promtool; asking promtool
  // first reports it as missing like every other tool.
  if (context.monitoring) {
    const name = "scripts/test-alerts.sh";
    if ((await exec("promtool", ["--version"], dir)).code === "missing") checks.push({ name, status: "missing", detail: "promtool not found on PATH" });
    else await check(name, "sh", ["scripts/test-alerts.sh"]);
  }
  return checks;
}

export function formatChecks(checks: Check[]): string {
  const mark = { pass: "✓", fail: "✗", missing: "–" } as const;
  const lines = checks.map((c) => `  ${mark[c.status]} ${c.name}${c.status === "missing" ? `: not run (${c.detail})` : ""}${c.status === "fail" ? `\n${c.detail!.replace(/^/gm, "      ")}` : ""}`);
  const count = (s: Check["status"]) => checks.filter((c) => c.status === s).length;
  return `verify: ${count("pass")} passed, ${count("fail")} failed, ${count("missing")} not run (tool missing)\n${lines.join("\n")}`;
}
