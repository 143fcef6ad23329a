// Committed golden output per named fixture, reviewed like code. Rewritten only by
// `npm run test:update` (UPDATE_GOLDEN=1); otherwise any difference fails with the file named.
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { renderRepository } from "../src/render/render-repository.js";
import { fixtures } from "./helpers/fixtures.js";
import { runCli, tempDir } from "./helpers/cli.js";

const GOLDEN = path.resolve(import.meta.dirname, "golden");
const update = process.env.UPDATE_GOLDEN === "1";

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

describe.each(Object.entries(fixtures))("golden output: %s", (name, answers) => {
  test("matches test/golden/" + name, async () => {
    const { plan } = await renderRepository(answers);
    const dir = path.join(GOLDEN, name);
    if (update) {
      await rm(dir, { recursive: true, force: true });
      for (const file of plan) {
        await mkdir(path.dirname(path.join(dir, file.path)), { recursive: true });
        await writeFile(path.join(dir, file.path), file.content);
      }
    }
    expect(plan.map((f) => f.path)).toEqual(await listFiles(dir));
    for (const file of plan) {
      const golden = await readFile(path.join(dir, file.path), "utf8");
      expect(file.content.toString("utf8"), `${file.path} differs from test/golden/${name} (npm run test:update rewrites it)`).toBe(golden);
    }
  });
});

test("the CLI's `my-svc --yes --owner acme` writes exactly the defaults fixture", async () => {
  const cwd = await tempDir();
  const run = await runCli(["my-svc", "--yes", "--owner", "acme", "--no-git"], { cwd });
  expect(run.exitCode, run.stderr).toBe(0);
  const written = await listFiles(path.join(cwd, "my-svc"));
  expect(written).toEqual(await listFiles(path.join(GOLDEN, "defaults")));
  for (const file of written)
    expect(await readFile(path.join(cwd, "my-svc", file), "utf8"), file).toBe(await readFile(path.join(GOLDEN, "defaults", file), "utf8"));
});
