import { parse } from "yaml";
import { describe, expect, test } from "vitest";
import { generators } from "../generators/index.js";
import { hasLeftoverMarker, ownersOf, planFiles } from "../src/render/plan.js";
import { readTemplates } from "../src/render/templates.js";
import { buildContext } from "../src/render/context.js";
import { baseAnswers, TOOL } from "./helpers/render.js";

describe("generators", () => {
  test("every template is owned by exactly one generator", async () => {
    const templates = await readTemplates();
    expect(templates.length).toBeGreaterThan(40);
    const problems = templates
      .map((t) => ({ id: t.id, owners: ownersOf(t.id).map((g) => g.name) }))
      .filter((t) => t.owners.length !== 1);
    expect(problems).toEqual([]);
  });

  test("every ownership rule matches at least one template (no dead entries)", async () => {
    const ids = (await readTemplates()).map((t) => t.id);
    for (const g of generators)
      for (const owned of g.templates) {
        const p = typeof owned === "string" ? owned : owned.path;
        expect(ids.some((id) => (p.endsWith("/") ? id.startsWith(p) : id === p)), `${g.name}: ${p}`).toBe(true);
      }
  });

  test("conditional generators write only for their answers", async () => {
    const paths = async (overrides: object) => (await planFiles(buildContext({ ...baseAnswers, ...overrides }, TOOL))).map((f) => f.path);
    const flux = await paths({ gitops: "flux", ci: "gitlab" });
    expect(flux.some((p) => p.startsWith("deploy/flux/"))).toBe(true);
    expect(flux.some((p) => p.startsWith("deploy/argocd/") || p.startsWith(".github/"))).toBe(false);
    expect(flux).toContain(".gitlab-ci.yml");
    const none = await paths({ gitops: "none", ci: "none" });
    expect(none.some((p) => p.startsWith("deploy/flux/") || p.startsWith("deploy/argocd/") || p.startsWith(".github/") || p === ".gitlab-ci.yml")).toBe(false);
    expect(none).toContain("cmd/my-svc/main.go");
  });

  test("each generator names itself and says what it writes", () => {
    const names = generators.map((g) => g.name);
    expect(new Set(names).size).toBe(names.length);
    for (const g of generators) expect(g.description.length).toBeGreaterThan(20);
  });

  test.each([
    ["defaults", {}],
    ["flux + gitlab + one environment", { gitops: "flux", ci: "gitlab", environments: ["prod"] }],
    ["applicationset, no secrets, no components", { argocdMode: "applicationset", secret: [], monitoring: false, networkPolicy: false }],
    ["no gitops, no ci", { gitops: "none", ci: "none", env: [] }],
    ["flux + flagger canary", { gitops: "flux", progressive: "flagger" }],
  ])("no unrendered Handlebars marker is left in any rendered file: %s", async (_, overrides) => {
    const plan = await planFiles(buildContext({ ...baseAnswers, ...overrides } as typeof baseAnswers, TOOL));
    const leftovers = plan.filter((f) => hasLeftoverMarker(f.content.toString("utf8"))).map((f) => f.path);
    expect(leftovers).toEqual([]);
  });

  test("the marker check itself catches a leftover and lets other tools' syntax through", () => {
    expect(hasLeftoverMarker("name: {{name}}")).toBe(true);
    expect(hasLeftoverMarker("run: echo ${{ github.sha }}")).toBe(false);
    expect(hasLeftoverMarker("namespace: '{{ .namespace }}'")).toBe(false);
    expect(hasLeftoverMarker('query: x{hash="{{args.hash}}"}')).toBe(false);
    expect(hasLeftoverMarker('query: x{namespace="{{ namespace }}",app="{{ target }}"}[{{ interval }}]')).toBe(false);
    expect(hasLeftoverMarker("max: {{ canary.maxP95Ms }}")).toBe(true);
  });
});

describe("Backstage catalog entry", () => {
  test("catalog-info.yaml is a Component named after the service, owned by the owner, pointing at the repo", async () => {
    const plan = await planFiles(buildContext({ ...baseAnswers, owner: "acme/platform", ci: "gitlab", repoUrl: "git@gitlab.com:acme/platform/orders.git", name: "orders" }, TOOL));
    const file = plan.find((f) => f.path === "catalog-info.yaml");
    const entity = parse(file!.content.toString("utf8"));
    expect(entity).toMatchObject({ apiVersion: "backstage.io/v1alpha1", kind: "Component", metadata: { name: "orders" }, spec: { type: "service", owner: "acme-platform" } });
    expect(entity.metadata.annotations["gitlab.com/project-slug"]).toBe("acme/platform/orders");
    expect(entity.metadata.annotations["argocd/app-selector"]).toBe("app.kubernetes.io/name=orders");
  });
  test("--no-catalog leaves it out", async () => {
    const plan = await planFiles(buildContext({ ...baseAnswers, catalog: false }, TOOL));
    expect(plan.map((f) => f.path)).not.toContain("catalog-info.yaml");
  });
});
