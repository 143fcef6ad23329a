// A throwaway Kubernetes control plane for test/cluster.test.ts: etcd and kube-apiserver only (no
// scheduler, controller-manager, kubelet or container runtime, so no pod ever runs), built by
// scripts/build-cluster.sh into .tools/cluster and started on loopback, on ports the OS hands out,
// with a temporary data dir, throwaway certificates and a static-token identity in system:masters.
// Every wait has a deadline; every failure names its step and ends with the process's own log tail.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
export const CLUSTER_BIN = path.join(REPO_ROOT, ".tools/cluster");
export const BUILD_SCRIPT = path.join(REPO_ROOT, "scripts/build-cluster.sh");
export const CLUSTER_CRD_DIR = path.resolve(REPO_ROOT, "schemas/crds");

/** The version a wrapper module's single-line `require <module> <version>` pins (tools/cluster/<dir>/go.mod). */
function pinned(dir: string, module: string): string {
  const gomod = readFileSync(path.join(REPO_ROOT, "tools/cluster", dir, "go.mod"), "utf8");
  const m = new RegExp(`^require ${module.replaceAll(".", "\\.")} (v\\S+)$`, "m").exec(gomod);
  if (!m) throw new Error(`tools/cluster/${dir}/go.mod: no single-line "require ${module} <version>"`);
  return m[1];
}
export const K8S_VERSION = pinned("kube", "k8s.io/kubernetes");
export const ETCD_VERSION = pinned("etcd", "go.etcd.io/etcd/server/v3");

/** A step of bringing the control plane up failed: which step, why, and the log that tells more. */
export class ClusterStepError extends Error {
  constructor(step: string, detail: string, logFile?: string, lines = 60) {
    super(`cluster step "${step}" failed: ${detail}${logFile ? `\n--- last ${lines} lines of ${logFile} ---\n${tail(logFile, lines)}` : ""}`);
    this.name = "ClusterStepError";
  }
}

export function tail(file: string, lines = 60): string {
  if (!existsSync(file)) return "(no log written)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/** `go version`, or undefined when Go is not on PATH. */
export function goVersion(): string | undefined {
  const r = spawnSync("go", ["version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Runs scripts/build-cluster.sh (a no-op when the pinned binaries are already built), logging to
 * `logFile`. Resolves with its output and how long it took.
 */
export async function buildClusterBinaries(logFile: string, timeoutMs: number): Promise<{ seconds: number; output: string }> {
  const started = Date.now();
  const proc = startProcess("scripts/build-cluster.sh", "bash", [BUILD_SCRIPT], logFile, { ...process.env, GOTOOLCHAIN: "local" });
  live.add(proc);
  try {
    const deadline = started + timeoutMs;
    while (!proc.exited && Date.now() < deadline) await sleep(500);
    if (!proc.exited) {
      await stopProcess(proc);
      throw new ClusterStepError("build (scripts/build-cluster.sh)", `no result after ${timeoutMs / 60_000} min`, logFile);
    }
    if (proc.exited.code !== 0) throw new ClusterStepError("build (scripts/build-cluster.sh)", `exit code ${proc.exited.code ?? proc.exited.signal}`, logFile);
  } finally {
    live.delete(proc);
  }
  return { seconds: (Date.now() - started) / 1000, output: readFileSync(logFile, "utf8") };
}

/** `n` distinct TCP ports on 127.0.0.1 that the OS reports free: all bound at once, read, released. */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
      });
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface KubectlResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ControlPlane {
  dir: string;
  kubeconfig: string;
  apiserverUrl: string;
  /** What etcd's /version reports as its server version, e.g. "3.6.16". */
  etcdVersion: string;
  etcdLog: string;
  apiserverLog: string;
  /** The API server's self-signed CA (also its serving certificate) and the service-account key. */
  caFile: string;
  saKeyFile: string;
  /**
   * Starts another process (a controller) in this control plane's lifecycle: its log is
   * `<dir>/<name>.log`, and stop() ends it before the API server and etcd.
   */
  start(name: string, bin: string, args: string[], env?: NodeJS.ProcessEnv): Proc;
  /** kubectl (the one built with the API server) against this control plane; never throws. */
  kubectl(args: string[], input?: string, timeoutMs?: number): Promise<KubectlResult>;
  /** Like kubectl, but throws with both outputs unless it exits 0. */
  kubectlOk(args: string[], input?: string, timeoutMs?: number): Promise<KubectlResult>;
  /** Kills both processes (TERM, then KILL after a deadline) and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
  exited?: { code: number | null; signal: NodeJS.Signals | null };
}

export function startProcess(name: string, bin: string, args: string[], log: string, env?: NodeJS.ProcessEnv): Proc {
  const fd = openSync(log, "w");
  // Its own process group, so stopping it also stops what it started (the build's `go` processes).
  const child = spawn(bin, args, { stdio: ["ignore", fd, fd], env, detached: true });
  closeSync(fd);
  const proc: Proc = { name, child, log };
  child.on("exit", (code, signal) => (proc.exited = { code, signal }));
  // Spawn failures (ENOENT, EACCES) arrive here; the waits below then report the process as exited.
  child.on("error", () => (proc.exited ??= { code: -1, signal: null }));
  return proc;
}

function signal(proc: Proc, sig: NodeJS.Signals): void {
  try {
    process.kill(-proc.child.pid!, sig);
  } catch {
    proc.child.kill(sig);
  }
}

export async function stopProcess(proc: Proc, graceMs = 10_000): Promise<void> {
  if (proc.exited || proc.child.exitCode !== null) return;
  signal(proc, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (!proc.exited && Date.now() < deadline) await sleep(100);
  if (!proc.exited) {
    signal(proc, "SIGKILL");
    const hard = Date.now() + 5_000;
    while (!proc.exited && Date.now() < hard) await sleep(50);
  }
}

/** Polls `check` until it returns true, a process exits, or the deadline passes. */
export async function waitFor(step: string, deadlineMs: number, procs: Proc[], logFile: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    for (const p of procs) {
      if (p.exited) throw new ClusterStepError(step, `${p.name} exited (code ${p.exited.code}, signal ${p.exited.signal})`, p.log);
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new ClusterStepError(step, `not ready after ${deadlineMs / 1000}s`, logFile);
    await sleep(250);
  }
}

/**
 * Waits until every CRD is Established. Right after an apply `kubectl wait` can fail while a CRD is
 * listed but has no status yet ("<nil> is of the type <nil>"): that is retried, anything else is not
 * hidden for long (four tries, a second apart).
 */
export async function waitCrdsEstablished(cp: Pick<ControlPlane, "kubectl">): Promise<void> {
  for (let i = 0; ; i++) {
    const r = await cp.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"], undefined, 90_000);
    if (r.exitCode === 0) return;
    if (i === 3) throw new ClusterStepError("CRDs Established", `${r.stderr}\n${r.stdout}`);
    await sleep(1_000);
  }
}

export const live = new Set<Proc>();
// Last resort if the test process dies without afterAll: never leave a server behind.
process.once("exit", () => {
  for (const p of live) if (!p.exited) signal(p, "SIGKILL");
});

/** Starts etcd and kube-apiserver from .tools/cluster and waits (bounded) until /readyz says ok. */
export async function startControlPlane(opts: { readyTimeoutMs?: number } = {}): Promise<ControlPlane> {
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
  for (const bin of ["etcd", "kube-apiserver", "kubectl"]) {
    if (!existsSync(path.join(CLUSTER_BIN, bin))) throw new ClusterStepError("start", `${path.join(CLUSTER_BIN, bin)} missing (run scripts/build-cluster.sh)`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), "cggs-cluster-"));
  // The components' own temp files (Argo CD's repository checkouts, Flux's clones) go here, so that
  // stop() removes them: a component given an env of its own would otherwise write to /tmp.
  const componentTmp = path.join(dir, "tmp");
  await mkdir(componentTmp);
  const etcdLog = path.join(dir, "etcd.log");
  const apiserverLog = path.join(dir, "kube-apiserver.log");
  const kubeconfig = path.join(dir, "kubeconfig");
  const procs: Proc[] = [];
  const logs = [etcdLog, apiserverLog];

  const stop = async () => {
    // apiserver first, so it does not log etcd connection errors while shutting down.
    for (const p of [...procs].reverse()) {
      await stopProcess(p);
      live.delete(p);
    }
    procs.length = 0;
    // The last run's logs stay in .tools/cluster/logs for a post-mortem; the data dir goes.
    const keep = path.join(CLUSTER_BIN, "logs");
    await mkdir(keep, { recursive: true });
    for (const log of logs) await copyFile(log, path.join(keep, path.basename(log))).catch(() => {});
    if (!process.env.KEEP_CLUSTER_DIR) await rm(dir, { recursive: true, force: true });
  };

  try {
    // Throwaway identity: the service-account signing key and one static bearer token in system:masters.
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const saKey = path.join(dir, "sa.key");
    await writeFile(saKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    const token = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
    await writeFile(path.join(dir, "tokens.csv"), `${token},cluster-test,cluster-test,system:masters\n`, { mode: 0o600 });

    const [etcdClient, etcdPeer, securePort] = await freePorts(3);
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const etcd = startProcess("etcd", path.join(CLUSTER_BIN, "etcd"), [
      "--name=default",
      `--data-dir=${path.join(dir, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      "--initial-cluster-state=new",
      // Throwaway data: no fsync, small quota.
      "--unsafe-no-fsync",
      "--quota-backend-bytes=1073741824",
      "--log-level=warn",
    ], etcdLog);
    procs.push(etcd);
    live.add(etcd);
    await waitFor("etcd health", 30_000, [etcd], etcdLog, async () => {
      const r = await fetch(`${etcdUrl}/health`, { signal: AbortSignal.timeout(2_000) });
      return r.ok && (await r.json()).health === "true";
    });
    const etcdVersion: string = (await (await fetch(`${etcdUrl}/version`, { signal: AbortSignal.timeout(5_000) })).json()).etcdserver;

    const certDir = path.join(dir, "certs");
    const apiserver = startProcess("kube-apiserver", path.join(CLUSTER_BIN, "kube-apiserver"), [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${securePort}`,
      // The API server writes a self-signed CA and serving certificate (for 127.0.0.1/localhost) here.
      `--cert-dir=${certDir}`,
      "--service-cluster-ip-range=10.0.0.0/24",
      "--service-account-issuer=https://kubernetes.default.svc",
      `--service-account-key-file=${saKey}`,
      `--service-account-signing-key-file=${saKey}`,
      `--token-auth-file=${path.join(dir, "tokens.csv")}`,
      "--authorization-mode=RBAC",
      // PodSecurity is on by default; name it so a default change cannot silently turn it off.
      "--enable-admission-plugins=PodSecurity",
      // As kubeadm and managed clusters run it: privileged pods are a policy matter (PodSecurity),
      // not refused outright by the API server's own "disallowed by cluster policy" check.
      "--allow-privileged=true",
      "--anonymous-auth=false",
      "--v=1",
    ], apiserverLog);
    procs.push(apiserver);
    live.add(apiserver);

    const apiserverUrl = `https://127.0.0.1:${securePort}`;
    const caFile = path.join(certDir, "apiserver.crt");
    await waitFor("kube-apiserver serving certificate", 60_000, [etcd, apiserver], apiserverLog, async () =>
      existsSync(caFile) && readFileSync(caFile, "utf8").trimEnd().endsWith("-----END CERTIFICATE-----"));
    const kubectlBin = path.join(CLUSTER_BIN, "kubectl");
    const cacheDir = path.join(dir, "kube-cache");
    const env = { KUBECONFIG: kubeconfig, HOME: dir };
    const setup = [
      ["config", "set-cluster", "test", `--server=${apiserverUrl}`, `--certificate-authority=${caFile}`, "--embed-certs=true"],
      ["config", "set-credentials", "test", `--token=${token}`],
      ["config", "set-context", "test", "--cluster=test", "--user=test"],
      ["config", "use-context", "test"],
    ];
    for (const args of setup) {
      const r = await execa(kubectlBin, args, { env, reject: false, timeout: 10_000 });
      if (r.exitCode !== 0) throw new ClusterStepError("kubeconfig", `kubectl ${args.join(" ")}: ${r.stderr}`);
    }

    const kubectl = async (args: string[], input?: string, timeoutMs = 60_000): Promise<KubectlResult> => {
      const r = await execa(kubectlBin, [`--cache-dir=${cacheDir}`, ...args], { env, input, reject: false, timeout: timeoutMs });
      const timedOut = r.timedOut ? `\n(kubectl killed after ${timeoutMs / 1000}s)` : "";
      return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr + timedOut };
    };
    const kubectlOk = async (args: string[], input?: string, timeoutMs?: number) => {
      const r = await kubectl(args, input, timeoutMs);
      if (r.exitCode !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout}`);
      return r;
    };

    let lastReadyz = "";
    try {
      await waitFor("kube-apiserver /readyz", readyTimeoutMs, [etcd, apiserver], apiserverLog, async () => {
        const r = await kubectl(["get", "--raw=/readyz", "--request-timeout=5s"], undefined, 10_000);
        lastReadyz = (r.stdout + r.stderr).trim();
        return r.exitCode === 0 && r.stdout.trim() === "ok";
      });
    } catch (e) {
      if (e instanceof ClusterStepError) e.message += `\n--- last /readyz answer ---\n${lastReadyz}`;
      throw e;
    }
    const start = (name: string, bin: string, args: string[], env?: NodeJS.ProcessEnv) => {
      const log = path.join(dir, `${name}.log`);
      const proc = startProcess(name, bin, args, log, { ...(env ?? process.env), TMPDIR: componentTmp });
      procs.push(proc);
      live.add(proc);
      logs.push(log);
      return proc;
    };
    return { dir, kubeconfig, apiserverUrl, etcdVersion, etcdLog, apiserverLog, caFile, saKeyFile: saKey, start, kubectl, kubectlOk, stop };
  } catch (e) {
    // Keep the logs in the message (stop() removes the dir).
    await stop();
    throw e;
  }
}
