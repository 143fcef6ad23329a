// Issue #28 (monorepos): services that live in one git repository (services/orders and
// services/billing, each with its own record) named in one run are updated together: --branch makes
// one commit on one branch holding every service's update, --commit the same one commit, plain
// update the same staged merge, and --check agrees. Each case runs the four commands on identical
// copies of one monorepo. The branch is what each service's own update makes (compared with a
// one-directory --branch run per service), passes `git fsck --strict` and a push into a server with
// receive.fsckObjects, and leaves HEAD, the index and the work tree byte-identical.
import { execa } from "execa";
import { createHash } from "node:crypto";
import { cp, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { gitEnv, runCli, tempDir, type CliRun } from "./helpers/cli.js";
import { BASE_FLAGS, OLD, commitAll, edit, git, olderTemplates, tree } from "./helpers/update-repo.js";

const TEAM_LINE = "Kept by the team.";
const BRANCH = "chore/templates";

interface Service {
  name: string;
  /** Generated with the older templates (behind), else with the current ones (up to date). */
  older: boolean;
  /** A committed team change beside the README line (the service's folder). */
  change?: (dir: string) => Promise<void>;
}

/** A monorepo with a README of its own and the services under services/, each with a team line in its README, committed. */
async function monorepo(services: Service[]): Promise<string> {
  const root = path.join(await tempDir("cggs-mono-"), "mono");
  await mkdir(path.join(root, "services"), { recursive: true });
  await git(root, "init", "--quiet", "--initial-branch=main");
  await writeFile(path.join(root, "README.md"), "# the monorepo\n");
  const older = await olderTemplates();
  for (const s of services) {
    const run = await runCli([s.name, ...BASE_FLAGS, "--no-git", ...(s.older ? ["--templates", older] : [])], { cwd: path.join(root, "services") });
    if (run.exitCode !== 0) throw new Error(`generate ${s.name}: ${run.stderr}`);
  }
  await commitAll(root, "the services as generated");
  for (const s of services) {
    const dir = path.join(root, "services", s.name);
    await edit(dir, "README.md", (t) => {
      const lines = t.split("\n");
      const middle = Math.floor(lines.length / 2);
      return [...lines.slice(0, middle), TEAM_LINE, ...lines.slice(middle)].join("\n");
    });
    await s.change?.(dir);
  }
  await commitAll(root, "team changes");
  return root;
}

const copy = async (from: string, label: string): Promise<string> => {
  const to = path.join(await tempDir(`cggs-mono-${label}-`), "mono");
  await cp(from, to, { recursive: true, verbatimSymlinks: true });
  return to;
};

const hash = (b: Buffer) => createHash("sha256").update(b).digest("hex").slice(0, 16);

/** HEAD, the index's bytes, git status and every work-tree file: what --branch must leave as it is. */
const checkout = async (dir: string) => ({
  index: hash(await readFile(path.resolve(dir, await git(dir, "rev-parse", "--git-path", "index")))),
  head: await git(dir, "rev-parse", "HEAD"),
  status: await git(dir, "--no-optional-locks", "status", "--porcelain", "--ignored"),
  files: [...(await tree(dir))].map(([p, b]) => `${p} ${hash(b)}`),
});

interface Row {
  directory: string;
  status: string;
  exitCode: number;
  changed: number;
  conflicts: string[];
  commit?: string;
  branch?: string;
  error?: string;
}

const rowsOf = (run: CliRun): Row[] => JSON.parse(run.stdout).repositories;
const statuses = (run: CliRun) => rowsOf(run).map((r) => r.status);

/** git fsck --strict finds nothing, and a server that checks what it receives accepts the branch. */
async function expectSound(dir: string, branch: string): Promise<void> {
  const fsck = await execa("git", ["fsck", "--strict", "--no-dangling"], { cwd: dir, env: gitEnv, reject: false });
  expect([fsck.exitCode, fsck.stdout, fsck.stderr]).toEqual([0, "", ""]);
  const bare = path.join(await tempDir("cggs-mono-bare-"), "origin.git");
  await git(dir, "init", "-q", "--bare", bare);
  await git(bare, "config", "receive.fsckObjects", "true");
  const push = await execa("git", ["push", "-q", bare, branch], { cwd: dir, env: gitEnv, reject: false });
  expect([push.exitCode, push.stderr]).toEqual([0, ""]);
}

/** The four commands on copies of root over dirs: their runs, the copies, and the checkout --branch saw. */
async function fourCommands(root: string, dirs: string[]) {
  const [checkDir, plain, committed, branched] = await Promise.all(["check", "plain", "commit", "branch"].map((l) => copy(root, l)));
  const check = await runCli(["update", "--check", "--json", ...dirs], { cwd: checkDir });
  const before = await checkout(branched);
  const [work, commit, branch] = await Promise.all([
    runCli(["update", "--yes", "--json", ...dirs], { cwd: plain }),
    runCli(["update", "--yes", "--commit", "--json", ...dirs], { cwd: committed }),
    runCli(["update", "--yes", "--branch", BRANCH, "--json", ...dirs], { cwd: branched }),
  ]);
  // --branch leaves the checkout as it was, whatever it did.
  expect(await checkout(branched)).toEqual(before);
  return { check, work, commit, branch, plain, committed, branched, head: before.head };
}

/** What one service's own --branch run makes (a copy, one directory): its folder's tree and its snapshot's. */
async function alone(root: string, dir: string): Promise<{ tree: string; snapshot: string }> {
  const other = await copy(root, "alone");
  const run = await runCli(["update", "--yes", "--branch", "alone", dir], { cwd: other });
  expect(run.exitCode, run.stderr).toBe(0);
  const parents = (await git(other, "log", "-1", "--format=%P", "alone")).split(" ");
  return { tree: await git(other, "rev-parse", `alone:${dir}`), snapshot: parents.length > 1 ? await git(other, "rev-parse", `alone^2:${dir}`) : "" };
}

const blobText = (dir: string, rev: string, file: string) => git(dir, "cat-file", "blob", `${rev}:${file}`);
const changedPaths = async (dir: string, from: string, to: string) => (await git(dir, "diff", "--name-only", from, to)).split("\n").filter(Boolean);

describe("update over several services of one repository (issue #28, monorepos)", () => {
  test("both behind: one branch with one commit holding both updates; --commit the same commit, plain update the same merge, --check agrees", async () => {
    const root = await monorepo([
      { name: "orders", older: true },
      { name: "billing", older: true },
    ]);
    const dirs = ["services/orders", "services/billing"];
    const r = await fourCommands(root, dirs);
    expect([r.check.exitCode, statuses(r.check)]).toEqual([1, ["behind", "behind"]]);

    expect([r.branch.exitCode, r.branch.stderr]).toEqual([0, ""]);
    const rows = rowsOf(r.branch);
    expect(rows.map((x) => [x.status, x.branch])).toEqual([["updated", BRANCH], ["updated", BRANCH]]);
    const tip = await git(r.branched, "rev-parse", BRANCH);
    expect(rows.map((x) => x.commit)).toEqual([tip, tip]);
    // One commit on HEAD, with the template snapshot as its second parent (the READMEs merged).
    expect((await git(r.branched, "rev-list", "--parents", "-n", "1", BRANCH)).split(" ")).toHaveLength(3);
    expect(await git(r.branched, "rev-parse", `${BRANCH}^1`)).toBe(r.head);
    const message = await git(r.branched, "log", "-1", "--format=%B", BRANCH);
    expect(message.split("\n")[0]).toBe("chore: update 2 services to create-gitops-go-service v0.1.0 templates");
    expect(message).toMatch(/^- services\/orders \(orders\): 0\.1\.0 \([0-9a-f]{12}\) → 0\.1\.0 \([0-9a-f]{12}\)$/m);
    expect(message).toMatch(/^- services\/billing \(billing\): 0\.1\.0 /m);
    const changed = await changedPaths(r.branched, "HEAD", BRANCH);
    expect(changed.some((p) => p.startsWith("services/orders/")) && changed.some((p) => p.startsWith("services/billing/"))).toBe(true);
    expect(changed.filter((p) => !/^services\/(orders|billing)\//.test(p))).toEqual([]);
    // Each service's part is exactly what its own update makes, snapshot included.
    for (const dir of dirs) {
      const own = await alone(root, dir);
      expect([dir, await git(r.branched, "rev-parse", `${BRANCH}:${dir}`), await git(r.branched, "rev-parse", `${BRANCH}^2:${dir}`)]).toEqual([dir, own.tree, own.snapshot]);
      expect(await blobText(r.branched, BRANCH, `${dir}/README.md`)).toContain(TEAM_LINE);
      expect(await blobText(r.branched, BRANCH, `${dir}/Makefile`)).not.toContain(OLD.makefileHeader);
    }
    await expectSound(r.branched, BRANCH);

    // Plain update: the same tree staged, one merge in progress with the same snapshot.
    expect([r.work.exitCode, r.work.stderr, statuses(r.work)]).toEqual([0, "", ["updated", "updated"]]);
    expect(await git(r.plain, "write-tree")).toBe(await git(r.branched, "rev-parse", `${BRANCH}^{tree}`));
    expect(await git(r.plain, "rev-parse", "MERGE_HEAD^{tree}")).toBe(await git(r.branched, "rev-parse", `${BRANCH}^2^{tree}`));
    expect((await readFile(path.join(r.plain, ".git/MERGE_HEAD"), "utf8")).trim().split("\n")).toHaveLength(1);
    // --commit: one commit, the same tree and snapshot, the same message.
    expect([r.commit.exitCode, r.commit.stderr, statuses(r.commit)]).toEqual([0, "", ["updated", "updated"]]);
    expect(await git(r.committed, "rev-parse", "HEAD^1", "HEAD^{tree}", "HEAD^2^{tree}")).toBe(
      [r.head, await git(r.branched, "rev-parse", `${BRANCH}^{tree}`), await git(r.branched, "rev-parse", `${BRANCH}^2^{tree}`)].join("\n"),
    );
    expect(await git(r.committed, "log", "-1", "--format=%B", "HEAD")).toBe(message);
    expect(await git(r.committed, "status", "--porcelain")).toBe("");
    // And --check reads the committed update as up to date, both services.
    const after = await runCli(["update", "--check", "--json", ...dirs], { cwd: r.committed });
    expect([after.exitCode, statuses(after)]).toEqual([0, ["up-to-date", "up-to-date"]]);
  }, 600_000);

  test("one behind, one up to date: the branch holds the one update, the other row is up to date", async () => {
    const root = await monorepo([
      { name: "orders", older: true },
      { name: "catalog", older: false },
    ]);
    const dirs = ["services/orders", "services/catalog"];
    const r = await fourCommands(root, dirs);
    expect([r.check.exitCode, statuses(r.check)]).toEqual([1, ["behind", "up-to-date"]]);
    expect([r.branch.exitCode, r.branch.stderr, statuses(r.branch)]).toEqual([0, "", ["updated", "up-to-date"]]);
    expect(rowsOf(r.branch)[1].commit).toBeUndefined();
    expect((await changedPaths(r.branched, "HEAD", BRANCH)).filter((p) => !p.startsWith("services/orders/"))).toEqual([]);
    expect(await git(r.branched, "log", "-1", "--format=%s", BRANCH)).toBe("chore: update to create-gitops-go-service v0.1.0 templates");
    expect(await git(r.branched, "rev-parse", `${BRANCH}:services/orders`)).toBe((await alone(root, "services/orders")).tree);
    await expectSound(r.branched, BRANCH);

    expect([r.work.exitCode, r.work.stderr, statuses(r.work)]).toEqual([0, "", ["updated", "up-to-date"]]);
    expect([r.commit.exitCode, r.commit.stderr, statuses(r.commit)]).toEqual([0, "", ["updated", "up-to-date"]]);
    const branchTree = await git(r.branched, "rev-parse", `${BRANCH}^{tree}`);
    expect(await git(r.plain, "write-tree")).toBe(branchTree);
    expect(await git(r.committed, "rev-parse", "HEAD^1", "HEAD^{tree}")).toBe(`${r.head}\n${branchTree}`);
  }, 600_000);

  test("a conflict in one service: --branch writes nothing for the repository and names it in the other's row; plain update and --commit stage one merge with it", async () => {
    const root = await monorepo([
      { name: "orders", older: true },
      { name: "billing", older: true, change: (d) => edit(d, "Makefile", (t) => t.replace(OLD.makefileHeader, "# Our own Makefile header.\n")) },
    ]);
    const dirs = ["services/orders", "services/billing"];
    const r = await fourCommands(root, dirs);
    expect([r.check.exitCode, statuses(r.check)]).toEqual([1, ["behind", "behind"]]);

    expect(r.branch.exitCode, r.branch.stderr).toBe(5);
    const [orders, billing] = rowsOf(r.branch);
    expect([billing.status, billing.conflicts]).toEqual(["conflicts", ["Makefile"]]);
    expect([orders.status, orders.exitCode, orders.commit]).toEqual(["error", 5, undefined]);
    expect(orders.error).toBe("not updated: services/billing in the same repository has conflicts (see its row); the services of one repository are updated together");
    expect(await git(r.branched, "branch", "--list", BRANCH)).toBe("");

    // Plain update and --commit: one merge, the conflict unmerged, the other service staged; no commit.
    for (const [run, dir] of [[r.work, r.plain], [r.commit, r.committed]] as const) {
      expect([run.exitCode, statuses(run)]).toEqual([5, ["updated", "conflicts"]]);
      expect(await git(dir, "rev-parse", "HEAD")).toBe(r.head);
      const status = await git(dir, "status", "--porcelain", "--untracked-files=no");
      expect(status).toMatch(/^UU services\/billing\/Makefile$/m);
      expect(status).toMatch(/^M {2}services\/orders\/Makefile$/m);
      expect((await readFile(path.join(dir, ".git/MERGE_HEAD"), "utf8")).trim().split("\n")).toHaveLength(1);
      expect(await readFile(path.join(dir, "services/orders/README.md"), "utf8")).toContain(TEAM_LINE);
    }
    // The printed undo takes the whole repository back.
    await git(r.plain, "merge", "--abort");
    expect(await git(r.plain, "status", "--porcelain")).toBe("");
  }, 600_000);

  test("a linked worktree of the monorepo (git fast-import): the same one commit as the direct path", async () => {
    const root = await monorepo([
      { name: "orders", older: true },
      { name: "billing", older: true },
    ]);
    const dirs = ["services/orders", "services/billing"];
    const direct = await copy(root, "direct");
    const expected = await runCli(["update", "--yes", "--branch", BRANCH, ...dirs], { cwd: direct });
    expect(expected.exitCode, expected.stderr).toBe(0);
    const linked = path.join(await tempDir("cggs-mono-wt-"), "linked");
    await git(root, "worktree", "add", "--quiet", "--detach", linked);
    const before = await checkout(linked);
    const run = await runCli(["update", "--yes", "--branch", BRANCH, "--json", ...dirs], { cwd: linked });
    expect([run.exitCode, run.stderr, statuses(run)]).toEqual([0, "", ["updated", "updated"]]);
    const tip = await git(root, "rev-parse", BRANCH);
    expect(rowsOf(run).map((x) => x.commit)).toEqual([tip, tip]);
    expect(await git(root, "rev-parse", `${BRANCH}^{tree}`, `${BRANCH}^2^{tree}`, `${BRANCH}^1`)).toBe(await git(direct, "rev-parse", `${BRANCH}^{tree}`, `${BRANCH}^2^{tree}`, `${BRANCH}^1`));
    expect(await git(root, "log", "-1", "--format=%B", BRANCH)).toBe(await git(direct, "log", "-1", "--format=%B", BRANCH));
    expect(await checkout(linked)).toEqual(before);
    await expectSound(root, BRANCH);
  }, 600_000);

  test("a directory named twice (also through a symlink), or inside another named one: exit 2, named, nothing read or written", async () => {
    const root = await monorepo([{ name: "orders", older: true }]);
    await symlink("services/orders", path.join(root, "orders-link"));
    const before = await checkout(root);
    for (const [args, message] of [
      [["services/orders", "./services/orders/"], "error: 'services/orders' and './services/orders/' are the same directory: name each service once"],
      [["orders-link", "services/orders"], "error: 'orders-link' and 'services/orders' are the same directory: name each service once"],
      [[".", "services/orders"], "error: 'services/orders' is inside '.': a service's folder cannot hold another one named in the same run (the outer update would treat the inner service's files as its own)"],
    ] as const)
      for (const mode of [["--branch", BRANCH], ["--commit"], []]) {
        const run = await runCli(["update", "--yes", ...mode, ...args], { cwd: root });
        expect([run.exitCode, run.stderr.split("\n")[0]], `${mode.join(" ")} ${args.join(" ")}`).toEqual([2, message]);
      }
    expect(await git(root, "branch", "--list", BRANCH)).toBe("");
    expect(await checkout(root)).toEqual(before);
  }, 300_000);

  test("a change staged outside the services' folders: update and --commit refuse (exit 3, named) and change nothing; --branch, which leaves the checkout, goes ahead", async () => {
    const root = await monorepo([{ name: "orders", older: true }]);
    await writeFile(path.join(root, "README.md"), "# the monorepo, staged\n");
    await git(root, "add", "README.md");
    const before = await checkout(root);
    for (const mode of [["--commit"], []]) {
      const run = await runCli(["update", "--yes", ...mode, "services/orders"], { cwd: root });
      expect([run.exitCode, run.stderr.split("\n")[0]], mode.join(" ")).toEqual([3, `error: the repository has staged changes outside this service's folder: "README.md"`]);
      expect(await checkout(root)).toEqual(before);
    }
    const branch = await runCli(["update", "--yes", "--branch", BRANCH, "services/orders"], { cwd: root });
    expect(branch.exitCode, branch.stderr).toBe(0);
    expect(await git(root, "diff", "--name-only", "HEAD", BRANCH, "--", "README.md")).toBe("");
  }, 300_000);
});
