// Bundle the action and module into dist/ (ESM and CommonJS, as Backstage backends load either, plus
// declarations),
// with the generator (the root package's dist/index.js, templates inlined) bundled in and
// Backstage's own packages left to the host. Run `npm run build` at the root first.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
if (!existsSync(path.resolve(root, "../../dist/index.js"))) throw new Error("build the generator first: npm run build (at the repository root)");
await rm(path.join(root, "dist"), { recursive: true, force: true });
const common = {
  entryPoints: [path.join(root, "src/index.ts")],
  bundle: true,
  platform: "node",
  target: "node20",
  external: ["@backstage/*", "zod", "zod/*"],
  legalComments: "external",
  logLevel: "warning",
};
await build({ ...common, format: "esm", outfile: path.join(root, "dist/index.js") });
// CommonJS has no import.meta: give the bundle the module's own URL (templates are inlined, but the
// generator still computes its template folder's path at load).
await build({
  ...common,
  format: "cjs",
  outfile: path.join(root, "dist/index.cjs"),
  define: { "import.meta.url": "__importMetaUrl" },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// Declarations: this package's and, beneath them, the generator's types they refer to.
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit" });
await writeFile(path.join(root, "dist/index.d.ts"), 'export * from "./types/packages/backstage/src/index.js";\nexport { default } from "./types/packages/backstage/src/index.js";\n');
