import { describe, expect, test } from "vitest";
import { gitopsRepoUrl, goIdentifier, httpsRepoUrl } from "../src/answers/names.js";
import { buildContext } from "../src/render/context.js";
import { baseAnswers, TOOL } from "./helpers/render.js";

describe("derived names", () => {
  test.each([
    ["DATABASE_URL", "DatabaseURL"],
    ["API_TOKEN", "APIToken"],
    ["GREETING", "Greeting"],
    ["CACHE_TTL", "CacheTTL"],
    ["X_2", "X2"],
  ])("Go field of %s is %s", (env, field) => expect(goIdentifier(env)).toBe(field));

  test.each([
    ["git@github.com:acme/svc.git", "ssh://git@github.com/acme/svc.git"],
    ["https://github.com/acme/svc.git", "https://github.com/acme/svc.git"],
    ["ssh://git@gitlab.com/acme/svc.git", "ssh://git@gitlab.com/acme/svc.git"],
    ["git@github.com:/acme/svc.git", "ssh://git@github.com/acme/svc.git"],
  ])("GitOps URL of %s is %s", (url, expected) => expect(gitopsRepoUrl(url)).toBe(expected));

  // The image's org.opencontainers.image.source label: GHCR links a package to https addresses only.
  test.each([
    ["git@github.com:acme/svc.git", "https://github.com/acme/svc.git"],
    ["git@github.com:/acme/svc.git", "https://github.com/acme/svc.git"],
    ["ssh://git@gitlab.example.com:2222/group/sub/svc.git", "https://gitlab.example.com/group/sub/svc.git"],
    ["https://github.com/acme/svc.git", "https://github.com/acme/svc.git"],
  ])("source URL of %s is %s", (url, expected) => expect(httpsRepoUrl(url)).toBe(expected));

  test("environments: namespaces, promotion order, production sizing", () => {
    const c = buildContext({ ...baseAnswers, name: "orders", environments: ["dev", "qa", "live"] }, TOOL);
    expect(c.environments.map((e) => [e.name, e.namespace, e.production, e.previous])).toEqual([
      ["dev", "orders-dev", false, undefined],
      ["qa", "orders-qa", false, "dev"],
      ["live", "orders-live", true, "qa"],
    ]);
    expect(c.firstEnvironment.name).toBe("dev");
    expect(buildContext({ ...baseAnswers, environments: ["dev"] }, TOOL).environments[0].production).toBe(false);
    expect(buildContext({ ...baseAnswers, environments: ["prod"] }, TOOL).environments[0].production).toBe(true);
  });

  test("the admin port never collides with the app port", () => {
    expect(buildContext({ ...baseAnswers, port: 8080 }, TOOL).adminPort).toBe(9090);
    expect(buildContext({ ...baseAnswers, port: 9090 }, TOOL).adminPort).toBe(9091);
  });

  test("env specs split into name, default and required", () => {
    const c = buildContext({ ...baseAnswers, env: ["A", "B=x=y", "C="] }, TOOL);
    expect(c.env.map((e) => [e.name, e.required, e.default])).toEqual([
      ["A", true, ""],
      ["B", false, "x=y"],
      ["C", false, ""],
    ]);
  });

  test("secrets: ExternalSecret only when there are secrets and that provider is chosen", () => {
    expect(buildContext({ ...baseAnswers, secret: [] }, TOOL).secretsProvider.externalSecrets).toBe(false);
    expect(buildContext({ ...baseAnswers, secret: ["A"], secrets: "none" }, TOOL).secretsProvider.externalSecrets).toBe(false);
    expect(buildContext({ ...baseAnswers, secret: ["A"] }, TOOL).secretsProvider.externalSecrets).toBe(true);
  });

  test("the context is frozen and a pure function of its inputs", () => {
    const a = buildContext(baseAnswers, TOOL);
    expect(Object.isFrozen(a) && Object.isFrozen(a.environments[0]) && Object.isFrozen(a.versions.actions.checkout)).toBe(true);
    expect(JSON.stringify(buildContext(baseAnswers, TOOL))).toBe(JSON.stringify(a));
  });
});
