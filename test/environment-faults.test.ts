// Issue #17: a file-system error is the environment's (exit 3, the path, a hint), never "internal
// error ... please report it" (exit 1); and staging works whenever the target itself is writable.
// Running as root, permission bits stop nothing: test/helpers/fs-faults.mjs makes the chosen calls
// of the built CLI fail with the errno a full disk, a quota or a read-only folder gives.
import { existsSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { runCli, tempDir } from "./helpers/cli.js";
import { snapshot } from "./helpers/rel-fs.js";

const FAULTS = path.resolve(import.meta.dirname, "helpers/fs-faults.mjs");

function withFaults(faults: { fn: string; match: string; code: string }[]) {
  return { env: { CI: "true", GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", CGGS_FS_FAULTS: JSON.stringify(faults), NODE_OPTIONS: `--import=${FAULTS}` } };
}

const ARGS = ["--yes", "--owner", "acme", "--no-git"];

describe("file-system errors exit 3 with the path, and leave nothing behind", () => {
  test.each([
    ["ENOSPC", "writeFileSync", "/Makefile", /cannot write .*\/svc\/Makefile: no space left on the device \(ENOSPC\)/, /free some space/],
    ["EDQUOT", "writeFileSync", "/go.mod", /cannot write .*\/svc\/go\.mod: the disk quota is exhausted \(EDQUOT\)/, /quota/],
    ["EIO", "writeFileSync", "/README.md", /cannot write .*\/svc\/README\.md: .*\(EIO\)/, /choose another location/],
    ["EACCES", "mkdirSync", "/deploy", /cannot write .*\/svc\/deploy.*: permission denied.*\(EACCES\)/, /writable/],
    ["EROFS", "rename", "/svc", /cannot write .*svc: the file system is read-only \(EROFS\)/, /writable file system/],
  ])("%s from %s: exit 3, not 1", async (code, fn, match, message, hint) => {
    const cwd = await tempDir("cggs-fault-");
    const run = await runCli(["svc", ...ARGS], { cwd, ...withFaults([{ fn, match, code }]) });
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(new RegExp(`hint: .*${hint.source}`));
    expect(run.stderr).not.toContain("internal error");
    expect(await readdir(cwd)).toEqual([]);
  });

  test("--force over a folder where a rename is refused (EPERM): exit 3, the folder exactly as it was", async () => {
    const cwd = await tempDir("cggs-fault-");
    const dir = path.join(cwd, "svc");
    await mkdir(path.join(dir, "deploy"), { recursive: true });
    await writeFile(path.join(dir, "README.md"), "mine\n");
    await writeFile(path.join(dir, "deploy", "extra.yaml"), "kind: Mine\n");
    const before = await snapshot(dir);
    const run = await runCli(["svc", ...ARGS, "--force"], { cwd, ...withFaults([{ fn: "rename", match: "/svc/Makefile", code: "EPERM" }]) });
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/cannot write .*Makefile: operation not permitted.*\(EPERM\)/);
    expect(await snapshot(dir)).toEqual(before);
  });

  test("a target that cannot be read (EACCES on readdir): exit 3", async () => {
    const cwd = await tempDir("cggs-fault-");
    await mkdir(path.join(cwd, "svc"));
    const run = await runCli(["svc", ...ARGS], { cwd, ...withFaults([{ fn: "readdir", match: "/svc", code: "EACCES" }]) });
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/cannot read .*svc: permission denied/);
  });
});

describe("staging works whenever the target itself is writable", () => {
  const parentRefuses = (cwd: string) => withFaults([{ fn: "mkdtemp", match: `${cwd}/.svc.tmp-`, code: "EACCES" }]);

  test("an empty target under a parent we may not write in: written in full, nothing left over", async () => {
    const cwd = await tempDir("cggs-fault-");
    await mkdir(path.join(cwd, "svc"));
    const run = await runCli(["svc", ...ARGS], { cwd, ...parentRefuses(cwd) });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await readdir(cwd)).toEqual(["svc"]);
    // The same files as a run whose parent is writable.
    const plain = await tempDir("cggs-fault-");
    expect((await runCli(["svc", ...ARGS], { cwd: plain })).exitCode).toBe(0);
    const files = Object.keys(await snapshot(path.join(cwd, "svc")));
    expect(files).toEqual(Object.keys(await snapshot(path.join(plain, "svc"))));
    expect(files.length).toBeGreaterThan(30);
  });

  test("--force into a non-empty target under such a parent: only the planned files change", async () => {
    const cwd = await tempDir("cggs-fault-");
    const dir = path.join(cwd, "svc");
    await mkdir(dir);
    await writeFile(path.join(dir, "notes.txt"), "keep\n");
    const run = await runCli(["svc", ...ARGS, "--force"], { cwd, ...parentRefuses(cwd) });
    expect(run.exitCode, run.stderr).toBe(0);
    const after = await snapshot(dir);
    expect(after["notes.txt"]).toBeDefined();
    expect(Object.keys(after).some((p) => p.includes(".tmp-"))).toBe(false);
    expect(existsSync(path.join(dir, "Makefile"))).toBe(true);
  });

  test("a failure after staging inside the target leaves the empty target empty", async () => {
    const cwd = await tempDir("cggs-fault-");
    await mkdir(path.join(cwd, "svc"));
    const faults = withFaults([
      { fn: "mkdtemp", match: `${cwd}/.svc.tmp-`, code: "EACCES" },
      { fn: "rename", match: "/go.sum", code: "ENOSPC" },
    ]);
    const run = await runCli(["svc", ...ARGS], { cwd, ...faults });
    expect(run.exitCode, run.stderr).toBe(3);
    expect(await readdir(path.join(cwd, "svc"))).toEqual([]);
  });

  test("no target and a parent we may not write in: exit 3 naming the parent", async () => {
    const cwd = await tempDir("cggs-fault-");
    const run = await runCli(["svc", ...ARGS], { cwd, ...parentRefuses(cwd) });
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/cannot write in .*: permission denied/);
    expect(await readdir(cwd)).toEqual([]);
  });
});
