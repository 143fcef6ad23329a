#!/usr/bin/env node
// npm run bench:fleet: `update --check` and `update --yes --branch` over N generated repositories
// (default 1000), each in one process, as a platform team runs them. "behind": clones of services
// generated with an older template (a --templates override), so every one is behind; "current":
// clones of services generated now, so every one is up to date (--check over each). The baseline,
// measured in the same run: one plain `git status --porcelain` per behind repository, run one after
// the other from this process (the least a tool that asks git about each repository costs).
// With --against DIR (a checkout of another version, built), its dist/cli.js runs the same three
// timings on fresh copies in the same run, for a before/after ratio.
// Usage: node bench/fleet.mjs [--repos N] [--json] [--no-branch] [--against DIR]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
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
// DISTINCT services of each kind (behind, up to date), so no two repositories of a group of 64 (what
// update reads through one git process) share a tree or blob: a fleet of one service copied would
// let update read each object once for all. The fleet is clones of them, round robin, as a platform
// team's script clones its repositories: git's index then matches the checkout, as in any clone.
const DISTINCT = Math.min(repos, 64);
const sources = path.join(work, "sources");
mkdirSync(sources);
const setupStart = process.hrtime.bigint();
for (let k = 0; k < DISTINCT; k++) {
  execFileSync("node", [CLI, `svc${k}`, "--yes", "--owner", "acme", "--templates", older], { cwd: sources, env, stdio: "ignore" });
  execFileSync("node", [CLI, `now${k}`, "--yes", "--owner", "acme"], { cwd: sources, env, stdio: "ignore" });
}
const fleet = path.join(work, "fleet");
mkdirSync(fleet);
const dirs = [];
const current = [];
const clone = (from, to) => execFileSync("git", ["clone", "--quiet", path.join(sources, from), path.join(fleet, to)], { env, stdio: "ignore" });
for (let i = 0; i < repos; i++) {
  const d = `svc-${String(i).padStart(4, "0")}`;
  clone(`svc${i % DISTINCT}`, d);
  dirs.push(d);
}
for (let i = 0; i < repos; i++) {
  const d = `now-${String(i).padStart(4, "0")}`;
  clone(`now${i % DISTINCT}`, d);
  current.push(d);
}
const setupSeconds = Number(process.hrtime.bigint() - setupStart) / 1e9;

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

function gitStatusEach() {
  const start = process.hrtime.bigint();
  for (const d of dirs) execFileSync("git", ["status", "--porcelain"], { cwd: path.join(fleet, d), env, stdio: "ignore" });
  return { seconds: seconds(start) };
}

function time(args, targets = dirs, cli = CLI) {
  const start = process.hrtime.bigint();
  const run = spawnSync("node", [cli, "update", ...args, ...targets], { cwd: fleet, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { seconds: seconds(start), exitCode: run.status, summary: run.stdout.trimEnd().split("\n").at(-1) };
}

const load = [loadavg()[0]];
const baseline = gitStatusEach();
const check = time(["--check"]);
const checkCurrent = time(["--check"], current);
const branch = argv.includes("--no-branch") ? undefined : time(["--yes", "--branch", "chore/templates"]);
const againstDir = argv.includes("--against") ? path.resolve(argv[argv.indexOf("--against") + 1]) : undefined;
let against;
if (againstDir) {
  // Fresh copies, so the other build starts from the same state.
  for (const d of [...dirs, ...current]) {
    rmSync(path.join(fleet, d), { recursive: true, force: true });
    clone(`${d.startsWith("now-") ? "now" : "svc"}${Number(d.slice(4)) % DISTINCT}`, d);
  }
  const other = path.join(againstDir, "dist/cli.js");
  against = { dir: againstDir, check: time(["--check"], dirs, other), checkCurrent: time(["--check"], current, other) };
  if (branch) against.branch = time(["--yes", "--branch", "chore/templates"], dirs, other);
}
load.push(loadavg()[0]);
const ratio = (r) => (r ? Number((r.seconds / baseline.seconds).toFixed(3)) : undefined);
const result = { repos, loadAverage: load, setupSeconds, baseline, check: { ...check, ratio: ratio(check) }, checkCurrent: { ...checkCurrent, ratio: ratio(checkCurrent) }, branch: branch && { ...branch, ratio: ratio(branch) }, against };
if (asJson) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  const ms = (r) => `${((r.seconds / repos) * 1000).toFixed(1)} ms each`;
  console.log(`load average (1 min) before/after: ${load.map((l) => l.toFixed(1)).join(" / ")}`);
  console.log(`baseline, one git status per repository: ${baseline.seconds.toFixed(2)} s (${ms(baseline)})`);
  console.log(`update --check over ${repos} behind repositories: ${check.seconds.toFixed(2)} s, ${ratio(check)}x the baseline (exit ${check.exitCode}; ${check.summary})`);
  console.log(`update --check over ${repos} up-to-date repositories: ${checkCurrent.seconds.toFixed(2)} s, ${ratio(checkCurrent)}x the baseline (exit ${checkCurrent.exitCode}; ${checkCurrent.summary})`);
  if (branch) console.log(`update --yes --branch over ${repos} repositories: ${branch.seconds.toFixed(2)} s, ${ms(branch)}, ${ratio(branch)}x the baseline (exit ${branch.exitCode}; ${branch.summary})`);
  if (against)
    for (const [what, r, ours] of [["--check (behind)", against.check, check], ["--check (up to date)", against.checkCurrent, checkCurrent], ["--branch", against.branch, branch]])
      if (r && ours) console.log(`${againstDir}: update ${what}: ${r.seconds.toFixed(2)} s, ${ratio(r)}x the baseline; this build takes ${(ours.seconds / r.seconds).toFixed(3)}x its time (exit ${r.exitCode}; ${r.summary})`);
}
