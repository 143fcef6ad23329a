// The published bundle renders templates precompiled at build time, with options the source path does
// not use (scripts/build.mjs: known helpers only, no source locations). It must write byte for byte
// what the source templates render, for every template.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, test } from "vitest";
import type { Answers } from "../src/answers/types.js";
import { renderRepository } from "../src/render/render-repository.js";
import { outputPath, readTemplates } from "../src/render/templates.js";
import { answersToFlags, runCli, tempDir } from "./helpers/cli.js";
import { fixtures } from "./helpers/fixtures.js";
import { baseAnswers } from "./helpers/render.js";

// Between them, these render every template (checked below).
const answerSets: Record<string, Answers> = {
  ...fixtures,
  "argocd applicationset, argo-rollouts, external secrets": { ...baseAnswers, argocdMode: "applicationset", progressive: "argo-rollouts" },
  "flux, github, no secrets, no catalog": { ...baseAnswers, gitops: "flux", secret: [], secrets: "none", catalog: false, environments: ["dev"] },
  "flux, flagger": { ...baseAnswers, gitops: "flux", progressive: "flagger" },
};

const written = new Set<string>();

test.each(Object.entries(answerSets))("the built CLI writes what the source templates render: %s", async (_, answers) => {
  const cwd = await tempDir();
  const run = await runCli([answers.directory, "--yes", "--no-git", "--json", ...answersToFlags(answers)], { cwd });
  expect(run.exitCode, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout);
  // Which answers were given is the CLI's to know (its flags), not the templates': the record's list is taken as written.
  const { derived } = JSON.parse(await readFile(path.join(result.directory, ".create-gitops-go-service.json"), "utf8"));
  const { plan } = await renderRepository(result.answers, { derived });
  expect(result.files).toEqual(plan.map((f) => f.path));
  for (const file of plan) {
    expect(await readFile(path.join(result.directory, file.path), "utf8"), file.path).toBe(file.content.toString("utf8"));
    written.add(`${result.answers.name}\0${file.path}`);
  }
});

test("the answer sets above render every template", async () => {
  const missing: string[] = [];
  for (const template of await readTemplates()) {
    const rendered = Object.values(answerSets).some((answers) =>
      answers.environments.some((environment) => written.has(`${answers.name}\0${outputPath(template.id, { name: answers.name, environment }).path}`)),
    );
    if (!rendered) missing.push(template.id);
  }
  expect(missing).toEqual([]);
});
