// Issue #31: the generated scripts/template-update.sh, driven as CI drives it, offline. The forge is a
// bare repository (the push target) and a recording stand-in for `gh` on PATH that keeps pull requests
// and issues in a JSON file; `npx create-gitops-go-service@<pinned>` is a stand-in `npx` on PATH that
// checks the exact package@version the script asks for and runs this checkout's dist/cli.js instead
// (so the generated script carries no test-only switch).
import { execa } from "execa";
import { chmod, cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { CLI, gitEnv, tempDir } from "./helpers/cli.js";
import { commitAll, edit, generate, git, olderTemplates } from "./helpers/update-repo.js";
import { TOOL } from "../src/shared/tool.js";
import { inCI, renderToDir, tool } from "./helpers/render.js";

const BRANCH = "template-update";

interface Forge {
  prs: { number: number; head: string; base: string; title: string; body: string }[];
  issues: { number: number; title: string; body: string }[];
  calls: string[][];
}

// The `gh` subcommands the script may use, with gh's flags; anything else fails loudly (exit 1), so a
// call the script makes that gh would not understand the same way fails the test.
const FAKE_GH = `#!/usr/bin/env node
const fs = require("node:fs");
const file = process.env.FAKE_FORGE;
const forge = JSON.parse(fs.readFileSync(file, "utf8"));
const args = process.argv.slice(2);
forge.calls.push(args);
const save = () => fs.writeFileSync(file, JSON.stringify(forge, null, 2));
const flag = (name) => { const i = args.indexOf("--" + name); return i < 0 ? undefined : args[i + 1]; };
const fields = (items) => items.map((x) => Object.fromEntries(flag("json").split(",").map((k) => [k, x[k]])));
const die = (m) => { save(); process.stderr.write("fake gh: " + m + "\\n"); process.exit(1); };
const [noun, verb] = args;
const list = noun === "pr" ? forge.prs : noun === "issue" ? forge.issues : die("unknown command " + noun);
const next = () => forge.prs.length + forge.issues.length + 1;
if (verb === "list") {
  if (flag("state") !== "open" || !flag("json")) die("list without --state open --json");
  let hits = list;
  if (noun === "pr") hits = hits.filter((p) => p.head === (flag("head") ?? die("pr list without --head")));
  else { const m = /^in:title "(.*)"$/.exec(flag("search") ?? ""); if (!m) die("issue list without an in:title search"); hits = hits.filter((i) => i.title.toLowerCase().includes(m[1].toLowerCase())); }
  process.stdout.write(JSON.stringify(fields(hits)) + "\\n");
} else if (verb === "create") {
  const item = { number: next(), title: flag("title") ?? die("no --title"), body: flag("body") ?? die("no --body") };
  if (noun === "pr") Object.assign(item, { head: flag("head") ?? die("no --head"), base: flag("base") ?? die("no --base") });
  list.push(item);
} else if (verb === "edit") {
  const item = list.find((x) => x.number === Number(args[2])) ?? die("no " + noun + " " + args[2]);
  item.title = flag("title") ?? item.title;
  item.body = flag("body") ?? item.body;
} else die("unknown verb " + verb);
save();
`;

/** The stand-in `npx` in root/bin: logs its arguments and runs this checkout's CLI as the pinned package. */
async function fakeNpx(root: string, bin: string): Promise<void> {
  await writeFile(
    path.join(bin, "npx"),
    `#!/bin/sh\nprintf '%s\\n' "$*" >>"${root}/npx.log"\n` +
      // The generator is a package from npm: no forge token (GitHub's, GitLab's or the job's) may reach it.
      `for t in "$\{GH_TOKEN:-}" "$\{TEMPLATE_UPDATE_TOKEN:-}" "$\{CI_JOB_TOKEN:-}"; do [ -z "$t" ] || { echo "fake npx: a token reached the generator" >&2; exit 97; }; done\n` +
      `[ "$1" = --yes ] && [ "$2" = "${TOOL.name}@${TOOL.version}" ] || { echo "fake npx: unexpected $*" >&2; exit 127; }\n` +
      `shift 2\nexec node "${CLI}" "$@"\n`,
  );
  await chmod(path.join(bin, "npx"), 0o755);
}

type Run = { exitCode: number; stdout: string; stderr: string };
const result = (r: { exitCode?: number; stdout: unknown; stderr: unknown }): Run => ({ exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) });
const bash = (script: string, cwd: string, env: Record<string, string | undefined>, extendEnv = true) =>
  execa("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], { cwd, reject: false, env, extendEnv }).then(result);

// Hooks a compromised prepare job would like the push to run: each one that runs leaves its name in
// root/hooks.log. The publish half runs git with hooks off, so the log stays empty.
const HOOKS = ["pre-push", "reference-transaction", "post-checkout"];
async function plantHooks(root: string, clone: string): Promise<string> {
  const log = path.join(root, "hooks.log");
  for (const hook of HOOKS) {
    await writeFile(path.join(clone, ".git", "hooks", hook), `#!/bin/sh\necho ${hook} >>"${log}"\n`);
    await chmod(path.join(clone, ".git", "hooks", hook), 0o755);
  }
  return log;
}
const npxCalls = async (root: string) => (existsSync(path.join(root, "npx.log")) ? (await readFile(path.join(root, "npx.log"), "utf8")).trim().split("\n") : []);

/** A generated repository pushed to a bare "origin", and a full clone of it where CI would run. */
async function hosted(repo: string) {
  const root = await tempDir("cggs-tplupd-");
  const origin = path.join(root, "origin.git");
  await execa("git", ["clone", "--quiet", "--bare", repo, origin], { env: gitEnv });
  const work = path.join(root, "work");
  await execa("git", ["clone", "--quiet", origin, work], { env: gitEnv });
  const bin = path.join(root, "bin");
  await mkdir(bin);
  await writeFile(path.join(bin, "gh"), FAKE_GH);
  await fakeNpx(root, bin);
  await chmod(path.join(bin, "gh"), 0o755);
  const state = path.join(root, "forge.json");
  await writeFile(state, JSON.stringify({ prs: [], issues: [], calls: [] }));
  const env = { ...gitEnv, CI: "true", FAKE_FORGE: state, PATH: `${bin}:${process.env.PATH}` };
  const run = async () => result(await execa("./scripts/template-update.sh", [], { cwd: work, reject: false, env }));
  /** A fresh runner for the publish job: a new clone at depth 1 (checkout's default), hooks planted. */
  const freshClone = async (depth = true) => {
    const runner = await tempDir("cggs-tplupd-runner-");
    const clone = path.join(runner, "work");
    await execa("git", ["clone", "--quiet", ...(depth ? ["--depth", "1"] : []), `file://${origin}`, clone], { env: gitEnv });
    return { runner, clone, hooks: await plantHooks(root, clone) };
  };
  /** `scripts/template-update.sh publish DIR` in a fresh clone, holding the token, as the publish job runs it. */
  const publish = async (handoff: string, depth = true) => {
    const { clone, hooks } = await freshClone(depth);
    return { ...(await bash(`./scripts/template-update.sh publish "${handoff}"`, clone, { ...env, GH_TOKEN: "app-token" })), clone, hooks };
  };
  // The workflow's two jobs, run the way the runner runs their steps (bash -eo pipefail): prepare in
  // the full clone, with no token; its outcome output decides whether publish runs; the artifact
  // (RUNNER_TEMP/template-update) is copied to a fresh runner, where publish holds the App's token.
  const workflow = async (): Promise<Run & { outcome?: string; ran: string[]; clone?: string; hooks?: string }> => {
    const wf = parse(await readFile(path.join(work, ".github/workflows/template-update.yaml"), "utf8"));
    const script = (job: string, name: string) => String(wf.jobs[job].steps.find((s: { name?: string }) => s.name === name).run);
    const temp = await tempDir("cggs-tplupd-runner-");
    const output = path.join(temp, "github-output");
    await writeFile(output, "");
    const prepare = await bash(script("prepare", "Prepare the update"), work, { ...env, RUNNER_TEMP: temp, GITHUB_OUTPUT: output });
    const outcome = /^outcome=(.*)$/m.exec(await readFile(output, "utf8"))?.[1];
    if (prepare.exitCode !== 0 || outcome === "0") return { ...prepare, outcome, ran: ["prepare"] };
    const { runner, clone, hooks } = await freshClone();
    await cp(path.join(temp, "template-update"), path.join(runner, "template-update"), { recursive: true });
    const pub = await bash(script("publish", "Publish the update"), clone, { ...env, RUNNER_TEMP: runner, GH_TOKEN: "app-token" });
    return { exitCode: pub.exitCode, stdout: prepare.stdout + pub.stdout, stderr: prepare.stderr + pub.stderr, outcome, ran: ["prepare", "publish"], clone, hooks };
  };
  return { root, work, origin, run, publish, workflow, forge: async () => JSON.parse(await readFile(state, "utf8")) as Forge };
}

const remoteBranch = async (origin: string) => (await execa("git", ["for-each-ref", "--format=%(objectname)", `refs/heads/${BRANCH}`], { cwd: origin })).stdout;
const verbs = (forge: Forge) => forge.calls.map((c) => c.slice(0, 2).join(" "));

describe("scripts/template-update.sh against a bare repository and a recording gh", () => {
  test("behind: one branch, one pull request; a re-run updates it; a newer version's branch is replaced", async () => {
    const repo = await generate(["--templates", await olderTemplates()]);
    const { work, origin, run, forge } = await hosted(repo);

    const first = await run();
    expect(first.exitCode, first.stderr).toBe(10);
    const pushed = await remoteBranch(origin);
    expect(pushed).toMatch(/^[0-9a-f]{40}$/);
    expect(await git(origin, "log", "-1", "--format=%s", BRANCH)).toBe(`chore: update to ${TOOL.name} v${TOOL.version} templates`);
    expect(await git(origin, "rev-parse", `${BRANCH}^1`)).toBe(await git(origin, "rev-parse", "main"));
    let f = await forge();
    expect(f.prs).toEqual([expect.objectContaining({ number: 1, head: BRANCH, base: "main", title: `Template update to ${TOOL.name} ${TOOL.version}` })]);
    expect(f.issues).toEqual([]);
    // The update really is on the branch: the older template's Makefile header is gone there.
    expect(await git(origin, "show", `${BRANCH}:Makefile`)).not.toContain("Makefile of the older template");

    const second = await run();
    expect(second.exitCode, second.stderr).toBe(10);
    f = await forge();
    expect(f.prs).toHaveLength(1);
    expect(verbs(f)).toEqual(["pr list", "pr create", "pr list", "pr edit"]);
    expect(await remoteBranch(origin)).toBe(pushed); // the same proposal is not pushed again

    // Someone's fix on top of the update: kept, never force-pushed over; the same PR stands.
    await git(work, "fetch", "--quiet", "origin", BRANCH);
    await git(work, "switch", "--quiet", "-c", "fix", "FETCH_HEAD");
    await git(work, "commit", "--quiet", "--allow-empty", "-m", "fix: make CI pass with the new template");
    await git(work, "push", "--quiet", "origin", `fix:refs/heads/${BRANCH}`);
    const fixed = await remoteBranch(origin);
    await git(work, "switch", "--quiet", "main");
    const kept = await run();
    expect(kept.exitCode, kept.stderr).toBe(10);
    expect(kept.stdout).toContain("left as it is");
    expect(await remoteBranch(origin)).toBe(fixed);
    expect((await forge()).prs).toHaveLength(1);

    // A branch and pull request left by an earlier version: the branch is replaced, the same PR retitled.
    await git(work, "commit", "--quiet", "--allow-empty", "-m", `chore: update to ${TOOL.name} v0.0.9 templates`);
    await git(work, "push", "--quiet", "--force", "origin", `main:refs/heads/${BRANCH}`);
    await git(work, "reset", "--quiet", "--hard", "origin/main");
    const stale = await remoteBranch(origin);
    f.prs[0].title = `Template update to ${TOOL.name} 0.0.9`;
    await writeFile(path.join(path.dirname(work), "forge.json"), JSON.stringify(f));
    const third = await run();
    expect(third.exitCode, third.stderr).toBe(10);
    expect(await remoteBranch(origin)).not.toBe(stale);
    expect(await git(origin, "rev-parse", `${BRANCH}^{tree}`)).toBe(await git(origin, "rev-parse", `${pushed}^{tree}`));
    f = await forge();
    expect(f.prs).toEqual([expect.objectContaining({ number: 1, title: `Template update to ${TOOL.name} ${TOOL.version}` })]);
    // Someone's commit on top of an older version: not replaced, and the run says so (exit 1).
    await git(work, "fetch", "--quiet", "origin", BRANCH);
    await git(work, "switch", "--quiet", "-c", "old", "origin/main");
    await git(work, "commit", "--quiet", "--allow-empty", "-m", `chore: update to ${TOOL.name} v0.0.9 templates`);
    await git(work, "commit", "--quiet", "--allow-empty", "-m", "fix: a person's work");
    await git(work, "push", "--quiet", "--force", "origin", `old:refs/heads/${BRANCH}`);
    await git(work, "switch", "--quiet", "main");
    const held = await remoteBranch(origin);
    const refused = await run();
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("merge or close its pull request");
    expect(await remoteBranch(origin)).toBe(held);
    expect(verbs(f).filter((v) => v === "pr create")).toHaveLength(1);
    const npx = (await readFile(path.join(path.dirname(work), "npx.log"), "utf8")).trim().split("\n");
    expect(npx).toContain(`--yes ${TOOL.name}@${TOOL.version} update --check .`);
  });

  test("conflicts: one issue naming the files and the command, nothing pushed; a re-run edits it", async () => {
    const repo = await generate(["--templates", await olderTemplates()]);
    await edit(repo, "Makefile", (t) => `${t}# the team's own target\n`);
    await commitAll(repo);
    const { origin, run, workflow, forge } = await hosted(repo);

    const r = await run();
    expect(r.exitCode, r.stderr).toBe(11);
    // The workflow's jobs read 11 as the job done: green, the issue is the news. Prepare hands the
    // conflicts over; publish, on a fresh runner, reports them.
    const again = await workflow();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.outcome).toBe("11");
    expect(again.ran).toEqual(["prepare", "publish"]);
    expect(again.stdout).toContain("conflicts with");
    expect(await remoteBranch(origin)).toBe("");
    const f = await forge();
    expect(f.prs).toEqual([]);
    expect(f.issues).toHaveLength(1);
    expect(f.issues[0].title).toBe(`Template update to ${TOOL.name} ${TOOL.version} has conflicts`);
    expect(f.issues[0].body).toContain("- `Makefile`");
    expect(f.issues[0].body).toContain(`npx ${TOOL.name}@${TOOL.version} update`);
    expect(verbs(f)).toEqual(["issue list", "issue create", "issue list", "issue edit"]);
  });

  test("up to date: exit 0, nothing pushed, nothing requested", async () => {
    const { origin, run, workflow, forge } = await hosted(await generate());
    const r = await run();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("up to date");
    expect(await remoteBranch(origin)).toBe("");
    expect((await forge()).calls).toEqual([]);
    // In the workflow, outcome 0 skips the publish job: the App's token is not even minted.
    const w = await workflow();
    expect(w.exitCode, w.stderr).toBe(0);
    expect(w.outcome).toBe("0");
    expect(w.ran).toEqual(["prepare"]);
  });

  test("a shallow clone: exit 1 before the generator runs, saying how to fetch the history", async () => {
    const repo = await generate(["--templates", await olderTemplates()]);
    await edit(repo, "README.md", (t) => `${t}\nA second commit, so depth 1 is shallow.\n`);
    await commitAll(repo);
    const { work, origin, run, workflow, forge } = await hosted(repo);
    await rm(work, { recursive: true });
    await execa("git", ["clone", "--quiet", "--depth", "1", `file://${origin}`, work], { env: gitEnv });
    const r = await run();
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("fetch-depth: 0");
    // An error fails the workflow's prepare job, and publish does not run.
    const failed = await workflow();
    expect(failed.exitCode).toBe(1);
    expect(failed.ran).toEqual(["prepare"]);
    expect((await forge()).calls).toEqual([]);
  });
});

type Job = Record<string, any>;
const UPDATE_SUBJECT = `chore: update to ${TOOL.name} v${TOOL.version} templates`;
const NPM_CODE = /\bnp[mx]\b/;

// Threat model row 22: the generator (npm code, with dependencies npx resolves at run time) never runs
// in a job that holds a token that can push, and the job that holds it pushes only a checked bundle.
describe("the split workflow: prepare runs the generator with no token, publish holds the token and runs no npm code", () => {
  test("static: actionlint; prepare has no secret, token or environment; publish needs it, is the only job with the App, and runs no npx/npm", async () => {
    const r = await renderToDir({});
    const file = ".github/workflows/template-update.yaml";
    const wf = parse(await readFile(path.join(r.dir, file), "utf8"));
    expect(Object.keys(wf.jobs)).toEqual(["prepare", "publish"]);
    const { prepare, publish } = wf.jobs as Record<string, Job>;
    expect(prepare.permissions).toEqual({ contents: "read" });
    expect(prepare.environment).toBeUndefined();
    const prepared = JSON.stringify(prepare);
    for (const leak of ["secrets.", "vars.", "GH_TOKEN", "GITHUB_TOKEN", "github.token", "create-github-app-token", "steps.app"]) expect(prepared, `prepare mentions ${leak}`).not.toContain(leak);
    const checkouts = (job: Job) => job.steps.filter((st: Job) => String(st.uses).startsWith("actions/checkout@"));
    expect(checkouts(prepare).map((st: Job) => st.with)).toEqual([{ "fetch-depth": 0, "persist-credentials": false }]);
    expect(prepare.steps.map((st: Job) => st.uses ?? st.name)).toEqual([expect.stringMatching(/^actions\/checkout@/), "Prepare the update", expect.stringMatching(/^actions\/upload-artifact@[0-9a-f]{40}$/)]);
    expect(publish.needs).toBe("prepare");
    expect(publish.if).toBe("needs.prepare.outputs.outcome != '0'");
    expect(publish.environment).toBe("gitops");
    expect(publish.permissions).toEqual({ contents: "read" });
    expect(JSON.stringify(publish)).not.toMatch(NPM_CODE);
    expect(checkouts(publish).map((st: Job) => st.with)).toEqual([{ "persist-credentials": false }]);
    expect(publish.steps.map((st: Job) => st.uses ?? st.name)).toEqual([
      expect.stringMatching(/^actions\/checkout@/),
      expect.stringMatching(/^actions\/download-artifact@[0-9a-f]{40}$/),
      expect.stringMatching(/^actions\/create-github-app-token@/),
      "Publish the update",
    ]);
    expect(String(publish.steps.at(-1).run)).toContain('./scripts/template-update.sh publish "$RUNNER_TEMP/template-update"');
    expect(String(prepare.steps[1].run)).toContain('./scripts/template-update.sh prepare "$RUNNER_TEMP/template-update"');
    const { actions } = r.context.versions;
    expect(prepare.steps[2].uses).toBe(`${actions.uploadArtifact.repo}@${actions.uploadArtifact.sha}`);
    expect(publish.steps[1].uses).toBe(`${actions.downloadArtifact.repo}@${actions.downloadArtifact.sha}`);
    expect(prepare.steps[2].with.name).toBe(publish.steps[1].with.name);

    if (!existsSync(tool("actionlint"))) {
      if (inCI) throw new Error("actionlint is required in CI (scripts/install-tools.sh installs it)");
      console.warn("skipped: actionlint not installed (run scripts/install-tools.sh)");
    } else {
      const lint = await execa(tool("actionlint"), ["-no-color", "-oneline", file], { cwd: r.dir, reject: false });
      expect(lint.stdout + lint.stderr).toBe("");
      expect(lint.exitCode).toBe(0);
    }

    // GitLab: the same split. The token's environment is declared by the publish job alone, which
    // runs no npx/npm, in a fresh clone, from the prepare job's artifact.
    const gl = await renderToDir({ ci: "gitlab" });
    const ci = parse(await readFile(path.join(gl.dir, ".gitlab-ci.yml"), "utf8")) as Record<string, Job>;
    const glPrepare = ci["template-update-prepare"];
    const glPublish = ci["template-update-publish"];
    expect(glPrepare.environment).toBeUndefined();
    expect(JSON.stringify(glPrepare)).not.toContain("TEMPLATE_UPDATE_TOKEN");
    expect(glPrepare.artifacts.paths).toEqual([".template-update/"]);
    expect(glPublish.environment).toEqual({ name: "template-update", action: "prepare" });
    expect(glPublish.needs).toEqual([{ job: "template-update-prepare", artifacts: true }]);
    expect(glPublish.variables.GIT_STRATEGY).toBe("clone");
    expect(JSON.stringify(glPublish)).not.toMatch(NPM_CODE);
    for (const [name, job] of Object.entries(ci)) if (name !== "template-update-publish" && job && typeof job === "object") expect(job.environment?.name, name).not.toBe("template-update");
  });

  test("behind, run as the workflow runs: prepare (no token) hands a bundle over; publish pushes it and opens the PR, with no npx and no git hook", async () => {
    const repo = await generate(["--templates", await olderTemplates()]);
    const { root, origin, workflow, forge } = await hosted(repo);

    const w = await workflow();
    expect(w.exitCode, w.stderr).toBe(0);
    expect(w.outcome).toBe("10");
    expect(w.ran).toEqual(["prepare", "publish"]);
    expect(w.stdout).toContain(`proposed ${TOOL.name} ${TOOL.version} on ${BRANCH}`);
    expect(await git(origin, "log", "-1", "--format=%s", BRANCH)).toBe(UPDATE_SUBJECT);
    expect(await git(origin, "rev-parse", `${BRANCH}^1`)).toBe(await git(origin, "rev-parse", "main"));
    expect(await git(origin, "show", `${BRANCH}:Makefile`)).not.toContain("Makefile of the older template");
    expect((await forge()).prs).toEqual([expect.objectContaining({ number: 1, head: BRANCH, base: "main" })]);
    // The generator ran in prepare only (the stand-in npx also fails on any token in its environment).
    expect(await npxCalls(root)).toEqual([`--yes ${TOOL.name}@${TOOL.version} update --check .`, expect.stringMatching(new RegExp(`^--yes ${TOOL.name}@${TOOL.version} update --yes --json --branch template-update-`))]);
    // Publish ran git (fetch, update-ref, push) with hooks planted in its clone: none ran.
    expect(existsSync(w.hooks!), "a git hook ran in publish").toBe(false);
    expect(await readFile(path.join(w.clone!, ".git/config"), "utf8")).not.toContain("app-token");

    // A re-run: the same proposal, nothing pushed again, the same PR edited.
    const pushed = await remoteBranch(origin);
    const again = await workflow();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain("already holds");
    expect(await remoteBranch(origin)).toBe(pushed);
    expect(verbs(await forge())).toEqual(["pr list", "pr create", "pr list", "pr edit"]);
    expect(await npxCalls(root)).toHaveLength(4);
  });

  test("publish refuses a bundle that is not exactly the update (another base, two commits, another subject, an unknown base) and a bad outcome: exit 1, each with its message, nothing pushed", async () => {
    const repo = await generate(["--templates", await olderTemplates()]);
    await edit(repo, "README.md", (t) => `${t}\nA second commit, so main~1 exists.\n`);
    await commitAll(repo);
    const { root, origin, publish, forge } = await hosted(repo);
    const craft = path.join(root, "craft");
    await execa("git", ["clone", "--quiet", origin, craft], { env: gitEnv });
    const main = await git(craft, "rev-parse", "main");
    const older = await git(craft, "rev-parse", "main~1");
    /** A hand-over as prepare writes it: outcome 10, a report, and a bundle of `commits` on `on`. */
    const handoff = async (name: string, on: string, subjects: string[]) => {
      await git(craft, "switch", "--quiet", "-C", name, on);
      for (const subject of subjects) await git(craft, "commit", "--quiet", "--allow-empty", "-m", subject);
      const dir = path.join(root, `handoff-${name}`);
      await mkdir(dir);
      await writeFile(path.join(dir, "outcome"), "10\n");
      await writeFile(path.join(dir, "update.json"), "{}\n");
      await git(craft, "bundle", "create", "--quiet", path.join(dir, "update.bundle"), `refs/heads/${name}`, `^${on}`);
      return dir;
    };
    const cases: [string, string, boolean, RegExp][] = [
      ["two commits on main", await handoff("two", main, [UPDATE_SUBJECT, UPDATE_SUBJECT]), false, new RegExp(`the bundle holds 2 commits on top of main \\(${main.slice(0, 7)}[0-9a-f]*\\), not one: refusing to push it`)],
      ["one commit on main~1", await handoff("older", older, [UPDATE_SUBJECT]), false, new RegExp(`the bundle's commit is on ${older}, not on main as checked out here \\(${main}\\): refusing to push it`)],
      ["another subject", await handoff("subject", main, ["chore: something else"]), false, new RegExp(`the bundle's commit says 'chore: something else', not '${UPDATE_SUBJECT}': refusing to push it`)],
      // At checkout's depth 1, main~1 is not there: git bundle verify refuses before anything is read.
      ["on a commit the clone lacks", path.join(root, "handoff-older"), true, /the bundle does not apply to main \([0-9a-f]+\), refusing it: .*lacks these prerequisite commits/],
    ];
    for (const [label, dir, shallow, message] of cases) {
      const r = await publish(dir, shallow);
      expect(r.exitCode, `${label}: ${r.stderr}`).toBe(1);
      expect(r.stderr, label).toMatch(message);
      expect(r.stderr, label).not.toMatch(/    at /);
      expect(existsSync(r.hooks), `${label}: a git hook ran`).toBe(false);
    }
    const bad = path.join(root, "handoff-bad");
    await mkdir(bad);
    await writeFile(path.join(bad, "outcome"), "yes\n");
    const r = await publish(bad);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("outcome says 'yes', not 0, 10 or 11");
    expect(await remoteBranch(origin)).toBe("");
    expect((await forge()).calls).toEqual([]);
    expect(await npxCalls(root)).toEqual([]);
  });
});

// GitLab: no glab. The branch goes to the bare origin with git push options, which a real git server
// hands to its hooks as GIT_PUSH_OPTION_<n> once it advertises them (receive.advertisePushOptions): a
// pre-receive hook records each push and acts on the merge_request.* options the way GitLab's push
// options handler does (create one when none is open for the branch, else update title and
// description). Asking for merge_request.create while one is open is recorded as a warning: GitLab
// answers that push with a warning block, not a second merge request (gitlab-org/gitlab#378787), and
// the script must never ask. Issues go through a recording `curl` that answers GitLab's REST calls.
interface GitlabForge {
  mrs: { iid: number; source_branch: string; target_branch: string; title: string; description: string; remove_source_branch: boolean; state: string }[];
  issues: { iid: number; title: string; description: string; labels: string[]; state: string }[];
  pushes: { refs: string[]; options: string[] }[];
  warnings: string[];
  calls: string[][];
}

const PRE_RECEIVE = (state: string) => `#!/usr/bin/env node
const fs = require("node:fs");
const forge = JSON.parse(fs.readFileSync(${JSON.stringify(state)}, "utf8"));
const options = Array.from({ length: Number(process.env.GIT_PUSH_OPTION_COUNT ?? 0) }, (_, i) => process.env["GIT_PUSH_OPTION_" + i]);
const refs = fs.readFileSync(0, "utf8").split("\\n").filter(Boolean).map((l) => l.split(" ")[2]);
forge.pushes.push({ refs, options });
const opt = (k) => { const o = options.find((x) => x === "merge_request." + k || x.startsWith("merge_request." + k + "=")); return o === undefined ? undefined : o.includes("=") ? o.slice(o.indexOf("=") + 1) : true; };
if (options.some((o) => o.startsWith("merge_request."))) for (const ref of refs) {
  const branch = ref.replace(/^refs\\/heads\\//, "");
  const open = forge.mrs.find((m) => m.source_branch === branch && m.state === "opened");
  if (opt("create") && open) forge.warnings.push("merge_request.create for " + branch + ", which has merge request !" + open.iid + " open");
  else if (opt("create")) forge.mrs.push({ iid: forge.mrs.length + 1, source_branch: branch, target_branch: opt("target") ?? "default", title: opt("title") ?? branch, description: opt("description") ?? "", remove_source_branch: opt("remove_source_branch") === true, state: "opened" });
  else if (open) { open.title = opt("title") ?? open.title; open.description = opt("description") ?? open.description; }
  else forge.warnings.push("a merge_request.create push option is required to create a merge request for " + branch);
}
fs.writeFileSync(${JSON.stringify(state)}, JSON.stringify(forge, null, 2));
`;

// curl as the script calls it: the API's base from CI_API_V4_URL/projects/CI_PROJECT_ID, the token only
// in a header read from a file (`--header @file`), never on the command line; anything else it does not
// know fails (exit 2, or 22 as curl --fail-with-body does on an HTTP error).
const FAKE_CURL = `#!/usr/bin/env node
const fs = require("node:fs");
const file = process.env.FAKE_FORGE;
const forge = JSON.parse(fs.readFileSync(file, "utf8"));
const args = process.argv.slice(2);
forge.calls.push(args);
const save = () => fs.writeFileSync(file, JSON.stringify(forge, null, 2));
const die = (code, m) => { save(); process.stderr.write("fake curl: " + m + "\\n"); process.exit(code); };
let method = "GET", get = false, url;
const headers = [], data = new URLSearchParams();
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--request") method = args[++i];
  else if (a === "--header") headers.push(args[++i]);
  else if (a === "--data-urlencode") { const d = args[++i]; const at = d.indexOf("="); data.append(d.slice(0, at), d.slice(at + 1)); }
  else if (a === "--get") get = true;
  else if (["--silent", "--show-error", "--fail-with-body"].includes(a)) continue;
  else if (a.startsWith("-")) die(2, "unknown option " + a);
  else if (url) die(2, "a second URL " + a);
  else url = a;
}
if (process.env.FAKE_API_STATUS) die(22, "The requested URL returned error: " + process.env.FAKE_API_STATUS);
const token = process.env.TEMPLATE_UPDATE_TOKEN;
if (!token || args.some((a) => a.includes(token))) die(2, "no token, or the token on the command line");
if (!args.includes("--fail-with-body")) die(2, "without --fail-with-body an HTTP error reads as success");
const lines = headers.flatMap((h) => (h.startsWith("@") ? fs.readFileSync(h.slice(1), "utf8").split("\\n") : [h]));
if (!lines.includes("PRIVATE-TOKEN: " + token)) die(22, "HTTP 401: no PRIVATE-TOKEN header with the token");
const base = process.env.CI_API_V4_URL + "/projects/" + process.env.CI_PROJECT_ID;
if (!url?.startsWith(base + "/")) die(22, "HTTP 404: " + url);
const route = url.slice(base.length);
const q = get ? data : new URLSearchParams();
const body = get ? new URLSearchParams() : data;
let out;
if (method === "GET" && route === "/issues") {
  if (q.get("state") !== "opened" || q.get("in") !== "title" || !q.get("search")) die(22, "HTTP 400: issues listed without state=opened, in=title and a search");
  out = forge.issues.filter((i) => i.state === "opened" && i.title.toLowerCase().includes(q.get("search").toLowerCase()));
} else if (method === "POST" && route === "/issues") {
  if (!body.get("title")) die(22, "HTTP 400: title is missing");
  out = { iid: forge.issues.length + 1, title: body.get("title"), description: body.get("description") ?? "", labels: (body.get("labels") ?? "").split(",").filter(Boolean), state: "opened" };
  forge.issues.push(out);
} else if (method === "PUT" && /^\\/issues\\/\\d+$/.test(route)) {
  out = forge.issues.find((i) => i.iid === Number(route.split("/")[2])) ?? die(22, "HTTP 404: " + route);
  if (body.has("title")) out.title = body.get("title");
  if (body.has("description")) out.description = body.get("description");
} else if (method === "GET" && route === "/merge_requests") {
  if (q.get("state") !== "opened" || !q.get("source_branch")) die(22, "HTTP 400: merge requests listed without state=opened and a source_branch");
  out = forge.mrs.filter((m) => m.state === "opened" && m.source_branch === q.get("source_branch"));
} else die(22, "HTTP 404: " + method + " " + route);
save();
process.stdout.write(JSON.stringify(out) + "\\n");
`;

const TOKEN = "glpat-template-update-secret";

async function gitlabHosted(repo: string) {
  const root = await tempDir("cggs-tplupd-gl-");
  const origin = path.join(root, "origin.git");
  await execa("git", ["clone", "--quiet", "--bare", repo, origin], { env: gitEnv });
  await execa("git", ["config", "receive.advertisePushOptions", "true"], { cwd: origin });
  const state = path.join(root, "forge.json");
  await writeFile(state, JSON.stringify({ mrs: [], issues: [], pushes: [], warnings: [], calls: [] }));
  await writeFile(path.join(origin, "hooks", "pre-receive"), PRE_RECEIVE(state));
  await chmod(path.join(origin, "hooks", "pre-receive"), 0o755);
  const work = path.join(root, "work");
  await execa("git", ["clone", "--quiet", origin, work], { env: gitEnv });
  const bin = path.join(root, "bin");
  await mkdir(bin);
  await writeFile(path.join(bin, "curl"), FAKE_CURL);
  await chmod(path.join(bin, "curl"), 0o755);
  await fakeNpx(root, bin);
  const sha = await git(work, "rev-parse", "HEAD");
  const env = {
    ...gitEnv,
    CI: "true",
    GITLAB_CI: "true",
    CI_SERVER_URL: `file://${root}`,
    CI_SERVER_HOST: "gitlab.example.com",
    CI_PROJECT_PATH: "origin",
    CI_API_V4_URL: "https://gitlab.example.com/api/v4",
    CI_PROJECT_ID: "42",
    CI_COMMIT_BRANCH: "main",
    CI_COMMIT_SHA: sha,
    CI_JOB_TOKEN: "job-token",
    TEMPLATE_UPDATE_TOKEN: TOKEN,
    FAKE_FORGE: state,
    PATH: `${bin}:${process.env.PATH}`,
  };
  const run = async (extra: Record<string, string | undefined> = {}) => result(await execa("./scripts/template-update.sh", [], { cwd: work, reject: false, env: { ...env, ...extra }, extendEnv: false }));
  // The two jobs' scripts, run the way the runner runs them (bash -eo pipefail): prepare on the detached
  // commit it checks out, without TEMPLATE_UPDATE_TOKEN (the variable is scoped to the publish job's
  // environment); its artifact copied into publish's new clone (GIT_STRATEGY: clone), hooks planted there.
  const job = async (): Promise<Run & { clone?: string; hooks?: string }> => {
    const ci = parse(await readFile(path.join(work, ".gitlab-ci.yml"), "utf8"));
    await git(work, "checkout", "--quiet", "--detach", sha);
    const script = (name: string) => (ci[name].script as string[]).join("\n");
    const prepare = await bash(script("template-update-prepare"), work, { ...env, TEMPLATE_UPDATE_TOKEN: undefined }, false);
    if (prepare.exitCode !== 0) return prepare;
    const clone = path.join(await tempDir("cggs-tplupd-gl-runner-"), "work");
    await execa("git", ["clone", "--quiet", "--depth", "20", `file://${origin}`, clone], { env: gitEnv });
    await git(clone, "checkout", "--quiet", "--detach", sha);
    const hooks = await plantHooks(root, clone);
    await cp(path.join(work, ".template-update"), path.join(clone, ".template-update"), { recursive: true });
    await rm(path.join(work, ".template-update"), { recursive: true });
    const pub = await bash(script("template-update-publish"), clone, env, false);
    return { exitCode: pub.exitCode, stdout: prepare.stdout + pub.stdout, stderr: prepare.stderr + pub.stderr, clone, hooks };
  };
  return { root, work, origin, run, job, state, forge: async () => JSON.parse(await readFile(state, "utf8")) as GitlabForge };
}

const withOptions = (f: GitlabForge) => f.pushes.filter((p) => p.options.length > 0);
const requests = (f: GitlabForge) => f.calls.map((c) => `${c[c.indexOf("--request") + 1]} ${c.at(-1)!.replace(/^.*\/projects\/42/, "")}`);

describe("scripts/template-update.sh in GitLab CI: git push options and a recording curl", () => {
  test("behind: one push with merge_request.create; re-runs never ask again; a newer version retitles the same merge request", async () => {
    const repo = await generate(["--ci", "gitlab", "--templates", await olderTemplates()]);
    const { root, work, origin, run, job, state, forge } = await gitlabHosted(repo);
    const title = `Template update to ${TOOL.name} ${TOOL.version}`;

    const first = await run();
    expect(first.exitCode, first.stderr).toBe(10);
    let f = await forge();
    expect(f.pushes).toHaveLength(1);
    expect(f.pushes[0].refs).toEqual([`refs/heads/${BRANCH}`]);
    expect(f.pushes[0].options).toEqual(
      expect.arrayContaining(["merge_request.create", "merge_request.target=main", "merge_request.remove_source_branch", `merge_request.title=${title}`]),
    );
    expect(f.mrs).toEqual([expect.objectContaining({ iid: 1, source_branch: BRANCH, target_branch: "main", title, state: "opened", remove_source_branch: true })]);
    expect(f.mrs[0].description).toContain(`npx ${TOOL.name}@${TOOL.version} update --branch`);
    expect(f.mrs[0].description).toContain("a person approves it");
    expect(f.warnings).toEqual([]);
    expect(await git(origin, "log", "-1", "--format=%s", BRANCH)).toBe(`chore: update to ${TOOL.name} v${TOOL.version} templates`);
    expect(await git(origin, "rev-parse", `${BRANCH}^1`)).toBe(await git(origin, "rev-parse", "main"));
    expect(requests(f)).toEqual(["GET /merge_requests"]);
    const pushed = await remoteBranch(origin);

    // The job as the runner runs it (detached checkout): the same proposal, so nothing is pushed and no
    // push option is sent; the open merge request stands. The token never lands in .git/config.
    const again = await job();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain("already holds");
    f = await forge();
    expect(f.pushes).toHaveLength(1);
    expect(f.mrs).toHaveLength(1);
    expect(await remoteBranch(origin)).toBe(pushed);
    expect(await readFile(path.join(again.clone!, ".git/config"), "utf8")).not.toContain(TOKEN);
    expect(existsSync(again.hooks!), "a git hook ran in the publish job").toBe(false);
    expect((await npxCalls(root)).filter((c) => c.includes("--check"))).toHaveLength(2);
    await git(work, "switch", "--quiet", "main");

    // A branch left by an earlier version, its merge request still open: replaced by one force push
    // that carries title and description but no merge_request.create, so GitLab updates that one.
    await git(work, "commit", "--quiet", "--allow-empty", "-m", `chore: update to ${TOOL.name} v0.0.9 templates`);
    await git(work, "push", "--quiet", "--force", "origin", `main:refs/heads/${BRANCH}`);
    await git(work, "reset", "--quiet", "--hard", "origin/main");
    f = await forge();
    f.mrs[0].title = `Template update to ${TOOL.name} 0.0.9`;
    await writeFile(state, JSON.stringify(f));
    const third = await run();
    expect(third.exitCode, third.stderr).toBe(10);
    f = await forge();
    const last = f.pushes.at(-1)!;
    expect(last.options).toContain(`merge_request.title=${title}`);
    expect(last.options).not.toContain("merge_request.create");
    expect(await git(origin, "rev-parse", `${BRANCH}^{tree}`)).toBe(await git(origin, "rev-parse", `${pushed}^{tree}`));
    expect(f.mrs).toEqual([expect.objectContaining({ iid: 1, title })]);
    // Over all runs: merge_request.create asked for once, never while one was open.
    expect(withOptions(f).filter((p) => p.options.includes("merge_request.create"))).toHaveLength(1);
    expect(f.warnings).toEqual([]);

    // Someone closed it: the branch holds this version, nothing is pushed or reopened.
    f.mrs[0].state = "closed";
    await writeFile(state, JSON.stringify(f));
    const closed = await run();
    expect(closed.exitCode, closed.stderr).toBe(10);
    expect(closed.stdout).toContain("was closed: not proposed again");
    expect((await forge()).pushes).toHaveLength(f.pushes.length);
  });

  test("conflicts: one issue created then edited through the API, nothing pushed", async () => {
    const repo = await generate(["--ci", "gitlab", "--templates", await olderTemplates()]);
    await edit(repo, "Makefile", (t) => `${t}# the team's own target\n`);
    await commitAll(repo);
    const { origin, run, job, state, forge } = await gitlabHosted(repo);

    // The API refusing (a revoked token): curl's own exit code and message, no stack trace, nothing written.
    const refused = await run({ FAKE_API_STATUS: "401" });
    expect(refused.exitCode).toBe(22);
    expect(refused.stderr).toContain("error: 401");
    expect(refused.stderr).not.toMatch(/SyntaxError|    at /);
    const before = await forge();
    expect(before.issues).toEqual([]);
    expect(requests(before)).toEqual(["GET /issues"]);
    await writeFile(state, JSON.stringify({ ...before, calls: [] }));

    const r = await run();
    expect(r.exitCode, r.stderr).toBe(11);
    const again = await job();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain("conflicts with");
    expect(await remoteBranch(origin)).toBe("");
    const f = await forge();
    expect(f.pushes).toEqual([]);
    expect(f.mrs).toEqual([]);
    expect(f.issues).toHaveLength(1);
    expect(f.issues[0]).toEqual(expect.objectContaining({ iid: 1, title: `Template update to ${TOOL.name} ${TOOL.version} has conflicts`, labels: ["template-update"] }));
    expect(f.issues[0].description).toContain("- `Makefile`");
    expect(f.issues[0].description).toContain("no merge request was opened");
    expect(f.issues[0].description).toContain(`npx ${TOOL.name}@${TOOL.version} update`);
    expect(requests(f)).toEqual(["GET /issues", "POST /issues", "GET /issues", "PUT /issues/1"]);
  });

  test("up to date: exit 0, nothing pushed, nothing requested; without the token: exit 1 naming it", async () => {
    const { origin, run, forge } = await gitlabHosted(await generate(["--ci", "gitlab"]));
    const r = await run();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("up to date");
    expect(await remoteBranch(origin)).toBe("");
    expect((await forge()).calls).toEqual([]);
    expect((await forge()).pushes).toEqual([]);
    const missing = await run({ TEMPLATE_UPDATE_TOKEN: "" });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("TEMPLATE_UPDATE_TOKEN is not set");
  });
});
