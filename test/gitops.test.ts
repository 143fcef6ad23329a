// The GitOps loop run for real (issue #15): a generated repository, pushed over https to a git host on
// loopback, synced by the real Flux and Argo CD controllers into a real control plane whose pods
// "run" on a kwok node, then released, promoted, rolled back by git revert, released badly (the failure
// alerted by Flux's and Argo CD's notification controllers to a real Alertmanager, #25), drifted and
// pruned; and with Argo Rollouts, a canary promoted and one aborted by the controller itself, its
// analysis answered by a real Prometheus scraping the real service binary (test/helpers/observability.ts).
// Everything the test does to the repository is what the generated README and the generator's
// closing lines tell a user or CI to do (git push, `kubectl apply` of deploy/flux or deploy/argocd,
// scripts/set-image.sh with a tag and a digest, scripts/promote.sh, git revert, `update --<flag>`); everything it asserts is
// cluster state read back from the API server. Run with `npm run test:gitops` (the first build of
// the binaries takes minutes: scripts/build-cluster.sh). Without Go it is skipped on a developer
// machine; in CI it fails instead.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { buildContext } from "../src/render/context.js";
import { PROVENANCE_FILE } from "../src/render/provenance.js";
import type { Answers } from "../src/answers/types.js";
import { inCI, TOOL } from "./helpers/render.js";
import { buildClusterBinaries, CLUSTER_BIN, freePorts, goVersion, K8S_VERSION, REPO_ROOT } from "./helpers/cluster-control-plane.js";
import { buildServiceWithTestRoutes, drive, PROMETHEUS_BIN, serviceMonitorLabels, startChain, type Chain } from "./helpers/observability.js";
import { eventually, getJson, moduleDir, startStack, VERSIONS, type AmAlert, type Stack } from "./helpers/gitops-stack.js";
// The Flagger canary's imports (its describe block is the last one).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tail } from "./helpers/cluster-control-plane.js";

const BUILD_TIMEOUT_MS = 75 * 60_000;
const requested = process.env.npm_lifecycle_event === "test:gitops" || process.env.GITOPS_TESTS === "1";
if (!requested) console.warn("skipping the GitOps loop: run it with `npm run test:gitops` (or GITOPS_TESTS=1)");
const go = goVersion();
const missing = !go && !existsSync(path.join(CLUSTER_BIN, "argocd"))
  ? "Go is not on PATH (needed to build the cluster: scripts/build-cluster.sh)"
  : !go ? "Go is not on PATH (needed to build the service the canary's Prometheus scrapes)"
  : !existsSync(PROMETHEUS_BIN) ? `${PROMETHEUS_BIN} not found (the canary's analysis queries it): apt-get install prometheus`
  : undefined;
if (requested && missing && !inCI) console.warn(`skipping the GitOps loop: ${missing}`);

const CLI = path.join(REPO_ROOT, "dist/cli.js");
const REGISTRY = "ghcr.io/acme";
/** A release whose pods never pass their readiness probe (kwok keeps pods of this tag unready). */
const BAD_SHA = "badbadbadbadbadbadbadbadbadbadbadbadbad0";
const ENVIRONMENTS = ["dev", "staging", "prod"];
/** A git identity for the generator's first commit and the test's own commits, as CI has one. */
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: "GitOps Test", GIT_AUTHOR_EMAIL: "gitops-test@example.com",
  GIT_COMMITTER_NAME: "GitOps Test", GIT_COMMITTER_EMAIL: "gitops-test@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
};

interface Variant {
  title: string;
  name: string;
  flags: string[];
  engine: "flux" | "argocd";
}
const VARIANTS: Variant[] = [
  { title: "Flux", name: "loop-flux", flags: ["--gitops", "flux"], engine: "flux" },
  { title: "Argo CD Applications", name: "loop-apps", flags: ["--gitops", "argocd", "--argocd-mode", "applications"], engine: "argocd" },
  { title: "Argo CD ApplicationSet", name: "loop-appset", flags: ["--gitops", "argocd", "--argocd-mode", "applicationset"], engine: "argocd" },
];
/** The generated overlays' placeholder tag, which has no digest line until the first release. */
const PLACEHOLDER = "set-by-ci";
/** The digest CI would have pushed for a tag (#27 F2): made up but well formed, one per tag (kwok's pods pull nothing). */
const digestOf = (tag: string) => `sha256:${createHash("sha256").update(`image of ${tag}`).digest("hex")}`;
/** What a workload runs: the placeholder by tag alone, a release as <tag>@<digest>, the SHA kept readable. */
const image = (name: string, tag: string) => `${REGISTRY}/${name}:${tag}${tag === PLACEHOLDER ? "" : `@${digestOf(tag)}`}`;
/** A route of the generated service, and the 500 route test/helpers/observability.ts adds to it. */
const GOOD_PATH = "/v1/hello/world";
const FAIL_PATH = "/test/fail";

/**
 * The platform's argocd-notifications-cm as the generated README documents it: its yaml block (the
 * webhook service and the `webhook.alertmanager` parts) read from the README, each template part added
 * after the catalog's own template of that name, as the README says ("the catalog's ... parts,
 * unchanged, then:"), beside the catalog's triggers (Argo CD's notifications_catalog/install.yaml).
 * The same for Argo Rollouts' argo-rollouts-notification-configmap and its notifications-install.yaml.
 */
async function notificationsConfigFromReadme(
  repo: string,
  configMap = "argocd-notifications-cm",
  catalogFile = path.join(moduleDir("github.com/argoproj/argo-cd/v3", VERSIONS.argocd), "notifications_catalog/install.yaml"),
): Promise<Record<string, string>> {
  const readme = await readFile(path.join(repo, "README.md"), "utf8");
  const block = new RegExp(`\`\`\`yaml\\n(# ${configMap}[^\\n]*\\n[\\s\\S]*?)\`\`\``).exec(readme)?.[1];
  if (!block) throw new Error(`the generated README has no yaml block starting '# ${configMap}'`);
  const documented = parseYaml(block) as Record<string, string>;
  const catalog = parseYaml(await readFile(catalogFile, "utf8"));
  const data: Record<string, string> = { ...catalog.data };
  for (const [key, value] of Object.entries(documented)) {
    if (key.startsWith("template.") && !data[key]) throw new Error(`the README extends ${key}, which Argo CD's catalog does not have`);
    data[key] = key.startsWith("template.") ? `${data[key]}${value}` : value;
  }
  return data;
}

/**
 * A --templates folder (the documented way a platform team tunes a template) holding copies of the
 * generated templates named, each changed by its replacements. Every replacement must match: a template
 * that moved on fails here, not as a slow timeout later in the loop.
 */
async function templateOverrides(dir: string, changes: readonly (readonly [file: string, replacements: readonly (readonly [RegExp, string])[]])[]): Promise<string> {
  for (const [file, replacements] of changes) {
    let text = await readFile(path.join(REPO_ROOT, "templates", file), "utf8");
    for (const [from, to] of replacements) {
      const changed = text.replace(from, to);
      expect(changed, `${file} no longer matches ${from}`).not.toBe(text);
      text = changed;
    }
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

/** Figures per variant, printed at the end (and quoted in docs/gitops-loop.md). */
const figures: Record<string, Record<string, number>> = {};
const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;

let stack: Stack | undefined;
const cluster = () => {
  if (!stack) throw new Error("the cluster is not running (see the error of the beforeAll hook)");
  return stack;
};
const kubectl = (args: string[], input?: string) => cluster().cp.kubectlOk(args, input);

describe.skipIf(!requested || (missing !== undefined && !inCI))(`GitOps loop (Kubernetes ${K8S_VERSION}, kwok ${VERSIONS.kwok}, Flux ${VERSIONS.sourceController}, Argo CD ${VERSIONS.argocd}, Argo Rollouts ${VERSIONS.rollouts})`, () => {
  let work: string;
  beforeAll(async () => {
    if (missing) throw new Error(`gitops step "prerequisites" failed: ${missing}`);
    const logDir = path.join(CLUSTER_BIN, "logs");
    mkdirSync(logDir, { recursive: true });
    // CLUSTER_SKIP_BUILD=1: use the binaries already in .tools/cluster (when iterating on the test).
    if (go && process.env.CLUSTER_SKIP_BUILD !== "1") {
      const { seconds: s, output } = await buildClusterBinaries(path.join(logDir, "build.log"), BUILD_TIMEOUT_MS);
      console.log(`gitops: build step ${s.toFixed(1)}s\n${output.split("\n").filter((l) => l.startsWith("build-cluster:")).join("\n")}`);
    }
    if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build`);
    work = await mkdtemp(path.join(tmpdir(), "cggs-gitops-"));
    const started = Date.now();
    stack = await startStack({ unreadyImages: VARIANTS.map((v) => image(v.name, BAD_SHA)) });
    console.log(`gitops: control plane, controller-manager, scheduler, kwok node and git host up in ${seconds(started)}s`);
  }, BUILD_TIMEOUT_MS + 5 * 60_000);

  afterAll(async () => {
    await stack?.stop();
    stack = undefined;
    if (work) await rm(work, { recursive: true, force: true });
    for (const [variant, f] of Object.entries(figures)) {
      console.log(`gitops figures, ${variant}: ${Object.entries(f).map(([k, v]) => `${k} ${v}s`).join(", ")}`);
    }
  }, 120_000);

  for (const variant of VARIANTS) {
    describe(variant.title, () => {
      const f: Record<string, number> = (figures[variant.title] = {});
      let repo: string;
      const git = async (...args: string[]) =>
        (await execa("git", args, { cwd: repo, env: { ...GIT_IDENTITY, ...cluster().git.env } })).stdout.trim();
      const namespace = (env: string) => `${variant.name}-${env}`;
      const deployment = (env: string) => getJson(cluster().cp, ["deployment", variant.name, "-n", namespace(env)]);
      const imageOf = async (env: string) => (await deployment(env))?.spec.template.spec.containers[0].image;

      /** What the controller says of one environment: applied revision and readiness, in its own words. */
      const controllerState = async (env: string): Promise<{ revision?: string; attempted?: string; ready: boolean; detail: string }> => {
        if (variant.engine === "flux") {
          const k = await getJson(cluster().cp, ["kustomization.kustomize.toolkit.fluxcd.io", `${variant.name}-${env}`, "-n", "flux-system"]);
          const ready = k?.status?.conditions?.find((c: any) => c.type === "Ready");
          const sha = (revision?: string) => /sha1:([0-9a-f]{40})/.exec(revision ?? "")?.[1];
          // Flux records a revision as applied only once its health checks pass; until then it is attempted.
          return { revision: sha(k?.status?.lastAppliedRevision), attempted: sha(k?.status?.lastAttemptedRevision), ready: ready?.status === "True", detail: `Ready=${ready?.status} ${ready?.reason}: ${ready?.message}` };
        }
        const app = await getJson(cluster().cp, ["application.argoproj.io", `${variant.name}-${env}`, "-n", "argocd"]);
        const s = app?.status;
        return {
          revision: s?.sync?.revision,
          ready: s?.sync?.status === "Synced" && s?.health?.status === "Healthy",
          detail: `sync=${s?.sync?.status} health=${s?.health?.status} ${s?.health?.message ?? ""} op=${s?.operationState?.phase}: ${s?.operationState?.message ?? ""} conditions=${JSON.stringify(s?.conditions ?? [])}`,
        };
      };
      const describeEnvs = async () => {
        const lines: string[] = [];
        for (const env of ENVIRONMENTS) {
          const d = await deployment(env).catch(() => undefined);
          const pods = (await getJson(cluster().cp, ["pods", "-n", namespace(env)]).catch(() => undefined))?.items ?? [];
          const podLines = pods.map((p: any) => `  pod ${p.metadata.name} ${p.spec.containers[0].image.split("/").pop()} node=${p.spec.nodeName} phase=${p.status.phase} ready=${p.status.conditions?.find((c: any) => c.type === "Ready")?.status}${p.metadata.deletionTimestamp ? " deleting" : ""}`);
          const s = d?.status ?? {};
          lines.push(`${env}: ${(await controllerState(env).catch((e) => ({ detail: String(e) }))).detail}; deployment image=${d?.spec.template.spec.containers[0].image} replicas=${s.replicas} updated=${s.updatedReplicas} ready=${s.readyReplicas} available=${s.availableReplicas} conditions=${JSON.stringify(s.conditions?.map((c: any) => `${c.type}=${c.status} ${c.reason}`))}`, ...podLines);
        }
        return lines.join("\n");
      };

      /** Ask the controllers to look at git now instead of at their next interval (as `flux reconcile` / an Argo CD refresh does). */
      const nudge = async () => {
        const now = new Date().toISOString();
        if (variant.engine === "flux") {
          await kubectl(["annotate", "--overwrite", "-n", "flux-system", "gitrepository.source.toolkit.fluxcd.io", variant.name, `reconcile.fluxcd.io/requestedAt=${now}`]);
          for (const env of ENVIRONMENTS) {
            await kubectl(["annotate", "--overwrite", "-n", "flux-system", "kustomization.kustomize.toolkit.fluxcd.io", `${variant.name}-${env}`, `reconcile.fluxcd.io/requestedAt=${now}`]);
          }
        } else {
          for (const env of ENVIRONMENTS) {
            await cluster().cp.kubectl(["annotate", "--overwrite", "-n", "argocd", "application.argoproj.io", `${variant.name}-${env}`, "argocd.argoproj.io/refresh=normal"]);
          }
        }
      };

      /** Commit what a script changed and push it, as CI does; the controllers are nudged. Returns the commit. */
      const commitAndPush = async (message: string) => {
        await git("commit", "--quiet", "-am", message);
        await git("push", "--quiet", "origin", "main");
        await nudge();
        return git("rev-parse", "HEAD");
      };

      /** The environment runs `wanted`, fully rolled out, at `commit` as the controller reports it, Ready. */
      const converged = (env: string, wanted: string, commit: string, timeoutMs = 90_000) =>
        eventually(`${env} to run ${wanted} at ${commit.slice(0, 7)}`, timeoutMs, async () => {
          const d = await deployment(env);
          const s = d?.status;
          if (d?.spec.template.spec.containers[0].image !== wanted) return undefined;
          if (!(s.observedGeneration >= d.metadata.generation && s.replicas > 0 && s.updatedReplicas === s.replicas && s.availableReplicas === s.replicas)) return undefined;
          // The HorizontalPodAutoscaler owns the count: at least its minimum must be running.
          const hpa = await getJson(cluster().cp, ["hpa", variant.name, "-n", namespace(env)]);
          if (!(s.availableReplicas >= hpa?.spec.minReplicas)) return undefined;
          const state = await controllerState(env);
          return state.revision === commit && state.ready ? d : undefined;
        }, describeEnvs);

      beforeAll(async () => {
        if (variant.engine === "flux") await cluster().startFlux();
        else await cluster().startArgoCD();
        // Generate as a user would, pointed at the git host and the test's Alertmanager; the generator
        // makes the first commit. Two timings shortened through template overrides, so that failures are
        // alerted on within the test's time: the Deployment's progressDeadlineSeconds (30 s, not 300 s)
        // for the bad release below, and Argo CD's sync retries (1 retry after 1 s, not 5 from 5 s
        // doubling: about 155 s) for the refused commit's on-sync-failed.
        const retries = [/limit: 5\n(\s+)backoff:\n\s+duration: 5s/, "limit: 1\n$1backoff:\n$1  duration: 1s"] as const;
        const overrides = await templateOverrides(path.join(work, "loop-overrides"), [
          ["deploy/base/deployment.yaml.hbs", [[/progressDeadlineSeconds: 300\b/, "progressDeadlineSeconds: 30"]]],
          ["deploy/argocd/application-[environment].yaml.hbs", [retries]],
          ["deploy/argocd/applicationset.yaml.hbs", [retries]],
        ]);
        repo = path.join(work, variant.name);
        const url = `${cluster().git.url}/${variant.name}.git`;
        await execa("node", [CLI, repo, "--owner", "acme", "--yes", "--repo-url", url, ...variant.flags,
          "--alertmanager-url", `${cluster().alertmanager.url}/api/v2/alerts`, "--templates", overrides], { env: { ...GIT_IDENTITY, CI: "true" } });
        await cluster().git.createRepo(variant.name);
        // Argo CD's side is the platform's: its argocd-notifications-cm, as the generated README documents it.
        if (variant.engine === "argocd") {
          const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "argocd-notifications-cm", namespace: "argocd" }, data: await notificationsConfigFromReadme(repo) };
          await kubectl(["apply", "--server-side", "--field-manager=gitops-test", "-f", "-"], JSON.stringify(cm));
        }
      }, 300_000);

      it("bootstrap: every environment becomes Ready and Available, in its own namespace, with Pod Security restricted enforced", async () => {
        // The generator's closing lines: add the remote, push.
        await git("remote", "add", "origin", `${cluster().git.url}/${variant.name}.git`);
        await git("push", "--quiet", "-u", "origin", "main");
        const commit = await git("rev-parse", "HEAD");
        const started = Date.now();
        // The README's bootstrap commands: the platform's part (namespaces, and Flux's accounts) first.
        await kubectl(["apply", "--server-side", "--field-manager=platform", "-f", path.join(repo, "deploy/platform/")]);
        if (variant.engine === "flux") await kubectl(["apply", "-f", path.join(repo, "deploy/flux/")]);
        else await kubectl(["apply", "-n", "argocd", "-f", path.join(repo, "deploy/argocd/")]);
        for (const env of ENVIRONMENTS) await converged(env, image(variant.name, PLACEHOLDER), commit, 120_000);
        f["first Ready"] = seconds(started);
        for (const env of ENVIRONMENTS) {
          const ns = await getJson(cluster().cp, ["namespace", namespace(env)]);
          expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
          const pods = (await getJson(cluster().cp, ["pods", "-n", namespace(env), "-l", `app.kubernetes.io/name=${variant.name}`])).items;
          expect(pods.length).toBeGreaterThan(0);
          for (const pod of pods) expect(pod.status.conditions.find((c: any) => c.type === "Ready")?.status, pod.metadata.name).toBe("True");
        }
        // Production's HPA minimum (3) reached the Deployment.
        expect((await deployment("prod")).status.availableReplicas).toBe(3);
      }, 180_000);

      let releaseSha = "";
      let releaseCommit = "";
      it("release: the first environment rolls to the tag CI wrote; the others do not move", async () => {
        releaseSha = await git("rev-parse", "HEAD");
        await execa(path.join(repo, "scripts/set-image.sh"), ["dev", releaseSha, digestOf(releaseSha)], { cwd: repo });
        const started = Date.now();
        releaseCommit = await commitAndPush(`chore(release): dev ${releaseSha}`);
        await converged("dev", image(variant.name, releaseSha), releaseCommit);
        f["release to rolled"] = seconds(started);
        // The Deployment the controller applied pins the digest CI wrote, the commit SHA still readable (#27 F2).
        expect(await imageOf("dev")).toBe(`${REGISTRY}/${variant.name}:${releaseSha}@${digestOf(releaseSha)}`);
        expect(await imageOf("staging")).toBe(image(variant.name, PLACEHOLDER));
        expect(await imageOf("prod")).toBe(image(variant.name, PLACEHOLDER));
      }, 120_000);

      it("promotion: scripts/promote.sh moves that SHA to the next environment, and only there", async () => {
        const { stdout } = await execa(path.join(repo, "scripts/promote.sh"), ["staging"], { cwd: repo });
        expect(stdout).toContain(releaseSha);
        const commit = await commitAndPush(`chore(promote): staging ${releaseSha}`);
        await converged("staging", image(variant.name, releaseSha), commit);
        // The digest travelled with the tag.
        expect(await imageOf("staging")).toBe(`${REGISTRY}/${variant.name}:${releaseSha}@${digestOf(releaseSha)}`);
        expect(await imageOf("dev")).toBe(image(variant.name, releaseSha));
        expect(await imageOf("prod")).toBe(image(variant.name, PLACEHOLDER));
      }, 120_000);

      it("rollback by git: reverting the release commit brings the previous image back", async () => {
        await git("revert", "--no-edit", releaseCommit);
        const started = Date.now();
        await git("push", "--quiet", "origin", "main");
        await nudge();
        const commit = await git("rev-parse", "HEAD");
        await converged("dev", image(variant.name, PLACEHOLDER), commit);
        f["revert to rolled back"] = seconds(started);
        // The revert took the digest line away with the tag: the placeholder again, by tag alone.
        expect(await imageOf("dev")).toBe(`${REGISTRY}/${variant.name}:${PLACEHOLDER}`);
        expect(await imageOf("staging")).toBe(image(variant.name, releaseSha));
      }, 120_000);

      it("a bad release stays contained: the old pods keep serving, the controller reports it, a revert recovers", async () => {
        await execa(path.join(repo, "scripts/set-image.sh"), ["dev", BAD_SHA, digestOf(BAD_SHA)], { cwd: repo });
        // Alertmanager's clock is this machine's: its updatedAt is compared with this.
        const badPushed = Date.now();
        const badCommit = await commitAndPush(`chore(release): dev ${BAD_SHA}`);
        const bad = image(variant.name, BAD_SHA);
        // The new version's pods start and never turn Ready.
        await eventually("the bad release's pods to exist", 60_000, async () => {
          const pods = (await getJson(cluster().cp, ["pods", "-n", namespace("dev"), "-l", `app.kubernetes.io/name=${variant.name}`])).items;
          return pods.some((p: any) => p.spec.containers[0].image === bad && p.status.phase === "Running") ? pods : undefined;
        }, describeEnvs);
        // Long enough for the controllers to see it (minReadySeconds is 5 s).
        await new Promise((r) => setTimeout(r, 10_000));
        const pods = (await getJson(cluster().cp, ["pods", "-n", namespace("dev"), "-l", `app.kubernetes.io/name=${variant.name}`])).items;
        const good = pods.filter((p: any) => p.spec.containers[0].image === image(variant.name, PLACEHOLDER));
        expect(good.length, "old pods still there").toBeGreaterThan(0);
        for (const p of good) expect(p.status.conditions.find((c: any) => c.type === "Ready")?.status).toBe("True");
        for (const p of pods.filter((p: any) => p.spec.containers[0].image === bad)) {
          expect(p.status.conditions.find((c: any) => c.type === "Ready")?.status).not.toBe("True");
        }
        const d = await deployment("dev");
        expect(d.spec.template.spec.containers[0].image).toBe(bad);
        expect(d.status.availableReplicas, "the old ReplicaSet keeps serving").toBeGreaterThan(0);
        const state = await controllerState("dev");
        expect(state.attempted ?? state.revision, state.detail).toBe(badCommit);
        expect(state.ready, `the controller must not report the bad release Ready/Healthy: ${state.detail}`).toBe(false);
        // The Deployment passes its progressDeadlineSeconds; the controller reports the failure (Flux: the
        // Kustomization's health check fails; Argo CD: the Application turns Degraded) and its notification
        // controller posts an alert to Alertmanager, read back from Alertmanager's API.
        const alert = await eventually("the deployment failure to reach Alertmanager as an alert", 90_000, async () => {
          const alerts = await cluster().alertmanager.alerts();
          return alerts.find((a: AmAlert) => Date.parse(a.updatedAt) >= badPushed && (variant.engine === "flux"
            ? a.labels.alertname === "FluxKustomizationHealthcheckfailed" && a.labels.reason === "HealthCheckFailed" && a.labels.name === `${variant.name}-dev` && a.labels.service === variant.name
            : a.labels.alertname === "ArgoCDHealthDegraded" && a.labels.application === `${variant.name}-dev` && a.labels.namespace === namespace("dev")));
        }, async () => `${await describeEnvs()}\nalerts in Alertmanager: ${JSON.stringify(await cluster().alertmanager.alerts().catch((e) => String(e)))}`);
        const deadline = (await deployment("dev"))?.status?.conditions?.find((c: any) => c.type === "Progressing" && c.reason === "ProgressDeadlineExceeded");
        expect(deadline, "the Deployment passed its progressDeadlineSeconds").toBeDefined();
        // From the failure to Alertmanager's receipt (its updatedAt). Kubernetes' condition times are whole
        // seconds (rounded down): each figure is up to 1 s more than the true one. Argo CD records no time
        // for a health change, so the common origin is the Deployment's ProgressDeadlineExceeded.
        const alertAt = Date.parse(alert.updatedAt);
        const since = (time: string) => Math.round((alertAt - Date.parse(time)) / 100) / 10;
        f["deadline exceeded to alert in Alertmanager"] = since(deadline.lastTransitionTime);
        if (variant.engine === "flux") {
          const k = await getJson(cluster().cp, ["kustomization.kustomize.toolkit.fluxcd.io", `${variant.name}-dev`, "-n", "flux-system"]);
          const ready = k?.status?.conditions?.find((c: any) => c.type === "Ready");
          expect(ready?.reason, `the Kustomization's health check failed: ${JSON.stringify(ready)}`).toBe("HealthCheckFailed");
          f["health check failed to alert in Alertmanager"] = since(ready.lastTransitionTime);
        }
        f["bad release pushed to alert in Alertmanager"] = Math.round((alertAt - badPushed) / 100) / 10;
        console.log(`gitops: ${variant.title}: ${alert.labels.alertname} in Alertmanager ${JSON.stringify({ labels: alert.labels, annotations: alert.annotations })}`);
        // Recover by reverting the bad commit.
        await git("revert", "--no-edit", badCommit);
        const started = Date.now();
        await git("push", "--quiet", "origin", "main");
        await nudge();
        await converged("dev", image(variant.name, PLACEHOLDER), await git("rev-parse", "HEAD"));
        f["bad release reverted to recovered"] = seconds(started);
      }, 300_000);

      // The Flux Alert's GitRepository source: a fetch that fails (the repository gone from the git host
      // for a moment) is an error event, which the notification-controller posts to Alertmanager.
      it.runIf(variant.engine === "flux")("a GitRepository that cannot fetch is alerted on, and fetches again once the repository is back", async () => {
        const served = path.join(cluster().git.root, `${variant.name}.git`);
        const broken = Date.now();
        await rename(served, `${served}.away`);
        let alert: AmAlert;
        try {
          await nudge();
          alert = await eventually("the fetch failure to reach Alertmanager as an alert", 60_000, async () =>
            (await cluster().alertmanager.alerts()).find((a: AmAlert) => Date.parse(a.updatedAt) >= broken && a.labels.alertname === "FluxGitRepositoryGitoperationfailed" && a.labels.reason === "GitOperationFailed" && a.labels.name === variant.name && a.labels.service === variant.name),
          async () => `${await describeEnvs()}\nalerts in Alertmanager: ${JSON.stringify(await cluster().alertmanager.alerts().catch((e) => String(e)))}`);
        } finally {
          await rename(`${served}.away`, served);
        }
        f["fetch failure to alert in Alertmanager"] = Math.round((Date.parse(alert.updatedAt) - broken) / 100) / 10;
        console.log(`gitops: ${variant.title}: ${alert.labels.alertname} in Alertmanager ${JSON.stringify({ labels: alert.labels, annotations: alert.annotations })}`);
        await nudge();
        await eventually("the GitRepository to fetch again", 60_000, async () => {
          const source = await getJson(cluster().cp, ["gitrepository.source.toolkit.fluxcd.io", variant.name, "-n", "flux-system"]);
          const ready = source?.status?.conditions?.find((c: any) => c.type === "Ready");
          return ready?.status === "True" && Date.parse(ready.lastTransitionTime) >= broken - 1_000 ? true : undefined;
        }, describeEnvs);
      }, 180_000);

      it("drift is undone and a resource removed from git is pruned", async () => {
        // A manual change to a field git manages.
        // (Read from the patch's own answer: Argo CD's selfHeal can undo it before a second read.)
        const patched = await kubectl(["patch", "deployment", variant.name, "-n", namespace("dev"), "--type=merge", "-p", '{"spec":{"revisionHistoryLimit":1}}', "-o", "jsonpath={.spec.revisionHistoryLimit}"]);
        expect(patched.stdout).toBe("1");
        await nudge();
        await eventually("the controller to undo the drift", 60_000, async () => ((await deployment("dev")).spec.revisionHistoryLimit === 5 ? true : undefined), describeEnvs);
        // Remove the NetworkPolicy from git the supported way: regenerate with update.
        expect((await getJson(cluster().cp, ["networkpolicy", "-n", namespace("dev")])).items.length).toBeGreaterThan(0);
        const r = await execa("node", [CLI, "update", "--no-network-policy", "--commit", "--yes"], { cwd: repo, env: { ...GIT_IDENTITY, CI: "true" }, reject: false });
        expect(r.exitCode, `${r.stderr}\n${r.stdout}`).toBe(0);
        await git("push", "--quiet", "origin", "main");
        await nudge();
        const commit = await git("rev-parse", "HEAD");
        for (const env of ENVIRONMENTS) {
          await eventually(`the NetworkPolicy of ${env} to be pruned`, 90_000, async () => {
            const left = (await getJson(cluster().cp, ["networkpolicy", "-n", namespace(env)])).items;
            const state = await controllerState(env);
            return left.length === 0 && state.revision === commit && state.ready ? true : undefined;
          }, describeEnvs);
        }
      }, 300_000);

      it("a repository writer cannot reach past the namespace: a ClusterRoleBinding and a 'privileged' namespace are refused (Flux: forbidden to the environment's account; Argo CD: not permitted in the AppProject, and the failed sync reaches Alertmanager), the service keeps running, a revert recovers (#27 F1, F5; #25)", async () => {
        const running = await imageOf("dev");
        const account = `system:serviceaccount:flux-system:${variant.name}-dev`;
        // What a writer (or a stolen CI token) could commit: cluster-admin for a pod's account, and the
        // namespace relabelled so that privileged pods are admitted.
        const overlay = path.join(repo, "deploy/overlays/dev");
        const escalation = [
          { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace("dev"), labels: { "pod-security.kubernetes.io/enforce": "privileged" } } },
          { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: `${variant.name}-escalate` },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
            subjects: [{ kind: "ServiceAccount", name: variant.name, namespace: namespace("dev") }] },
        ];
        await writeFile(path.join(overlay, "escalate.yaml"), escalation.map((o) => JSON.stringify(o)).join("\n---\n"));
        const kustomization = await readFile(path.join(overlay, "kustomization.yaml"), "utf8");
        const listed = kustomization.replace(/^resources:\n/m, "resources:\n  - escalate.yaml\n");
        expect(listed, "the overlay's kustomization.yaml has a resources: list").not.toBe(kustomization);
        await writeFile(path.join(overlay, "kustomization.yaml"), listed);
        await git("add", "deploy/overlays/dev");
        const pushed = Date.now();
        const attack = await commitAndPush("chore: widen dev");
        if (variant.engine === "flux") {
          const refused = await eventually("the Kustomization to refuse the commit as forbidden", 90_000, async () => {
            const state = await controllerState("dev");
            return state.attempted === attack && !state.ready && /forbidden/i.test(state.detail) ? state : undefined;
          }, describeEnvs);
          // Refused by the API server as the environment's own account, not by anything the test did.
          expect(refused.detail).toContain(account);
          console.log(`gitops: ${variant.title}: escalation refused: ${refused.detail.slice(0, 400)}`);
        } else {
          // The AppProject permits no cluster-scoped kind: the sync fails before anything is applied, and
          // the Application's on-sync-failed subscription brings it to Alertmanager.
          const app = await eventually("the sync of the commit to fail as not permitted in the project", 90_000, async () => {
            const a = await getJson(cluster().cp, ["application.argoproj.io", `${variant.name}-dev`, "-n", "argocd"]);
            const op = a?.status?.operationState;
            return (op?.syncResult?.revision ?? op?.operation?.sync?.revision) === attack && ["Failed", "Error"].includes(op?.phase) ? a : undefined;
          }, describeEnvs);
          // The operation's message is generic ("one or more synchronization tasks are not valid"); each
          // refused object's result names the rule.
          const results = (app.status.operationState.syncResult?.resources ?? []) as { kind: string; status: string; message: string }[];
          for (const kind of ["Namespace", "ClusterRoleBinding"]) {
            const result = results.find((r) => r.kind === kind);
            expect(result?.message, `${kind}: ${JSON.stringify(results)}`).toMatch(/not permitted in project/);
          }
          const message = app.status.operationState.message as string;
          console.log(`gitops: ${variant.title}: escalation refused: ${message} ${JSON.stringify(results.filter((r) => r.status !== "Synced").map((r) => r.message))}`.slice(0, 600));
          const alert = await eventually("the failed sync to reach Alertmanager", 60_000, async () =>
            (await cluster().alertmanager.alerts()).find((a: AmAlert) => Date.parse(a.updatedAt) >= pushed && a.labels.alertname === "ArgoCDSyncFailed" && a.labels.application === `${variant.name}-dev` && a.labels.namespace === namespace("dev")),
          async () => `${await describeEnvs()}\nalerts in Alertmanager: ${JSON.stringify(await cluster().alertmanager.alerts().catch((e) => String(e)))}`);
          expect(alert.annotations.description).toBe(message);
          f["failed sync to alert in Alertmanager"] = Math.round((Date.parse(alert.updatedAt) - Date.parse(app.status.operationState.finishedAt)) / 100) / 10;
        }
        const ns = await getJson(cluster().cp, ["namespace", namespace("dev")]);
        expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        expect(await getJson(cluster().cp, ["clusterrolebinding", `${variant.name}-escalate`])).toBeUndefined();
        // The service still runs what it ran, in every environment.
        for (const env of ENVIRONMENTS) {
          const d = await deployment(env);
          expect(d.status.availableReplicas, env).toBeGreaterThan(0);
        }
        expect(await imageOf("dev")).toBe(running);
        await git("revert", "--no-edit", attack);
        await git("push", "--quiet", "origin", "main");
        await nudge();
        await converged("dev", running, await git("rev-parse", "HEAD"));
      }, 240_000);
    });
  }

  describe("Argo Rollouts canary (Argo CD Applications)", () => {
    const name = "loop-canary";
    const f: Record<string, number> = (figures["Argo Rollouts canary"] = {});
    let repo: string;
    let chain: Chain | undefined;
    /** The scrape labels of the canary's pods, but for their rollouts-pod-template-hash. */
    let podLabels: Record<string, string> = {};
    const git = async (...args: string[]) =>
      (await execa("git", args, { cwd: repo, env: { ...GIT_IDENTITY, ...cluster().git.env } })).stdout.trim();
    const namespace = (env: string) => `${name}-${env}`;
    const application = (env: string) => getJson(cluster().cp, ["application.argoproj.io", `${name}-${env}`, "-n", "argocd"]);
    const nudge = async () => {
      for (const env of ENVIRONMENTS) await cluster().cp.kubectl(["annotate", "--overwrite", "-n", "argocd", "application.argoproj.io", `${name}-${env}`, "argocd.argoproj.io/refresh=normal"]);
    };
    const push = async (message: string) => {
      await git("commit", "--quiet", "-am", message);
      await git("push", "--quiet", "origin", "main");
      await nudge();
      return git("rev-parse", "HEAD");
    };
    /** The Rollout of a canary environment, with the image of its stable ReplicaSet. */
    const rollout = async (env: string) => {
      const r = await getJson(cluster().cp, ["rollout.argoproj.io", name, "-n", namespace(env)]);
      if (!r?.status?.stableRS) return { r, stableImage: undefined as string | undefined, stableReady: 0 };
      const rs = (await getJson(cluster().cp, ["replicasets", "-n", namespace(env), "-l", `rollouts-pod-template-hash=${r.status.stableRS}`])).items[0];
      return { r, stableImage: rs?.spec.template.spec.containers[0].image as string | undefined, stableReady: (rs?.status.readyReplicas ?? 0) as number };
    };
    const describeCanary = async () => {
      const lines: string[] = [];
      for (const env of ENVIRONMENTS) {
        const app = await application(env).catch(() => undefined);
        const { r, stableImage } = await rollout(env).catch(() => ({ r: undefined, stableImage: undefined }));
        lines.push(`${env}: app sync=${app?.status?.sync?.status} health=${app?.status?.health?.status}; rollout phase=${r?.status?.phase} abort=${r?.status?.abort} step=${r?.status?.currentStepIndex} message=${r?.status?.message} stable=${stableImage}`);
      }
      return `${lines.join("\n")}\n${chain?.logTails(5) ?? ""}`;
    };
    /** A canary environment whose Rollout is Healthy with `wanted` stable and the app Synced+Healthy at `commit`. */
    const canaryConverged = (env: string, wanted: string, commit: string, timeoutMs = 120_000) =>
      eventually(`${env}'s Rollout to be Healthy on ${wanted}`, timeoutMs, async () => {
        const { r, stableImage, stableReady } = await rollout(env);
        if (r?.status?.phase !== "Healthy" || stableImage !== wanted || stableReady < 1 || r.status.currentPodHash !== r.status.stableRS) return undefined;
        const app = await application(env);
        return app?.status?.sync?.revision === commit && app.status.sync.status === "Synced" && app.status.health.status === "Healthy" ? r : undefined;
      }, describeCanary);
    const devConverged = (wanted: string, commit: string) =>
      eventually(`dev to run ${wanted}`, 90_000, async () => {
        const d = await getJson(cluster().cp, ["deployment", name, "-n", namespace("dev")]);
        const s = d?.status;
        if (d?.spec.template.spec.containers[0].image !== wanted || !(s.updatedReplicas === s.replicas && s.availableReplicas === s.replicas)) return undefined;
        const app = await application("dev");
        return app?.status?.sync?.revision === commit && app.status.health.status === "Healthy" ? d : undefined;
      }, describeCanary);

    /**
     * Once Rollouts has created the canary's ReplicaSet, Prometheus scrapes the service with that
     * ReplicaSet's rollouts-pod-template-hash, as the ServiceMonitor scrape of the canary's pods would
     * label it (kwok's pods run nothing: the one real process stands for them).
     */
    const scrapeCanary = async (env: string) => {
      const hash = await eventually(`${env}'s canary ReplicaSet`, 60_000, async () => {
        const { r } = await rollout(env);
        return r?.status?.currentPodHash && r.status.currentPodHash !== r.status.stableRS ? (r.status.currentPodHash as string) : undefined;
      }, describeCanary);
      await chain!.relabel({ ...podLabels, namespace: namespace(env), rollouts_pod_template_hash: hash });
      return hash;
    };
    /** Requests to the real service, round robin over `paths`, until stopped; the statuses counted. */
    const traffic = (paths: string[]) => {
      let on = true;
      let failure: unknown;
      const statuses: Record<number, number> = {};
      const done = (async () => {
        for (let i = 0; on; i++) {
          for (const [code, n] of Object.entries(await drive(chain!.appUrl, paths[i % paths.length], 10, 2))) statuses[+code] = (statuses[+code] ?? 0) + n;
          await new Promise((r) => setTimeout(r, 100));
        }
      })().catch((e) => (failure = e)); // reported by stop(), not as an unhandled rejection
      return { statuses, stop: async () => { on = false; await done; if (failure) throw failure; } };
    };
    /** The numbers Prometheus answered for one metric of an environment's AnalysisRuns. */
    const measured = (runs: any[], metric: string) =>
      runs.flatMap((a: any) => a.status?.metricResults ?? []).filter((m: any) => m.name === metric)
        .flatMap((m: any) => m.measurements ?? []).map((x: any) => Number(/-?[\d.]+(e[-+]?\d+)?/i.exec(x.value ?? "")?.[0]));

    beforeAll(async () => {
      await cluster().startArgoCD();
      await cluster().startRollouts();
      // The AnalysisTemplate carries Prometheus's address (--prometheus-url): its port is chosen first.
      const [promPort] = await freePorts(1);
      // The canary's pauses (2 min) and analysis interval (1 min) shortened through a template override,
      // the documented way a platform team tunes them (--templates): the steps, queries, thresholds
      // and failure limits stay the generated ones.
      const overrides = await templateOverrides(path.join(work, "canary-overrides"), [
        ["deploy/components/rollout-canary/rollout.yaml.hbs", [[/duration: 2m/g, "duration: 10s"]]],
        ["deploy/components/rollout-canary/analysistemplate.yaml.hbs", [[/interval: 1m/g, "interval: 5s"]]],
      ]);
      repo = path.join(work, name);
      const url = `${cluster().git.url}/${name}.git`;
      await execa("node", [CLI, repo, "--owner", "acme", "--yes", "--repo-url", url, "--gitops", "argocd", "--progressive", "argo-rollouts",
        "--prometheus-url", `http://127.0.0.1:${promPort}`, "--alertmanager-url", `${cluster().alertmanager.url}/api/v2/alerts`,
        "--templates", overrides], { env: { ...GIT_IDENTITY, CI: "true" } });
      await cluster().git.createRepo(name);
      // The platform's argo-rollouts-notification-configmap, as the generated README documents it, in the
      // controller's namespace (argo-rollouts, where an install puts it), with the Secret the install makes.
      const rolloutsCatalog = path.join(moduleDir("github.com/argoproj/argo-rollouts", VERSIONS.rollouts), "manifests/notifications-install.yaml");
      const rolloutsNotifications = [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "argo-rollouts" } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "argo-rollouts-notification-configmap", namespace: "argo-rollouts" }, data: await notificationsConfigFromReadme(repo, "argo-rollouts-notification-configmap", rolloutsCatalog) },
        { apiVersion: "v1", kind: "Secret", metadata: { name: "argo-rollouts-notification-secret", namespace: "argo-rollouts" }, type: "Opaque" },
      ];
      for (const object of rolloutsNotifications) await kubectl(["apply", "--server-side", "--field-manager=gitops-test", "-f", "-"], JSON.stringify(object));
      await git("remote", "add", "origin", url);
      await git("push", "--quiet", "-u", "origin", "main");
      // The generated service, with a 500 route added (go build -overlay), and Prometheus scraping it.
      const started = Date.now();
      const context = buildContext(JSON.parse(await readFile(path.join(repo, PROVENANCE_FILE), "utf8")).answers as Answers, TOOL);
      const chainWork = path.join(work, "canary-prometheus");
      const bin = await buildServiceWithTestRoutes(repo, context, chainWork);
      podLabels = await serviceMonitorLabels(repo, namespace("staging"), { "rollouts-pod-template-hash": "none-yet" });
      chain = await startChain({ work: chainWork, bin, context, scrapeLabels: podLabels, promPort });
      f["service built, Prometheus up"] = seconds(started);
    }, 300_000);

    afterAll(async () => {
      await chain?.stop();
    });

    let good = "";
    it("bootstrap: dev by rolling update, staging and prod by Rollouts, all Healthy", async () => {
      const commit = await git("rev-parse", "HEAD");
      await kubectl(["apply", "--server-side", "--field-manager=platform", "-f", path.join(repo, "deploy/platform/")]);
      await kubectl(["apply", "-n", "argocd", "-f", path.join(repo, "deploy/argocd/")]);
      await devConverged(image(name, PLACEHOLDER), commit);
      for (const env of ["staging", "prod"]) await canaryConverged(env, image(name, PLACEHOLDER), commit);
      // The Rollout took over the Deployment's pods.
      expect((await getJson(cluster().cp, ["deployment", name, "-n", namespace("staging")])).status.replicas ?? 0).toBe(0);
      good = commit;
      await execa(path.join(repo, "scripts/set-image.sh"), ["dev", good, digestOf(good)], { cwd: repo });
      await devConverged(image(name, good), await push(`chore(release): dev ${good}`));
    }, 300_000);

    it("a release whose analysis succeeds is promoted step by step to 100% by the controller", async () => {
      await execa(path.join(repo, "scripts/promote.sh"), ["staging"], { cwd: repo });
      const started = Date.now();
      const commit = await push(`chore(promote): staging ${good}`);
      await scrapeCanary("staging");
      const healthy = traffic([GOOD_PATH]);
      let r: any;
      try {
        // It goes through the canary steps (not straight to 100%).
        await eventually("the canary to start", 60_000, async () => ((await rollout("staging")).r?.status?.currentStepIndex >= 1 ? true : undefined), describeCanary);
        r = await canaryConverged("staging", image(name, good), commit, 180_000);
      } finally {
        await healthy.stop();
      }
      f["canary promoted"] = seconds(started);
      // The Rollout's stable pods run what promote.sh copied: the tag and the digest CI wrote in dev (#27 F2).
      expect((await rollout("staging")).stableImage).toBe(`${REGISTRY}/${name}:${good}@${digestOf(good)}`);
      expect(r.status.currentStepIndex).toBe(r.spec.strategy.canary.steps.length);
      expect(Object.keys(healthy.statuses), JSON.stringify(healthy.statuses)).toEqual(["200"]);
      // Both analyses ran, and Prometheus answered them from the canary's series: a p95 above zero,
      // which a query selecting nothing (`or vector(0)`) could not give; no 5xx.
      const runs = (await getJson(cluster().cp, ["analysisrun.argoproj.io", "-n", namespace("staging")])).items;
      expect(runs.filter((a: any) => a.status?.phase === "Successful").length).toBeGreaterThanOrEqual(2);
      const p95 = measured(runs, "latency-p95");
      expect(p95.length, JSON.stringify(runs.map((a: any) => a.status))).toBeGreaterThan(0);
      expect(p95.every((v) => v > 0 && v <= 500), `latency-p95 measurements (ms): ${p95}`).toBe(true);
      console.log(`gitops: canary promoted on real data: ${JSON.stringify(healthy.statuses)} responses; latency-p95 ${p95.map((v) => v.toFixed(1)).join(", ")} ms; error-rate ${measured(runs, "error-rate").join(", ")} %`);
      expect(measured(runs, "error-rate").every((v) => v === 0)).toBe(true);
    }, 300_000);

    it("a release whose analysis fails is aborted by the controller: the stable version takes all the traffic again, Argo CD reports it", async () => {
      // A new release reaches dev, then is promoted to staging, where its metrics are bad.
      const bad = await git("rev-parse", "HEAD");
      await execa(path.join(repo, "scripts/set-image.sh"), ["dev", bad, digestOf(bad)], { cwd: repo });
      await devConverged(image(name, bad), await push(`chore(release): dev ${bad}`));
      await execa(path.join(repo, "scripts/promote.sh"), ["staging"], { cwd: repo });
      const started = Date.now();
      const promotion = await push(`chore(promote): staging ${bad}`);
      await scrapeCanary("staging");
      // Half the canary's requests answer 500 (the generated threshold is 1%).
      const badStarted = Date.now();
      const failing = traffic([FAIL_PATH, GOOD_PATH]);
      let aborted: any;
      try {
        aborted = await eventually("the controller to abort the canary", 180_000, async () => {
          const { r, stableImage } = await rollout("staging");
          return r?.status?.abort === true && stableImage === image(name, good) ? r : undefined;
        }, describeCanary);
        f["bad traffic to aborted"] = seconds(badStarted);
      } finally {
        await failing.stop();
      }
      f["bad canary to aborted"] = seconds(started);
      expect(failing.statuses[500], JSON.stringify(failing.statuses)).toBeGreaterThan(0);
      expect(aborted.status.phase).toBe("Degraded");
      const runs = (await getJson(cluster().cp, ["analysisrun.argoproj.io", "-n", namespace("staging")])).items;
      const failed = runs.filter((a: any) => a.status?.phase === "Failed" && a.status.metricResults.some((m: any) => m.name === "error-rate" && m.phase === "Failed"));
      expect(failed.length, JSON.stringify(runs.map((a: any) => a.status))).toBeGreaterThan(0);
      // The real error share, as Prometheus measured it over the canary's series: near 50%.
      const errors = measured(failed, "error-rate");
      expect(Math.max(...errors), `error-rate measurements (%): ${errors}`).toBeGreaterThan(1);
      console.log(`gitops: canary aborted on real data: ${JSON.stringify(failing.statuses)} responses; error-rate ${errors.map((v) => v.toFixed(1)).join(", ")} % (threshold 1%); ${f["bad traffic to aborted"]}s from the first 500 to the abort`);
      // All pods are the stable version's again, Ready.
      await eventually("the canary's pods to be gone", 60_000, async () => {
        const pods = (await getJson(cluster().cp, ["pods", "-n", namespace("staging"), "-l", `app.kubernetes.io/name=${name}`])).items;
        const live = pods.filter((p: any) => !p.metadata.deletionTimestamp);
        return live.length > 0 && live.every((p: any) => p.spec.containers[0].image === image(name, good) && p.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True")) ? true : undefined;
      }, describeCanary);
      await eventually("Argo CD to report the Application Degraded", 60_000, async () => ((await application("staging"))?.status?.health?.status === "Degraded" ? true : undefined), describeCanary);
      // The Rollout's on-rollout-aborted subscription: the Rollouts controller posts the abort to Alertmanager.
      const abortAlert = await eventually("the abort to reach Alertmanager as an alert", 60_000, async () =>
        (await cluster().alertmanager.alerts()).find((a: AmAlert) => Date.parse(a.updatedAt) >= started && a.labels.alertname === "ArgoRolloutAborted" && a.labels.rollout === name && a.labels.namespace === namespace("staging")),
      async () => `${await describeCanary()}\nalerts in Alertmanager: ${JSON.stringify(await cluster().alertmanager.alerts().catch((e) => String(e)))}`);
      f["aborted to alert in Alertmanager"] = Math.round((Date.parse(abortAlert.updatedAt) - Date.parse(aborted.status.conditions?.find((c: any) => c.type === "Progressing")?.lastUpdateTime ?? abortAlert.updatedAt)) / 100) / 10;
      console.log(`gitops: canary: ${abortAlert.labels.alertname} in Alertmanager ${JSON.stringify({ labels: abortAlert.labels, annotations: abortAlert.annotations })}`);
      // The generated README's way out: revert the promotion in git.
      await git("revert", "--no-edit", promotion);
      await git("push", "--quiet", "origin", "main");
      await nudge();
      await canaryConverged("staging", image(name, good), await git("rev-parse", "HEAD"));
    }, 300_000);
  });
  // Flagger (issue #26): the Flux user's automatic rollback, by the real controller. Blue/Green with the
  // kubernetes provider: the canary gets only the load test's traffic (here the test's own requests to
  // the real service, which stands for the canary's pods in Prometheus; Flagger's load-test webhook
  // calls the test's loopback receiver, which records each call).
  describe("Flagger canary (Flux)", () => {
    const name = "loop-flagger";
    const f: Record<string, number> = (figures["Flagger canary"] = {});
    let repo: string;
    let chain: Chain | undefined;
    let flaggerMetrics = "";
    const hookCalls: any[] = [];
    let hookServer: ReturnType<typeof createServer> | undefined;
    const git = async (...args: string[]) =>
      (await execa("git", args, { cwd: repo, env: { ...GIT_IDENTITY, ...cluster().git.env } })).stdout.trim();
    const namespace = (env: string) => `${name}-${env}`;
    const kustomization = (env: string) => getJson(cluster().cp, ["kustomization.kustomize.toolkit.fluxcd.io", `${name}-${env}`, "-n", "flux-system"]);
    const canary = (env: string) => getJson(cluster().cp, ["canary.flagger.app", name, "-n", namespace(env)]);
    const deploymentOf = (env: string, deployment: string) => getJson(cluster().cp, ["deployment", deployment, "-n", namespace(env)]);
    const nudge = async () => {
      const now = new Date().toISOString();
      await kubectl(["annotate", "--overwrite", "-n", "flux-system", "gitrepository.source.toolkit.fluxcd.io", name, `reconcile.fluxcd.io/requestedAt=${now}`]);
      for (const env of ENVIRONMENTS) await kubectl(["annotate", "--overwrite", "-n", "flux-system", "kustomization.kustomize.toolkit.fluxcd.io", `${name}-${env}`, `reconcile.fluxcd.io/requestedAt=${now}`]);
    };
    const push = async (message: string) => {
      await git("commit", "--quiet", "-am", message);
      await git("push", "--quiet", "origin", "main");
      await nudge();
      return git("rev-parse", "HEAD");
    };
    const fluxState = async (env: string) => {
      const k = await kustomization(env);
      const ready = k?.status?.conditions?.find((c: any) => c.type === "Ready");
      return { revision: /sha1:([0-9a-f]{40})/.exec(k?.status?.lastAppliedRevision ?? "")?.[1], ready: ready?.status === "True", message: `${ready?.reason}: ${ready?.message}` };
    };
    const describeCanary = async () => {
      const lines: string[] = [];
      for (const env of ENVIRONMENTS) {
        const flux = await fluxState(env).catch((e) => ({ message: String(e) }));
        const c = await canary(env).catch(() => undefined);
        const primary = await deploymentOf(env, `${name}-primary`).catch(() => undefined);
        lines.push(`${env}: flux ${flux.message}; canary phase=${c?.status?.phase} failedChecks=${c?.status?.failedChecks} iterations=${c?.status?.iterations} lastAppliedSpec=${c?.status?.lastAppliedSpec} lastPromotedSpec=${c?.status?.lastPromotedSpec}; primary=${primary?.spec.template.spec.containers[0].image} ready=${primary?.status?.readyReplicas}`);
      }
      const events = await cluster().cp.kubectl(["get", "events", "-n", namespace("staging"), "--field-selector", "involvedObject.kind=Canary", "-o", "custom-columns=AT:.lastTimestamp,MSG:.message", "--sort-by=.lastTimestamp"]);
      return `${lines.join("\n")}\n--- canary events (staging) ---\n${events.stdout.split("\n").slice(-12).join("\n")}\n--- flagger log ---\n${tail(path.join(cluster().cp.dir, "flagger.log"), 15)}\n${chain?.logTails(5) ?? ""}`;
    };
    /** A Canary with `wanted` promoted to its primary (ready), in `phases`, and Flux at `commit` with the given readiness. */
    const canaryAt = (env: string, wanted: string, phases: string[], commit: string, fluxReady: boolean, timeoutMs = 180_000) =>
      eventually(`${env}'s canary ${phases.join("/")} with ${wanted} on the primary, Flux ${fluxReady ? "Ready" : "not Ready"} at ${commit.slice(0, 7)}`, timeoutMs, async () => {
        const c = await canary(env);
        if (!phases.includes(c?.status?.phase)) return undefined;
        const primary = await deploymentOf(env, `${name}-primary`);
        if (primary?.spec.template.spec.containers[0].image !== wanted || !(primary.status.readyReplicas >= 1)) return undefined;
        const flux = await fluxState(env);
        return flux.revision === commit && flux.ready === fluxReady ? c : undefined;
      }, describeCanary);
    const devConverged = (wanted: string, commit: string) =>
      eventually(`dev to run ${wanted}`, 90_000, async () => {
        const d = await deploymentOf("dev", name);
        const s = d?.status;
        if (d?.spec.template.spec.containers[0].image !== wanted || !(s.updatedReplicas === s.replicas && s.availableReplicas === s.replicas)) return undefined;
        const flux = await fluxState("dev");
        return flux.revision === commit && flux.ready ? d : undefined;
      }, describeCanary);
    /** Requests to the real service, round robin over `paths`, until stopped; the statuses counted. */
    const traffic = (paths: string[]) => {
      let on = true;
      let failure: unknown;
      const statuses: Record<number, number> = {};
      const done = (async () => {
        for (let i = 0; on; i++) {
          for (const [code, n] of Object.entries(await drive(chain!.appUrl, paths[i % paths.length], 10, 2))) statuses[+code] = (statuses[+code] ?? 0) + n;
          await new Promise((r) => setTimeout(r, 100));
        }
      })().catch((e) => (failure = e));
      return { statuses, stop: async () => { on = false; await done; if (failure) throw failure; } };
    };
    /** What Flagger last measured for a metric of the staging canary (its own flagger_canary_metric_analysis gauge). */
    const measuredByFlagger = async (metric: string): Promise<number | undefined> => {
      const text = await (await fetch(flaggerMetrics, { signal: AbortSignal.timeout(5_000) })).text();
      const line = text.split("\n").find((l) => l.startsWith("flagger_canary_metric_analysis{") && l.includes(`metric="${metric}"`) && l.includes(`namespace="${namespace("staging")}"`));
      return line ? Number(line.split(" ").pop()) : undefined;
    };

    beforeAll(async () => {
      await cluster().startFlux();
      const [promPort] = await freePorts(1);
      // The load tester's address is the test's receiver; the analysis interval 5 s instead of 1 min and
      // the queries' window 20 s instead of 2 min, through template overrides (--templates, the documented
      // way a platform team tunes them): thresholds, iterations, failed-check threshold and queries stay generated.
      hookServer = createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
          hookCalls.push({ at: Date.now(), ...JSON.parse(body || "{}") });
          res.end("ok");
        });
      });
      await new Promise<void>((resolve) => hookServer!.listen(0, "127.0.0.1", resolve));
      const hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/`;
      const overrides = await templateOverrides(path.join(work, "flagger-overrides"), [
        ["deploy/components/flagger-canary/canary.yaml.hbs", [[/interval: 1m/g, "interval: 5s"], [/interval: 2m/g, "interval: 20s"]]],
        ["deploy/overlays/[environment]/kustomization.yaml.hbs", [[/http:\/\/flagger-loadtester\.flagger-system\//g, hookUrl]]],
      ]);
      repo = path.join(work, name);
      const url = `${cluster().git.url}/${name}.git`;
      await execa("node", [CLI, repo, "--owner", "acme", "--yes", "--repo-url", url, "--gitops", "flux", "--progressive", "flagger",
        "--prometheus-url", `http://127.0.0.1:${promPort}`, "--alertmanager-url", `${cluster().alertmanager.url}/api/v2/alerts`,
        "--templates", overrides], { env: { ...GIT_IDENTITY, CI: "true" } });
      await cluster().git.createRepo(name);
      await git("remote", "add", "origin", url);
      await git("push", "--quiet", "-u", "origin", "main");
      // The generated service, with a 500 route added, and Prometheus scraping it with the labels the
      // generated PodMonitor gives a canary pod: job from its relabeling, app_kubernetes_io_name from
      // podTargetLabels (the primary's pods would say <name>-primary).
      const started = Date.now();
      const context = buildContext(JSON.parse(await readFile(path.join(repo, PROVENANCE_FILE), "utf8")).answers as Answers, TOOL);
      const chainWork = path.join(work, "flagger-prometheus");
      const bin = await buildServiceWithTestRoutes(repo, context, chainWork);
      const podMonitor = parseYaml(await readFile(path.join(repo, "deploy/components/flagger-canary/podmonitor.yaml"), "utf8"));
      const job = podMonitor.spec.podMetricsEndpoints[0].relabelings.find((r: any) => r.targetLabel === "job").replacement;
      const podLabels = {
        job,
        namespace: namespace("staging"),
        pod: `${name}-5d8f7c9b64-x7k2p`,
        container: context.name,
        endpoint: podMonitor.spec.podMetricsEndpoints[0].port,
        [podMonitor.spec.podTargetLabels[0].replace(/[^a-zA-Z0-9_]/g, "_")]: name,
      };
      chain = await startChain({ work: chainWork, bin, context, scrapeLabels: podLabels, promPort });
      ({ metricsUrl: flaggerMetrics } = await cluster().startFlagger(chain.promUrl));
      f["service built, Prometheus and Flagger up"] = seconds(started);
    }, 300_000);

    afterAll(async () => {
      await chain?.stop();
      await new Promise((r) => (hookServer ? hookServer.close(r) : r(undefined)));
    });

    let good = "";
    it("bootstrap: Flagger takes over staging and prod (primary serving, the Deployment at zero, its own Services), Flux Ready", async () => {
      const commit = await git("rev-parse", "HEAD");
      // The README's bootstrap commands: the platform's part (namespaces, and Flux's accounts) first.
      await kubectl(["apply", "--server-side", "--field-manager=platform", "-f", path.join(repo, "deploy/platform/")]);
      await kubectl(["apply", "-f", path.join(repo, "deploy/flux/")]);
      await devConverged(image(name, PLACEHOLDER), commit);
      for (const env of ["staging", "prod"]) await canaryAt(env, image(name, PLACEHOLDER), ["Initialized"], commit, true);
      for (const env of ["staging", "prod"]) {
        await eventually(`${env}'s Deployment ${name} scaled to zero by Flagger`, 60_000, async () => ((await deploymentOf(env, name))?.status?.replicas ?? 0) === 0 ? true : undefined, describeCanary);
        const svc = await getJson(cluster().cp, ["service", name, "-n", namespace(env)]);
        expect(svc.spec.selector).toEqual({ "app.kubernetes.io/name": `${name}-primary` });
        expect(svc.metadata.ownerReferences?.[0]?.kind).toBe("Canary");
      }
      good = commit;
      await execa(path.join(repo, "scripts/set-image.sh"), ["dev", good, digestOf(good)], { cwd: repo });
      await devConverged(image(name, good), await push(`chore(release): dev ${good}`));
    }, 300_000);

    it("a good release is analysed on real metrics and promoted to the primary by Flagger", async () => {
      await execa(path.join(repo, "scripts/promote.sh"), ["staging"], { cwd: repo });
      const healthy = traffic([GOOD_PATH]);
      const started = Date.now();
      const calls = hookCalls.length;
      let c: any;
      try {
        const commit = await push(`chore(promote): staging ${good}`);
        // It goes through the analysis (not straight to the primary).
        await eventually("the analysis to start", 90_000, async () => ((await canary("staging"))?.status?.phase === "Progressing" ? true : undefined), describeCanary);
        c = await canaryAt("staging", image(name, good), ["Succeeded"], commit, true);
      } finally {
        await healthy.stop();
      }
      f["good release to promoted"] = seconds(started);
      // Flagger's primary runs what promote.sh copied: the tag and the digest CI wrote in dev (#27 F2).
      expect((await deploymentOf("staging", `${name}-primary`)).spec.template.spec.containers[0].image).toBe(`${REGISTRY}/${name}:${good}@${digestOf(good)}`);
      expect(Object.keys(healthy.statuses), JSON.stringify(healthy.statuses)).toEqual(["200"]);
      expect(c.status.failedChecks).toBe(0);
      // Flagger called the load test with the generated command, before the first check and at each.
      const hooks = hookCalls.slice(calls).filter((h) => h.namespace === namespace("staging"));
      expect(hooks.map((h) => h.metadata?.cmd)).toContain(`hey -z 1m -q 5 -c 2 http://${name}-canary.${namespace("staging")}/v1/hello/canary`);
      expect(new Set(hooks.map((h) => h.phase))).toContain("Progressing");
      // Flagger measured real data: a p95 above zero and no 5xx.
      const p95 = await measuredByFlagger("latency-p95");
      const errors = await measuredByFlagger("error-rate");
      console.log(`gitops: flagger promoted on real data: ${JSON.stringify(healthy.statuses)} responses; last latency-p95 ${p95} ms, error-rate ${errors} %; ${hooks.length} load-test calls; ${f["good release to promoted"]}s`);
      expect(p95!).toBeGreaterThan(0);
      expect(p95!).toBeLessThanOrEqual(500);
      expect(errors).toBe(0);
    }, 300_000);

    it("a bad release (5xx above the threshold) is rolled back by Flagger: the primary keeps serving, Flux reports it, a revert is clean", async () => {
      const bad = await git("rev-parse", "HEAD");
      await execa(path.join(repo, "scripts/set-image.sh"), ["dev", bad, digestOf(bad)], { cwd: repo });
      await devConverged(image(name, bad), await push(`chore(release): dev ${bad}`));
      await execa(path.join(repo, "scripts/promote.sh"), ["staging"], { cwd: repo });
      // Half the canary's requests answer 500 (the generated threshold is 1%).
      const failing = traffic([FAIL_PATH, GOOD_PATH]);
      const started = Date.now();
      let promotion = "";
      try {
        promotion = await push(`chore(promote): staging ${bad}`);
        await eventually("Flagger to roll the canary back", 180_000, async () => ((await canary("staging"))?.status?.phase === "Failed" ? true : undefined), describeCanary);
        f["bad release to rolled back"] = seconds(started);
      } finally {
        await failing.stop();
      }
      expect(failing.statuses[500], JSON.stringify(failing.statuses)).toBeGreaterThan(0);
      const errors = await measuredByFlagger("error-rate");
      console.log(`gitops: flagger rolled back on real data: ${JSON.stringify(failing.statuses)} responses; last error-rate ${errors} % (threshold 1%); ${f["bad release to rolled back"]}s`);
      expect(errors!).toBeGreaterThan(1);
      // The primary never moved: the good version, ready; the canary is at zero again.
      const primary = await deploymentOf("staging", `${name}-primary`);
      expect(primary.spec.template.spec.containers[0].image).toBe(image(name, good));
      expect(primary.status.readyReplicas).toBeGreaterThanOrEqual(1);
      await eventually("the canary scaled to zero", 60_000, async () => (((await deploymentOf("staging", name))?.status?.replicas ?? 0) === 0 ? true : undefined), describeCanary);
      // Flux reports it: the Kustomization is not Ready, naming the Canary.
      await nudge();
      const reported = await eventually("Flux to report the failed Canary", 120_000, async () => {
        const s = await fluxState("staging");
        return !s.ready && /Canary/.test(s.message) ? s : undefined;
      }, describeCanary);
      console.log(`gitops: flux reports ${reported.message}`);
      // The README's way out: revert the promotion. Git asks again for what the primary runs: Flagger
      // starts no analysis for a return to the promoted spec (its phase stays Failed, with that spec
      // recorded as applied), and Flux is Ready at the revert, the primary untouched throughout. Flux may
      // check the Canary before Flagger has recorded the reverted spec (then it still reads as failed):
      // it checks again at the generated retryInterval (2 min), which the test waits for, nudging once.
      await git("revert", "--no-edit", promotion);
      const reverted = Date.now();
      await git("push", "--quiet", "origin", "main");
      await nudge();
      const after = await canaryAt("staging", image(name, good), ["Failed", "Succeeded", "Initialized"], await git("rev-parse", "HEAD"), true, 200_000);
      f["revert to Flux Ready"] = seconds(reverted);
      expect(after.status.lastAppliedSpec).toBe(after.status.lastPromotedSpec);
      expect(((await deploymentOf("staging", name))?.status?.replicas ?? 0), "no new canary for the reverted spec").toBe(0);
    }, 420_000);
  });
});
