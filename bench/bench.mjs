#!/usr/bin/env node
// npm run bench: our CLI against the floor and the peers, interleaved in one run, reported as ratios.
// Usage: node bench/bench.mjs [--runs N] [--service-rounds N] [--json] [--skip-service]
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf("--runs") + 1]) || 15;
const serviceRounds = Number(argv[argv.indexOf("--service-rounds") + 1]) || 10;
const asJson = argv.includes("--json");
const log = (...a) => (asJson ? process.stderr : process.stdout).write(`${a.join(" ")}\n`);
const work = mkdtempSync(path.join(tmpdir(), "cggs-bench-"));
// Removed however the run ends: done, a failed step (an uncaught error), or Ctrl-C.
process.once("exit", () => rmSync(work, { recursive: true, force: true }));
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => process.exit(signal === "SIGINT" ? 130 : 143));
// Timed runs go without the variables that make every Node process do extra start-up work none of
// the variants needs (nothing here speaks TLS): NODE_EXTRA_CA_CERTS alone makes Node parse a CA
// bundle at start, ~45 ms on a machine that sets it, the same for every variant, which squeezes all
// the ratios towards 1 and makes runs on different machines incomparable.
const MACHINE_STARTUP_VARS = ["NODE_EXTRA_CA_CERTS", "NODE_OPTIONS"];
const droppedVars = MACHINE_STARTUP_VARS.filter((v) => process.env[v] !== undefined);
const timedEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !MACHINE_STARTUP_VARS.includes(k)));
const gitEnv = { ...timedEnv, GIT_AUTHOR_NAME: "b", GIT_AUTHOR_EMAIL: "b@example.com", GIT_COMMITTER_NAME: "b", GIT_COMMITTER_EMAIL: "b@example.com", GIT_CONFIG_GLOBAL: "/dev/null", CI: "true" };
const CLI = path.join(root, "dist/cli.js");

execFileSync("node", [path.join(root, "scripts/build.mjs")], { stdio: "inherit" });

// --- the same tree for everyone: our --no-git output is the reference ---
const ref = path.join(work, "ref");
execFileSync("node", [CLI, ref, "--yes", "--owner", "acme", "--name", "my-svc", "--no-git"], { env: gitEnv, stdio: "ignore" });
const files = [];
for (const e of readdirSync(ref, { recursive: true, withFileTypes: true })) {
  if (!e.isFile()) continue;
  const full = path.join(e.parentPath, e.name);
  files.push({ path: path.relative(ref, full), content: readFileSync(full).toString("base64"), mode: statSync(full).mode & 0o777 });
}
const snapshot = path.join(work, "snapshot.json");
writeFileSync(snapshot, JSON.stringify(files));
// plop renders every file through Handlebars: feed it the reference files with `{{` escaped.
const plopTemplates = path.join(work, "plop-templates");
const plopPlan = { context: {}, files: [] };
for (const f of files) {
  const t = path.join(plopTemplates, `${f.path}.hbs`);
  mkdirSync(path.dirname(t), { recursive: true });
  writeFileSync(t, Buffer.from(f.content, "base64").toString("utf8").replaceAll("{{", "\\{{"));
  plopPlan.files.push({ path: f.path, templateFile: t, data: {} });
}
writeFileSync(path.join(work, "plop-plan.json"), JSON.stringify(plopPlan));

let n = 0;
const fresh = () => path.join(work, `t${n++}`);
const variants = {
  "floor (write + git)": (d) => ["node", [path.join(root, "bench/floor.mjs"), snapshot, d, "git"]],
  "ours --yes": (d) => ["node", [CLI, d, "--yes", "--owner", "acme", "--name", "my-svc"]],
  "ours --yes --no-git": (d) => ["node", [CLI, d, "--yes", "--owner", "acme", "--name", "my-svc", "--no-git"]],
  "floor (write only)": (d) => ["node", [path.join(root, "bench/floor.mjs"), snapshot, d, "none"]],
  "create-vite": (d) => ["node", [path.join(root, "node_modules/create-vite/index.js"), d, "--template", "vanilla-ts"]],
  // Node's own start-up, for scale.
  "node -e 0": () => ["node", ["-e", "0"]],
  "plop (same files)": (d) => ["node", [path.join(root, "node_modules/plop/bin/plop.js"), "--plopfile", path.join(root, "bench/plopfile.mjs"), "service"], { BENCH_PLOP_PLAN: path.join(work, "plop-plan.json"), BENCH_PLOP_DEST: d }],
};

function timeOnce(make) {
  const dir = fresh();
  const [cmd, args, extraEnv] = make(dir);
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: work, env: { ...gitEnv, ...extraEnv }, stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

log(`generation: ${Object.keys(variants).length} variants, 3 warm-up rounds, ${runs} measured rounds, interleaved${droppedVars.length ? `; without ${droppedVars.join(", ")}` : ""}`);
const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let round = -3; round < runs; round++) {
  for (const [name, make] of Object.entries(variants)) {
    const ms = timeOnce(make);
    if (round >= 0) times[name].push(ms);
  }
}
const floor = times["floor (write + git)"];
const floorWriteOnly = times["floor (write only)"];
const generation = Object.fromEntries(
  Object.entries(times).map(([name, xs]) => [
    name,
    {
      minMs: Math.min(...xs),
      medianMs: median(xs),
      maxMs: Math.max(...xs),
      ratioToFloor: median(xs.map((x, i) => x / floor[i])),
      // Without git, what a run costs above writing the same files.
      ratioToFloorWriteOnly: median(xs.map((x, i) => x / floorWriteOnly[i])),
    },
  ]),
);

// --- peak RSS of a --yes run (GNU time's maximum resident set size, KiB) ---
const rss = [];
for (let i = 0; i < 5; i++) {
  const d = fresh();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", "node", CLI, d, "--yes", "--owner", "acme", "--name", "my-svc"], { cwd: work, env: gitEnv, encoding: "utf8" });
  rss.push(Number(r.stderr.trim().split("\n").pop()) / 1024);
}

// --- the package as npm would ship it ---
const packDir = path.join(work, "pack");
mkdirSync(packDir);
const [pack] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", packDir], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const installs = [];
for (let i = 0; i < 3; i++) {
  const prefix = path.join(work, `install${i}`);
  mkdirSync(prefix);
  const start = process.hrtime.bigint();
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefix", prefix, "--cache", path.join(work, `cache${i}`), path.join(packDir, pack.filename)], { stdio: "ignore" });
  installs.push(Number(process.hrtime.bigint() - start) / 1e6);
}
const installedBin = path.join(work, "install0/node_modules/.bin/create-gitops-go-service");
const packageFigures = {
  // kB as npm prints them (1 kB = 1000 bytes), the unit the targets and the peer figures use.
  tarballBytes: pack.size,
  tarballKB: pack.size / 1000,
  unpackedKB: pack.unpackedSize / 1000,
  files: pack.files.length,
  runtimeDependencies: Object.keys(pkg.dependencies ?? {}).length,
  installMedianMs: median(installs),
  installedBinVersion: execFileSync(installedBin, ["--version"], { encoding: "utf8" }).trim(),
};

// --- the generated service ---
let service;
if (!argv.includes("--skip-service")) service = await serviceFigures();

const results = { runs, timedWithout: droppedVars, generation, peakRssMiB: { max: Math.max(...rss), median: median(rss) }, package: packageFigures, service };
writeFileSync(path.join(root, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);
if (asJson) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
else printTable(results);

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Polled with a bare HTTP/1.0 request over a socket rather than fetch: each fetch costs the poller
// a few milliseconds of its own (and the first one loads undici), which the figure would count as
// the service's start-up.
async function waitReady(url, proc, deadlineMs) {
  const { hostname, port, pathname } = new URL(url);
  const status = () =>
    new Promise((resolve) => {
      const socket = connect(Number(port), hostname, () => socket.end(`GET ${pathname} HTTP/1.0\r\nHost: ${hostname}\r\n\r\n`));
      let head = "";
      socket.on("data", (chunk) => (head += chunk));
      socket.on("end", () => resolve(Number(/^HTTP\/1\.\d (\d{3})/.exec(head)?.[1] ?? 0)));
      socket.on("error", () => resolve(0));
    });
  const start = performance.now();
  for (;;) {
    if ((await status()) === 200) return performance.now();
    if (performance.now() - start > deadlineMs || proc.exitCode !== null) throw new Error(`${url} not ready`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function serviceFigures() {
  const goEnv = { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly" };
  const bin = path.join(work, "svc-bin");
  execFileSync("go", ["build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./cmd/my-svc"], { cwd: ref, env: { ...goEnv, CGO_ENABLED: "0" } });
  const bare = path.join(work, "bare-bin");
  const load = path.join(work, "load-bin");
  execFileSync("go", ["build", "-o", bare, "./bare"], { cwd: path.join(root, "bench/go"), env: goEnv });
  execFileSync("go", ["build", "-o", load, "./load"], { cwd: path.join(root, "bench/go"), env: goEnv });

  // Ready: from exec to the first 200 on /readyz, polled every millisecond.
  const ready = [];
  for (let i = 0; i < 10; i++) {
    const port = await freePort();
    const admin = await freePort();
    const start = performance.now();
    const proc = spawn(bin, [], { env: { PORT: String(port), ADMIN_PORT: String(admin), SHUTDOWN_DELAY: "0s" }, stdio: "ignore" });
    const at = await waitReady(`http://127.0.0.1:${port}/readyz`, proc, 5000);
    ready.push(at - start);
    proc.kill("SIGTERM");
    await new Promise((r) => proc.once("exit", r));
  }

  // Throughput: /healthz of the generated service vs a bare net/http handler. Both servers run for
  // the whole measurement; each is warmed up, then short windows alternate (A B, B A, A B, ...) so
  // that drift and order effects cancel. The figure is the median of the per-round ratios, shown with
  // their spread; the ratio of the medians is kept for comparison.
  const servers = {};
  const rps = { service: [], bare: [] };
  let failed = 0;
  const measure = (which, duration) => {
    const [perSecond, failures] = execFileSync(load, ["-url", servers[which].url, "-c", "16", "-d", duration], { encoding: "utf8" }).trim().split(" ").map(Number);
    failed += failures;
    return perSecond;
  };
  try {
    for (const which of ["service", "bare"]) {
      const port = await freePort();
      const admin = await freePort();
      const proc = spawn(which === "service" ? bin : bare, [], { env: { PORT: String(port), ADMIN_PORT: String(admin), SHUTDOWN_DELAY: "0s", LOG_LEVEL: "warn" }, stdio: "ignore" });
      servers[which] = { proc, url: `http://127.0.0.1:${port}/healthz` };
      await waitReady(servers[which].url, proc, 5000);
    }
    for (const which of ["service", "bare"]) measure(which, "1s");
    for (let round = 0; round < serviceRounds; round++) {
      for (const which of round % 2 === 0 ? ["service", "bare"] : ["bare", "service"]) rps[which].push(measure(which, "1s"));
    }
  } finally {
    for (const { proc } of Object.values(servers)) {
      if (proc.exitCode !== null) continue;
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
    }
  }
  const ratios = rps.service.map((x, i) => x / rps.bare[i]);
  return {
    binaryKB: statSync(bin).size / 1024,
    readyMedianMs: median(ready),
    readyMaxMs: Math.max(...ready),
    healthzRps: median(rps.service),
    bareRps: median(rps.bare),
    throughputRounds: serviceRounds,
    throughputRatio: median(ratios),
    throughputRatioMin: Math.min(...ratios),
    throughputRatioMax: Math.max(...ratios),
    throughputRatioOfMedians: median(rps.service) / median(rps.bare),
    failedRequests: failed,
  };
}

function printTable(r) {
  const f = (x, d = 1) => x.toFixed(d);
  log("\nGeneration (ms; ratios = median of per-round ratios to the floor with git, and to the floor writing only):");
  log("| variant | min | median | max | ratio to floor | to floor write-only |\n|---|---:|---:|---:|---:|---:|");
  for (const [name, g] of Object.entries(r.generation)) log(`| ${name} | ${f(g.minMs)} | ${f(g.medianMs)} | ${f(g.maxMs)} | ${f(g.ratioToFloor, 2)}x | ${f(g.ratioToFloorWriteOnly, 2)}x |`);
  log(`\nPeak RSS of a --yes run: ${f(r.peakRssMiB.max)} MiB (max of 5), ${f(r.peakRssMiB.median)} MiB median`);
  const p = r.package;
  log(`Package: ${f(p.tarballKB)} kB packed (${p.tarballBytes} bytes), ${f(p.unpackedKB)} kB unpacked, ${p.files} files, ${p.runtimeDependencies} runtime dependencies; install from the tarball with a fresh cache: ${f(p.installMedianMs, 0)} ms median; installed bin --version: ${p.installedBinVersion}`);
  if (r.service) {
    const s = r.service;
    log(`Generated service: binary ${f(s.binaryKB / 1024, 1)} MiB; ready (first 200 on /readyz after exec) ${f(s.readyMedianMs)} ms median, ${f(s.readyMaxMs)} ms max`);
    log(`/healthz ${f(s.healthzRps, 0)} req/s vs bare net/http ${f(s.bareRps, 0)} req/s (medians): ${f(s.throughputRatio, 2)}x, median of ${s.throughputRounds} interleaved 1 s rounds (min ${f(s.throughputRatioMin, 2)}x, max ${f(s.throughputRatioMax, 2)}x; ratio of the medians ${f(s.throughputRatioOfMedians, 2)}x)${s.failedRequests ? `; ${s.failedRequests} failed requests` : ""}`);
  }
}
