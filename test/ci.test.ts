// The generated CI (issue #4): GitHub workflows, Dependabot, GitLab CI and the tag scripts they share.
// Real tools where they exist (actionlint with shellcheck, GitHub's own workflow parser, git, make,
// kubectl kustomize); assertions on the parsed YAML for what the tools cannot know (pins, tags,
// permissions, which environment gets written).
import { describe, expect, it, beforeAll } from "vitest";
import { existsSync } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { parse, parseAllDocuments } from "yaml";
import JSON5 from "json5";
import { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } from "@actions/workflow-parser";
import { renderToDir, tool, inCI, needTool, onPath } from "./helpers/render.js";
import type { Context } from "../src/render/context.js";
import type { Answers } from "../src/answers/types.js";
import { actions } from "../src/render/versions.js";
import { tempDir } from "./helpers/temp.js";

type Yaml = Record<string, any>;
type Rendered = { dir: string; context: Context; files: string[] };

const SHA = "0123456789abcdef0123456789abcdef01234567";
const SHA2 = "89abcdef0123456789abcdef0123456789abcdef";
/** Digests as a registry prints them (#27 F2): CI writes the one it pushed beside the tag. */
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const DIGEST2 = `sha256:${"fedcba9876543210".repeat(4)}`;
const EVIL = '"; echo pwned; ${{ github.token }} $(id) `x`';
const PINNED_USES = /^[^@\s]+@[0-9a-f]{40}$/;
const GIT = ["-c", "user.name=ci-test", "-c", "user.email=ci-test@example.com", "-c", "commit.gpgsign=false"];


const read = (r: Rendered, file: string) => readFile(path.join(r.dir, file), "utf8");
const workflowsOf = (r: Rendered) => r.files.filter((f) => f.startsWith(".github/workflows/")).sort();

function jobsOf(workflow: Yaml): [string, Yaml][] {
  return Object.entries(workflow.jobs as Record<string, Yaml>);
}
function stepsOf(workflow: Yaml): Yaml[] {
  return jobsOf(workflow).flatMap(([, job]) => (job.steps ?? []) as Yaml[]);
}
function stepUsing(steps: Yaml[], repo: string): Yaml[] {
  return steps.filter((s) => typeof s.uses === "string" && s.uses.startsWith(`${repo}@`));
}
function lines(value: unknown): string[] {
  return String(value ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

async function kustomize(dir: string, overlay: string): Promise<string> {
  const { stdout } = await execa("kubectl", ["kustomize", `deploy/overlays/${overlay}`], { cwd: dir });
  return stdout;
}
/** The image of the app container in a rendered overlay: the Deployment's (a Rollout's when canary is on). */
function workloadImages(rendered: string): string[] {
  const docs = parseAllDocuments(rendered).map((d) => d.toJS() as Yaml);
  const workloads = docs.filter((d) => d?.kind === "Deployment" || d?.kind === "Rollout");
  return workloads.flatMap((w) => (w.spec.template.spec.containers as Yaml[]).map((c) => c.image as string));
}

async function gitInitCommit(dir: string): Promise<void> {
  await execa("git", ["init", "-q", "-b", "main"], { cwd: dir });
  await execa("git", ["add", "-A"], { cwd: dir });
  await execa("git", [...GIT, "commit", "-q", "-m", "initial"], { cwd: dir });
}
async function gitStatus(dir: string): Promise<string[]> {
  const { stdout } = await execa("git", ["status", "--porcelain"], { cwd: dir });
  return stdout.split("\n").filter(Boolean);
}

const githubFixtures: [string, Partial<Answers>][] = [
  ["github, dev/staging/prod, argocd", { ci: "github" }],
  ["github, dev only", { ci: "github", environments: ["dev"] }],
  ["github, flux", { ci: "github", gitops: "flux" }],
];

describe.each(githubFixtures)("GitHub Actions: %s", (_label, overrides) => {
  let r: Rendered;
  let workflows: Record<string, { raw: string; parsed: Yaml }>;

  beforeAll(async () => {
    r = await renderToDir(overrides);
    workflows = {};
    for (const file of workflowsOf(r)) {
      const raw = await read(r, file);
      workflows[path.basename(file)] = { raw, parsed: parse(raw, { strict: true, uniqueKeys: true }) as Yaml };
    }
  });

  it("writes ci, release, promote (only with somewhere to promote to) and Dependabot, and no GitLab CI", () => {
    const expected = ["ci.yaml", "release.yaml", ...(r.context.environments.length > 1 ? ["promote.yaml"] : []), ...(r.context.templateUpdate.enabled ? ["template-update.yaml"] : [])];
    expect(Object.keys(workflows).sort()).toEqual(expected.sort());
    expect(r.files).toContain(".github/dependabot.yml");
    expect(r.files).not.toContain(".gitlab-ci.yml");
    expect(r.files).toContain("scripts/set-image.sh");
    expect(r.files.includes("scripts/promote.sh")).toBe(r.context.environments.length > 1);
  });

  it("actionlint (with shellcheck on every run: script) reports nothing", async () => {
    if (!needTool("actionlint", existsSync(tool("actionlint")))) return;
    if (!(await onPath("shellcheck"))) {
      if (inCI) throw new Error("shellcheck is required in CI: actionlint lints run: scripts with it");
      console.warn("shellcheck not installed: actionlint runs without checking run: scripts");
    }
    const result = await execa(tool("actionlint"), ["-no-color", "-oneline", ...workflowsOf(r)], { cwd: r.dir, reject: false });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  });

  it("GitHub's workflow parser accepts every workflow", async () => {
    for (const [name, { raw }] of Object.entries(workflows)) {
      const parsed = parseWorkflow({ name, content: raw }, new NoOperationTraceWriter());
      expect(parsed.context.errors.getErrors().map((e) => e.message), name).toEqual([]);
      expect(parsed.value, name).toBeDefined();
      const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
      expect((template.errors ?? []).map((e) => e.Message), name).toEqual([]);
    }
  });

  it("pins every action to a full commit SHA with its version in a comment", () => {
    const known = new Set(Object.values(actions).map((a) => `${a.repo}@${a.sha}`));
    for (const [name, { raw, parsed }] of Object.entries(workflows)) {
      for (const step of stepsOf(parsed).filter((s) => s.uses)) {
        expect(step.uses, name).toMatch(PINNED_USES);
        expect(known, `${name}: ${step.uses} is not a pin from src/versions.ts`).toContain(step.uses);
      }
      for (const line of raw.split("\n").filter((l) => /^\s*(- )?uses:/.test(l))) {
        const pin = Object.values(actions).find((a) => line.includes(`${a.repo}@${a.sha}`));
        expect(line, name).toMatch(/uses: [^@\s]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
        expect(line.endsWith(`# ${pin?.tag}`), `${name}: ${line}`).toBe(true);
      }
    }
  });

  // The write-back and promotion write with a GitHub App's token, never the workflow's (#27 F3/F4).
  it("grants nothing at the top level and write scopes only to the release build job", () => {
    const writers: Record<string, Record<string, string>> = {
      "release.yaml/build": { contents: "read", packages: "write", "id-token": "write" },
    };
    for (const [name, { parsed }] of Object.entries(workflows)) {
      expect(parsed.permissions, name).toEqual({});
      for (const [id, job] of jobsOf(parsed)) {
        const key = `${name}/${id}`;
        expect(job.permissions, `${key} declares its permissions`).toBeTypeOf("object");
        if (writers[key]) expect(job.permissions, key).toEqual(writers[key]);
        else expect(Object.values(job.permissions).every((v) => v === "read"), `${key} is read-only`).toBe(true);
      }
    }
  });

  it("keeps checkout credentials in no job (the push hands the App's token to git through a helper)", () => {
    for (const [name, { parsed }] of Object.entries(workflows)) {
      for (const [id, job] of jobsOf(parsed)) {
        for (const step of stepUsing(job.steps, actions.checkout.repo)) {
          expect(step.with?.["persist-credentials"], `${name}/${id}`).toBe(false);
        }
      }
    }
  });

  it("passes nothing into run: scripts through ${{ }} (values go through env:)", () => {
    for (const [name, { parsed }] of Object.entries(workflows)) {
      for (const step of stepsOf(parsed).filter((s) => s.run)) expect(step.run, `${name}: ${step.name}`).not.toContain("${{");
    }
  });

  it("takes Go from go.mod in every job, and go.mod matches the pinned toolchain", async () => {
    const setups = Object.values(workflows).flatMap(({ parsed }) => stepUsing(stepsOf(parsed), actions.setupGo.repo));
    expect(setups.length).toBeGreaterThan(0);
    for (const step of setups) expect(step.with).toEqual({ "go-version-file": "go.mod" });
    if (!r.files.includes("go.mod")) return console.warn("skipped: go.mod is not generated yet");
    const goMod = await read(r, "go.mod");
    expect(goMod).toMatch(new RegExp(`^go ${r.context.versions.go.minor.replace(".", "\\.")}(\\.\\d+)?$`, "m"));
    // setup-go prefers the toolchain line: without one CI would run the directive's .0 release.
    const toolchain = /^toolchain go(\S+)$/m.exec(goMod)?.[1];
    if (toolchain) expect(toolchain).toBe(r.context.versions.go.version);
    else console.warn(`go.mod has no toolchain line: setup-go will install Go ${r.context.versions.go.directive}, not ${r.context.versions.go.version}`);
  });

  it("ci: gofmt, vet, race tests, pinned golangci-lint and govulncheck, every overlay rendered and kube-linted", () => {
    const ci = workflows["ci.yaml"]!.parsed;
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push"]);
    expect(ci.on.push.branches).toEqual(["main"]);
    const runs = stepsOf(ci).map((s) => String(s.run ?? "")).join("\n");
    expect(runs).toContain("gofmt -l");
    expect(runs).toContain("go vet ./...");
    expect(runs).toMatch(/go test -race .*\.\/\.\.\./);
    expect(runs).toContain(`go run golang.org/x/vuln/cmd/govulncheck@${r.context.versions.tools.govulncheck} ./...`);
    expect(runs).toContain(`go install sigs.k8s.io/kustomize/kustomize/v5@${r.context.versions.tools.kustomize}`);
    expect(runs).toContain(`go install golang.stackrox.io/kube-linter/cmd/kube-linter@${r.context.versions.tools.kubeLinter}`);
    expect(runs).toContain("for overlay in deploy/overlays/*/");
    expect(runs).toContain("kube-linter lint --config .kube-linter.yaml");
    expect(r.files).toContain(".kube-linter.yaml");
    // The SLO alerts: promtool at the pinned version runs the repository's own script.
    expect(runs).toContain(`go install -tags remove_all_sd github.com/prometheus/prometheus/cmd/promtool@${r.context.versions.tools.promtool}`);
    expect(runs).toContain("scripts/test-alerts.sh");
    const [lint] = stepUsing(stepsOf(ci), actions.golangciLint.repo);
    expect(lint?.with?.version).toBe(r.context.versions.tools.golangciLint);
    expect(stepUsing(stepsOf(ci), "golang/govulncheck-action")).toEqual([]);
    // A pull request builds the image but never pushes it.
    for (const step of stepUsing(stepsOf(ci), actions.buildPush.repo)) expect(step.with.push).toBe(false);
  });

  it("release: pushes context.image tagged with the full commit SHA, never latest, with provenance and SBOM", () => {
    const release = workflows["release.yaml"]!.parsed;
    expect(release.on).toEqual({ push: { branches: ["main"], "paths-ignore": ["deploy/**"] } });
    expect(release.concurrency).toEqual({ group: "release-${{ github.ref }}", "cancel-in-progress": false });
    expect(release.env.IMAGE).toBe(r.context.image);
    const build = release.jobs.build as Yaml;
    const [meta] = stepUsing(build.steps, actions.metadata.repo);
    expect(meta?.with.images).toBe("${{ env.IMAGE }}");
    const tags = lines(meta?.with.tags);
    expect(tags[0]).toBe("type=sha,format=long,prefix=");
    expect(tags.every((t) => t.startsWith("type=sha"))).toBe(true);
    expect(lines(meta?.with.flavor)).toContain("latest=false");
    const [push] = stepUsing(build.steps, actions.buildPush.repo);
    expect(push?.with).toMatchObject({
      push: true,
      tags: `\${{ steps.${meta!.id}.outputs.tags }}`,
      provenance: "mode=max",
      sbom: true,
    });
    expect(lines(push?.with["build-args"])).toEqual(["VERSION=${{ github.sha }}", "COMMIT=${{ github.sha }}"]);
    for (const { raw } of Object.values(workflows)) {
      expect(raw).not.toMatch(/:latest\b|type=raw,value=latest|latest=(true|auto)/);
    }
  });

  it("release: signs by digest, keyless, with the pinned cosign", () => {
    const build = workflows["release.yaml"]!.parsed.jobs.build as Yaml;
    const [installer] = stepUsing(build.steps, actions.cosignInstaller.repo);
    expect(installer?.with["cosign-release"]).toBe(r.context.versions.tools.cosign);
    const [push] = stepUsing(build.steps, actions.buildPush.repo);
    const sign = (build.steps as Yaml[]).find((s) => String(s.run ?? "").includes("cosign sign"));
    expect(sign?.run.trim()).toBe('cosign sign --yes "$IMAGE@$DIGEST"');
    expect(sign?.env.DIGEST).toBe(`\${{ steps.${push!.id}.outputs.digest }}`);
    expect(build.permissions["id-token"]).toBe("write");
  });

  it("release: the deploy job writes the SHA into the first environment only, with the shared script", () => {
    const deploy = workflows["release.yaml"]!.parsed.jobs.deploy as Yaml;
    expect(deploy.needs).toBe("build");
    expect(deploy.env).toEqual({ ENVIRONMENT: r.context.firstEnvironment.name, TAG: "${{ github.sha }}", DIGEST: "${{ needs.build.outputs.digest }}", BRANCH: "${{ github.ref_name }}" });
    const build = workflows["release.yaml"]!.parsed.jobs.build as Yaml;
    const [push] = stepUsing(build.steps, actions.buildPush.repo);
    expect(build.outputs.digest).toBe(`\${{ steps.${push!.id}.outputs.digest }}`);
    const runs = (deploy.steps as Yaml[]).map((s) => String(s.run ?? "")).join("\n");
    expect(runs).toContain('./scripts/set-image.sh "$ENVIRONMENT" "$TAG" "$DIGEST"');
    expect(runs).toContain('git -c credential.helper= -c credential.helper="$helper" push origin "HEAD:$BRANCH"');
    expect(runs).not.toMatch(/--force|-f /);
  });

  it("promote: a choice of every environment but the first, copied with the shared script into a pull request", () => {
    const promote = workflows["promote.yaml"]?.parsed;
    if (r.context.environments.length === 1) return expect(promote).toBeUndefined();
    const input = promote!.on.workflow_dispatch.inputs.to;
    expect(input.type).toBe("choice");
    expect(input.options).toEqual(r.context.environments.filter((e) => !e.isFirst).map((e) => e.name));
    const steps = promote!.jobs.promote.steps as Yaml[];
    expect(steps.map((s) => String(s.run ?? "")).join("\n")).toContain('./scripts/promote.sh "$TO"');
    const [pr] = stepUsing(steps, actions.createPullRequest.repo);
    expect(pr?.with["add-paths"]).toBe("deploy/overlays/${{ inputs.to }}/kustomization.yaml");
  });

  it("dependabot: gomod, docker, github-actions and (template updates) npm, weekly and grouped", async () => {
    const config = parse(await read(r, ".github/dependabot.yml")) as Yaml;
    expect(config.version).toBe(2);
    const updates = config.updates as Yaml[];
    expect(updates.map((u) => u["package-ecosystem"]).sort()).toEqual(["docker", "github-actions", "gomod", ...(r.context.templateUpdate.enabled ? ["npm"] : [])]);
    for (const u of updates) {
      expect(u.schedule.interval).toBe("weekly");
      expect(Object.keys(u.groups ?? {}).length).toBeGreaterThan(0);
    }
  });
});

describe("GitLab CI", () => {
  let r: Rendered;
  let ci: Yaml;
  let raw: string;
  const jobs = () => Object.entries(ci).filter(([k, v]) => !k.startsWith(".") && v && typeof v === "object" && "script" in v) as [string, Yaml][];
  const scriptOf = (job: Yaml) => [...(job.before_script ?? []), ...(job.script ?? [])].join("\n");

  beforeAll(async () => {
    r = await renderToDir({ ci: "gitlab", registry: "registry.gitlab.com/acme" });
    raw = await read(r, ".gitlab-ci.yml");
    ci = parse(raw, { strict: true, uniqueKeys: true }) as Yaml;
  });

  it("writes .gitlab-ci.yml and no GitHub workflows", () => {
    expect(r.files).toContain(".gitlab-ci.yml");
    expect(r.files.some((f) => f.startsWith(".github/"))).toBe(false);
    expect(r.files).toContain("scripts/set-image.sh");
  });

  it("runs test, build, sign, deploy (and propose, the template update); needs, extends and stages all resolve", () => {
    expect(ci.stages).toEqual(["test", "build", "sign", "deploy", "propose"]);
    const names = new Set(jobs().map(([n]) => n));
    for (const [name, job] of jobs()) {
      expect(ci.stages, name).toContain(job.stage);
      // A need is a job's name, or { job, artifacts } where it takes that job's artifacts.
      for (const need of job.needs ?? []) expect(names, `${name} needs ${JSON.stringify(need)}`).toContain(typeof need === "string" ? need : need.job);
      for (const base of [job.extends ?? []].flat()) expect(ci[base], `${name} extends ${base}`).toBeTypeOf("object");
    }
    const testJobs = jobs().filter(([, j]) => j.stage === "test").map(([n]) => n);
    expect(testJobs.sort()).toEqual(["alerts", "lint", "manifests", "test", "vuln"]);
  });

  it("checks what the GitHub CI checks, with the pinned tools and the pinned Go image", () => {
    const all = jobs().map(([, j]) => scriptOf(j)).join("\n");
    expect(all).toContain("gofmt -l");
    expect(all).toContain("go vet ./...");
    expect(all).toMatch(/go test -race .*\.\/\.\.\./);
    expect(all).toContain(`govulncheck@${r.context.versions.tools.govulncheck} ./...`);
    expect(all).toContain(`kustomize/v5@${r.context.versions.tools.kustomize}`);
    expect(all).toContain(`kube-linter@${r.context.versions.tools.kubeLinter}`);
    expect(all).toContain("kube-linter lint --config .kube-linter.yaml");
    expect(scriptOf(ci.alerts)).toContain(`promtool@${r.context.versions.tools.promtool}`);
    expect(scriptOf(ci.alerts)).toContain("scripts/test-alerts.sh");
    expect(ci.default.image).toBe(r.context.versions.images.goBuilder);
    expect(ci.lint.image).toBe(`golangci/golangci-lint:${r.context.versions.tools.golangciLint}`);
  });

  it("tags the image with $CI_COMMIT_SHA only (buildah, no kaniko, no latest) and pushes context.image", () => {
    expect(ci.variables.IMAGE).toBe(r.context.image);
    const build = scriptOf(ci["build-image"]);
    expect(build).toContain('--tag "$IMAGE:$CI_COMMIT_SHA"');
    expect(build).toContain('buildah push --digestfile image-digest "$IMAGE:$CI_COMMIT_SHA"');
    expect(ci["build-image"].image).toBe(r.context.versions.images.buildah);
    expect(raw).not.toMatch(/kaniko|:latest\b/);
    expect(raw.match(/--tag /g)).toHaveLength(1);
  });

  it("signs by digest, keyless, with a sigstore-audience ID token", () => {
    const sign = ci.sign as Yaml;
    expect(sign.id_tokens).toEqual({ SIGSTORE_ID_TOKEN: { aud: "sigstore" } });
    expect(scriptOf(sign)).toContain('cosign sign "$IMAGE@$IMAGE_DIGEST"');
    expect(scriptOf(sign)).toContain(`cosign/v3/cmd/cosign@${r.context.versions.tools.cosign}`);
    expect(sign.needs).toEqual(["build-image"]);
  });

  it("deploys with make set-image on the default branch only, serialised, committing with [skip ci]", () => {
    const deploy = ci.deploy as Yaml;
    expect(deploy.variables.ENVIRONMENT).toBe(r.context.firstEnvironment.name);
    expect(deploy.resource_group).toBe(`gitops-${r.context.firstEnvironment.name}`);
    const script = scriptOf(deploy);
    expect(script).toContain('make set-image ENV="$ENVIRONMENT" TAG="$CI_COMMIT_SHA" DIGEST="$IMAGE_DIGEST"');
    // IMAGE_DIGEST comes from build-image's dotenv report, which only the jobs that need it receive.
    expect(deploy.needs).toEqual(["build-image", "sign"]);
    expect(ci["build-image"].artifacts.reports.dotenv).toBe("build.env");
    expect(script).toContain("[skip ci]");
    for (const name of ["build-image", "sign", "deploy"]) {
      const rules = [ci[name].extends].flat().flatMap((b: string) => ci[b]?.rules ?? []);
      // The template-update schedule runs on the default branch too: it releases nothing.
      expect(rules, name).toEqual([{ if: '$TEMPLATE_UPDATE == "true"', when: "never" }, { if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" }]);
    }
  });

  it("template-update: only in the schedule that sets TEMPLATE_UPDATE, the pinned node image; prepare with full history, publish in its own environment", async () => {
    const prepare = ci["template-update-prepare"] as Yaml;
    const publish = ci["template-update-publish"] as Yaml;
    for (const job of [prepare, publish]) {
      expect(job.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "schedule" && $TEMPLATE_UPDATE == "true"' }]);
      expect(job.image).toBe(r.context.versions.images.nodeGit);
    }
    expect(raw).toContain(`image: ${r.context.versions.images.nodeGit}\n`);
    expect(prepare.variables.GIT_DEPTH).toBe("0");
    expect(prepare.needs).toEqual([]);
    expect(prepare.environment).toBeUndefined();
    expect(publish.environment).toEqual({ name: "template-update", action: "prepare" });
    expect(scriptOf(prepare)).toContain("./scripts/template-update.sh prepare .template-update");
    expect(scriptOf(publish)).toContain("./scripts/template-update.sh publish .template-update");
    expect(scriptOf(publish)).not.toMatch(/set-url|oauth2:\$TEMPLATE_UPDATE_TOKEN@|extraheader/i);
    expect(r.files).toContain("scripts/template-update.sh");
    expect(r.files).toContain("tools/template/package.json");
    const renovate = JSON5.parse(await read(r, "renovate.json5")) as Yaml;
    expect(renovate.enabledManagers).toContain("npm");
    expect(renovate.packageRules).toContainEqual(expect.objectContaining({ matchManagers: ["npm"], matchFileNames: ["tools/template/package.json"] }));
    const off = await renderToDir({ ci: "gitlab", templateUpdate: "off" });
    const offCi = parse(await read(off, ".gitlab-ci.yml")) as Yaml;
    expect(offCi["template-update-prepare"]).toBeUndefined();
    expect(offCi["template-update-publish"]).toBeUndefined();
    expect(offCi.stages).toEqual(["test", "build", "sign", "deploy"]);
    expect(offCi[".release"].rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" }]);
    expect((JSON5.parse(await read(off, "renovate.json5")) as Yaml).enabledManagers).not.toContain("npm");
    expect(off.files).not.toContain("scripts/template-update.sh");
  });

  it("every job's script is shellcheck-clean (as the bash GitLab runs it with)", async () => {
    if (!needTool("shellcheck", await onPath("shellcheck"))) return;
    for (const [name, job] of jobs()) {
      const input = `#!/bin/bash\nset -eo pipefail\n${scriptOf(job)}\n`;
      const result = await execa("shellcheck", ["-"], { input, reject: false });
      expect(result.stdout, name).toBe("");
    }
  });

  it("calls only Makefile targets that the generated Makefile defines", async () => {
    const called = new Set([...raw.matchAll(/\bmake ([a-z][\w-]*)/g)].map((m) => m[1]!));
    expect(called.size).toBeGreaterThan(0);
    if (!r.files.includes("Makefile")) return console.warn(`skipped: no Makefile generated yet (CI calls: ${[...called].join(", ")})`);
    const makefile = await read(r, "Makefile");
    const defined = new Set([...makefile.matchAll(/^([a-zA-Z][\w-]*)\s*:(?!=)/gm)].map((m) => m[1]!));
    for (const target of called) expect(defined, `make ${target}`).toContain(target);
  });
});

describe("no user free text reaches CI", () => {
  it.each(["github", "gitlab"] as const)("%s: the description appears in no CI file or script", async (ci) => {
    const r = await renderToDir({ ci, description: EVIL });
    const ciFiles = r.files.filter((f) => f.startsWith(".github/") || f === ".gitlab-ci.yml" || f.startsWith("scripts/"));
    expect(ciFiles.length).toBeGreaterThan(2);
    for (const file of ciFiles) {
      const text = await read(r, file);
      expect(text, file).not.toContain(EVIL);
      expect(text, file).not.toContain("echo pwned");
    }
  });

  it("--ci none writes no CI but keeps the tag scripts", async () => {
    const r = await renderToDir({ ci: "none" });
    expect(r.files.filter((f) => f.startsWith(".github/") || f === ".gitlab-ci.yml")).toEqual([]);
    expect(r.files).toEqual(expect.arrayContaining(["scripts/set-image.sh", "scripts/current-image-tag.sh", "scripts/promote.sh"]));
  });
});

describe("tag write-back for real: git, the scripts, make and kubectl kustomize", () => {
  let r: Rendered;
  let before: Record<string, string>;
  let hasKubectl = false;
  const names = () => r.context.environments.map((e) => e.name);
  const run = (cmd: string, args: string[]) => execa(cmd, args, { cwd: r.dir, reject: false });

  beforeAll(async () => {
    r = await renderToDir({ ci: "github" });
    await gitInitCommit(r.dir);
    hasKubectl = await onPath("kubectl");
    before = {};
    if (hasKubectl) for (const env of names()) before[env] = await kustomize(r.dir, env);
  });

  it("starts every overlay at the placeholder, without a digest", async () => {
    for (const env of names()) {
      const { stdout } = await run("./scripts/current-image-tag.sh", [env]);
      expect(stdout, env).toBe(r.context.initialImageTag);
      const digest = await run("./scripts/current-image-tag.sh", ["--digest", env]);
      expect([digest.exitCode, digest.stdout], env).toEqual([0, ""]);
    }
  });

  it("rejects a bad tag, digest or environment with exit 2, naming the argument, and changes nothing", async () => {
    const bad: [string, string, string, RegExp][] = [
      ["dev", "latest", DIGEST, /^error: TAG 'latest' is not a full commit SHA/],
      ["dev", SHA.slice(0, 39), DIGEST, /^error: TAG /],
      ["dev", SHA.toUpperCase(), DIGEST, /^error: TAG /],
      ["dev", `${SHA}0`, DIGEST, /^error: TAG /],
      ["dev", `${SHA.slice(0, 39)}g`, DIGEST, /^error: TAG /],
      ["dev", "", DIGEST, /^error: TAG '' /],
      ["dev", `${SHA}\n`, DIGEST, new RegExp(`^error: TAG '${SHA}\\?' `)],
      ["dev", SHA, "", /^error: DIGEST '' is not an image digest \('sha256:' followed by exactly 64 lowercase hex characters\)/],
      ["dev", SHA, DIGEST.slice(7), /^error: DIGEST '0123/],
      ["dev", SHA, DIGEST.toUpperCase(), /^error: DIGEST 'SHA256:/],
      ["dev", SHA, `sha256:${DIGEST.slice(7).toUpperCase()}`, /^error: DIGEST /],
      ["dev", SHA, DIGEST.slice(0, -1), /^error: DIGEST /],
      ["dev", SHA, `${DIGEST}0`, /^error: DIGEST /],
      ["dev", SHA, `sha512:${DIGEST.slice(7)}`, /^error: DIGEST 'sha512:/],
      ["dev", SHA, `${DIGEST}\n`, /^error: DIGEST '.*\?' /],
      ["nope", SHA, DIGEST, /^error: unknown environment 'nope'/],
      ["../dev", SHA, DIGEST, /^error: ENV '\.\.\/dev' /],
      ["", SHA, DIGEST, /^error: ENV '' /],
    ];
    for (const [env, tag, digest, message] of bad) {
      const result = await run("./scripts/set-image.sh", [env, tag, digest]);
      expect(result.exitCode, `${JSON.stringify(env)} ${JSON.stringify(tag)} ${JSON.stringify(digest)}`).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    // A value too long to read is shortened, unprintable characters shown as '?'.
    const long = await run("./scripts/set-image.sh", ["dev", SHA, `sha256:${"a".repeat(200)}\u0007`]);
    expect(long.stderr).toBe(`error: DIGEST 'sha256:${"a".repeat(70)}...' is not an image digest ('sha256:' followed by exactly 64 lowercase hex characters)`);
    for (const args of [["dev"], ["dev", SHA], ["dev", SHA, DIGEST, "extra"]]) {
      const result = await run("./scripts/set-image.sh", args);
      expect(result.exitCode, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/^usage: .* ENV TAG DIGEST /);
    }
    expect(await gitStatus(r.dir)).toEqual([]);
  });

  it("refuses to promote an environment that has no release yet", async () => {
    const result = await run("./scripts/promote.sh", ["staging"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("no released image yet");
    expect((await run("./scripts/promote.sh", [r.context.firstEnvironment.name])).exitCode).toBe(2);
    expect(await gitStatus(r.dir)).toEqual([]);
  });

  it("set-image.sh dev <sha> <digest> rewrites newTag and adds the digest after it, in one file; dev renders <image>:<sha>@<digest>, the rest render unchanged", async () => {
    const result = await run("./scripts/set-image.sh", ["dev", SHA, DIGEST]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(await gitStatus(r.dir)).toEqual([" M deploy/overlays/dev/kustomization.yaml"]);
    const { stdout: numstat } = await run("git", ["diff", "--numstat"]);
    expect(numstat).toBe("2\t1\tdeploy/overlays/dev/kustomization.yaml");
    const { stdout: diff } = await run("git", ["diff", "-U0", "--no-color"]);
    expect(diff.split("\n").filter((l) => /^[-+] /.test(l))).toEqual([
      `-    newTag: ${r.context.initialImageTag}`,
      `+    newTag: "${SHA}"`,
      `+    digest: "${DIGEST}"`,
    ]);
    expect((await run("./scripts/current-image-tag.sh", ["dev"])).stdout).toBe(SHA);
    expect((await run("./scripts/current-image-tag.sh", ["--digest", "dev"])).stdout).toBe(DIGEST);

    if (needTool("kubectl", hasKubectl)) {
      expect(workloadImages(await kustomize(r.dir, "dev"))).toEqual([`${r.context.image}:${SHA}@${DIGEST}`]);
      for (const env of names().filter((e) => e !== "dev")) expect(await kustomize(r.dir, env), env).toBe(before[env]);
    }

    await run("git", [...GIT, "commit", "-q", "-am", `chore(deploy): dev -> ${SHA}`]);
    expect((await run("git", ["rev-list", "--count", "HEAD"])).stdout).toBe("2");
    const { stdout: changed } = await run("git", ["show", "--name-only", "--format=", "HEAD"]);
    expect(changed).toBe("deploy/overlays/dev/kustomization.yaml");
    expect(await gitStatus(r.dir)).toEqual([]);
  });

  it("setting the same tag and digest again changes nothing; a new pair rewrites both lines in place", async () => {
    expect((await run("./scripts/set-image.sh", ["dev", SHA, DIGEST])).exitCode).toBe(0);
    expect(await gitStatus(r.dir)).toEqual([]);
    expect((await run("./scripts/set-image.sh", ["dev", SHA2, DIGEST2])).exitCode).toBe(0);
    expect((await run("git", ["diff", "--numstat"])).stdout).toBe("2\t2\tdeploy/overlays/dev/kustomization.yaml");
    const overlay = await read(r, "deploy/overlays/dev/kustomization.yaml");
    expect(overlay.match(/^\s*digest:.*$/gm)).toEqual([`    digest: "${DIGEST2}"`]);
    await run("git", ["checkout", "--", "."]);
  });

  it("promote.sh staging copies dev's exact tag and digest into staging only", async () => {
    const result = await run("./scripts/promote.sh", ["staging"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`dev -> staging: ${SHA}`);
    expect(await gitStatus(r.dir)).toEqual([" M deploy/overlays/staging/kustomization.yaml"]);
    expect((await run("./scripts/current-image-tag.sh", ["--digest", "staging"])).stdout).toBe(DIGEST);
    if (hasKubectl) expect(workloadImages(await kustomize(r.dir, "staging"))).toEqual([`${r.context.image}:${SHA}@${DIGEST}`]);
    await run("git", ["checkout", "--", "."]);
  });

  it("make set-image ENV=staging TAG=<sha> DIGEST=<digest> does the same as the script", async () => {
    if (!r.files.includes("Makefile")) return console.warn("skipped: no Makefile generated yet");
    if (!needTool("make", await onPath("make"))) return;
    const result = await run("make", ["set-image", "ENV=staging", `TAG=${SHA2}`, `DIGEST=${DIGEST2}`]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await gitStatus(r.dir)).toEqual([" M deploy/overlays/staging/kustomization.yaml"]);
    expect((await run("./scripts/current-image-tag.sh", ["staging"])).stdout).toBe(SHA2);
    expect((await run("./scripts/current-image-tag.sh", ["--digest", "staging"])).stdout).toBe(DIGEST2);
    expect((await run("make", ["set-image", "ENV=staging", "TAG=latest", `DIGEST=${DIGEST2}`])).exitCode).not.toBe(0);
    const noDigest = await run("make", ["set-image", "ENV=staging", `TAG=${SHA2}`]);
    expect(noDigest.exitCode).not.toBe(0);
    expect(noDigest.stderr).toContain("error: DIGEST '' is not an image digest");
    await run("git", ["checkout", "--", "."]);
  });

  it("the scripts are executable in git and shellcheck-clean", async () => {
    const { stdout } = await run("git", ["ls-files", "-s", "scripts"]);
    const modes = stdout.split("\n").map((l) => l.split(/\s+/)[0]);
    expect(modes.length).toBeGreaterThanOrEqual(3);
    expect(modes.every((m) => m === "100755")).toBe(true);
    if (!needTool("shellcheck", await onPath("shellcheck"))) return;
    const files = (await readdir(path.join(r.dir, "scripts"))).map((f) => `scripts/${f}`);
    const result = await run("shellcheck", files);
    expect(result.stdout).toBe("");
  });
});

// The deploy steps' own shell, taken from the generated YAML and run the way the runners run it,
// against a bare repository standing in for the forge.
describe("deploy steps of the generated CI, executed", () => {
  let work: string;
  let other: string;
  let githubDeploy: Yaml[];
  let gitlabDeploy: string[];
  const commits: Record<string, string> = {};
  const sh = (script: string, cwd: string, env: Record<string, string>) =>
    execa("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], { cwd, env, reject: false });
  const head = async (cwd: string, ref = "HEAD") => (await execa("git", ["rev-parse", ref], { cwd })).stdout;
  const addCommit = async (cwd: string, file: string, message: string) => {
    await writeFile(path.join(cwd, file), `${message}\n`);
    await execa("git", ["add", file], { cwd });
    await execa("git", [...GIT, "commit", "-q", "-m", message], { cwd });
    return head(cwd);
  };

  beforeAll(async () => {
    const gh = await renderToDir({ ci: "github" });
    githubDeploy = parse(await read(gh, ".github/workflows/release.yaml")).jobs.deploy.steps;
    const gl = await renderToDir({ ci: "gitlab" });
    gitlabDeploy = parse(await read(gl, ".gitlab-ci.yml")).deploy.script;
    const root = await tempDir("cggs-deploy-");
    await gitInitCommit(gh.dir);
    commits.c1 = await head(gh.dir);
    await execa("git", ["clone", "-q", "--bare", gh.dir, path.join(root, "origin.git")]);
    work = path.join(root, "work");
    other = path.join(root, "other");
    await execa("git", ["clone", "-q", path.join(root, "origin.git"), work]);
    await execa("git", ["clone", "-q", path.join(root, "origin.git"), other]);
    commits.c2 = await addCommit(work, "CHANGE.md", "feat: c2");
    await execa("git", ["push", "-q", "origin", "HEAD:main"], { cwd: work });
  });

  const step = (name: string) => String(githubDeploy.find((s) => s.name === name)?.run);

  it("GitHub: writes the tag, then commits and pushes it on top of a branch that moved meanwhile", async () => {
    const env = { ENVIRONMENT: "dev", TAG: commits.c2!, DIGEST, BRANCH: "main" };
    const write = await sh(step("Write the tag and digest into the overlay"), work, env);
    expect(write.exitCode, write.stderr).toBe(0);
    // Someone merges while the release runs: the first push is rejected, the retry rebases.
    await execa("git", ["pull", "-q", "origin", "main"], { cwd: other });
    commits.c3 = await addCommit(other, "OTHER.md", "feat: c3");
    await execa("git", ["push", "-q", "origin", "HEAD:main"], { cwd: other });
    const push = await sh(step("Commit and push"), work, env);
    expect(push.exitCode, push.stdout + push.stderr).toBe(0);
    await execa("git", ["fetch", "-q", "origin"], { cwd: work });
    const { stdout: log } = await execa("git", ["log", "--format=%s", "-3", "origin/main"], { cwd: work });
    expect(log.split("\n")).toEqual([`chore(deploy): dev -> ${commits.c2}`, "feat: c3", "feat: c2"]);
    const { stdout: files } = await execa("git", ["show", "--name-only", "--format=", "origin/main"], { cwd: work });
    expect(files).toBe("deploy/overlays/dev/kustomization.yaml");
  });

  it("GitHub: a re-run of an older release leaves a newer tag alone", async () => {
    await execa("git", ["reset", "-q", "--hard", "origin/main"], { cwd: work });
    const write = await sh(step("Write the tag and digest into the overlay"), work, { ENVIRONMENT: "dev", TAG: commits.c1!, DIGEST: DIGEST2, BRANCH: "main" });
    expect(write.exitCode).toBe(0);
    expect(write.stdout).toContain("newer than");
    expect(await gitStatus(work)).toEqual([]);
  });

  it("GitLab: moves to the branch tip, skips an older pipeline, and writes a newer SHA with make set-image", async () => {
    // Everything before the commit-and-push block (which needs the forge's URL and token).
    const prepare = gitlabDeploy.slice(0, -1).join("\n");
    const env = { ENVIRONMENT: "dev", CI_DEFAULT_BRANCH: "main", IMAGE_DIGEST: DIGEST2 };
    const older = await sh(prepare, work, { ...env, CI_COMMIT_SHA: commits.c1! });
    expect(older.exitCode, older.stderr).toBe(0);
    expect(older.stdout).toContain("newer than");
    expect(await gitStatus(work)).toEqual([]);
    const newer = await sh(prepare, work, { ...env, CI_COMMIT_SHA: commits.c3! });
    expect(newer.exitCode, newer.stderr).toBe(0);
    expect(await gitStatus(work)).toEqual([" M deploy/overlays/dev/kustomization.yaml"]);
    expect((await execa("./scripts/current-image-tag.sh", ["dev"], { cwd: work })).stdout).toBe(commits.c3);
    expect((await execa("./scripts/current-image-tag.sh", ["--digest", "dev"], { cwd: work })).stdout).toBe(DIGEST2);
  });
});

describe("tag write-back with a single environment", () => {
  it("set-image.sh writes dev and nothing else; there is no promote.sh", async () => {
    const r = await renderToDir({ ci: "github", environments: ["dev"] });
    await gitInitCommit(r.dir);
    expect(r.files).not.toContain("scripts/promote.sh");
    const result = await execa("./scripts/set-image.sh", ["dev", SHA, DIGEST], { cwd: r.dir, reject: false });
    expect(result.exitCode).toBe(0);
    expect(await gitStatus(r.dir)).toEqual([" M deploy/overlays/dev/kustomization.yaml"]);
  });
});
