// The rest of a cluster around the control plane of cluster-control-plane.ts, for test/gitops.test.ts:
// kube-controller-manager and kube-scheduler (Deployments get ReplicaSets and pods get nodes), kwok as
// the kubelet of one fake Node (pods "run" and turn Ready without a container runtime), a git host
// over https (tools/cluster/githttp), and the GitOps controllers themselves, out of cluster against
// the kubeconfig: Flux source-, kustomize- and notification-controller, Argo CD application-,
// applicationset-, notifications controller and repo-server (with redis from Debian), the Argo
// Rollouts controller and Flagger; and an Alertmanager (Debian's) that the notification controllers post to. All built by
// scripts/build-cluster.sh into .tools/cluster, all on 127.0.0.1 ports the OS hands out, all ended
// by the control plane's stop() (by the PIDs started here), pass or fail.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { parseAllDocuments, stringify } from "yaml";
import {
  CLUSTER_BIN,
  ClusterStepError,
  freePorts,
  REPO_ROOT,
  sleep,
  startControlPlane,
  waitCrdsEstablished,
  waitFor,
  type ControlPlane,
  type Proc,
} from "./cluster-control-plane.js";
import { ALERTMANAGER_BIN } from "./observability.js";

/** The version a wrapper module requires (tools/cluster/<dir>/go.mod, `require <module> <version>` in a block or on one line). */
export function required(dir: string, module: string): string {
  const gomod = readFileSync(path.join(REPO_ROOT, "tools/cluster", dir, "go.mod"), "utf8");
  const m = new RegExp(`^(?:require )?\\s*${module.replaceAll(".", "\\.")} (v\\S+)`, "m").exec(gomod);
  if (!m) throw new Error(`tools/cluster/${dir}/go.mod: no requirement of ${module}`);
  return m[1];
}

export const VERSIONS = {
  kwok: required("kwok", "sigs.k8s.io/kwok"),
  sourceController: required("flux-source", "github.com/fluxcd/source-controller"),
  kustomizeController: required("flux-kustomize", "github.com/fluxcd/kustomize-controller"),
  notificationController: required("flux-notification", "github.com/fluxcd/notification-controller"),
  argocd: required("argocd", "github.com/argoproj/argo-cd/v3"),
  rollouts: required("rollouts", "github.com/argoproj/argo-rollouts"),
  flagger: required("flagger", "github.com/fluxcd/flagger"),
};

/** Where `go` keeps a downloaded module's files: the controllers' own CRDs come from there. */
export function moduleDir(module: string, version: string): string {
  const modcache = spawnSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" }).stdout.trim();
  // The module cache escapes upper-case letters as !lower.
  const escaped = module.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
  const dir = path.join(modcache, `${escaped}@${version}`);
  if (!existsSync(dir)) {
    // Built binaries can outlive the module cache: fetch the module's files again.
    const r = spawnSync("go", ["mod", "download", `${module}@${version}`], { encoding: "utf8", env: { ...process.env, GOFLAGS: "-modcacherw" } });
    if (r.status !== 0) throw new ClusterStepError("module files", `go mod download ${module}@${version}: ${r.stderr}`);
  }
  return dir;
}

const yamlFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort().map((f) => path.join(dir, f));

export interface Git {
  url: string;
  root: string;
  certFile: string;
  /** The environment a git client needs to trust the server (as a user's machine trusts GitHub). */
  env: NodeJS.ProcessEnv;
  /** Creates an empty bare repository `<name>.git` and returns its https URL. */
  createRepo(name: string): Promise<string>;
}

/** An alert as Alertmanager's API v2 lists it (GET /api/v2/alerts). */
export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  /** When Alertmanager last received it. */
  updatedAt: string;
}

export interface Stack {
  cp: ControlPlane;
  git: Git;
  /** The Alertmanager the GitOps controllers notify: its base URL and its alerts. */
  alertmanager: { url: string; alerts(): Promise<AmAlert[]> };
  startFlux(): Promise<void>;
  startArgoCD(): Promise<void>;
  startRollouts(): Promise<void>;
  /**
   * Flagger (Kubernetes provider, Blue/Green), out of cluster; `metricsServer` is the Prometheus its
   * start-up check and built-in metrics use. Resolves with the address of its own /metrics.
   */
  startFlagger(metricsServer: string): Promise<{ metricsUrl: string }>;
  stop(): Promise<void>;
}

const NODE = {
  apiVersion: "v1",
  kind: "Node",
  metadata: {
    name: "kwok-node-0",
    annotations: { "node.alpha.kubernetes.io/ttl": "0", "kwok.x-k8s.io/node": "fake" },
    labels: {
      "kubernetes.io/hostname": "kwok-node-0",
      "kubernetes.io/os": "linux",
      "kubernetes.io/arch": "amd64",
      "topology.kubernetes.io/zone": "zone-a",
      type: "kwok",
    },
  },
  status: {
    capacity: { cpu: "32", memory: "256Gi", pods: "250", "ephemeral-storage": "100Gi" },
    allocatable: { cpu: "32", memory: "256Gi", pods: "250", "ephemeral-storage": "100Gi" },
    nodeInfo: { architecture: "amd64", operatingSystem: "linux", kubeletVersion: "fake", kubeProxyVersion: "fake" },
  },
};

/**
 * kwok's own "fast" stages (the module's kustomize/stage/fast, rendered), changed in one way: pods of
 * `unreadyImages` start but never turn Ready, as a release whose readiness probe fails.
 */
async function kwokStages(kubectl: string, unreadyImages: string[]): Promise<string> {
  const fast = path.join(moduleDir("sigs.k8s.io/kwok", VERSIONS.kwok), "kustomize/stage/fast");
  const rendered = await execa(kubectl, ["kustomize", fast], { reject: false });
  if (rendered.exitCode !== 0) throw new ClusterStepError("kwok stages", `kubectl kustomize ${fast}: ${rendered.stderr}`);
  const stages = parseAllDocuments(rendered.stdout).map((d) => d.toJS());
  const ready = stages.find((s) => s.metadata.name === "pod-ready");
  if (!ready) throw new ClusterStepError("kwok stages", "no pod-ready stage in kwok's fast stages");
  const image = ".spec.containers.[0].image";
  const unready = structuredClone(ready);
  unready.metadata.name = "pod-unready";
  ready.spec.selector.matchExpressions.push({ key: image, operator: "NotIn", values: unreadyImages });
  unready.spec.selector.matchExpressions.push({ key: image, operator: "In", values: unreadyImages });
  // Running, but neither the pod nor its containers Ready.
  unready.spec.next.statusTemplate = unready.spec.next.statusTemplate
    .replace(/status: "True"\n(\s+)type: Ready/, 'status: "False"\n$1type: Ready')
    .replace(/status: "True"\n(\s+)type: ContainersReady/, 'status: "False"\n$1type: ContainersReady')
    .replace(/ready: true\n(\s+)restartCount: 0\n(\s+)state:\n(\s+)running:/, "ready: false\n$1restartCount: 0\n$2state:\n$3running:");
  if (!/status: "False"\n\s+type: Ready/.test(unready.spec.next.statusTemplate)) {
    throw new ClusterStepError("kwok stages", "kwok's pod-ready stage changed shape: cannot derive the never-ready stage");
  }
  return [...stages, unready].map((s) => stringify(s)).join("---\n");
}

/** A `kubectl get -o json` read; undefined when the object does not exist. */
export async function getJson(cp: ControlPlane, args: string[]): Promise<any | undefined> {
  const r = await cp.kubectl(["get", ...args, "-o", "json"]);
  if (r.exitCode !== 0) {
    if (/NotFound|not found/.test(r.stderr)) return undefined;
    throw new Error(`kubectl get ${args.join(" ")}: ${r.stderr}`);
  }
  return JSON.parse(r.stdout);
}

/** Polls `check` (which returns a value when done, undefined while not) until the deadline; the error says what it last saw. */
export async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, describe: () => Promise<string> = async () => ""): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = (e as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError ? `\nlast error: ${lastError}` : ""}\n${await describe().catch((e) => String(e))}`);
    }
    await sleep(500);
  }
}

export async function startStack(opts: { unreadyImages: string[] }): Promise<Stack> {
  const need = (...bins: string[]) => {
    for (const bin of bins) {
      if (!existsSync(path.join(CLUSTER_BIN, bin))) throw new ClusterStepError("start", `${path.join(CLUSTER_BIN, bin)} missing (run scripts/build-cluster.sh)`);
    }
  };
  need("kube-controller-manager", "kube-scheduler", "kwok", "githttp");
  const cp = await startControlPlane({ readyTimeoutMs: 120_000 });
  try {
    const kubeconfig = cp.kubeconfig;
    const bin = (name: string) => path.join(CLUSTER_BIN, name);
    const baseEnv = { PATH: process.env.PATH, HOME: cp.dir, KUBECONFIG: kubeconfig };
    const [kcmPort, schedPort, kwokPort] = await freePorts(3);
    // What both control-plane components need: the kubeconfig for everything, loopback, one instance.
    const component = (port: number) => [
      `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
      "--bind-address=127.0.0.1", `--secure-port=${port}`, "--leader-elect=false", "--v=1",
    ];
    const kcm = cp.start("kube-controller-manager", bin("kube-controller-manager"), [
      ...component(kcmPort),
      `--service-account-private-key-file=${cp.saKeyFile}`,
      `--root-ca-file=${cp.caFile}`,
      "--cluster-name=gitops-test",
    ], baseEnv);
    const scheduler = cp.start("kube-scheduler", bin("kube-scheduler"), component(schedPort), baseEnv);
    const stagesFile = path.join(cp.dir, "kwok-stages.yaml");
    await writeFile(stagesFile, await kwokStages(bin("kubectl"), opts.unreadyImages));
    const kwok = cp.start("kwok", bin("kwok"), [
      `--kubeconfig=${kubeconfig}`,
      `--config=${stagesFile}`,
      "--manage-all-nodes=true",
      `--server-address=127.0.0.1:${kwokPort}`,
      "--cidr=10.244.0.1/16",
      "--node-ip=127.0.0.2",
      // Heartbeats through a Lease (kwok's heartbeat-with-lease stage renews only the node status
      // every 10 minutes): without it the node turns NotReady within a minute and every pod with it.
      "--node-lease-duration-seconds=40",
    ], baseEnv);
    await cp.kubectlOk(["apply", "--server-side", "--field-manager=gitops-test", "-f", "-"], stringify(NODE));
    // The node is Ready once kwok took it over; the "default" ServiceAccount once the controller manager runs.
    await waitFor("kwok node Ready", 60_000, [kcm, scheduler, kwok], path.join(cp.dir, "kwok.log"), async () => {
      const node = await getJson(cp, ["node", NODE.metadata.name]);
      return node?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") ?? false;
    });
    await waitFor("kube-controller-manager (default ServiceAccount)", 60_000, [kcm, scheduler, kwok], path.join(cp.dir, "kube-controller-manager.log"), async () =>
      (await cp.kubectl(["get", "serviceaccount", "default", "-n", "default"])).exitCode === 0);

    // The pinned third-party CRDs the generated repository uses (ServiceMonitor, PrometheusRule,
    // ExternalSecret; Flux's notification Provider and Alert): the cluster's Prometheus Operator,
    // External Secrets and Flux's notification-controller are prerequisites the generated README names.
    const crdDir = path.resolve(REPO_ROOT, "schemas/crds");
    for (const file of [
      "monitoring.coreos.com_servicemonitors.yaml",
      "monitoring.coreos.com_prometheusrules.yaml",
      "external-secrets.io_externalsecrets.yaml",
      "notification.toolkit.fluxcd.io_providers.yaml",
      "notification.toolkit.fluxcd.io_alerts.yaml",
    ]) {
      await cp.kubectlOk(["apply", "--server-side", "--field-manager=gitops-test", "-f", path.join(crdDir, file)], undefined, 120_000);
    }

    // The git host.
    const gitRoot = path.join(cp.dir, "git");
    await mkdir(gitRoot, { recursive: true });
    const certFile = path.join(cp.dir, "git-ca.pem");
    const [gitPort] = await freePorts(1);
    const githttp = cp.start("githttp", bin("githttp"), [`-root=${gitRoot}`, `-addr=127.0.0.1:${gitPort}`, `-cert-out=${certFile}`], { PATH: process.env.PATH });
    const gitUrl = `https://127.0.0.1:${gitPort}`;
    await waitFor("git server", 30_000, [githttp], githttp.log, async () => existsSync(certFile) && readFileSync(githttp.log, "utf8").includes("ready https://"));
    const git: Git = {
      url: gitUrl,
      root: gitRoot,
      certFile,
      env: { GIT_SSL_CAINFO: certFile, GIT_TERMINAL_PROMPT: "0" },
      async createRepo(name) {
        const dir = path.join(gitRoot, `${name}.git`);
        await execa("git", ["init", "--quiet", "--bare", "--initial-branch=main", dir]);
        return `${gitUrl}/${name}.git`;
      },
    };

    // The platform's Alertmanager (Debian's), which the notification controllers post to; the test
    // reads what reached it from its API, so it routes everything to a receiver that sends nothing.
    const amDir = path.join(cp.dir, "alertmanager");
    await mkdir(amDir, { recursive: true });
    await writeFile(path.join(amDir, "alertmanager.yml"), stringify({ route: { receiver: "none" }, receivers: [{ name: "none" }] }));
    const [amPort] = await freePorts(1);
    const am = cp.start("alertmanager", ALERTMANAGER_BIN, [
      `--config.file=${path.join(amDir, "alertmanager.yml")}`,
      `--storage.path=${path.join(amDir, "data")}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      "--cluster.listen-address=", // no gossip: one instance, no port on all interfaces
    ], { PATH: process.env.PATH });
    const amUrl = `http://127.0.0.1:${amPort}`;
    await waitFor("alertmanager ready", 30_000, [am], am.log, async () => (await fetch(`${amUrl}/-/ready`, { signal: AbortSignal.timeout(2_000) })).ok);
    const alertmanager = {
      url: amUrl,
      async alerts(): Promise<AmAlert[]> {
        const r = await fetch(`${amUrl}/api/v2/alerts`, { signal: AbortSignal.timeout(5_000) });
        if (!r.ok) throw new Error(`GET ${amUrl}/api/v2/alerts: ${r.status} ${await r.text()}`);
        return (await r.json()) as AmAlert[];
      },
    };

    const crds = async (dir: string) => {
      // A folder with a kustomization.yaml is applied as upstream means it (-k); otherwise file by file.
      const sources = existsSync(path.join(dir, "kustomization.yaml")) ? [["-k", dir]] : yamlFiles(dir).map((f) => ["-f", f]);
      for (const source of sources) await cp.kubectlOk(["apply", "--server-side", "--field-manager=gitops-test", ...source], undefined, 120_000);
    };
    const established = () => waitCrdsEstablished(cp);
    const namespace = (name: string) => cp.kubectlOk(["create", "namespace", name]).catch((e) => {
      if (!/AlreadyExists/.test(String(e))) throw e;
    });
    const healthy = async (name: string, proc: Proc, url: string) =>
      waitFor(`${name} health`, 90_000, [proc], proc.log, async () => (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok);

    const startFlux = async () => {
      need("source-controller", "kustomize-controller", "notification-controller");
      await crds(path.join(moduleDir("github.com/fluxcd/source-controller", VERSIONS.sourceController), "config/crd/bases"));
      await crds(path.join(moduleDir("github.com/fluxcd/kustomize-controller", VERSIONS.kustomizeController), "config/crd/bases"));
      // Its own Alert, Provider and Receiver CRDs, over the pinned copies applied above.
      await crds(path.join(moduleDir("github.com/fluxcd/notification-controller", VERSIONS.notificationController), "config/crd/bases"));
      await established();
      await namespace("flux-system");
      const [storage, sMetrics, sHealth, kMetrics, kHealth, nMetrics, nHealth, nEvents, nReceiver] = await freePorts(9);
      const env = { ...baseEnv, RUNTIME_NAMESPACE: "flux-system", SSL_CERT_FILE: certFile };
      // The notification-controller first: the other two post their events to its address (--events-addr).
      const notification = cp.start("notification-controller", bin("notification-controller"), [
        `--events-addr=127.0.0.1:${nEvents}`,
        `--receiverAddr=127.0.0.1:${nReceiver}`,
        `--metrics-addr=127.0.0.1:${nMetrics}`,
        `--health-addr=127.0.0.1:${nHealth}`,
        "--enable-leader-election=false",
        "--log-level=info",
      ], env);
      await healthy("notification-controller", notification, `http://127.0.0.1:${nHealth}/readyz`);
      const events = `--events-addr=http://127.0.0.1:${nEvents}/`;
      const storageDir = path.join(cp.dir, "flux-storage");
      await mkdir(storageDir, { recursive: true });
      const source = cp.start("source-controller", bin("source-controller"), [
        `--storage-path=${storageDir}`,
        `--storage-addr=127.0.0.1:${storage}`,
        `--storage-adv-addr=127.0.0.1:${storage}`,
        `--metrics-addr=127.0.0.1:${sMetrics}`,
        `--health-addr=127.0.0.1:${sHealth}`,
        "--enable-leader-election=false",
        "--log-level=info",
        events,
      ], env);
      // As in Flux's install, the kustomize-controller runs as its own ServiceAccount, bound to
      // cluster-admin (its ClusterRoleBinding cluster-reconciler), which lets it impersonate the
      // account each Kustomization names: the API server then checks that account's rights.
      await cp.kubectlOk(["create", "serviceaccount", "kustomize-controller", "-n", "flux-system"]);
      await cp.kubectlOk(["create", "clusterrolebinding", "cluster-reconciler-flux-system", "--clusterrole=cluster-admin", "--serviceaccount=flux-system:kustomize-controller"]);
      const kustomizeToken = (await cp.kubectlOk(["create", "token", "kustomize-controller", "-n", "flux-system", "--duration=24h"])).stdout.trim();
      const kustomizeKubeconfig = path.join(cp.dir, "kustomize-controller.kubeconfig");
      await writeFile(kustomizeKubeconfig, readFileSync(kubeconfig));
      await cp.kubectlOk(["config", `--kubeconfig=${kustomizeKubeconfig}`, "set-credentials", "kustomize-controller", `--token=${kustomizeToken}`]);
      await cp.kubectlOk(["config", `--kubeconfig=${kustomizeKubeconfig}`, "set-context", "--current", "--user=kustomize-controller"]);
      const kustomize = cp.start("kustomize-controller", bin("kustomize-controller"), [
        `--metrics-addr=127.0.0.1:${kMetrics}`,
        `--health-addr=127.0.0.1:${kHealth}`,
        "--enable-leader-election=false",
        // Flux's multi-tenancy lockdown, as the generated README asks of the platform: a Kustomization
        // without serviceAccountName acts as the powerless "default" account, and none may reference
        // a source in another namespace.
        "--default-service-account=default",
        "--no-cross-namespace-refs=true",
        // As the generated README asks: a revert is applied while a bad release still fails its health check.
        "--feature-gates=CancelHealthCheckOnNewRevision=true",
        // This test cluster's setting (default 30 s): a dependent environment is re-checked sooner.
        "--requeue-dependency=5s",
        "--log-level=info",
        events,
      ], { ...env, KUBECONFIG: kustomizeKubeconfig });
      await healthy("source-controller", source, `http://127.0.0.1:${sHealth}/readyz`);
      await healthy("kustomize-controller", kustomize, `http://127.0.0.1:${kHealth}/readyz`);
    };

    const startArgoCD = async () => {
      need("argocd", "kustomize");
      await crds(path.join(moduleDir("github.com/argoproj/argo-cd/v3", VERSIONS.argocd), "manifests/crds"));
      await established();
      await namespace("argocd");
      // What Argo CD's install manifests create besides the workloads: its settings (defaults), and
      // the git host's CA as Argo CD's TLS data (a file named after the host).
      const partOf = { "app.kubernetes.io/part-of": "argocd" };
      const configs = [
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "argocd-cm", namespace: "argocd", labels: { ...partOf, "app.kubernetes.io/name": "argocd-cm" } }, data: {} },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "argocd-rbac-cm", namespace: "argocd", labels: { ...partOf, "app.kubernetes.io/name": "argocd-rbac-cm" } }, data: {} },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "argocd-cmd-params-cm", namespace: "argocd", labels: { ...partOf, "app.kubernetes.io/name": "argocd-cmd-params-cm" } }, data: {} },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "argocd-tls-certs-cm", namespace: "argocd", labels: { ...partOf, "app.kubernetes.io/name": "argocd-tls-certs-cm" } }, data: { "127.0.0.1": readFileSync(certFile, "utf8") } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "argocd-ssh-known-hosts-cm", namespace: "argocd", labels: { ...partOf, "app.kubernetes.io/name": "argocd-ssh-known-hosts-cm" } }, data: {} },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "argocd-gpg-keys-cm", namespace: "argocd", labels: { ...partOf, "app.kubernetes.io/name": "argocd-gpg-keys-cm" } }, data: {} },
        { apiVersion: "v1", kind: "Secret", metadata: { name: "argocd-secret", namespace: "argocd", labels: { ...partOf, "app.kubernetes.io/name": "argocd-secret" } }, type: "Opaque", stringData: { "server.secretkey": randomBytes(32).toString("base64") } },
        // Empty, as the install creates them: the platform fills argocd-notifications-cm (the test does, from the generated README).
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "argocd-notifications-cm", namespace: "argocd", labels: { ...partOf, "app.kubernetes.io/name": "argocd-notifications-controller" } } },
        { apiVersion: "v1", kind: "Secret", metadata: { name: "argocd-notifications-secret", namespace: "argocd", labels: { ...partOf, "app.kubernetes.io/name": "argocd-notifications-controller" } }, type: "Opaque" },
      ];
      await cp.kubectlOk(["apply", "--server-side", "--field-manager=gitops-test", "-f", "-"], configs.map((c) => stringify(c)).join("---\n"));
      const tlsDir = path.join(cp.dir, "argocd-tls");
      await mkdir(tlsDir, { recursive: true });
      await writeFile(path.join(tlsDir, "127.0.0.1"), readFileSync(certFile));
      const [redis, repo, repoMetrics, ctrlMetrics, appsetMetrics, appsetProbe, appsetWebhook, notifMetrics] = await freePorts(8);
      const redisProc = cp.start("redis", "redis-server", ["--port", String(redis), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { PATH: process.env.PATH });
      await waitFor("redis", 30_000, [redisProc], redisProc.log, async () => readFileSync(redisProc.log, "utf8").includes("Ready to accept connections"));
      const argoEnv = (role: string) => ({
        ...baseEnv,
        // One binary, the role by name; the git host's CA; kustomize on PATH for the repo-server.
        ARGOCD_BINARY_NAME: role,
        ARGOCD_FAKE_IN_CLUSTER: "true",
        ARGOCD_TLS_DATA_PATH: tlsDir,
        ARGOCD_GPG_ENABLED: "false",
        ARGOCD_SSH_DATA_PATH: path.join(cp.dir, "argocd-ssh"),
        // Its git askpass socket is /tmp/reposerver-ask-pass.sock whatever TMPDIR says: keep it in the stack's folder.
        ARGOCD_ASK_PASS_SOCK: path.join(cp.dir, "ask-pass.sock"),
        PATH: `${CLUSTER_BIN}:${process.env.PATH}`,
        SSL_CERT_FILE: certFile,
      });
      const repoServer = cp.start("argocd-repo-server", bin("argocd"), [
        "--address=127.0.0.1", `--port=${repo}`, "--metrics-address=127.0.0.1", `--metrics-port=${repoMetrics}`, `--redis=127.0.0.1:${redis}`, "--disable-tls", "--loglevel=info",
      ], argoEnv("argocd-repo-server"));
      await healthy("argocd-repo-server", repoServer, `http://127.0.0.1:${repoMetrics}/metrics`);
      const controller = cp.start("argocd-application-controller", bin("argocd"), [
        `--kubeconfig=${kubeconfig}`, "--namespace=argocd", `--repo-server=127.0.0.1:${repo}`, "--repo-server-plaintext",
        `--redis=127.0.0.1:${redis}`, `--metrics-port=${ctrlMetrics}`, "--loglevel=info",
        // A short resync instead of the default 3 minutes is this test cluster's setting, not the repo's.
        "--app-resync=15", "--self-heal-timeout-seconds=2",
      ], argoEnv("argocd-application-controller"));
      await healthy("argocd-application-controller", controller, `http://127.0.0.1:${ctrlMetrics}/metrics`);
      const appset = cp.start("argocd-applicationset-controller", bin("argocd"), [
        `--kubeconfig=${kubeconfig}`, "--namespace=argocd", `--argocd-repo-server=127.0.0.1:${repo}`, "--repo-server-plaintext",
        `--metrics-addr=127.0.0.1:${appsetMetrics}`, `--probe-addr=127.0.0.1:${appsetProbe}`, `--webhook-addr=127.0.0.1:${appsetWebhook}`,
        "--enable-leader-election=false", "--loglevel=info",
      ], argoEnv("argocd-applicationset-controller"));
      await healthy("argocd-applicationset-controller", appset, `http://127.0.0.1:${appsetMetrics}/metrics`);
      // Its metrics server listens on all interfaces (no address flag): the port is a free one all the same.
      const notifications = cp.start("argocd-notifications-controller", bin("argocd"), [
        `--kubeconfig=${kubeconfig}`, "--namespace=argocd", `--argocd-repo-server=127.0.0.1:${repo}`, "--argocd-repo-server-plaintext",
        `--metrics-port=${notifMetrics}`, "--loglevel=info", "--logformat=text",
      ], argoEnv("argocd-notifications"));
      await healthy("argocd-notifications-controller", notifications, `http://127.0.0.1:${notifMetrics}/metrics`);
    };

    const startRollouts = async () => {
      need("rollouts-controller");
      await crds(path.join(moduleDir("github.com/argoproj/argo-rollouts", VERSIONS.rollouts), "manifests/crds"));
      await established();
      const [health, metrics] = await freePorts(2);
      const rollouts = cp.start("rollouts-controller", bin("rollouts-controller"), [
        `--kubeconfig=${kubeconfig}`, "--leader-elect=false", `--healthzPort=${health}`, `--metricsPort=${metrics}`, "--loglevel=info",
      ], baseEnv);
      await healthy("rollouts-controller", rollouts, `http://127.0.0.1:${health}/healthz`);
    };

    let flaggerStarted: Promise<{ metricsUrl: string }> | undefined;
    const startFlagger = (metricsServer: string) => (flaggerStarted ??= (async () => {
      need("flagger");
      // Its CRDs from the module it is built from; PodMonitor (for the generated PodMonitor) from the pinned copies.
      await cp.kubectlOk(["apply", "--server-side", "--field-manager=gitops-test", "-f", path.join(moduleDir("github.com/fluxcd/flagger", VERSIONS.flagger), "artifacts/flagger/crd.yaml")], undefined, 120_000);
      await cp.kubectlOk(["apply", "--server-side", "--field-manager=gitops-test", "-f", path.join(REPO_ROOT, "schemas/crds/monitoring.coreos.com_podmonitors.yaml")], undefined, 120_000);
      await established();
      // Its server listens on all interfaces (-port only): the port is a free one all the same.
      const [port] = await freePorts(1);
      const flagger = cp.start("flagger", bin("flagger"), [
        `-kubeconfig=${kubeconfig}`, "-mesh-provider=kubernetes", `-metrics-server=${metricsServer}`, `-port=${port}`,
        "-log-level=info", "-enable-leader-election=false",
      ], baseEnv);
      await healthy("flagger", flagger, `http://127.0.0.1:${port}/healthz`);
      return { metricsUrl: `http://127.0.0.1:${port}/metrics` };
    })());

    // Each set of controllers starts once, however many variants ask for it.
    const once = (start: () => Promise<void>) => {
      let started: Promise<void> | undefined;
      return () => (started ??= start());
    };
    return { cp, git, alertmanager, startFlux: once(startFlux), startArgoCD: once(startArgoCD), startRollouts: once(startRollouts), startFlagger, stop: () => cp.stop() };
  } catch (e) {
    await cp.stop();
    throw e;
  }
}
