// Temporary development aid (removed once the CLI lands): render templates/ with default answers
// merged with an optional JSON file, into a directory.  Usage:
//   npx esbuild scripts/dev-render.ts --bundle --platform=node --format=esm --outfile=/tmp/dev-render.mjs \
//     --banner:js="import {createRequire as __cr} from 'node:module'; const require = __cr(import.meta.url);"
//   node /tmp/dev-render.mjs OUTDIR [answers.json]
import { mkdir, writeFile, readFile } from "node:fs/promises";
import path from "node:path";
import { buildContext } from "../src/context.js";
import { planFiles } from "../src/plan.js";
import type { Answers } from "../src/answers-types.js";

const defaults: Answers = {
  directory: "my-svc",
  name: "my-svc",
  module: "github.com/acme/my-svc",
  owner: "acme",
  description: "An example service",
  port: 8080,
  env: ["GREETING=hello", "UPSTREAM_URL"],
  secret: ["API_TOKEN"],
  registry: "ghcr.io/acme",
  repoUrl: "https://github.com/acme/my-svc.git",
  gitops: "argocd",
  argocdMode: "applications",
  ci: "github",
  environments: ["dev", "staging", "prod"],
  secrets: "external-secrets",
  monitoring: true,
  networkPolicy: true,
};

const [out, answersFile] = process.argv.slice(2);
const answers = { ...defaults, ...(answersFile ? JSON.parse(await readFile(answersFile, "utf8")) : {}) };
const templatesDir = path.resolve(process.cwd(), "templates");
const plan = await planFiles(buildContext(answers, { name: "create-gitops-go-service", version: "0.0.0-dev" }), templatesDir);
for (const f of plan) {
  const p = path.join(out, f.path);
  await mkdir(path.dirname(p), { recursive: true });
  await writeFile(p, f.content, { mode: f.mode });
}
console.log(`${plan.length} files -> ${out}`);
