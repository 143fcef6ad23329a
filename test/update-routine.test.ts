// Issue #16: routine changes (registry, owner, a new environment, a new secret) through
// `update --<flag>` merge without conflicts in a repository whose only local change is what CI
// writes: the newTag line of each overlay, which the update keeps.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { runCli, tempDir } from "./helpers/cli.js";
import { commitAll, edit, generate, git, olderTemplates, TEMPLATES, tree, update } from "./helpers/update-repo.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

describe("routine changes next to CI's tag", () => {
  test("--registry, --owner, a new environment and a new secret: exit 0, no conflict, every CI tag kept", async () => {
    const dir = await generate();
    for (const env of ["dev", "staging", "prod"])
      await edit(dir, `deploy/overlays/${env}/kustomization.yaml`, (t) => t.replace(/^(\s*newTag:).*$/m, `$1 ${SHA}`)); // what scripts/set-image.sh does
    await commitAll(dir, "ci: release");
    const run = await update(dir, ["--json", "--registry", "registry.example.com/team", "--owner", "other", "--environments", "dev,staging,prod,qa", "--secret", "DB_PASSWORD"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.conflicts).toEqual([]);
    for (const env of ["dev", "staging", "prod"]) {
      const overlay = await readFile(path.join(dir, `deploy/overlays/${env}/kustomization.yaml`), "utf8");
      expect(overlay).toContain("newName: registry.example.com/team/svc");
      expect(overlay).toContain(`newTag: ${SHA}`);
      expect(result.files.find((f: { path: string }) => f.path === `deploy/overlays/${env}/kustomization.yaml`).reason).toContain("CI's newTag kept");
    }
    // The next update (same answers) finds its bases in the snapshot: nothing to do.
    await git(dir, "commit", "--quiet", "-m", "update");
    const again = await update(dir, ["--json"]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).changed).toEqual([]);
  }, 300_000);
});

// #27 F2: the digest line CI adds after newTag is CI's too. An older template whose overlay had a line
// right after newTag (dropped by the current one) is the hardest neighbour: without the digest put into
// base and template output, the digest and the template's change touch and conflict.
describe("CI's digest next to its tag (#27 F2)", () => {
  test("update --registry keeps a released tag+digest as it is, and adds no digest to an overlay released before digests (tag only)", async () => {
    const overlayTemplate = "deploy/overlays/[environment]/kustomization.yaml.hbs";
    const older = await tempDir("cggs-old-overlay-");
    await mkdir(path.join(older, path.dirname(overlayTemplate)), { recursive: true });
    const current = await readFile(path.join(TEMPLATES, overlayTemplate), "utf8");
    await writeFile(path.join(older, overlayTemplate), `${current.trimEnd()}\n# Older template: a closing line right after the tag.\n`);
    const dir = await generate(["--templates", older]);
    // dev: what the current scripts/set-image.sh writes; staging: what it wrote before digests; prod also
    // edited by the team elsewhere (a real three-way merge).
    const set = await execa("./scripts/set-image.sh", ["dev", SHA, DIGEST], { cwd: dir, reject: false });
    expect(set.exitCode, set.stderr).toBe(0);
    await edit(dir, "deploy/overlays/staging/kustomization.yaml", (t) => t.replace(/^(\s*newTag:).*$/m, `$1 "${SHA}"`));
    expect((await execa("./scripts/set-image.sh", ["prod", SHA, DIGEST], { cwd: dir })).exitCode).toBe(0);
    await edit(dir, "deploy/overlays/prod/kustomization.yaml", (t) => `# Team note: prod changes need two approvals.\n${t}`);
    await commitAll(dir, "ci: release");

    const run = await update(dir, ["--json", "--registry", "registry.example.com/team"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.conflicts).toEqual([]);
    const overlay = (env: string) => readFile(path.join(dir, `deploy/overlays/${env}/kustomization.yaml`), "utf8");
    const reason = (env: string) => result.files.find((f: { path: string }) => f.path === `deploy/overlays/${env}/kustomization.yaml`).reason as string;
    const imageEntry = (text: string) => text.slice(text.indexOf("  - name: app\n"));
    const released = `  - name: app\n    newName: registry.example.com/team/svc\n    newTag: "${SHA}"\n    digest: "${DIGEST}"\n`;
    expect(imageEntry(await overlay("dev"))).toBe(released);
    expect(reason("dev")).toContain("CI's newTag, digest kept");
    expect(imageEntry(await overlay("staging"))).toBe(`  - name: app\n    newName: registry.example.com/team/svc\n    newTag: "${SHA}"\n`);
    expect(reason("staging")).toContain("CI's newTag kept");
    expect(await overlay("prod")).toMatch(/^# Team note: prod changes need two approvals\.\n/);
    expect(imageEntry(await overlay("prod"))).toBe(released);
    expect(reason("prod")).toMatch(/merged; CI's newTag, digest kept/);
    // kustomize reads the result: tag@digest where CI wrote both, the tag alone where it wrote only that.
    const rendered = async (env: string) => (await execa("kubectl", ["kustomize", `deploy/overlays/${env}`], { cwd: dir })).stdout;
    expect(await rendered("dev")).toContain(`image: registry.example.com/team/svc:${SHA}@${DIGEST}\n`);
    expect(await rendered("staging")).toContain(`image: registry.example.com/team/svc:${SHA}\n`);
    // The older release cannot be promoted until CI has written its digest: a specific refusal, nothing changed.
    await git(dir, "commit", "--quiet", "-m", "update");
    const promote = await execa("./scripts/promote.sh", ["prod"], { cwd: dir, reject: false });
    expect([promote.exitCode, promote.stderr]).toEqual([1, `error: staging runs ${SHA} but its overlay records no digest (it was released before digests were written): release to dev once more, promote that release to staging, then promote again`]);
    expect(await git(dir, "status", "--porcelain")).toBe("");
  }, 300_000);
});

describe("fleet mode", () => {
  test("update --yes --branch over several repositories: a row each; a failure or a conflict leaves that repository as it was", async () => {
    const templates = await olderTemplates();
    const root = await tempDir("cggs-fleet-");
    for (const [name, extra] of [["orders", ["--templates", templates]], ["billing", ["--templates", templates]], ["locked", ["--templates", templates]], ["search", []]] as const) {
      const run = await runCli([name, "--yes", "--owner", "acme", ...extra], { cwd: root });
      expect(run.exitCode, run.stderr).toBe(0);
    }
    await edit(path.join(root, "billing"), "README.md", (t) => t.replace(/^# billing \(old heading\)\n/, "# billing: the team's title\n"));
    await commitAll(path.join(root, "billing"));
    await writeFile(path.join(root, "locked/.git/index.lock"), "");
    const before = { billing: await git(path.join(root, "billing"), "rev-parse", "HEAD"), locked: await tree(path.join(root, "locked")), orders: await tree(path.join(root, "orders")) };

    const run = await runCli(["update", "--yes", "--branch", "chore/templates", "orders", "billing", "missing", "locked", "search"], { cwd: root });
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SERVICE\s+DIRECTORY\s+TEMPLATE\s+RESULT\s+DETAIL$/);
    expect(lines[1]).toMatch(/^orders\s+orders\s+\S+ → \S+\s+updated\s+\d+ file\(s\), commit [0-9a-f]{12} on chore\/templates$/);
    expect(lines[2]).toMatch(/^billing\s+billing\s+.*conflicts \(1\)\s+README\.md \(nothing written: run update in it\)$/);
    expect(lines[3]).toMatch(/^\?\s+missing\s+\?\s+error\s+.*missing.*not a repository this tool generated|^\?\s+missing\s+\?\s+error/);
    // --branch never touches the index: another process holding its lock is no obstacle.
    expect(lines[4]).toMatch(/^locked\s+locked\s+\S+ → \S+\s+updated\s+\d+ file\(s\), commit [0-9a-f]{12} on chore\/templates$/);
    expect(lines[5]).toMatch(/^search\s+search\s+.*up-to-date/);
    expect(lines.at(-1)).toBe("5 repositories: 2 updated, 1 up to date, 1 with conflicts, 1 failed");
    expect(run.exitCode).toBe(2); // the first failure's code (missing: not a generated repository)

    // The commit is on the new branch; the checkout (HEAD, index, work tree) is left as it was.
    const orders = path.join(root, "orders");
    expect(await git(orders, "branch", "--show-current")).toBe("main");
    expect(await git(orders, "status", "--porcelain")).toBe("");
    expect(await tree(orders)).toEqual(before.orders);
    expect(await git(orders, "log", "-1", "--format=%s", "chore/templates")).toMatch(/^chore: update to create-gitops-go-service v/);
    expect(await git(orders, "rev-parse", "chore/templates~1")).toBe(await git(orders, "rev-parse", "HEAD"));
    // The branch holds what update --commit makes in the work tree.
    await git(orders, "switch", "--quiet", "-c", "by-commit");
    expect((await update(orders, ["--yes", "--commit"])).exitCode).toBe(0);
    expect(await git(orders, "rev-parse", "HEAD^{tree}")).toBe(await git(orders, "rev-parse", "chore/templates^{tree}"));
    expect(await git(path.join(root, "billing"), "rev-parse", "HEAD")).toBe(before.billing);
    expect(await git(path.join(root, "billing"), "status", "--porcelain")).toBe("");
    expect(await git(path.join(root, "billing"), "branch", "--list", "chore/templates")).toBe("");
    expect(await tree(path.join(root, "locked"))).toEqual(before.locked);
    expect(await git(path.join(root, "search"), "branch", "--list", "chore/templates")).toBe("");

    // Bad input: a specific error and exit code, for the whole run, before any repository is touched.
    const bad = await runCli(["update", "--yes", "--branch", "no..dots", "orders", "search"], { cwd: root });
    expect([bad.exitCode, bad.stderr]).toEqual([2, "error: --branch: 'no..dots' is not a valid branch name\nhint: see git check-ref-format"]);
    await git(path.join(root, "billing"), "branch", "taken");
    await edit(path.join(root, "billing"), "README.md", (t) => t.replace("# billing: the team's title\n", "# billing (old heading)\n"));
    await commitAll(path.join(root, "billing"));
    const taken = await runCli(["update", "--yes", "--branch", "taken", "billing"], { cwd: root });
    expect(taken.exitCode, taken.stderr).toBe(3);
    expect(taken.stderr).toContain("--branch: a branch 'taken' already exists");
    expect(await git(path.join(root, "billing"), "status", "--porcelain")).toBe("");

    const json = await runCli(["update", "--yes", "--json", "--dry-run", "orders", "search"], { cwd: root });
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).repositories.map((r: { status: string }) => r.status)).toEqual(["up-to-date", "up-to-date"]);
  }, 600_000);
});
