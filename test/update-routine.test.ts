// Issue #16: routine changes (registry, owner, a new environment, a new secret) through
// `update --<flag>` merge without conflicts in a repository whose only local change is what CI
// writes: the newTag line of each overlay, which the update keeps.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { commitAll, edit, generate, git, update } from "./helpers/update-repo.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";

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
