// CLI users never install Backstage: the root package ships only its bundle and declares nothing.
// (test/package.test.ts installs the packed root package offline and checks it installs only itself.)
import { readFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { expect, test } from "vitest";
import { REPO } from "./helpers/action.js";

test("the packed CLI package holds no Backstage code and depends on nothing", async () => {
  // --ignore-scripts: prepack rebuilds dist/, which the tests running beside this one are reading.
  const packs = JSON.parse((await execa("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO })).stdout);
  expect(packs).toHaveLength(1); // the workspace package is not packed with it
  const [pack] = packs;
  expect(pack.name).toBe("create-gitops-go-service");
  const files: string[] = pack.files.map((f: { path: string }) => f.path);
  expect(files.filter((f) => !f.startsWith("dist/") && !["package.json", "README.md", "LICENSE"].includes(f))).toEqual([]);
  const meta = JSON.parse(await readFile(path.join(REPO, "package.json"), "utf8"));
  for (const key of ["dependencies", "optionalDependencies", "peerDependencies", "bundleDependencies"]) expect(meta[key], key).toBeUndefined();
  for (const f of files.filter((f) => f.endsWith(".js"))) expect(await readFile(path.join(REPO, f), "utf8"), f).not.toMatch(/@backstage\//);
});
