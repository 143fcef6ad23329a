// Issue #29: ten answer sets that were accepted and yielded a repository that does not work, or that
// damages the cluster it is applied to. Each is now refused by the built CLI with exit 2, the flag (or
// file key) and the rule named, and nothing written; or, for the answers file and the next steps,
// kept as written. One row per case, the number first.
import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { runCli, tempDir } from "./helpers/cli.js";
import { readAnswersFile } from "../src/answers/answers-file.js";
import { formatSummary } from "../src/cli/report.js";
import type { Result } from "../src/create-service.js";

const BASE = ["svc", "--yes", "--owner", "acme", "--no-git"];

describe("issue #29: refused with exit 2, the flag and the rule named, nothing written", () => {
  test.each([
    ["1 a *_URL default Go refuses (http:example.com)", ["--env", "UP_URL=http:example.com"], /--env: 'UP_URL=http:example.com' default of UP_URL must be an absolute URL .*no '\/\/' after 'http:'/],
    ["1 a *_URL default Go refuses (http:/x)", ["--env", "UP_URL=http:/x"], /--env: .*no '\/\/' after 'http:'/],
    ["1 a *_URL default Go refuses (http://%41.x)", ["--env", "UP_URL=http://%41.x"], /--env: .*host '%41\.x'/],
    ["2 an upper-case scheme git cannot use", ["--repo-url", "HTTPS://github.com/acme/svc.git"], /--repo-url: 'HTTPS:\/\/github\.com\/acme\/svc\.git' has the scheme 'HTTPS': write it in lower case/],
    ["2 SSH://", ["--repo-url", "SSH://git@github.com/acme/svc.git"], /--repo-url: .*scheme 'SSH'/],
    ["2 https: without //", ["--repo-url", "https:github.com/acme/svc.git"], /--repo-url: .*no '\/\/' after 'https:'/],
    ["2 an empty query", ["--repo-url", "https://github.com/acme/svc.git?"], /--repo-url: .*query or fragment/],
    ["2 an empty fragment", ["--repo-url", "https://github.com/acme/svc.git#"], /--repo-url: .*query or fragment/],
    ["3 a Prometheus URL without //", ["--gitops", "argocd", "--progressive", "argo-rollouts", "--prometheus-url", "http:prometheus-operated.monitoring.svc:9090"], /--prometheus-url: .*no '\/\/' after 'http:'/],
    ["4 kube-system by name and environment", ["--name", "kube", "--environments", "system"], /--name\/--environments: the namespace 'kube-system' is a system namespace/],
    ["4 cert-manager", ["--name", "cert", "--environments", "dev,manager"], /the namespace 'cert-manager' is a system namespace/],
    ["4 a kube- prefix", ["--name", "kube", "--environments", "dev"], /the namespace 'kube-dev' starts with 'kube-'/],
    ["4 flux-system", ["--name", "flux", "--environments", "system", "--gitops", "none"], /the namespace 'flux-system' is a system namespace/],
    ["5 AppProject default", ["--name", "default", "--gitops", "argocd"], /--name\/--argocd-project: the service's own project would be AppProject 'default', Argo CD's built-in project/],
    ["6 Flux's own GitRepository", ["--name", "flux-system", "--gitops", "flux"], /--name: the GitRepository 'flux-system' in flux-system would replace Flux's own source/],
    ["8 a module path the service requires", ["--module", "github.com/prometheus/common"], /--module: 'github\.com\/prometheus\/common' is 'github\.com\/prometheus\/common', a module the generated service requires/],
    ["8 a module path inside one", ["--module", "github.com/prometheus/client_golang/mine"], /--module: .*lies inside 'github\.com\/prometheus\/client_golang'/],
    ["8 a module path containing one", ["--module", "golang.org/x"], /--module: .*contains 'golang\.org\/x\/sys'/],
  ])("%s", async (_, args, message) => {
    const cwd = await tempDir();
    const run = await runCli([...BASE, ...args], { cwd });
    expect(run.stderr).toMatch(message);
    expect(run.exitCode).toBe(2);
    expect(await readdir(cwd)).toEqual([]);
  });

  test("7 a number in an answers file is read as the flag reads it: port 0x1F90 refused, as --port 0x1F90 is", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "answers.yaml");
    await writeFile(file, "owner: acme\nport: 0x1F90\n");
    const cwd = await tempDir();
    const byFile = await runCli(["svc", "--yes", "--no-git", "--answers", file], { cwd });
    const byFlag = await runCli([...BASE, "--port", "0x1F90"], { cwd });
    expect(byFile.stderr).toMatch(/answers\.yaml:2: key 'port' '0x1F90' is not a whole number/);
    expect(byFlag.stderr).toMatch(/--port: .*'0x1F90' is not a whole number/);
    expect([byFile.exitCode, byFlag.exitCode]).toEqual([2, 2]);
    expect(await readdir(cwd)).toEqual([]);
  });

  test("9 a preset's label key with a name part over 63 or a prefix over 253 characters", async () => {
    const dir = await tempDir();
    for (const [key, rule] of [
      [`acme.io/${"n".repeat(64)}`, "has a name part of 64 characters: at most 63"],
      [`${"p".repeat(254)}/team`, "has a prefix of 254 characters: at most 253"],
      ["a/b/c", "has more than one '/'"],
    ]) {
      const preset = path.join(dir, "preset.yaml");
      await writeFile(preset, `name: p\npolicy:\n  requiredLabels:\n    ${key}: x\n`);
      const cwd = await tempDir();
      const run = await runCli([...BASE, "--preset", preset], { cwd });
      expect(run.stderr).toContain(`policy.requiredLabels: '${key.slice(0, 80)}`);
      expect(run.stderr).toContain(rule);
      expect(run.exitCode).toBe(2);
      expect(await readdir(cwd)).toEqual([]);
    }
  });
});

describe("issue #29: kept as written", () => {
  test("7 text answers in an answers file are the text of the file, not what YAML makes of it", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "answers.yaml");
    await writeFile(file, "owner: 0x1F\ndescription: 2026.10\nargocdProject: 0o17\nenvironments: [2026, 0x1f, dev]\ncanaryMaxErrorPercent: 0.50\n");
    const answers = await readAnswersFile(file);
    expect(answers).toMatchObject({ owner: "0x1F", description: "2026.10", argocdProject: "0o17", environments: ["2026", "0x1f", "dev"] });
    // Text the rule then judges as written: 0.50 has two decimals, and is a percentage.
    expect(answers.canaryMaxErrorPercent).toBe("0.50");
  });

  test("5 --argocd-project default stays possible: the existing project is used, no AppProject is written", async () => {
    const cwd = await tempDir();
    const run = await runCli([...BASE, "--gitops", "argocd", "--argocd-project", "default", "--dry-run"], { cwd });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).not.toContain("appproject.yaml");
    expect(run.stdout).toContain("application-dev.yaml");
  });

  test.each([
    ["-lead3", "cd ./-lead3"],
    ["sp dir/x y", "cd 'sp dir/x y'"],
    ["it's", "cd 'it'\\''s'"],
    ["plain", "cd plain"],
  ])("10 next steps quote the target %j for the shell", (target, line) => {
    const result = { directory: path.join("/work", target), files: [], dryRun: false, git: { status: "skipped", reason: "--no-git" }, placeholders: [], answers: { env: [], secret: [], port: 8080, repoUrl: "https://github.com/acme/svc.git", environments: ["dev"] } } as unknown as Result;
    expect(formatSummary(result, "/work").split("\n")).toContain(`  ${line}`);
  });
});
