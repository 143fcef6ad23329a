// The generated Go service, checked the way its own CI and an operator would: gofmt, go mod tidy
// -diff, go vet, go test -race, golangci-lint with the generated config, a stamped build, and the
// binary itself (bad config exits 1 naming every variable; probes, metrics; SIGTERM exits 0).
// Each answer set is rendered and built once; Go's build and module caches are shared.
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { renderToDir, tool, inCI } from "./helpers/render.js";
import { freePort, get, GO_ENV, goFound, requiredEnv, waitFor } from "./helpers/go-service.js";
import { generateWithCli, gitEnv } from "./helpers/cli.js";
import type { Context } from "../src/render/context.js";
import type { Answers } from "../src/answers/types.js";

if (!goFound) {
  if (inCI) throw new Error("go is required in CI to test the generated service");
  console.warn("skipped: go is not on PATH, so the generated Go service is not built or tested");
}
const golangciLint = tool("golangci-lint");
const lintFound = existsSync(golangciLint);
if (!lintFound) {
  if (inCI) throw new Error(`golangci-lint is required in CI (${golangciLint}; scripts/install-tools.sh installs it)`);
  console.warn(`skipped: golangci-lint not installed at ${golangciLint} (run scripts/install-tools.sh)`);
}

const go = (dir: string, ...args: string[]) => execa("go", args, { cwd: dir, env: GO_ENV, reject: false, all: true });

const fixtures: { title: string; answers: Partial<Answers> }[] = [
  { title: "defaults (GREETING=hello, UPSTREAM_URL required, secret API_TOKEN)", answers: {} },
  {
    title: "no env, no secrets, another name, module and port",
    answers: { name: "orders-api", directory: "orders-api", module: "example.com/team/orders-api", port: 9090, env: [], secret: [] },
  },
];

describe.skipIf(!goFound).each(fixtures)("generated Go service: $title", ({ answers }) => {
  let dir: string;
  let context: Context;
  let bin: string;

  beforeAll(async () => {
    // End to end: the built CLI writes the repository, as `npx create-gitops-go-service ... --yes` would.
    ({ dir, context } = await generateWithCli(answers));
    bin = path.join(dir, "bin", context.name);
  });

  it("is one clean git commit on main", async () => {
    const git = (...args: string[]) => execa("git", args, { cwd: dir, env: gitEnv }).then((r) => r.stdout.trim());
    expect(await git("rev-list", "--count", "HEAD")).toBe("1");
    expect(await git("status", "--porcelain")).toBe("");
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("is gofmt-clean and tidy", async () => {
    const fmt = await execa("gofmt", ["-l", "."], { cwd: dir });
    expect(fmt.stdout).toBe("");
    const tidy = await go(dir, "mod", "tidy", "-diff");
    expect(tidy.exitCode, tidy.all).toBe(0);
    const mod = await readFile(path.join(dir, "go.mod"), "utf8");
    expect(mod).toContain(`module ${context.module}\n`);
    expect(mod).toContain(`go ${context.versions.go.directive}\n`);
    expect(mod).toContain(`require github.com/prometheus/client_golang ${context.versions.goModules.clientGolang}\n`);
  });

  it("passes go vet and go test -race", async () => {
    const vet = await go(dir, "vet", "./...");
    expect(vet.exitCode, vet.all).toBe(0);
    const test = await go(dir, "test", "-race", "-shuffle=on", "-count=1", "./...");
    expect(test.exitCode, test.all).toBe(0);
    expect(test.all).not.toMatch(/^(FAIL|---)/m);
  }, 300_000);

  it.skipIf(!lintFound)("lints clean with golangci-lint and the generated .golangci.yml", async () => {
    const verify = await execa(golangciLint, ["config", "verify"], { cwd: dir, env: GO_ENV, reject: false, all: true });
    expect(verify.exitCode, verify.all).toBe(0);
    // Serialized around golangci-lint's lock: another test file (scanners) may lint at the same time,
    // and a second runner otherwise exits with "parallel golangci-lint is running".
    const lint = await execa(golangciLint, ["run", "--allow-serial-runners", "./..."], { cwd: dir, env: GO_ENV, reject: false, all: true });
    expect(lint.exitCode, lint.all).toBe(0);
  }, 300_000);

  it("builds a static, version-stamped binary the way the Dockerfile does", async () => {
    const pkg = `${context.module}/internal/version`;
    const build = await execa(
      "go",
      ["build", "-trimpath", "-ldflags", `-s -w -X ${pkg}.Version=v1.2.3 -X ${pkg}.Commit=abc1234`, "-o", bin, `./cmd/${context.name}`],
      { cwd: dir, env: { ...GO_ENV, CGO_ENABLED: "0" }, reject: false, all: true },
    );
    expect(build.exitCode, build.all).toBe(0);
    const version = await execa(bin, ["-version"], { extendEnv: false, env: {} });
    expect(version.stdout).toBe(`${context.name} v1.2.3 (commit abc1234)`);
  }, 300_000);

  it("exits 1 before listening, naming every missing or malformed variable", async () => {
    // extendEnv: false, so nothing in this process's environment (a CI's PORT) leaks in.
    const res = await execa(bin, [], { extendEnv: false, env: { PORT: "not-a-port" }, reject: false });
    expect(res.exitCode).toBe(1);
    const missing = ["PORT", ...Object.keys(requiredEnv(context))];
    for (const name of missing) expect(res.stderr).toContain(name);
    expect(res.stderr).not.toContain("not-a-port");
    expect(res.stdout).not.toContain("listening");
  });

  it("serves probes and metrics, then drains and exits 0 on SIGTERM", async () => {
    const [port, adminPort] = [await freePort(), await freePort()];
    const env = { ...requiredEnv(context), PORT: String(port), ADMIN_PORT: String(adminPort), SHUTDOWN_DELAY: "1s", SHUTDOWN_TIMEOUT: "5s" };
    const proc = execa(bin, [], { extendEnv: false, env, reject: false });
    const app = `http://127.0.0.1:${port}`;
    try {
      await waitFor(`${app}/readyz`, 200, proc);
      for (const p of ["/livez", "/healthz", "/readyz"]) expect((await get(app + p))?.status, p).toBe(200);
      const hello = await get(`${app}/v1/hello/gopher`);
      expect(hello?.status).toBe(200);
      expect(JSON.parse(hello!.body)).toEqual({ message: "hello, gopher" });
      expect((await get(`${app}/no-such-route`))?.status).toBe(404);
      expect((await get(`${app}/metrics`))?.status).toBe(404); // metrics stay off the public port

      const metrics = await get(`http://127.0.0.1:${adminPort}/metrics`);
      expect(metrics?.status).toBe(200);
      expect(metrics!.body).toContain("go_goroutines");
      expect(metrics!.body).toContain('http_requests_total{code="200",method="get",route="GET /v1/hello/{name}"} 1');
      expect(metrics!.body).toContain('http_requests_total{code="404",method="get",route="unmatched"} 2'); // the two 404s above

      proc.kill("SIGTERM");
      await waitFor(`${app}/readyz`, 503, proc); // draining: unready, still serving
    } finally {
      proc.kill("SIGTERM");
    }
    const result = await proc;
    expect(result.exitCode, result.stderr).toBe(0);
    const logs = String(result.stdout)
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // All interfaces: "[::]:port" on a dual-stack host, "0.0.0.0:port" without IPv6.
    const listening = logs.filter((l) => l.msg === "listening").map((l) => String(l.addr).replace(/^.*:/, ""));
    expect(listening).toEqual([String(port), String(adminPort)]);
    expect(logs.every((l) => l.service === context.name)).toBe(true);
    expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(["shutting down", "stopped"]));
    expect(logs.some((l) => String(l.route ?? "").includes("readyz"))).toBe(false); // probes are not logged
    expect(result.stdout).not.toContain("s3cr3t-value");
  }, 60_000);
});

describe("generated build files", async () => {
  const { dir, context } = await renderToDir();
  const read = (f: string) => readFile(path.join(dir, f), "utf8");
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("Makefile: tab-indented recipes, help by default, no free text", async () => {
    const makefile = await read("Makefile");
    expect(makefile).toMatch(/^\.DEFAULT_GOAL := help$/m);
    for (const target of ["help", "fmt", "lint", "test", "vuln", "build", "run", "docker-build", "manifests", "set-image", "tidy", "clean"])
      expect(makefile, target).toMatch(new RegExp(`^${target}: .*## `, "m"));
    // ENV, TAG and DIGEST reach the script through the environment, unexpanded (#27 F2, F11; test/security.test.ts runs it).
    expect(makefile).toContain("\t./scripts/set-image.sh \"$$SET_IMAGE_ENV\" \"$$SET_IMAGE_TAG\" \"$$SET_IMAGE_DIGEST\"");
    expect(makefile).not.toMatch(/^ +\S/m); // recipes start with a TAB, never spaces
    expect(makefile).not.toContain(context.description);
  });

  it("Dockerfile: pinned builder, distroless non-root runtime, exec-form entrypoint", async () => {
    const dockerfile = await read("Dockerfile");
    expect(dockerfile.startsWith("# syntax=docker/dockerfile:1\n")).toBe(true);
    expect(dockerfile).toContain(`FROM --platform=$BUILDPLATFORM ${context.versions.images.goBuilder} AS build`);
    expect(dockerfile).toContain(`FROM ${context.versions.images.runtime}\n`);
    expect(dockerfile).toContain("ENV CGO_ENABLED=0 GOTOOLCHAIN=local");
    expect(dockerfile).toContain("USER 65532:65532");
    expect(dockerfile).toContain(`EXPOSE ${context.port} ${context.adminPort}`);
    expect(dockerfile).toContain(`ENTRYPOINT ["/${context.name}"]`);
    expect(dockerfile).not.toMatch(/HEALTHCHECK|curl|:latest/);
  });

  it("README lists every variable and explains delivery", async () => {
    const readme = await read("README.md");
    for (const name of ["PORT", "ADMIN_PORT", "LOG_LEVEL", "SHUTDOWN_DELAY", "SHUTDOWN_TIMEOUT", ...context.env.map((e) => e.name), ...context.secrets.map((s) => s.name)])
      expect(readme).toContain(`| \`${name}\` |`);
    expect(readme).toContain("## Delivery");
    expect(readme).toContain(`deploy/overlays/${context.firstEnvironment.name}/kustomization.yaml`);
    expect(readme).toContain("git revert");
    expect(readme).toContain("```mermaid");
    expect(readme).toContain(context.description);
  });

  it(".dockerignore is an allowlist", async () => {
    expect((await read(".dockerignore")).split("\n").filter((l) => l && !l.startsWith("#"))).toEqual(["**", "!go.mod", "!go.sum", "!cmd/**", "!internal/**"]);
  });
});
