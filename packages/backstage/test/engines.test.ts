// This package's `engines` against what an adopter's install brings: its own bundle targets node20, but
// its dependencies (the Backstage packages, resolved as packages/backstage's lockfile resolves them)
// declare their own ranges, and the package's must lie inside every one, or npm warns EBADENGINE on a
// Node it claims (issue #30). Today that is nunjitsu (from @backstage/plugin-scaffolder-common), >=22.
import { readFile } from "node:fs/promises";
import path from "node:path";
import semver from "semver";
import { expect, test } from "vitest";
import { runtimeClosure } from "./helpers/lockfile.js";

test("the package's Node range lies inside that of every package its dependencies install", async () => {
  const dir = path.resolve(import.meta.dirname, "..");
  const pkg = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
  const lock = JSON.parse(await readFile(path.join(dir, "package-lock.json"), "utf8"));
  const closure = runtimeClosure(lock.packages, Object.keys(pkg.dependencies));
  expect(closure.size).toBeGreaterThan(50);
  const declared = [...closure].filter(([, e]) => e.engines?.node).map(([key, e]) => [`${key.replace(/^.*node_modules\//, "")}@${e.version}`, e.engines!.node!] as const);
  expect(declared.filter(([, wants]) => !semver.subset(pkg.engines.node, wants)).map(([name, wants]) => `${name} wants ${wants}`)).toEqual([]);
  // No narrower than they make it, at these Node releases.
  for (const node of ["20.19.0", "21.7.3", "22.0.0", "22.12.0", "24.0.0"])
    expect(semver.satisfies(node, pkg.engines.node), node).toBe(declared.every(([, wants]) => semver.satisfies(node, wants)));
});
