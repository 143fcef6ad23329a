// Reliability and security (issue #8): hostile answers, unsafe targets, interrupts and broken
// environments, run through the built CLI as a user would; and the security properties of what it
// generates. test/cli.test.ts has the basic cases (non-empty target, file target, symlinked target,
// --force with a symlink inside, git missing, no identity); these extend them.
import { chmod, mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { closeSync, constants, existsSync, openSync, readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import path from "node:path";
import { execa } from "execa";
import { parse, parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, test } from "vitest";
import type { Answers } from "../src/answers/types.js";
import { resolveAnswers } from "../src/answers/resolve.js";
import { UserError } from "../src/shared/errors.js";
import { CLI, gitEnv, runCli, tempDir } from "./helpers/cli.js";
import { baseAnswers, renderToDir } from "./helpers/render.js";
import { asFlagInput } from "./helpers/rel-arbitraries.js";
import { prng, runCliWithSignal, snapshot } from "./helpers/rel-fs.js";

type Obj = Record<string, any>;
const git = (cwd: string, ...args: string[]) => execa("git", args, { cwd, env: gitEnv }).then((r) => r.stdout.trim());
const kustomize = async (dir: string) => (await execa("kubectl", ["kustomize", dir])).stdout;
const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS() as Obj).filter(Boolean);
const ANSI = /\u001b\[/;
/** Files free text must never reach: CI, Make, scripts, the image build (Go is checked separately). */
const CODE_FILE = (p: string) => p.startsWith(".github/") || p === ".gitlab-ci.yml" || p === "Makefile" || p.startsWith("scripts/") || p === "Dockerfile";

/** The files a default `svc --yes --owner acme` run writes, as hashes (.git excluded): "complete". */
let reference: Record<string, string>;
beforeAll(async () => {
  const cwd = await tempDir("cggs-rel-ref-");
  const run = await runCli(["svc", "--yes", "--owner", "acme", "--no-git"], { cwd });
  if (run.exitCode !== 0) throw new Error(run.stderr);
  reference = await snapshot(path.join(cwd, "svc"));
});

async function listFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

// ---------------------------------------------------------------------------------------------
// Injection: free text arrives exactly as typed, or is refused.

/** Text that means something to YAML, Markdown, shell, Actions, Make, Go or Handlebars. All valid. */
export const INJECTIONS = [
  `it's "quoted" \\ back\\slash \\n not a newline`,
  "# not a comment",
  "key: value: more",
  "{{name}} {{{owner}}} {{> partial}} {{!comment}}",
  "${{ github.token }} ${{ secrets.GITHUB_TOKEN }}",
  "`id` $(id) ${HOME} $$ && rm -rf / ; echo pwned",
  "&anchor *alias !!binary !tag",
  "- item [a, b] {c: d} | > %YAML ---",
  "é 日本語 🚀 «ß» Ω \u00a0nbsp\u00a0 zero\u200bwidth a\ufeffb",
  "<script>alert(1)</script> [x](javascript:alert(1)) <!-- -->",
  "null",
  "true",
  "0x1F",
  "'single' \"double\" `back`",
  "~",
  "---",
  "@at %percent `",
  "  padded on both sides  ",
  "x".repeat(150) + ' "#: ' + "y".repeat(145),
];

describe("injection: free text means exactly what was typed, wherever it lands", () => {
  test.each(INJECTIONS.map((s, i) => [i, s] as const))("#%i %j", async (i, text) => {
    const cwd = await tempDir("cggs-rel-inj-");
    const suffix = ` ZQX${i}`;
    const description = text.slice(0, 300 - suffix.length) + suffix; // at most 300 characters
    const envDefault = `${text.trim()} ENVZQX${i}`;
    const run = await runCli(["svc", "--yes", "--no-git", "--owner", "acme", `--description=${description}`, `--env=GREETING=${envDefault}`, "--environments=dev"], { cwd });
    expect(run.exitCode, run.stderr).toBe(0);
    const dir = path.join(cwd, "svc");
    const read = (p: string) => readFile(path.join(dir, p), "utf8");
    // README: the third line is the description, as typed.
    expect((await read("README.md")).split("\n")[2]).toBe(description);
    // YAML read by a JavaScript parser and by Go's (kustomize, which kubectl and Argo CD share).
    const project = await read("deploy/argocd/appproject.yaml");
    expect(parse(project).spec.description).toBe(description);
    const probe = await tempDir("cggs-rel-probe-");
    await writeFile(path.join(probe, "appproject.yaml"), project);
    await writeFile(path.join(probe, "kustomization.yaml"), "resources: [appproject.yaml]\n");
    expect(docs(await kustomize(probe))[0].spec.description).toBe(description);
    // config.env -> ConfigMap through kustomize: the value round-trips.
    expect((await read("deploy/base/config.env")).split("\n")).toContain(`GREETING=${envDefault}`);
    const configMap = docs(await kustomize(path.join(dir, "deploy/overlays/dev"))).find((o) => o.kind === "ConfigMap")!;
    expect(configMap.data.GREETING).toBe(envDefault);
    // Go: the default is one goString literal that decodes to the value.
    const config = await read("internal/config/config.go");
    const literal = /p\.optional\("GREETING", ("(?:[^"\\]|\\.)*")\)/.exec(config);
    expect(JSON.parse(literal![1])).toBe(envDefault);
    // The provenance record keeps the answers as JSON.
    expect(JSON.parse(await read(".create-gitops-go-service.json")).answers.description).toBe(description);
    // Neither text reaches CI, Make, scripts or the Dockerfile; the description reaches no Go file.
    for (const file of await listFiles(dir)) {
      const content = await read(file);
      if (CODE_FILE(file)) {
        expect(content.includes(`ZQX${i}`), `${file} contains free text`).toBe(false);
      }
      if (file.endsWith(".go")) expect(content.includes(` ZQX${i}`) && !content.includes(`ENVZQX${i}`), `${file} contains the description`).toBe(false);
    }
  });

  const REFUSED: [string, string][] = [
    ["newline", "a\nb"],
    ["carriage return", "a\rb"],
    ["tab", "a\tb"],
    ["NUL", "a\u0000b"],
    ["ANSI escape", "\u001b[31mred"],
    ["DEL", "a\u007fb"],
    ["C1 NEL (a line break to Go's YAML)", "a\u0085b"],
    ["C1 U+0080 (refused by Go's YAML)", "a\u0080b"],
    ["C1 CSI U+009B", "a\u009b31mb"],
    ["line separator", "a\u2028b"],
    ["paragraph separator", "a\u2029b"],
    ["lone surrogate", "a\ud800b"],
    ["non-character U+FFFF", "a\uffffb"],
  ];

  test.each(REFUSED)("refused in an answers file: description with %s", async (_, text) => {
    const cwd = await tempDir("cggs-rel-ref-");
    await writeFile(path.join(cwd, "answers.json"), JSON.stringify({ owner: "acme", description: text }));
    const run = await runCli(["svc", "--yes", "--answers", "answers.json"], { cwd });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toContain("key 'description'");
    expect(run.stderr).toContain("one line of text without control characters");
    expect(await readdir(cwd)).toEqual(["answers.json"]);
  });

  test.each([...REFUSED, ["leading space", " x"], ["trailing space", "x "], ["501 characters", "x".repeat(501)]] as [string, string][])(
    "refused in an answers file: env default with %s",
    async (_, text) => {
      const cwd = await tempDir("cggs-rel-ref-");
      await writeFile(path.join(cwd, "answers.json"), JSON.stringify({ owner: "acme", env: [`GREETING=${text}`] }));
      const run = await runCli(["svc", "--yes", "--answers", "answers.json"], { cwd });
      expect(run.exitCode, run.stderr).toBe(2);
      expect(run.stderr).toContain("key 'env'");
      expect(run.stderr).toContain("default of GREETING");
      expect(await readdir(cwd)).toEqual(["answers.json"]);
    },
  );

  test("a description of 301 characters is refused by flag, naming --description", async () => {
    const cwd = await tempDir("cggs-rel-ref-");
    const run = await runCli(["svc", "--yes", "--owner", "acme", `--description=${"x".repeat(301)}`], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("--description:");
    expect(run.stderr).toContain("longer than 300 characters");
    expect(await readdir(cwd)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Names Kubernetes would reject never get written.

async function rejection(overrides: Partial<Answers>): Promise<string> {
  const flags = asFlagInput({ ...baseAnswers, ...overrides });
  try {
    await resolveAnswers({ directory: flags.name, flags, yes: true });
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    return (error as UserError).message;
  }
  throw new Error(`accepted: ${JSON.stringify(overrides)}`);
}

describe("names Kubernetes would reject are refused before writing", () => {
  test.each([
    [{ name: "a".repeat(64) }, "--name: ", "longer than 63"],
    [{ name: "Orders" }, "--name: ", "DNS-1035"],
    [{ name: "1orders" }, "--name: ", "DNS-1035"],
    [{ name: "orders_api" }, "--name: ", "DNS-1035"],
    [{ name: "orders.api" }, "--name: ", "DNS-1035"],
    [{ name: "orders-" }, "--name: ", "DNS-1035"],
    [{ environments: ["Prod"] }, "--environments: ", "DNS-1123"],
    [{ environments: ["e".repeat(64)] }, "--environments: ", "longer than 63"],
    [{ environments: ["dev", "dev"] }, "--environments: ", "twice"],
    // <name>-<env> is the namespace, the Argo CD Application and the Flux Kustomization name: 63 at most.
    [{ name: "a".repeat(56), environments: ["staging"] }, "--name/--environments: the namespace", "longer than 63"],
    [{ name: "a".repeat(59), environments: ["dev", "prod"] }, "--name/--environments: the namespace", "longer than 63"],
  ] as [Partial<Answers>, string, string][])("%j", async (overrides, flag, rule) => {
    const message = await rejection(overrides);
    expect(message).toContain(flag);
    expect(message).toContain(rule);
  });

  test("the CLI refuses a namespace over 63 characters with exit 2 and writes nothing", async () => {
    const cwd = await tempDir("cggs-rel-names-");
    const run = await runCli(["a".repeat(60), "--yes", "--owner", "acme", "--environments=dev,prod"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`the namespace '${"a".repeat(60)}-prod' is longer than 63 characters`);
    expect(await readdir(cwd)).toEqual([]);
  });

  // At the limit everything still fits: every derived name, after kustomize (the hashed ConfigMap
  // name included), for Argo CD Applications, an ApplicationSet and Flux.
  test.each([
    ["argocd applications", { gitops: "argocd", argocdMode: "applications" }],
    ["argocd applicationset + rollouts", { gitops: "argocd", argocdMode: "applicationset", progressive: "argo-rollouts" }],
    ["flux", { gitops: "flux" }],
  ] as [string, Partial<Answers>][])("a name at the limit (namespace of exactly 63) renders valid names: %s", async (_, extra) => {
    const name = "n".repeat(63 - "-staging".length);
    const answers = { ...baseAnswers, ...extra, name, directory: name, environments: ["dev", "staging"], module: `github.com/acme/${name}`, repoUrl: `https://github.com/acme/${name}.git` };
    await resolveAnswers({ directory: name, flags: asFlagInput(answers), yes: true }); // accepted
    const { dir } = await renderToDir(answers);
    const objects: Obj[] = [];
    for (const env of answers.environments) objects.push(...docs(await kustomize(path.join(dir, "deploy/overlays", env))));
    for (const file of (await listFiles(path.join(dir, "deploy"))).filter((f) => /^(argocd|flux|platform)\//.test(f))) objects.push(...docs(await readFile(path.join(dir, "deploy", file), "utf8")));
    const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
    const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
    for (const o of objects) {
      const where = `${o.kind}/${o.metadata?.name}`;
      expect(o.metadata.name.length, where).toBeLessThanOrEqual(253);
      expect(o.metadata.name, where).toMatch(SUBDOMAIN);
      if (["Namespace", "Service", "Application", "Kustomization", "Deployment", "Rollout"].includes(o.kind)) expect(o.metadata.name.length, where).toBeLessThanOrEqual(63);
      if (o.metadata.namespace) expect(o.metadata.namespace.length, where).toBeLessThanOrEqual(63);
      for (const [k, v] of Object.entries(o.metadata.labels ?? {})) expect(String(v).length, `${where} label ${k}`).toBeLessThanOrEqual(63);
      const destination = o.spec?.destination?.namespace ?? o.spec?.targetNamespace;
      if (typeof destination === "string" && !destination.includes("{{")) expect(destination, where).toMatch(LABEL);
      if (typeof destination === "string") expect(destination.length, where).toBeLessThanOrEqual(63);
    }
    expect(objects.some((o) => o.kind === "Namespace" && o.metadata.name.length === 63)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Target safety: a specific message, exit 3, and nothing outside the planned paths changes.

describe("target safety (beyond test/cli.test.ts)", () => {
  test("a file as target, even with --force: exit 3, the file unchanged", async () => {
    const cwd = await tempDir("cggs-rel-t-");
    await writeFile(path.join(cwd, "svc"), "mine");
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--force"], { cwd });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain("exists and is not a directory");
    expect(await readFile(path.join(cwd, "svc"), "utf8")).toBe("mine");
    expect(await readdir(cwd)).toEqual(["svc"]);
  });

  test("a dangling symlink as target: exit 3, nothing created where it points", async () => {
    const cwd = await tempDir("cggs-rel-t-");
    const outside = await tempDir("cggs-rel-out-");
    await symlink(path.join(outside, "created"), path.join(cwd, "svc"));
    const run = await runCli(["svc", "--yes", "--owner", "acme"], { cwd });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain("is a symbolic link");
    expect(await readdir(outside)).toEqual([]);
  });

  test.each([
    ["a planned file is a symlink to a file outside", "go.mod", "file"],
    ["a planned folder deep inside is a symlink to a folder outside", "deploy/base", "dir"],
  ])("--force: %s: exit 3, outside and target unchanged", async (_, linkPath, kind) => {
    const cwd = await tempDir("cggs-rel-t-");
    const outside = await tempDir("cggs-rel-out-");
    const dir = path.join(cwd, "svc");
    await mkdir(path.dirname(path.join(dir, linkPath)), { recursive: true });
    await writeFile(path.join(dir, "keep.txt"), "x");
    if (kind === "file") await writeFile(path.join(outside, "victim"), "outside");
    await symlink(kind === "file" ? path.join(outside, "victim") : outside, path.join(dir, linkPath));
    const [beforeOut, beforeDir] = [await snapshot(outside), await snapshot(dir)];
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--force"], { cwd });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain(`${linkPath} is a symbolic link: refusing to write through it`);
    expect(await snapshot(outside)).toEqual(beforeOut);
    expect(await snapshot(dir)).toEqual(beforeDir);
    expect((await readdir(cwd)).sort()).toEqual(["svc"]);
  });

  test("--force: a folder where a planned file goes: exit 3, unchanged", async () => {
    const cwd = await tempDir("cggs-rel-t-");
    const dir = path.join(cwd, "svc");
    await mkdir(path.join(dir, "Makefile"), { recursive: true });
    await writeFile(path.join(dir, "Makefile", "x"), "x");
    const before = await snapshot(dir);
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--force"], { cwd });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain("Makefile exists and is not a regular file");
    expect(await snapshot(dir)).toEqual(before);
  });

  // Running as root, permission bits do not stop us: the unwritable parents used are a path that
  // goes through a FILE (ENOTDIR), /proc (nothing can be created there: ENOENT) and /sys (EPERM or
  // EROFS in a container).
  test("the parent path goes through a file: exit 3, said in words", async () => {
    const cwd = await tempDir("cggs-rel-t-");
    await writeFile(path.join(cwd, "afile"), "x");
    const run = await runCli(["afile/sub/svc", "--yes", "--owner", "acme", "--name=svc"], { cwd });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain("a part of the path is a file, not a folder (ENOTDIR)");
    expect(await readFile(path.join(cwd, "afile"), "utf8")).toBe("x");
    expect(await readdir(cwd)).toEqual(["afile"]);
  });

  test.each([
    ["/proc/cggs-rel-no/svc", /cannot create \/proc\/cggs-rel-no: .*\((ENOENT|EACCES|EPERM|EROFS)\)/],
    ["/sys/cggs-rel-no/svc", /cannot create \/sys\/cggs-rel-no: .*\((EPERM|EROFS|EACCES|ENOENT)\)/],
    ["/sys/svc", /cannot write in \/sys: .*\((EPERM|EROFS|EACCES)\)/],
  ])("an unwritable parent (%s): exit 3, the reason in words", async (target, message) => {
    const run = await runCli([target, "--yes", "--owner", "acme", "--name=svc"], { cwd: await tempDir() });
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain("hint: choose another location");
    expect(existsSync(target)).toBe(false);
  });

  test("--force over a tree with extra files: every extra byte-identical, nothing outside changed", async () => {
    const cwd = await tempDir("cggs-rel-t-");
    const dir = path.join(cwd, "svc");
    const extras: Record<string, string> = {
      "deploy/base/extra.yaml": "kind: Mine\n",
      "cmd/other/main.go": "package main\n",
      ".github/workflows/mine.yml": "on: push\n",
      ".env": "API_TOKEN=do-not-touch\n",
      "Makefile.bak": "old\n",
      "notes/a/b/c.txt": "deep\n",
    };
    for (const [p, content] of Object.entries(extras)) {
      await mkdir(path.dirname(path.join(dir, p)), { recursive: true });
      await writeFile(path.join(dir, p), content);
    }
    await writeFile(path.join(dir, "README.md"), "old readme\n");
    await writeFile(path.join(cwd, "sibling.txt"), "beside\n");
    const before = await snapshot(dir);
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--force", "--no-git"], { cwd });
    expect(run.exitCode, run.stderr).toBe(0);
    const after = await snapshot(dir);
    for (const p of Object.keys(extras)) expect(after[p], p).toBe(before[p]);
    // Every planned file is the fresh one; nothing else appeared.
    for (const [p, hash] of Object.entries(reference)) expect(after[p], p).toBe(hash);
    expect(Object.keys(after).sort()).toEqual([...new Set([...Object.keys(before), ...Object.keys(reference)])].sort());
    expect((await readdir(cwd)).sort()).toEqual(["sibling.txt", "svc"]);
    expect(await readFile(path.join(cwd, "sibling.txt"), "utf8")).toBe("beside\n");
  });

  // Bug found by this suite: --force over a folder that is a git repository ran `git init` + `git
  // add -A` + commit in it, and on a failed commit removed its .git: the user's history was deleted.
  test.each([
    ["commit succeeds", false],
    ["a pre-commit hook fails", true],
  ])("--force over an existing repository (%s): its .git is left byte-identical, never committed into", async (_, failingHook) => {
    const cwd = await tempDir("cggs-rel-t-");
    const dir = path.join(cwd, "svc");
    await mkdir(dir);
    await git(dir, "init", "-q", "-b", "trunk");
    await writeFile(path.join(dir, "mine.txt"), "history\n");
    await git(dir, "add", "-A");
    await git(dir, "commit", "-qm", "mine");
    const env: Record<string, string> = {};
    if (failingHook) Object.assign(env, await failingHookConfig());
    const before = await snapshot(path.join(dir, ".git"));
    const run = await runCli(["svc", "--yes", "--owner", "acme", "--force"], { cwd, env: { ...gitEnv, CI: "true", ...env } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain("is a git repository already: not committing into it");
    expect(await snapshot(path.join(dir, ".git"))).toEqual(before);
    expect(await git(dir, "log", "--format=%s")).toBe("mine");
    expect(await readFile(path.join(dir, "mine.txt"), "utf8")).toBe("history\n");
  });
});

// ---------------------------------------------------------------------------------------------
// Broken environments.

/** A global git config (GIT_CONFIG_GLOBAL) whose core.hooksPath holds a pre-commit hook that fails. */
async function failingHookConfig(): Promise<Record<string, string>> {
  const home = await tempDir("cggs-rel-hook-");
  await mkdir(path.join(home, "hooks"));
  await writeFile(path.join(home, "hooks", "pre-commit"), "#!/bin/sh\necho 'policy hook: commits are blocked here' >&2\nexit 1\n");
  await chmod(path.join(home, "hooks", "pre-commit"), 0o755);
  await writeFile(path.join(home, "gitconfig"), `[core]\n\thooksPath = ${path.join(home, "hooks")}\n`);
  return { GIT_CONFIG_GLOBAL: path.join(home, "gitconfig") };
}

describe("broken environments: a clear message, a documented exit code, files kept where it makes sense", () => {
  test("a global pre-commit hook that fails: exit 4, its output shown, every file kept, no half-made .git", async () => {
    const cwd = await tempDir("cggs-rel-env-");
    const run = await runCli(["svc", "--yes", "--owner", "acme"], { cwd, env: { ...gitEnv, CI: "true", ...(await failingHookConfig()) } });
    expect(run.exitCode).toBe(4);
    expect(run.stderr).toContain("error: git commit failed: policy hook: commits are blocked here");
    expect(run.stderr).toContain("hint: the files are kept; to commit them yourself: cd ");
    expect(await snapshot(path.join(cwd, "svc"))).toEqual(reference);
  });

  test("commit signing required but no signing program: exit 4, files kept", async () => {
    const cwd = await tempDir("cggs-rel-env-");
    const home = await tempDir("cggs-rel-home-");
    await writeFile(path.join(home, "gitconfig"), "[commit]\n\tgpgsign = true\n[gpg]\n\tprogram = /nonexistent/gpg\n");
    const run = await runCli(["svc", "--yes", "--owner", "acme"], { cwd, env: { ...gitEnv, CI: "true", GIT_CONFIG_GLOBAL: path.join(home, "gitconfig") } });
    expect(run.exitCode).toBe(4);
    expect(run.stderr).toMatch(/git commit failed: .*(gpg|sign)/i);
    expect(await snapshot(path.join(cwd, "svc"))).toEqual(reference);
  });

  test("a git that is broken (exits 1): exit 4 with its message, files kept", async () => {
    const cwd = await tempDir("cggs-rel-env-");
    const bin = await tempDir("cggs-rel-bin-");
    await writeFile(path.join(bin, "git"), "#!/bin/sh\necho 'fatal: this git is broken' >&2\nexit 1\n");
    await chmod(path.join(bin, "git"), 0o755);
    const run = await runCli(["svc", "--yes", "--owner", "acme"], { cwd, env: { ...gitEnv, CI: "true", PATH: `${bin}:${process.env.PATH}` } });
    expect(run.exitCode).toBe(4);
    expect(run.stderr).toContain("fatal: this git is broken");
    expect(await snapshot(path.join(cwd, "svc"))).toEqual(reference);
  });

  test.each([
    ["HOME does not exist", async () => "/nonexistent/home"],
    ["HOME is a file", async () => {
      const f = path.join(await tempDir("cggs-rel-home-"), "file");
      await writeFile(f, "x");
      return f;
    }],
    ["HOME is unset", async () => undefined],
  ])("%s: the run still succeeds (git reads no global config it cannot find)", async (_, homeOf) => {
    const cwd = await tempDir("cggs-rel-env-");
    const home = await homeOf();
    const env: Record<string, string> = { PATH: process.env.PATH!, CI: "true", GIT_AUTHOR_NAME: "T", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "T", GIT_COMMITTER_EMAIL: "t@example.com", GIT_CONFIG_NOSYSTEM: "1" };
    if (home) env.HOME = home;
    const run = await runCli(["svc", "--yes", "--owner", "acme"], { cwd, env, extendEnv: false });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await git(path.join(cwd, "svc"), "rev-list", "--count", "HEAD")).toBe("1");
  });

  test.each([
    ["CI unset", {}],
    ["CI=false", { CI: "false" }],
    ["CI=true", { CI: "true" }],
  ])("no TTY, %s, an answer missing: exit 2 at once naming the flag (never waits for input)", async (_, ci) => {
    const cwd = await tempDir("cggs-rel-env-");
    const env: Record<string, string> = { PATH: process.env.PATH!, HOME: cwd, ...ci };
    const started = Date.now();
    const run = await runCli(["svc"], { cwd, env, extendEnv: false, stdin: "pipe", timeout: 20_000 });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("missing answers: --owner");
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await readdir(cwd)).toEqual([]);
  });

  test.each([
    ["--yes: writes and commits", ["svc", "--yes", "--owner", "acme"], 0],
    ["no --yes, owner missing: exit 2", ["svc"], 2],
  ])("a closed stdin (fd 0 closed), %s", async (_, args, code) => {
    const cwd = await tempDir("cggs-rel-env-");
    const quoted = [CLI, ...args].map((a) => `'${a}'`).join(" ");
    const run = await execa("sh", ["-c", `exec "${process.execPath}" ${quoted} <&-`], { cwd, env: { ...gitEnv, CI: "" }, reject: false });
    expect(run.exitCode, run.stderr).toBe(code);
    if (code === 0) expect(await readdir(path.join(cwd, "svc"))).toContain("go.mod");
    else expect(run.stderr).toContain("missing answers: --owner");
  });

  test.each([
    ["NO_COLOR=1", { NO_COLOR: "1" }],
    ["FORCE_COLOR=3", { FORCE_COLOR: "3" }],
    ["TERM=dumb", { TERM: "dumb" }],
  ])("%s: plain text, no escape sequences, on success and on error", async (_, extra) => {
    const cwd = await tempDir("cggs-rel-env-");
    const ok = await runCli(["svc", "--yes", "--owner", "acme"], { cwd, env: { ...gitEnv, CI: "true", ...extra } });
    expect(ok.exitCode).toBe(0);
    const bad = await runCli(["svc2", "--yes", "--owner", "acme", "--port", "80"], { cwd, env: { ...gitEnv, CI: "true", ...extra } });
    expect(bad.exitCode).toBe(2);
    for (const text of [ok.stdout, ok.stderr, bad.stdout, bad.stderr]) expect(text).not.toMatch(ANSI);
  });
});

// ---------------------------------------------------------------------------------------------
// Interrupts: SIGINT/SIGTERM at random moments (startup, resolving, rendering, writing, git): the
// target is absent or complete, never partial, and no staging folder is left.

const INTERRUPT_SEED = Number(process.env.FC_SEED ?? 20260808);

interface Outcome {
  state: "absent" | "complete";
  git: "none" | "committed";
  code: number | string;
}

async function interruptOnce(cwd: string, delay: number, signals: NodeJS.Signals[], extraArgs: string[] = [], before: Record<string, string> = {}): Promise<Outcome> {
  const run = await runCliWithSignal(["svc", "--yes", "--owner", "acme", ...extraArgs], cwd, delay, signals);
  const where = `delay ${delay} ms, ${signals.join("+")}: exit ${run.exitCode ?? run.signal}\n${run.stderr}`;
  // No staging folder, ever.
  expect((await readdir(cwd)).filter((e) => e.includes(".tmp-")), where).toEqual([]);
  const dir = path.join(cwd, "svc");
  const files = await snapshot(dir, [".git"]);
  const forced = Object.keys(before).length > 0;
  let state: Outcome["state"];
  if (!forced && Object.keys(files).length === 0) state = "absent";
  else if (forced && JSON.stringify(files) === JSON.stringify(before)) state = "absent";
  else {
    // Complete: every planned file with its exact content (plus, with --force, the user's extras untouched).
    expect({ ...files }, where).toEqual({ ...before, ...reference });
    state = "complete";
  }
  let gitState: Outcome["git"] = "none";
  if (existsSync(path.join(dir, ".git"))) {
    expect(state, where).toBe("complete");
    expect(await git(dir, "rev-list", "--count", "HEAD"), where).toBe("1");
    expect(await git(dir, "status", "--porcelain"), where).toBe("");
    gitState = "committed";
  }
  // The exit code: 0 (done before the signal), 130/143 (cancelled), or death by the signal itself
  // when it came before the CLI had installed its handlers (a shell shows that as 130/143 too).
  const expected = signals[0] === "SIGINT" ? 130 : 143;
  // (Death by the signal is also possible at the very end, once Node has closed its signal handles
  // on the way out: the work is complete then.)
  if (run.signal) expect(run.signal, where).toBe(signals[0]);
  else expect([0, expected], where).toContain(run.exitCode);
  if (run.exitCode === expected) expect(run.stderr, where).toMatch(/^error: /m);
  if (run.exitCode === 0) expect(state === "complete" && (extraArgs.includes("--no-git") || gitState === "committed"), where).toBe(true);
  return { state, git: gitState, code: run.exitCode ?? run.signal! };
}

describe("interrupts", () => {
  const random = prng(INTERRUPT_SEED);
  // 40 runs: SIGINT and SIGTERM alternately, delays spread over 0-300 ms (a run takes ~200-400 ms on
  // an idle machine), or over 1.5 times a whole run timed just before, where the machine is slower:
  // the window must reach past the end of a run, or no run can complete.
  const cases = (span: number) => Array.from({ length: 40 }, (_, i) => ({ signal: (i % 2 === 0 ? "SIGINT" : "SIGTERM") as NodeJS.Signals, delay: Math.floor(((i + random()) / 40) * span) }));

  test("40 runs, one SIGINT or SIGTERM each, over a whole run: absent or complete, never partial", { timeout: 300_000 }, async () => {
    const started = Date.now();
    const whole = await runCli(["svc", "--yes", "--owner", "acme"], { cwd: await tempDir("cggs-rel-sig-") });
    expect(whole.exitCode, whole.stderr).toBe(0);
    const span = Math.max(300, Math.ceil((Date.now() - started) * 1.5));
    const outcomes: Outcome[] = [];
    for (const { signal, delay } of cases(span)) outcomes.push(await interruptOnce(await tempDir("cggs-rel-sig-"), delay, [signal]));
    const summary = outcomes.reduce<Record<string, number>>((acc, o) => ((acc[`${o.state}/${o.git}/${o.code}`] = (acc[`${o.state}/${o.git}/${o.code}`] ?? 0) + 1), acc), {});
    console.info(`interrupts (seed ${INTERRUPT_SEED}, delays over 0-${span} ms):`, summary);
    // The window was really covered: some runs were cut before writing, and some finished.
    expect(outcomes.some((o) => o.state === "absent")).toBe(true);
    expect(outcomes.some((o) => o.state === "complete")).toBe(true);
  });

  // An impatient user presses Ctrl-C twice (or a supervisor sends SIGTERM, then SIGINT): the second
  // signal must not cut the clean-up short.
  test("12 runs with two signals 2-20 ms apart: still absent or complete, no staging folder", { timeout: 300_000 }, async () => {
    for (let i = 0; i < 12; i++) {
      const delay = 60 + Math.floor(random() * 200);
      const signals: NodeJS.Signals[] = i % 3 === 0 ? ["SIGTERM", "SIGINT"] : ["SIGINT", "SIGINT"];
      const cwd = await tempDir("cggs-rel-sig2-");
      const run = await runCliWithSignal(["svc", "--yes", "--owner", "acme"], cwd, delay, signals, 2 + Math.floor(random() * 18));
      expect((await readdir(cwd)).filter((e) => e.includes(".tmp-")), `delay ${delay}: ${run.stderr}`).toEqual([]);
      const files = await snapshot(path.join(cwd, "svc"), [".git"]);
      if (Object.keys(files).length > 0) expect(files).toEqual(reference);
    }
  });

  // A run stuck in a read that never returns (here: an answers file that is a FIFO nobody writes)
  // used to ignore SIGTERM forever; it now exits after a 5 s grace period, saying so. The signal goes
  // once the CLI has opened the FIFO (the test then holds its write end, writing nothing): a fixed
  // delay raced node's start on a loaded machine (CI: SIGTERM at 500 ms found no handler yet).
  test("a stuck run still ends on SIGTERM: exit 143 within the grace period", { timeout: 60_000 }, async () => {
    const cwd = await tempDir("cggs-rel-stuck-");
    const fifo = path.join(cwd, "answers.yaml");
    await execa("mkfifo", [fifo]);
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, "svc", "--yes", "--answers", "answers.yaml"], { cwd, env: { ...process.env, ...gitEnv, CI: "true" }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const closed = new Promise<NodeJS.Signals | number | null>((resolve) => child.on("close", (code, signal) => resolve(signal ?? code)));
    let writer: number | undefined;
    try {
      // A FIFO opens for writing without blocking (O_NONBLOCK) only once a reader has opened it.
      for (let waited = 0; writer === undefined; waited += 20) {
        try {
          writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENXIO" || waited > 30_000 || child.exitCode !== null) throw error;
          await sleep(20);
        }
      }
      child.kill("SIGTERM");
      // It dies of SIGTERM itself (process.exit would wait for the stuck thread): a shell shows 143.
      expect(await closed, stderr).toBe("SIGTERM");
    } finally {
      if (writer !== undefined) closeSync(writer);
      child.kill("SIGKILL");
    }
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(stderr).toContain("did not stop within 5 s");
    expect((await readdir(cwd)).sort()).toEqual(["answers.yaml"]);
  });

  test("10 runs with --force over a tree with extras: as before or complete, extras untouched", { timeout: 300_000 }, async () => {
    for (let i = 0; i < 10; i++) {
      const cwd = await tempDir("cggs-rel-sigf-");
      const dir = path.join(cwd, "svc");
      await mkdir(path.join(dir, "docs"), { recursive: true });
      await writeFile(path.join(dir, "docs", "adr.md"), "# mine\n");
      await writeFile(path.join(dir, ".env"), "X=1\n");
      const before = await snapshot(dir);
      await interruptOnce(cwd, 40 + Math.floor(random() * 260), [i % 2 ? "SIGTERM" : "SIGINT"], ["--force", "--no-git"], before);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The generated repository's own security properties, for a few answer sets.

const SECURITY_CASES: [string, Partial<Answers>][] = [
  ["defaults + secrets (argocd, github)", { secret: ["API_TOKEN", "DATABASE_PASSWORD"] }],
  ["flux + gitlab, secrets: none", { gitops: "flux", ci: "gitlab", secrets: "none", secret: ["API_TOKEN"], module: "gitlab.com/acme/my-svc", registry: "registry.gitlab.com/acme", repoUrl: "https://gitlab.com/acme/my-svc.git" }],
  ["applicationset + rollouts, one environment", { argocdMode: "applicationset", progressive: "argo-rollouts", environments: ["prod"] }],
];

describe.each(SECURITY_CASES)("generated-repo security: %s", (_, overrides) => {
  let dir: string;
  let files: string[];
  let answers: Answers;
  const rendered = new Map<string, Obj[]>();
  beforeAll(async () => {
    answers = { ...baseAnswers, ...overrides };
    ({ dir, files } = await renderToDir(answers));
    for (const env of answers.environments) rendered.set(env, docs(await kustomize(path.join(dir, "deploy/overlays", env))));
  });
  const read = (p: string) => readFile(path.join(dir, p), "utf8");

  test("no secret values anywhere: no Secret object, no secretGenerator, no value-looking strings", async () => {
    for (const [env, objects] of rendered) {
      expect(objects.filter((o) => o.kind === "Secret"), env).toEqual([]);
      const config = objects.find((o) => o.kind === "ConfigMap")!;
      for (const s of answers.secret) expect(Object.keys(config.data ?? {}), env).not.toContain(s);
    }
    for (const file of files.filter((f) => f !== "go.sum")) {
      const content = await read(file);
      if (/\.ya?ml$/.test(file)) {
        for (const o of docs(content)) {
          if (o.kind === "Secret") expect([file, o.data, o.stringData]).toEqual([file, undefined, undefined]);
          if (o.secretGenerator) throw new Error(`${file} has a secretGenerator`);
        }
      }
      expect(content, file).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|glpat-[A-Za-z0-9_-]{20}|xox[baprs]-[A-Za-z0-9-]{10,}/);
      // A secret's name may appear; a value after it only in the README's local-run placeholder.
      for (const s of answers.secret) {
        for (const m of content.matchAll(new RegExp(`\\b${s}\\s*[=:]\\s*([^\\s$"'{}#%]+)`, "g"))) {
          if (file === "README.md" && m[1] === "changeme") continue;
          throw new Error(`${file}: '${m[0]}' looks like a value for the secret ${s}`);
        }
      }
    }
    expect(await read(".gitignore")).toMatch(/^\.env$/m);
  });

  test("CI: actions pinned by SHA, permissions least-privilege", async () => {
    const workflows = files.filter((f) => f.startsWith(".github/workflows/"));
    expect(workflows.length > 0).toBe(answers.ci === "github");
    for (const file of workflows) {
      const wf = parse(await read(file));
      expect(wf.permissions, `${file}: top-level permissions`).toEqual({});
      for (const [name, job] of Object.entries(wf.jobs as Record<string, Obj>)) {
        expect(job.permissions, `${file} ${name}: job permissions`).toBeTypeOf("object");
        expect(job.permissions).not.toBe("write-all");
        const writes = Object.entries(job.permissions).filter(([, v]) => v === "write").map(([k]) => k);
        // Only the release (push the image, sign it, write the tag) and promotion jobs write anything.
        if (writes.length > 0) expect(["release.yaml", "promote.yaml"], `${file} ${name} writes ${writes}`).toContain(path.basename(file));
        for (const step of job.steps ?? []) if (step.uses) expect(step.uses, `${file} ${name}`).toMatch(/^[^@\s]+@[0-9a-f]{40}$/);
      }
    }
  });

  test("the image: pinned builder, distroless nonroot, USER 65532; .dockerignore is an allowlist", async () => {
    const dockerfile = await read("Dockerfile");
    const froms = dockerfile.split("\n").filter((l) => l.startsWith("FROM "));
    // Base images are pinned to exact tags (Dependabot/Renovate move them), never latest.
    expect(froms[0]).toMatch(/ golang:\d+\.\d+\.\d+-\w+ AS build$/);
    for (const from of froms) expect(from).not.toMatch(/:latest\b/);
    expect(froms.at(-1)).toMatch(/^FROM gcr\.io\/distroless\/static[-\w]*:nonroot(@sha256:[0-9a-f]{64})?$/);
    expect(dockerfile).toMatch(/^USER 65532:65532$/m);
    expect(dockerfile).not.toMatch(/^ADD https?:/m);
    const patterns = (await read(".dockerignore")).split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    expect(patterns[0]).toBe("**");
    for (const p of patterns.slice(1)) expect(p, "only Go sources are let back in").toMatch(/^!(go\.mod|go\.sum|cmd\/\*\*|internal\/\*\*)$/);
  });

  test("pods meet Pod Security 'restricted'; namespaces enforce it; NetworkPolicy present by default", () => {
    for (const [env, objects] of rendered) {
      const workloads = objects.filter((o) => o.kind === "Deployment" || o.kind === "Rollout").filter((o) => o.spec?.template);
      expect(workloads.length, env).toBeGreaterThan(0);
      for (const w of workloads) {
        const pod = w.spec.template.spec;
        expect(pod.securityContext.runAsNonRoot, env).toBe(true);
        expect(pod.securityContext.seccompProfile.type, env).toBe("RuntimeDefault");
        expect(pod.automountServiceAccountToken, env).toBe(false);
        expect(pod.hostNetwork ?? false).toBe(false);
        for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
          expect(c.securityContext.allowPrivilegeEscalation, `${env} ${c.name}`).toBe(false);
          expect(c.securityContext.readOnlyRootFilesystem, `${env} ${c.name}`).toBe(true);
          expect(c.securityContext.capabilities.drop, `${env} ${c.name}`).toEqual(["ALL"]);
          expect(c.securityContext.capabilities.add ?? [], `${env} ${c.name}`).toEqual([]);
          expect(c.securityContext.privileged ?? false).toBe(false);
        }
      }
      // The platform's file creates the namespace (#27 F5); the overlay creates none.
      expect(objects.some((o) => o.kind === "Namespace"), env).toBe(false);
      const ns = parseAllDocuments(readFileSync(path.join(dir, "deploy/platform", `${env}.yaml`), "utf8")).map((d) => d.toJS()).find((o) => o.kind === "Namespace");
      expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"], env).toBe("restricted");
      expect(objects.some((o) => o.kind === "NetworkPolicy"), env).toBe(answers.networkPolicy);
    }
  });

  test("SECURITY.md says how to report to the owner and what the supply chain does", async () => {
    const security = await read("SECURITY.md");
    expect(security).toContain(`**${answers.owner}**`);
    expect(security).toMatch(/do not report security problems in a public issue/i);
    expect(security).toContain("Secrets are never in Git");
    if (answers.ci === "github") for (const s of ["full commit SHA", "Dependabot", "SBOM", "provenance", "signs the digest"]) expect(security).toContain(s);
    if (answers.ci === "gitlab") expect(security).toContain("confidential issue");
    expect(security).not.toMatch(/\{\{/);
  });
});

// The CLI's bundled templates include SECURITY.md (the reference run wrote it).
test("the built CLI writes SECURITY.md", () => {
  expect(reference["SECURITY.md"]).toBeDefined();
});
