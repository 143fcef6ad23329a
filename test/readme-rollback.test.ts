// The generated README says how to roll back once, in "Rolling back", and every other place that needs
// it links there (issue #30, item 10: it was explained three times, and the release step read "builds
// …, push it and sign it").
import { describe, expect, test } from "vitest";
import type { Answers } from "../src/answers/types.js";
import { buildContext } from "../src/render/context.js";
import { planFiles } from "../src/render/plan.js";
import { baseAnswers, TOOL } from "./helpers/render.js";

async function readme(overrides: Partial<Answers>): Promise<string> {
  const plan = await planFiles(buildContext({ ...baseAnswers, ...overrides }, TOOL));
  return plan.find((f) => f.path === "README.md")!.content.toString();
}

const cases: Partial<Answers>[] = [];
for (const ci of ["github", "gitlab", "none"] as const)
  for (const gitops of ["argocd", "flux", "none"] as const)
    for (const progressive of ["none", "argo-rollouts"] as const) if (!(progressive === "argo-rollouts" && gitops === "flux")) cases.push({ ci, gitops, progressive });

describe.each(cases)("the generated README with $ci, $gitops, progressive $progressive", (answers) => {
  test("explains the rollback once, in Rolling back, and links there from everywhere else", async () => {
    const text = await readme(answers);
    const start = text.indexOf("### Rolling back");
    expect(start).toBeGreaterThan(0);
    const end = text.indexOf("\n## ", start);
    const section = text.slice(start, end);
    const rest = text.slice(0, start) + text.slice(end);
    expect(section).toContain("git revert <commit>");
    expect(section).toMatch(/previous image is still in the registry/);
    // Outside the section: no second recipe or explanation, only links to it.
    expect(rest).not.toMatch(/git revert|Roll back\b|previous image (comes back|is still)/);
    expect(rest.match(/\[Rolling back\]\(#rolling-back\)/g)?.length ?? 0).toBeGreaterThanOrEqual(1);
  });

  test.runIf(answers.ci !== "none")("names who builds, pushes and signs the image, in sentences that parse", async () => {
    const text = await readme(answers);
    const start = text.indexOf("1. **Merge to `main`.**");
    expect(start).toBeGreaterThan(0);
    const step = text.slice(start, text.indexOf("2. **", start));
    expect(step).not.toMatch(/push it and sign it/);
    if (answers.ci === "github") expect(step).toMatch(/`\.github\/workflows\/release\.yaml` builds the image, pushes it as\s+`ghcr\.io\/acme\/my-svc:<commit SHA>` and signs its digest with cosign/);
    else expect(step).toMatch(/The `build-image` job in `\.gitlab-ci\.yml` builds the image and pushes it as\s+`ghcr\.io\/acme\/my-svc:<commit SHA>`; the `sign` job then signs its digest with cosign/);
  });
});
