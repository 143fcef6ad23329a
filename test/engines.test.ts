// `engines` says where the published package runs; `devEngines` where a contributor can install and
// test it (npm ≥ 10.9 refuses other Node versions with EBADDEVENGINES). Each must lie inside what every
// package it covers declares, or npm warns EBADENGINE on a Node we claim (issue #30).
// Users install the tarball alone (no dependencies): what runs is the bundle, so `engines` answers to
// the packages bundled into it. Contributors install the root lockfile: `devEngines` answers to all of it.
import { readFile } from "node:fs/promises";
import path from "node:path";
import semver from "semver";
import { describe, expect, test } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const json = async (file: string) => JSON.parse(await readFile(path.join(root, file), "utf8"));

/** The packages with code in the bundle, as esbuild's metafile says (the build writes it). */
async function bundledPackages(): Promise<string[]> {
  const meta = await json(".cache/build-meta.json");
  const names = new Set<string>();
  for (const output of Object.values(meta.outputs) as { inputs: Record<string, { bytesInOutput: number }> }[])
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = bytesInOutput > 0 && /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m) names.add(m[1]);
    }
  return [...names].sort();
}

/** The declared ranges that `range` is not inside, as "name@version wants range". */
function outside(range: string, declared: [string, string][]): string[] {
  return declared.filter(([, wants]) => !semver.subset(range, wants)).map(([name, wants]) => `${name} wants ${wants}`);
}

describe("engines", () => {
  test("the package's Node range lies inside that of every package bundled into it", async () => {
    const { engines } = await json("package.json");
    const declared: [string, string][] = [];
    for (const name of await bundledPackages()) {
      const pkg = await json(`node_modules/${name}/package.json`);
      if (pkg.engines?.node) declared.push([`${name}@${pkg.version}`, pkg.engines.node]);
    }
    expect(declared.map(([name]) => name)).toEqual(expect.arrayContaining([expect.stringMatching(/^@inquirer\/core@/)]));
    expect(outside(engines.node, declared)).toEqual([]);
    // And no narrower than they make it: at each of these Node releases, ours says yes where all of theirs do.
    for (const node of ["20.12.0", "20.16.0", "20.17.0", "20.19.0", "21.7.3", "22.12.0", "22.13.0", "23.4.0", "23.5.0", "24.0.0"])
      expect(semver.satisfies(node, engines.node), node).toBe(declared.every(([, wants]) => semver.satisfies(node, wants)));
  });

  test("a contributor's Node range lies inside that of every package the root lockfile installs", async () => {
    const { devEngines } = await json("package.json");
    expect(devEngines.runtime).toMatchObject({ name: "node", onFail: "error" });
    const lock = await json("package-lock.json");
    const declared: [string, string][] = Object.entries(lock.packages as Record<string, { version: string; engines?: { node?: string } }>)
      .filter(([key, pkg]) => key && pkg.engines?.node)
      .map(([key, pkg]) => [`${key.replace(/^.*node_modules\//, "")}@${pkg.version}`, pkg.engines!.node!]);
    expect(outside(devEngines.runtime.version, declared)).toEqual([]);
    // Whatever runs the tests (CI's Node included) is in that range.
    expect(semver.satisfies(process.versions.node, devEngines.runtime.version)).toBe(true);
  });
});
