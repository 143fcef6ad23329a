// The provenance record and byte-identical output, checked on what the built CLI writes.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { runCli, tempDir } from "./helpers/cli.js";

async function tree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const rel = path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/");
    if (e.isFile() && !rel.startsWith(".git/")) files.set(rel, await readFile(path.join(dir, rel)));
  }
  return files;
}

const args = ["--yes", "--owner", "acme", "--env", "UPSTREAM_URL", "--env", "GREETING=hi", "--secret", "API_TOKEN"];

describe("provenance", () => {
  test("records the tool, the answers (secret names only) and every file's sha256 and ownership", async () => {
    const cwd = await tempDir();
    const run = await runCli(["orders", ...args], { cwd });
    expect(run.exitCode, run.stderr).toBe(0);
    const dir = path.join(cwd, "orders");
    const record = JSON.parse(await readFile(path.join(dir, ".create-gitops-go-service.json"), "utf8"));
    const pkg = JSON.parse(await readFile(path.resolve(import.meta.dirname, "../package.json"), "utf8"));
    expect(record.tool).toEqual({ name: "create-gitops-go-service", version: pkg.version });
    expect(record.template.version).toBe(pkg.version);
    expect(record.template.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(record.answers.secret).toEqual(["API_TOKEN"]);
    expect(record.answers).not.toHaveProperty("directory");
    // Which answers took their default (#28: update recomputes those when the owner changes); given ones are not.
    expect(record.derived).toEqual(expect.arrayContaining(["description", "module", "registry", "repoUrl", "argocdProject"]));
    // The name's default is the folder, no answer: never derived.
    for (const given of ["owner", "env", "secret", "name"]) expect(record.derived).not.toContain(given);
    const files = await tree(dir);
    files.delete(".create-gitops-go-service.json");
    // Every file on disk is recorded, with the hash of its bytes, and nothing else is.
    expect(Object.keys(record.files).sort()).toEqual([...files.keys()].sort());
    for (const [file, content] of files) {
      expect(record.files[file].sha256, file).toBe(createHash("sha256").update(content).digest("hex"));
      // The blob id is git's own: the committed file has exactly that id.
      expect(record.files[file].gitBlob, file).toBe((await execa("git", ["rev-parse", `HEAD:${file}`], { cwd: dir })).stdout.trim());
      expect(["platform", "shared", "team"], file).toContain(record.files[file].ownership);
    }
    // The classes mean something: CI is the platform's, the handler the team's, go.mod shared.
    expect(record.files[".github/workflows/ci.yaml"].ownership).toBe("platform");
    expect(record.files["internal/server/handlers.go"].ownership).toBe("team");
    expect(record.files["go.mod"].ownership).toBe("shared");
    expect(record.files["deploy/overlays/dev/config.env"].ownership).toBe("team");
  });
});

describe("determinism", () => {
  test("the same answers give byte-identical trees whatever the directory, clock zone and locale", async () => {
    const [a, b] = [await tempDir("det-a-"), await tempDir("det-b-")];
    const runA = await runCli(["svc", ...args], { cwd: a, env: { TZ: "UTC", LANG: "C", LC_ALL: "C", CI: "true" } });
    const runB = await runCli(["svc", ...args], { cwd: b, env: { TZ: "Pacific/Kiritimati", LANG: "tr_TR.UTF-8", LC_ALL: "tr_TR.UTF-8", CI: "true" } });
    expect([runA.exitCode, runB.exitCode]).toEqual([0, 0]);
    const [ta, tb] = [await tree(path.join(a, "svc")), await tree(path.join(b, "svc"))];
    expect([...ta.keys()].sort()).toEqual([...tb.keys()].sort());
    for (const [file, content] of ta) expect(tb.get(file)?.equals(content), file).toBe(true);
  });
});
