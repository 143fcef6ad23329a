// Bundle the CLI into ESM files with no runtime imports from node_modules: npx then installs nothing
// but this package. Templates are inlined, `.hbs` ones precompiled, so a run neither reads
// templates/ nor loads the Handlebars compiler. Prompts, the YAML reader and the Handlebars compiler stay separate
// chunks, loaded only on the paths that use them; our own code is imported statically, so a run loads
// cli.js, one chunk of our code, one of the Handlebars runtime, one of esbuild's helpers, and the
// templates (each chunk is a file to resolve, read and compile: fewer is measurably faster).
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";
import Handlebars from "handlebars";

const COMPILE_OPTIONS = { strict: true, noEscape: true }; // as src/handlebars.ts

// The bundled templates are precompiled with two more options, for a smaller bundle that renders
// faster and byte for byte the same (test/golden.test.ts and test/bundle.test.ts compare):
// knownHelpersOnly calls each helper directly and makes every other `{{name}}` a plain lookup,
// instead of asking at each use whether `name` is a helper. These are exactly the helpers
// src/handlebars.ts registers (Handlebars' own are known by default): one used with arguments but
// missing here fails this build; one used without would fail the strict render in every test.
const PRECOMPILE_OPTIONS = { ...COMPILE_OPTIONS, knownHelpers: { yaml: true, json: true, goString: true, mdCode: true, promSelector: true }, knownHelpersOnly: true };

/**
 * The template's AST without source locations. They only add " - line:column" to the message of a
 * strict-mode miss, which in a shipped template is our bug (the message still names the template
 * and the field; templates read from source, in tests and with --templates, keep them), and they
 * were 13% of the templates chunk (10% gzipped).
 */
function withoutLocations(node) {
  if (Array.isArray(node)) node.forEach(withoutLocations);
  else if (node && typeof node === "object") {
    delete node.loc;
    for (const value of Object.values(node)) withoutLocations(value);
  }
  return node;
}

/** Bytes as a JS expression: text as a string (compresses in the tarball, base64 does not), else base64. */
function bytesLiteral(content) {
  const text = content.toString("utf8");
  if (Buffer.from(text, "utf8").equals(content)) return `Buffer.from(${JSON.stringify(text)})`;
  return `Buffer.from(${JSON.stringify(content.toString("base64"))},"base64")`;
}

async function templatesModule() {
  const root = path.resolve("templates");
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const ids = entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
  const items = [];
  for (const id of ids) {
    const content = await readFile(path.join(root, id));
    const sha256 = createHash("sha256").update(content).digest("hex");
    items.push(
      id.endsWith(".hbs")
        ? `{id:${JSON.stringify(id)},sha256:"${sha256}",spec:${Handlebars.precompile(withoutLocations(Handlebars.parse(content.toString("utf8"))), PRECOMPILE_OPTIONS)}}`
        : `{id:${JSON.stringify(id)},sha256:"${sha256}",content:${bytesLiteral(content)}}`,
    );
  }
  return `export const bundledTemplates = [${items.join(",\n")}];\n`;
}

const inlineTemplates = {
  name: "inline-templates",
  setup(b) {
    b.onLoad({ filter: /src[\\/]render[\\/]bundled-templates\.ts$/ }, async () => ({ contents: await templatesModule(), loader: "js" }));
  },
};

// `import("handlebars")` (the compiler, for templates read from source) gets the compiler alone: the
// package's main file adds a printer we never use and registers `.hbs` handlers on require.extensions
// for the whole process, which is not ours to change in a host such as Backstage.
const handlebarsCompilerOnly = {
  name: "handlebars-compiler-only",
  setup(b) {
    b.onResolve({ filter: /^handlebars$/ }, () => ({ path: path.resolve("scripts/handlebars-compiler.cjs") }));
  },
};

// Every test command builds first, and .ci/run runs two of them at once (test:robustness beside the
// cluster tests): a second build would delete dist/ under the first one's running CLI. So a build whose
// inputs are unchanged since the last one (same bytes, by digest) writes nothing. FORCE_BUILD=1 builds anyway.
const INPUTS = ["src", "generators", "templates", "scripts/build.mjs", "scripts/handlebars-compiler.cjs", "package.json", "package-lock.json", "tsconfig.json"];
const STAMP = ".cache/build-stamp";
async function inputsDigest() {
  const hash = createHash("sha256");
  for (const input of INPUTS) {
    const info = await stat(input).catch(() => undefined);
    const files = !info ? [] : info.isDirectory()
      ? (await readdir(input, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort()
      : [input];
    hash.update(`${input}: ${files.length}\0`);
    for (const file of files) hash.update(file).update("\0").update(await readFile(file)).update("\0");
  }
  return hash.digest("hex");
}
const digest = await inputsDigest();
const built = ["dist/cli.js", "dist/index.js", "dist/THIRD-PARTY-LICENSES.txt", ".cache/build-meta.json"].every((f) => existsSync(f));
if (process.env.FORCE_BUILD !== "1" && built && (await readFile(STAMP, "utf8").catch(() => "")) === digest) process.exit(0);
// Removed first: a build that stops half way leaves no stamp to vouch for it.
await rm(STAMP, { force: true });

await rm("dist", { recursive: true, force: true });
const result = await build({
  metafile: true,
  entryPoints: { cli: "src/cli/main.ts", index: "src/index.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  // Every bundled package's full license text is in dist/THIRD-PARTY-LICENSES.txt (below).
  legalComments: "none",
  chunkNames: "chunks/[name]-[hash]",
  plugins: [inlineTemplates, handlebarsCompilerOnly],
  // handlebars is CommonJS and calls require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // handlebars requires source-map only for precompile source maps, inside a try/catch: leave it out.
  external: ["source-map"],
  logLevel: "warning",
});
await chmod("dist/cli.js", 0o755);
await writeFile("dist/THIRD-PARTY-LICENSES.txt", await thirdPartyLicenses(result.metafile));
// Which packages each output file holds: the lazy-loading test reads it (not shipped).
await mkdir(".cache", { recursive: true });
await writeFile(".cache/build-meta.json", JSON.stringify(result.metafile));
await writeFile(STAMP, digest);

/**
 * The bundle carries code of other packages, and their licenses (MIT, ISC) ask that their notices go
 * with every copy: one file with each bundled package, version and license text, packages that share
 * a text (the @inquirer family) listed together. Which packages: those with bytes in some output.
 */
async function thirdPartyLicenses(metafile) {
  const names = new Set();
  for (const output of Object.values(metafile.outputs))
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = bytesInOutput > 0 && /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (match) names.add(match[1]);
    }
  const byText = new Map();
  for (const name of [...names].sort()) {
    const dir = path.resolve("node_modules", name);
    const { version, license } = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
    const file = (await readdir(dir)).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    if (!file) throw new Error(`build: ${name} is bundled but ships no license file to reproduce`);
    const text = (await readFile(path.join(dir, file), "utf8")).trim();
    byText.set(text, [...(byText.get(text) ?? []), `${name}@${version} (${license})`]);
  }
  const sections = [...byText].map(([text, packages]) => `${packages.join("\n")}\n\n${text}\n`);
  return `create-gitops-go-service bundles code from these packages, under their licenses:\n\n${sections.join(`\n${"-".repeat(72)}\n\n`)}`;
}
