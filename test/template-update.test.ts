// Issue #31: the generated scripts/template-update.sh, driven as CI drives it, offline. The forge is a
// bare repository (the push target) and a recording stand-in for `gh` on PATH that keeps pull requests
// and issues in a JSON file; `npx create-gitops-go-service@<pinned>` is a stand-in `npx` on PATH that
// checks the exact package@version the script asks for and runs this checkout's dist/cli.js instead
// (so the generated script carries no test-only switch).
import { execa } from "execa";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { CLI, gitEnv, tempDir } from "./helpers/cli.js";
import { commitAll, edit, generate, git, olderTemplates } from "./helpers/update-repo.js";
import { TOOL } from "../src/shared/tool.js";

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

/** A generated repository pushed to a bare "origin", and a full clone of it where CI would run. */
type Run = { exitCode: number; stdout: string; stderr: string };

async function hosted(repo: string): Promise<{ work: string; origin: string; run: () => Promise<Run>; step: () => Promise<Run>; forge: () => Promise<Forge> }> {
  const root = await tempDir("cggs-tplupd-");
  const origin = path.join(root, "origin.git");
  await execa("git", ["clone", "--quiet", "--bare", repo, origin], { env: gitEnv });
  const work = path.join(root, "work");
  await execa("git", ["clone", "--quiet", origin, work], { env: gitEnv });
  const bin = path.join(root, "bin");
  await mkdir(bin);
  await writeFile(path.join(bin, "gh"), FAKE_GH);
  await writeFile(
    path.join(bin, "npx"),
    `#!/bin/sh\nprintf '%s\\n' "$*" >>"${root}/npx.log"\n` +
      // The generator is a package from npm: the forge token must not reach it.
      `[ -z "$\{GH_TOKEN:-}" ] || { echo "fake npx: GH_TOKEN reached the generator" >&2; exit 97; }\n` +
      `[ "$1" = --yes ] && [ "$2" = "${TOOL.name}@${TOOL.version}" ] || { echo "fake npx: unexpected $*" >&2; exit 127; }\n` +
      `shift 2\nexec node "${CLI}" "$@"\n`,
  );
  await chmod(path.join(bin, "gh"), 0o755);
  await chmod(path.join(bin, "npx"), 0o755);
  const state = path.join(root, "forge.json");
  await writeFile(state, JSON.stringify({ prs: [], issues: [], calls: [] }));
  const env = { ...gitEnv, CI: "true", FAKE_FORGE: state, PATH: `${bin}:${process.env.PATH}` };
  const result = (r: { exitCode?: number; stdout: unknown; stderr: unknown }): Run => ({ exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) });
  const run = async () => result(await execa("./scripts/template-update.sh", [], { cwd: work, reject: false, env }));
  // The workflow's own step, run the way the runner runs it (bash -eo pipefail), with a token to hide.
  const step = async () => {
    const workflow = parse(await readFile(path.join(work, ".github/workflows/template-update.yaml"), "utf8"));
    const script = String(workflow.jobs.propose.steps.find((s: { name?: string }) => s.name === "Propose the update").run);
    return result(await execa("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], { cwd: work, reject: false, env: { ...env, GH_TOKEN: "app-token" } }));
  };
  return { work, origin, run, step, forge: async () => JSON.parse(await readFile(state, "utf8")) as Forge };
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
    const { origin, run, step, forge } = await hosted(repo);

    const r = await run();
    expect(r.exitCode, r.stderr).toBe(11);
    // The workflow step reads 11 as the job done: green, the issue is the news.
    const again = await step();
    expect(again.exitCode, again.stderr).toBe(0);
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
    const { origin, run, forge } = await hosted(await generate());
    const r = await run();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("up to date");
    expect(await remoteBranch(origin)).toBe("");
    expect((await forge()).calls).toEqual([]);
  });

  test("a shallow clone: exit 1 before the generator runs, saying how to fetch the history", async () => {
    const repo = await generate(["--templates", await olderTemplates()]);
    await edit(repo, "README.md", (t) => `${t}\nA second commit, so depth 1 is shallow.\n`);
    await commitAll(repo);
    const { work, origin, run, step, forge } = await hosted(repo);
    await rm(work, { recursive: true });
    await execa("git", ["clone", "--quiet", "--depth", "1", `file://${origin}`, work], { env: gitEnv });
    const r = await run();
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("fetch-depth: 0");
    // An error fails the workflow's step.
    expect((await step()).exitCode).toBe(1);
    expect((await forge()).calls).toEqual([]);
  });
});
