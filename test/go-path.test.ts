// Issue #17: the module path and the service name are checked by Go's own rules. src/rules.ts ports
// golang.org/x/mod/module.CheckPath; tools/gopath-check runs the real one, and every path our rule
// accepts must pass it (and the import paths the repository will have), every path it refuses must
// be refused here.
import path from "node:path";
import fc from "fast-check";
import { execa } from "execa";
import { beforeAll, describe, expect, test } from "vitest";
import { goModulePath, goPathElement, serviceName } from "../src/answers/rules.js";
import { GO_ENV, goFound } from "./helpers/go-service.js";
import { inCI } from "./helpers/render.js";
import { FIXED_SEED } from "./helpers/rel-arbitraries.js";
import { tempDir } from "./helpers/temp.js";

const TOOL_DIR = path.resolve(import.meta.dirname, "../tools/gopath-check");
let bin = "";

interface Verdict {
  path: string;
  module: string;
  importPath: string;
}

async function goCheck(paths: string[]): Promise<Map<string, Verdict>> {
  const run = await execa(bin, [], { input: JSON.stringify(paths) });
  return new Map((JSON.parse(run.stdout) as Verdict[]).map((v) => [v.path, v]));
}

/** Elements with a meaning to Go, Windows or YAML, mixed with ordinary ones. */
export const GO_SPECIAL_ELEMENTS = [
  "con", "CON", "Con", "prn", "aux", "nul", "aux.txt", "nul.tar.gz", "com1", "COM9", "lpt1", "lpt9", "com0", "lpt10", "conx", "x.con",
  "x~1", "abc~12", "a~b", "~", "~1", "vendor", "testdata", "internal", "_x", ".x", "x.", "-x", "x-", "v0", "v1", "v2", "v01", "v1.2",
  "yes", "1e3", "0x1F", "012", "null", "a..b", "A", "svc",
];

const element = fc.oneof(
  fc.constantFrom(...GO_SPECIAL_ELEMENTS),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,8}$/),
  fc.stringMatching(/^[a-z0-9]{1,4}[ /@!+]?[a-z0-9]{0,3}$/),
);
const host = fc.constantFrom("github.com", "gitlab.com", "example.com", "gopkg.in", "Github.com", "localhost", "-x.com", "x.com.", "a_b.com");
const modulePaths = fc.tuple(host, fc.array(element, { minLength: 0, maxLength: 4 })).map(([h, rest]) => [h, ...rest].join("/"));

describe.runIf(goFound || inCI)("Go path rules agree with golang.org/x/mod/module", () => {
  beforeAll(async () => {
    bin = path.join(await tempDir("cggs-gopath-"), "gopath-check");
    const build = await execa("go", ["build", "-o", bin, "."], { cwd: TOOL_DIR, env: GO_ENV, reject: false, all: true });
    if (build.exitCode !== 0) throw new Error(`building tools/gopath-check failed:\n${build.all}`);
  }, 180_000);

  test("module paths: accepted here => Go accepts the module and its import paths; refused by Go => refused here", async () => {
    const samples = [
      ...new Set([
        ...fc.sample(modulePaths, { seed: FIXED_SEED, numRuns: inCI ? 5000 : 1500 }),
        ...GO_SPECIAL_ELEMENTS.map((e) => `github.com/acme/${e}`),
        ...GO_SPECIAL_ELEMENTS.map((e) => `github.com/${e}/svc`),
        "gopkg.in/yaml.v3", "gopkg.in/yaml", "gopkg.in/yaml.v03", "github.com/acme/svc/v2", "github.com/acme/svc/v1",
      ]),
    ];
    const imports = samples.flatMap((p) => [`${p}/cmd/svc`, `${p}/internal/config`]);
    const verdicts = await goCheck([...samples, ...imports]);
    let accepted = 0;
    const problems: string[] = [];
    for (const p of samples) {
      const ours = goModulePath(p);
      const go = verdicts.get(p)!;
      if (ours === undefined) {
        accepted++;
        if (go.module) problems.push(`accepted ${JSON.stringify(p)}, Go says: ${go.module}`);
        for (const i of [`${p}/cmd/svc`, `${p}/internal/config`]) if (verdicts.get(i)!.importPath) problems.push(`accepted ${JSON.stringify(p)}, Go refuses the import path ${i}`);
      } else if (!go.module && !/'vendor'/.test(ours)) problems.push(`refused ${JSON.stringify(p)} (${ours}), Go accepts it`);
    }
    expect(problems).toEqual([]);
    // Both sides of the comparison must be exercised, or it proves nothing.
    expect(accepted).toBeGreaterThan(samples.length / 10);
    expect(samples.length - accepted).toBeGreaterThan(samples.length / 10);
  });

  // A name like v1 is a fine folder, but github.com/acme/v1 is not a module path: the default module
  // is then refused by goModulePath (naming --module), which this also checks.
  test("service names: an accepted name makes a valid import path, and a default module Go and we agree on", async () => {
    const names = [...GO_SPECIAL_ELEMENTS.map((e) => e.toLowerCase()), ...fc.sample(fc.stringMatching(/^[a-z][-a-z0-9]{0,10}$/), { seed: FIXED_SEED, numRuns: 500 })];
    const paths = names.flatMap((n) => [`github.com/acme/${n}`, `github.com/acme/svc/cmd/${n}`]);
    const verdicts = await goCheck(paths);
    const problems = names
      .filter((n) => serviceName(n) === undefined)
      .flatMap((n) => {
        const module = verdicts.get(`github.com/acme/${n}`)!.module;
        const moduleDisagrees = Boolean(module) !== (goModulePath(`github.com/acme/${n}`) !== undefined);
        return [moduleDisagrees ? `${n}: module: Go says ${module || "ok"}` : "", verdicts.get(`github.com/acme/svc/cmd/${n}`)!.importPath].filter(Boolean);
      });
    expect(problems).toEqual([]);
  });
});

// One row per case; runs without Go.
describe("Go path rules: table", () => {
  test.each([
    ["con", /Windows device name \('con'\)/],
    ["COM1", /Windows device name/],
    ["aux.txt", /Windows device name \('aux'\)/],
    ["lpt9.x.y", /Windows device name/],
    ["x~1", /'~' and digits/],
    ["vendor", /vendored/],
    [".x", /starts with '\.'/],
    ["x.", /ends with '\.'/],
    ["com0", undefined],
    ["a~b", undefined],
    ["internal", undefined],
    ["_x", undefined],
  ] as const)("element %s", (value, expected) => {
    const problem = goPathElement(value);
    if (expected) expect(problem).toMatch(expected);
    else expect(problem).toBeUndefined();
  });

  test.each([
    ["github.com/acme/con", /element 'con' that is a Windows device name/],
    ["github.com/acme/vendor/svc", /element 'vendor'/],
    ["github.com/acme/svc/v1", /\/v2 or above/],
    ["github.com/acme/svc/v1.2", /\/v2 or above/],
    ["gopkg.in/yaml", /gopkg\.in/],
    ["github.com/acme/svc/v2", undefined],
    ["gopkg.in/yaml.v3", undefined],
    ["github.com/acme/testdata", undefined],
  ] as const)("module %s", (value, expected) => {
    const problem = goModulePath(value);
    if (expected) expect(problem).toMatch(expected);
    else expect(problem).toBeUndefined();
  });

  test.each([
    ["con", /cmd\/con .*Windows device name/],
    ["nul", /Windows device name/],
    ["lpt1", /Windows device name/],
    ["vendor", /vendored/],
    ["testdata", /\.\/\.\.\. skips/],
    ["internal", undefined],
    ["orders-api", undefined],
    ["My_Svc", /DNS-1035/],
  ] as const)("name %s", (value, expected) => {
    const problem = serviceName(value);
    if (expected) expect(problem).toMatch(expected);
    else expect(problem).toBeUndefined();
  });
});
