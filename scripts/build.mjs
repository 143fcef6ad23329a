// Bundle the CLI into one ESM file with no runtime imports from node_modules: npx then installs
// nothing but this package. Prompts stay a separate chunk, loaded only when a prompt is shown.
import { build } from "esbuild";
import { chmod, rm } from "node:fs/promises";

await rm("dist", { recursive: true, force: true });
await build({
  entryPoints: { cli: "src/cli.ts", index: "src/index.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  legalComments: "external",
  chunkNames: "chunks/[name]-[hash]",
  // handlebars and simple-git are CommonJS and call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: "warning",
});
await chmod("dist/cli.js", 0o755);
