#!/usr/bin/env node
// npm run bench:fleet: `update --check` and `update --yes --branch` over N generated repositories
// (default 1000), each in one process, as a platform team runs them. The repositories are copies of
// one generated with an older template (a --templates override), so every one is behind.
// Usage: node bench/fleet.mjs [--repos N] [--json]
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const argv = process.argv.slice(2);
const repos = Number(argv[argv.indexOf("--repos") + 1]) || 1000;
const asJson = argv.includes("--json");
const CLI = path.join(root, "dist/cli.js");
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !["NODE_EXTRA_CA_CERTS", "NODE_OPTIONS"].includes(k)));
Object.assign(env, { GIT_AUTHOR_NAME: "b", GIT_AUTHOR_EMAIL: "b@example.com", GIT_COMMITTER_NAME: "b", GIT_COMMITTER_EMAIL: "b@example.com", GIT_CONFIG_GLOBAL: "/dev/null", CI: "true" });

execFileSync("node", [path.join(root, "scripts/build.mjs")], { stdio: "ignore" });
const work = mkdtempSync(path.join(tmpdir(), "cggs-fleet-bench-"));
// Removed however the run ends: done, a failed step (an uncaught error), or Ctrl-C.
process.once("exit", () => rmSync(work, { recursive: true, force: true }));
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => process.exit(signal === "SIGINT" ? 130 : 143));
const older = path.join(work, "older");
mkdirSync(older);
writeFileSync(path.join(older, "Makefile.hbs"), `# Makefile of an older template.\n${readFileSync(path.join(root, "templates/Makefile.hbs"), "utf8")}`);
execFileSync("node", [CLI, "svc", "--yes", "--owner", "acme", "--templates", older], { cwd: work, env, stdio: "ignore" });
const fleet = path.join(work, "fleet");
mkdirSync(fleet);
const dirs = [];
for (let i = 0; i < repos; i++) {
  const d = `svc-${String(i).padStart(4, "0")}`;
  cpSync(path.join(work, "svc"), path.join(fleet, d), { recursive: true });
  dirs.push(d);
}

function time(args) {
  const start = process.hrtime.bigint();
  const run = spawnSync("node", [CLI, "update", ...args, ...dirs], { cwd: fleet, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, exitCode: run.status, summary: run.stdout.trimEnd().split("\n").at(-1) };
}

const check = time(["--check"]);
const branch = time(["--yes", "--branch", "chore/templates"]);
const after = time(["--check"]);
const result = { repos, check, branch, checkAfter: after };
if (asJson) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  console.log(`update --check over ${repos} repositories: ${check.seconds.toFixed(2)} s (exit ${check.exitCode}; ${check.summary})`);
  console.log(`update --yes --branch over ${repos} repositories: ${branch.seconds.toFixed(2)} s, ${((branch.seconds / repos) * 1000).toFixed(0)} ms each (exit ${branch.exitCode}; ${branch.summary})`);
  console.log(`update --check afterwards: ${after.seconds.toFixed(2)} s (exit ${after.exitCode}; ${after.summary})`);
}
