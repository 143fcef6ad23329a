// Day 2 (issue #10): `update` brings a generated repository to the current templates with a 3-way
// merge per file, and `update --check` tells a fleet which services are behind. Run with the built
// CLI on real git repositories. An "older template version" is simulated with a --templates override
// at generation time (helpers/update-repo.ts); test/fixtures/update-base-v0.1.0 is the output of a
// real earlier version (0.1.0, `my-svc --yes --owner acme`), committed as a tree without .git: never
// regenerate it, so that once the templates change this test updates across a real change.
import { existsSync } from "node:fs";
import { readFile, readlink, rename, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, test } from "vitest";
import { formatPlan } from "../src/update/format.js";
import { decide, wholeFileConflict, type Decision, type FileInput } from "../src/update/merge.js";
import type { UpdatePlan } from "../src/update/plan-update.js";
import { runCli, tempDir } from "./helpers/cli.js";
import { commitAll, edit, fixtureRepo, generate, git, OLD, olderTemplates, tree, update, verifyOutput } from "./helpers/update-repo.js";

const RECORD = ".create-gitops-go-service.json";
const readJson = async (file: string) => JSON.parse(await readFile(file, "utf8"));

/** A repository generated with the older templates, and a fresh one (current templates) to compare with. */
async function olderRepo(): Promise<{ dir: string; fresh: string }> {
  const templates = await olderTemplates();
  const [dir, fresh] = await Promise.all([generate(["--templates", templates]), generate()]);
  return { dir, fresh };
}

/** Insert a line before the first line equal to anchor. */
function insertBefore(text: string, anchor: string, line: string): string {
  const lines = text.split("\n");
  const at = lines.indexOf(anchor);
  if (at < 0) throw new Error(`no line '${anchor}'`);
  return [...lines.slice(0, at), line, ...lines.slice(at)].join("\n");
}

/** A line in the middle of a text (far from its first and last lines): where the team edits. */
const middleLine = (text: string): string => {
  const lines = text.split("\n");
  return lines.slice(Math.floor(lines.length / 2)).find((l) => l.trim() !== "" && lines.indexOf(l) === lines.lastIndexOf(l))!;
};

describe("decision table (git merge-file on real bytes)", () => {
  const b = (s: string) => Buffer.from(s);
  const base: Omit<FileInput, "ownership"> = { path: "f", recorded: true, base: b("a\nb\nc\nd\ne\nf\ng\n"), ours: b("a\nb\nc\nd\ne\nf\ng\n"), theirs: b("A\nb\nc\nd\ne\nf\ng\n") };
  const opts = { overwritePlatform: false };
  test.each([
    ["platform", {}, "replace"],
    ["shared", {}, "replace"],
    ["team", {}, "keep"],
    ["platform", { ours: b("a\nb\nc\nd\ne\nf\nG\n") }, "conflict"],
    ["shared", { ours: b("a\nb\nc\nd\ne\nf\nG\n") }, "merge"],
    ["shared", { ours: b("a2\nb\nc\nd\ne\nf\ng\n") }, "conflict"],
    ["shared", { base: "unknown" }, "conflict"],
    ["shared", { base: "unknown", ours: b("A\nb\nc\nd\ne\nf\ng\n") }, "keep"],
    ["shared", { theirs: null }, "remove"],
    ["shared", { theirs: null, ours: b("x\n") }, "conflict"],
    ["team", { theirs: null }, "keep"],
    ["shared", { recorded: false, ours: null }, "add"],
    ["shared", { recorded: false, ours: b("other\n") }, "conflict"],
    ["team", { recorded: false, ours: b("other\n") }, "keep"],
    ["shared", { ours: null }, "conflict"],
    ["shared", { ours: null, theirs: b("a\nb\nc\nd\ne\nf\ng\n") }, "keep"],
    ["platform", { ours: "irregular" }, "conflict"],
    ["shared", { ours: "irregular", recorded: false }, "conflict"],
    // A symlink where the template's output did not change: the team's change, kept.
    ["platform", { ours: "irregular", theirs: b("a\nb\nc\nd\ne\nf\ng\n") }, "keep"],
    ["platform", { ours: "irregular", theirs: null }, "keep"],
    ["team", { ours: "irregular" }, "keep"],
  ] as const)("%s %j → %s", async (ownership, change, action) => {
    const d = await decide({ ...base, ownership, ...change } as FileInput, opts);
    expect(d.action).toBe(action);
  });

  test("a shared merge keeps both sides; an overlap leaves diff3 markers; --overwrite-platform replaces", async () => {
    const merged = await decide({ ...base, ownership: "shared", ours: b("a\nb\nc\nd\ne\nf\nG\n") }, opts);
    expect(merged.write?.toString()).toBe("A\nb\nc\nd\ne\nf\nG\n");
    const conflict = await decide({ ...base, ownership: "shared", ours: b("a2\nb\nc\nd\ne\nf\ng\n") }, opts);
    expect(conflict.write?.toString()).toMatch(/^<<<<<<< ours\na2\n\|\|\|\|\|\|\| base\na\n=======\nA\n>>>>>>> template\n/);
    const platform = await decide({ ...base, ownership: "platform", ours: b("a\nb\nc\nd\ne\nf\nG\n") }, { overwritePlatform: true });
    expect([platform.action, platform.write?.toString()]).toEqual(["replace", "A\nb\nc\nd\ne\nf\ng\n"]);
    // A platform edit that git could merge cleanly is still a conflict, shown over the whole file.
    const edited = await decide({ ...base, ownership: "platform", ours: b("a\nb\nc\nd\ne\nf\nG\n") }, opts);
    expect(edited.write?.toString()).toBe(wholeFileConflict(b("a\nb\nc\nd\ne\nf\nG\n"), b("a\nb\nc\nd\ne\nf\ng\n"), b("A\nb\nc\nd\ne\nf\ng\n")).toString());
  });
});

describe("the summary", () => {
  test("never says 'already up to date' beside a conflict, also when nothing was written", () => {
    const template = { version: "0.1.0", sha256: "a".repeat(64) };
    const decision = (action: "keep" | "conflict"): Decision => ({ path: "Makefile", ownership: "platform", action, reason: "not a regular file in the work tree: left alone" });
    const plan = (action: "keep" | "conflict") => ({ directory: "/r/svc", from: template, to: template, newAnswers: {}, placeholders: [], answerChanges: [], staleImports: [], decisions: [decision(action)] }) as unknown as UpdatePlan;
    expect(formatPlan(plan("keep"), "/r", { changed: [] }, false)).toContain("already up to date: nothing changed");
    expect(formatPlan(plan("conflict"), "/r", { changed: [] }, false)).not.toContain("already up to date");
  });
});

describe("update with unchanged templates", () => {
  test("changes nothing, exits 0; --check says up to date", async () => {
    const dir = await generate();
    const run = await update(dir);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain("already up to date");
    expect(await git(dir, "status", "--porcelain")).toBe("");
    const check = await update(dir, ["--check"]);
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^svc: up to date \(template \d+\.\d+\.\d+\)$/);
    const dry = await update(dir, ["--dry-run", "--json"]);
    expect(dry.exitCode).toBe(0);
    const result = JSON.parse(dry.stdout);
    expect(result.upToDate).toBe(true);
    expect(new Set(result.files.map((f: { action: string }) => f.action))).toEqual(new Set(["keep"]));
  });

  test("refuses a dirty work tree (exit 3) unless --allow-dirty, and a folder that is not a generated repository (exit 2)", async () => {
    const dir = await generate();
    await writeFile(path.join(dir, "notes.txt"), "wip\n");
    const dirty = await update(dir);
    expect(dirty.exitCode).toBe(3);
    expect(dirty.stderr).toContain("uncommitted changes: notes.txt");
    expect((await update(dir, ["--allow-dirty"])).exitCode).toBe(0);
    const empty = await tempDir();
    await git(empty, "init", "--quiet");
    const none = await update(empty);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain("not a repository this tool generated");
    expect((await update(empty, ["--bogus"])).exitCode).toBe(2);
  });
});

describe("update from an older template version", () => {
  test("replaces platform files, merges a non-overlapping shared edit, never touches team files, removes a dropped file", async () => {
    const { dir, fresh } = await olderRepo();
    // The team's own work, committed: a README line (not where the template changes), and the handlers.
    let anchor = "";
    await edit(dir, "README.md", (t) => insertBefore(t, (anchor = middleLine(t)), "Team note: owned by the orders squad."));
    await edit(dir, "internal/server/handlers.go", (t) => `${t}\n// Team-owned: kept by every update.\n`);
    await commitAll(dir);
    const handlers = await readFile(path.join(dir, "internal/server/handlers.go"));

    const before = await update(dir, ["--check"]);
    expect(before.exitCode, before.stderr).toBe(1);
    expect(before.stdout).toMatch(/^svc: update available: digest differs/);

    const dry = await update(dir, ["--dry-run", "--json"]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    const actions = Object.fromEntries(JSON.parse(dry.stdout).files.map((f: { path: string; action: string }) => [f.path, f.action]));
    expect(actions).toMatchObject({ Makefile: "replace", "README.md": "merge", "internal/server/handlers.go": "keep", [OLD.runbook]: "remove" });
    expect(await git(dir, "status", "--porcelain")).toBe("");

    const run = await update(dir);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/replace\s+Makefile/);
    expect(run.stdout).toMatch(/merge\s+README\.md/);
    const [updated, current] = [await tree(dir), await tree(fresh)];
    expect(updated.get("Makefile")?.equals(current.get("Makefile")!)).toBe(true);
    expect(updated.get("README.md")?.toString()).toBe(insertBefore(current.get("README.md")!.toString(), anchor, "Team note: owned by the orders squad."));
    expect(updated.get("internal/server/handlers.go")?.equals(handlers)).toBe(true);
    expect(updated.has(OLD.runbook)).toBe(false);
    expect(existsSync(path.join(dir, "ops"))).toBe(false);
    // Every other non-team file is now what the current templates write.
    const record = await readJson(path.join(dir, RECORD));
    for (const [file, bytes] of current)
      if (file !== "README.md" && record.files[file]?.ownership !== "team") expect(updated.get(file)?.equals(bytes), file).toBe(true);
    expect(record.template).toEqual((await readJson(path.join(fresh, RECORD))).template);

    // Staged like a merge; the merged README is not the template's output, so the template snapshot
    // (MERGE_HEAD) becomes the commit's second parent, and the next update finds its base there.
    expect(await git(dir, "status", "--porcelain")).toMatch(/^M {2}Makefile$/m);
    await git(dir, "commit", "--quiet", "-m", "update");
    expect((await git(dir, "rev-list", "--parents", "-n", "1", "HEAD")).split(" ")).toHaveLength(3);
    expect((await update(dir, ["--check"])).exitCode).toBe(0);
    // A second update finds the base of every file in history: nothing to do.
    const again = await update(dir);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await git(dir, "status", "--porcelain")).toBe("");
    await verifyOutput(dir);
  });

  test("an overlapping shared edit and an edited platform file are conflicts: markers, exit 5, team files untouched", async () => {
    const { dir } = await olderRepo();
    await edit(dir, "README.md", (t) => t.replace(/^# svc \(old heading\)\n/, "# svc: the team's title\n"));
    await edit(dir, "Makefile", (t) => t.replace(OLD.makefileHeader, "# Our own Makefile header.\n"));
    await commitAll(dir);
    const handlers = await readFile(path.join(dir, "internal/server/handlers.go"));

    const dry = await update(dir, ["--dry-run", "--json"]);
    expect(dry.exitCode).toBe(5);
    expect(JSON.parse(dry.stdout).conflicts).toEqual(["Makefile", "README.md"]);
    expect(await git(dir, "status", "--porcelain")).toBe("");

    const run = await update(dir, ["--commit"]);
    expect(run.exitCode).toBe(5);
    expect(run.stderr).toMatch(/2 conflicts:\n {2}Makefile \(platform: [^)]*\)\n {2}README\.md \(shared: [^)]*\)/);
    const readme = await readFile(path.join(dir, "README.md"), "utf8");
    expect(readme).toContain("<<<<<<< ours\n# svc: the team's title\n||||||| base\n# svc (old heading)\n=======\n# svc\n>>>>>>> template\n");
    expect(readme).not.toContain(OLD.readmeFooter); // the non-overlapping part merged
    expect(await readFile(path.join(dir, "Makefile"), "utf8")).toMatch(/^<<<<<<< ours\n# Our own Makefile header\.\n\|\|\|\|\|\|\| base\n/);
    expect((await readFile(path.join(dir, "internal/server/handlers.go"))).equals(handlers)).toBe(true);
    // Unmerged in the index like a git merge: git commit refuses until they are resolved and added.
    const status = await git(dir, "status", "--porcelain");
    expect(status).toMatch(/^UU Makefile$/m);
    expect(status).toMatch(/^UU README\.md$/m);
    expect(status).toMatch(/^D {2}ops\/old-runbook\.md$/m);
    // No commit with conflicts (--commit or not); git merge --abort undoes the whole update.
    expect((await git(dir, "rev-list", "--count", "HEAD")).trim()).toBe("2");
    await git(dir, "merge", "--abort");
    expect(await git(dir, "status", "--porcelain")).toBe("");

    // --overwrite-platform takes the template's Makefile; the README stays a conflict.
    const overwrite = await update(dir, ["--overwrite-platform", "--dry-run", "--json"]);
    const files = JSON.parse(overwrite.stdout).files;
    expect(files.find((f: { path: string }) => f.path === "Makefile").action).toBe("replace");
    expect(JSON.parse(overwrite.stdout).conflicts).toEqual(["README.md"]);
  });

  test("a dropped file the team edited is kept and reported as a conflict", async () => {
    const { dir } = await olderRepo();
    await edit(dir, OLD.runbook, (t) => `${t}Our on-call rota.\n`);
    await commitAll(dir);
    const run = await update(dir);
    expect(run.exitCode).toBe(5);
    expect(run.stderr).toContain(`${OLD.runbook} (platform: no longer generated, but edited locally: kept)`);
    expect(await readFile(path.join(dir, OLD.runbook), "utf8")).toContain("Our on-call rota.");
  });

  test("a generated file replaced by a symlink, which the template changes: a conflict, the link left as it is", async () => {
    const { dir } = await olderRepo();
    await rename(path.join(dir, "Makefile"), path.join(dir, "Makefile.team"));
    await symlink("Makefile.team", path.join(dir, "Makefile"));
    await commitAll(dir);
    const run = await update(dir);
    expect(run.exitCode, run.stderr).toBe(5);
    expect(run.stderr).toContain("Makefile (platform: not a regular file in the work tree, and the template changed it: left alone)");
    // The conflict stands (formatPlan's own test covers a conflict in a run that changed nothing).
    expect(run.stdout).not.toContain("already up to date");
    expect(await readlink(path.join(dir, "Makefile"))).toBe("Makefile.team");
    expect((await update(dir, ["--check"])).exitCode).toBe(1);
  });

  test("--commit makes one commit naming the tool and version; the result passes go build, go vet and kustomize", async () => {
    const { dir } = await olderRepo();
    const run = await update(dir, ["--commit", "--json"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(await git(dir, "log", "-1", "--format=%s")).toMatch(/^chore: update to create-gitops-go-service v\d+\.\d+\.\d+ templates$/);
    expect(await git(dir, "status", "--porcelain")).toBe("");
    // Nothing merged: every written file is the template's output, so no snapshot parent is needed.
    expect(result.snapshot).toBeNull();
    expect((await update(dir, ["--check"])).exitCode).toBe(0);
    await verifyOutput(dir);
  });
});

describe("questions new since the repository was made", () => {
  async function withoutRecordedAnswer(...keys: string[]): Promise<string> {
    const dir = await generate();
    const file = path.join(dir, RECORD);
    const record = await readJson(file);
    for (const k of keys) delete record.answers[k];
    await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
    await commitAll(dir, "older record");
    return dir;
  }

  test("with --yes a new question with a default is defaulted, and the record gets its answer", async () => {
    const dir = await withoutRecordedAnswer("monitoring");
    const run = await update(dir, ["--yes", "--json"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).newAnswers).toEqual({ monitoring: true });
    expect((await readJson(path.join(dir, RECORD))).answers.monitoring).toBe(true);
    expect(await git(dir, "status", "--porcelain")).toBe(`M  ${RECORD}`);
  });

  test("a flag answers it; without a terminal and without --yes, one with no default exits 2 naming it", async () => {
    const dir = await withoutRecordedAnswer("owner", "monitoring");
    const run = await update(dir);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("missing answers: --owner");
    expect(await git(dir, "status", "--porcelain")).toBe("");
    const given = await update(dir, ["--owner", "acme", "--json"]);
    expect(given.exitCode, given.stderr).toBe(0);
    expect(JSON.parse(given.stdout).newAnswers).toEqual({ owner: "acme", monitoring: true });
  });
});

// The generated README's "Add a setting or a secret" (issue #30) is this command: it must reach every
// place a variable lives and keep the team's own edit of a shared file.
describe("adding a variable with update", () => {
  test("--env and --secret (the whole lists) add each everywhere it belongs and keep a team edit", async () => {
    const dir = await generate(["--env", "UPSTREAM_URL", "--secret", "API_TOKEN"]);
    await edit(dir, "internal/config/config.go", (text) => `// Team note: keep this file small.\n${text}`);
    await commitAll(dir);
    const run = await update(dir, ["--yes", "--env", "UPSTREAM_URL", "--env", "GREETING=hi", "--secret", "API_TOKEN", "--secret", "DB_PASSWORD", "--commit"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const read = (file: string) => readFile(path.join(dir, file), "utf8");
    const config = await read("internal/config/config.go");
    expect(config).toContain("// Team note: keep this file small.");
    expect(config).toContain('p.optional("GREETING", "hi")');
    expect(config).toContain('p.secret("DB_PASSWORD")');
    expect(config).toContain('p.secret("API_TOKEN")');
    expect(await read("deploy/base/config.env")).toMatch(/^GREETING=hi$/m);
    expect(await read("deploy/components/external-secret/externalsecret.yaml")).toContain("secretKey: DB_PASSWORD");
    expect(await read("README.md")).toContain("| `GREETING` | no | `hi` |");
    expect(await git(dir, "status", "--porcelain")).toBe("");
  });
});

describe("switching progressive delivery on with update", () => {
  test("--progressive flagger on a Flux repository adds the Flagger canary and Flux's health check for it; with Argo CD it is refused (exit 2)", async () => {
    const dir = await generate(["--gitops", "flux"]);
    const run = await update(dir, ["--yes", "--progressive", "flagger", "--commit"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const read = (file: string) => readFile(path.join(dir, file), "utf8");
    expect(await read("deploy/components/flagger-canary/canary.yaml")).toContain("kind: Canary");
    expect(await read("deploy/overlays/staging/kustomization.yaml")).toContain("- ../../components/flagger-canary");
    expect(await read("deploy/overlays/dev/kustomization.yaml")).not.toContain("flagger-canary");
    expect(await read("deploy/flux/kustomization-prod.yaml")).toContain("healthCheckExprs:");
    expect((await readJson(path.join(dir, RECORD))).answers.progressive).toBe("flagger");
    expect(await git(dir, "status", "--porcelain")).toBe("");
    const argo = await generate(["--gitops", "argocd"]);
    const refused = await update(argo, ["--yes", "--progressive", "flagger"]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("--progressive flagger works only with --gitops flux (got --gitops argocd)");
    expect(await git(argo, "status", "--porcelain")).toBe("");
  });
});

describe("update --check over a fleet", () => {
  test("one row per repository; exit 1 when any is behind; locally modified platform files are named", async () => {
    const templates = await olderTemplates();
    const root = await tempDir("cggs-fleet-");
    for (const [name, extra] of [["orders", []], ["billing", ["--templates", templates]], ["search", []]] as const) {
      const run = await runCli([name, "--yes", "--owner", "acme", ...extra], { cwd: root });
      expect(run.exitCode, run.stderr).toBe(0);
    }
    await edit(path.join(root, "billing"), "Dockerfile", (t) => `${t}# local tweak\n`);
    // Same size, mtime put back: git's index stat data (which --check trusts) still tells by ctime.
    // (git status first, a while after generation: it rewrites the index, so no entry is racily clean.)
    await sleep(20);
    await git(path.join(root, "orders"), "status", "--porcelain");
    const makefile = path.join(root, "orders", "Makefile");
    const before = await stat(makefile);
    await edit(path.join(root, "orders"), "Makefile", (t) => `X${t.slice(1)}`);
    await utimes(makefile, before.atimeMs / 1000, before.mtimeMs / 1000);
    const run = await runCli(["update", "--check", "orders", "billing", "search"], { cwd: root });
    expect(run.exitCode, run.stderr).toBe(1);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SERVICE\s+DIRECTORY\s+TEMPLATE\s+BEHIND BY\s+MODIFIED PLATFORM FILES$/);
    expect(lines[1]).toMatch(/^orders\s+orders\s+\d+\.\d+\.\d+\s+up to date\s+1 \(Makefile\)$/);
    expect(lines[2]).toMatch(/^billing\s+billing\s+\d+\.\d+\.\d+\s+digest differs\s+1 \(Dockerfile\)$/);
    expect(lines[3]).toMatch(/^search\s+search\s/);
    expect(lines.at(-1)).toMatch(/^3 repositories: 2 up to date, 1 behind/);
    const json = await runCli(["update", "--check", "--json", "orders", "missing"], { cwd: root });
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout).repositories.map((r: { status: string }) => r.status)).toEqual(["up-to-date", "error"]);
    await rm(root, { recursive: true, force: true });
  });
});

describe("fixture of a real earlier version (0.1.0)", () => {
  test("namespace.yaml moved to the platform (#27 F5): unchanged ones are removed, the team's edited one is kept as a conflict, deploy/platform/ is added", async () => {
    const dir = await fixtureRepo();
    const edited = "deploy/overlays/dev/namespace.yaml";
    await edit(dir, edited, (t) => t.replace("  labels:\n", "  labels:\n    team.example.com/cost-center: \"42\"\n"));
    expect(await readFile(path.join(dir, edited), "utf8")).toContain("cost-center");
    await commitAll(dir);
    const run = await update(dir, ["--yes"]);
    expect(run.exitCode, run.stdout + run.stderr).toBe(5);
    expect(run.stderr).toContain(`${edited} (platform: no longer generated, but edited locally: kept)`);
    // The team's edit is not lost; the unchanged copies are gone.
    expect(await readFile(path.join(dir, edited), "utf8")).toContain("team.example.com/cost-center");
    for (const env of ["staging", "prod"]) expect(existsSync(path.join(dir, `deploy/overlays/${env}/namespace.yaml`)), env).toBe(false);
    for (const env of ["dev", "staging", "prod"]) {
      expect(await readFile(path.join(dir, `deploy/overlays/${env}/kustomization.yaml`), "utf8"), env).not.toContain("namespace.yaml");
      expect(await readFile(path.join(dir, `deploy/platform/${env}.yaml`), "utf8"), env).toContain("pod-security.kubernetes.io/enforce: restricted");
    }
  });

  test("updates to the current templates as a fresh generation would write them (team files kept), and still builds", async () => {
    const dir = await fixtureRepo();
    const team = Object.entries((await readJson(path.join(dir, RECORD))).files as Record<string, { ownership: string }>)
      .filter(([, f]) => f.ownership === "team")
      .map(([p]) => p);
    const before = await tree(dir);
    const run = await update(dir, ["--yes"]);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const fresh = await generate([], "my-svc");
    const [updated, current] = [await tree(dir), await tree(fresh)];
    for (const p of team) expect(updated.get(p)?.equals(before.get(p)!) ?? !before.has(p), p).toBe(true);
    const nonTeam = (m: Map<string, Buffer>) => [...m.keys()].filter((p) => !team.includes(p)).sort();
    expect(nonTeam(updated)).toEqual(nonTeam(current));
    for (const p of nonTeam(current)) expect(updated.get(p)?.equals(current.get(p)!), p).toBe(true);
    // --check reads the committed record (issue #16): staged is not done yet.
    expect((await update(dir, ["--check"])).exitCode).toBe(1);
    await git(dir, "commit", "--quiet", "-m", "update");
    expect((await update(dir, ["--check"])).exitCode).toBe(0);
    await verifyOutput(dir);
  });
});
