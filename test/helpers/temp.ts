// Temp folders for tests: all of a test file's folders live under one root in the system temp dir,
// removed after the file's last test, pass or fail, so a run leaves nothing behind (.ci/run checks).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

let root: Promise<string> | undefined;

// Registered while vitest collects the test file that imports this module (modules are isolated per
// file), at the file's top level and before the file's own hooks: after-hooks run in reverse order,
// so this one runs last, once servers and processes that use the folders have stopped.
afterAll(async () => {
  if (!root) return;
  const dir = await root;
  root = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A fresh folder under this test file's temp root, e.g. `await tempDir("answers-")`. */
export async function tempDir(prefix = "cggs-"): Promise<string> {
  root ??= mkdtemp(path.join(tmpdir(), "cggs-test-"));
  return mkdtemp(path.join(await root, prefix));
}
