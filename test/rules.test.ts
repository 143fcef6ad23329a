import { describe, expect, test } from "vitest";
import * as rules from "../src/answers/rules.js";

// One row per case: the input is the test name; `ok` means the rule accepts it.
const cases: [string, (v: never) => string | undefined, unknown, "ok" | RegExp][] = [
  ["name orders-api", rules.dns1035Label, "orders-api", "ok"],
  ["name a", rules.dns1035Label, "a", "ok"],
  ["name My_Svc", rules.dns1035Label, "My_Svc", /not a DNS-1035 label/],
  ["name 1svc (leading digit)", rules.dns1035Label, "1svc", /DNS-1035/],
  ["name svc- (trailing dash)", rules.dns1035Label, "svc-", /DNS-1035/],
  ["name 64 chars", rules.dns1035Label, "a".repeat(64), /longer than 63/],
  ["env name 1dev", rules.dns1123Label, "1dev", "ok"],
  ["env name Dev", rules.dns1123Label, "Dev", /DNS-1123/],
  ["module github.com/acme/svc", rules.goModulePath, "github.com/acme/svc", "ok"],
  ["module gitlab.com/Acme/Group/svc/v2", rules.goModulePath, "gitlab.com/Acme/Group/svc/v2", "ok"],
  ["module svc (no domain)", rules.goModulePath, "svc", /domain name containing a dot/],
  ["module GitHub.com/acme/svc", rules.goModulePath, "GitHub.com/acme/svc", /lowercase domain/],
  ["module github.com//svc", rules.goModulePath, "github.com//svc", /empty path element/],
  ["module github.com/acme/svc/", rules.goModulePath, "github.com/acme/svc/", /start or end with '\/'/],
  ["module github.com/acme/my svc", rules.goModulePath, "github.com/acme/my svc", /element .my svc. that has a character Go does not allow/],
  ["module github.com/acme/.svc", rules.goModulePath, "github.com/acme/.svc", /starts with '\.'/],
  ["owner acme", rules.owner, "acme", "ok"],
  ["owner group/sub.group", rules.owner, "group/sub.group", "ok"],
  ["owner -acme", rules.owner, "-acme", /not a git organisation/],
  ["owner acme corp", rules.owner, "acme corp", /not a git organisation/],
  ["registry ghcr.io/acme", rules.registry, "ghcr.io/acme", "ok"],
  ["registry localhost:5000/team/sub", rules.registry, "localhost:5000/team/sub", "ok"],
  ["registry ghcr.io/Acme", rules.registry, "ghcr.io/Acme", /invalid path component 'Acme'/],
  ["registry ghcr.io", rules.registry, "ghcr.io", /repository path/],
  ["registry acme (no host)", rules.registry, "acme/svc", /registry host/],
  ["repo https", rules.gitUrl, "https://github.com/acme/svc.git", "ok"],
  ["repo ssh url", rules.gitUrl, "ssh://git@github.com/acme/svc.git", "ok"],
  ["repo scp-like", rules.gitUrl, "git@github.com:acme/svc.git", "ok"],
  ["repo http", rules.gitUrl, "http://github.com/acme/svc.git", /uses 'http:'/],
  ["repo with token", rules.gitUrl, "https://x:tok@github.com/acme/svc.git", /credentials/],
  ["repo with query", rules.gitUrl, "https://github.com/acme/svc.git?a=1", /query/],
  ["repo not a url", rules.gitUrl, "github.com/acme/svc", /not an https or ssh git URL/],
  ["env name NULL (kustomize reads it as null)", rules.envName, "NULL", /YAML boolean or null/],
  ["env name TRUE", rules.envName, "TRUE", /YAML boolean or null/],
  ["env name ON (a string to kustomize)", rules.envName, "ON", "ok"],
  ["port 8080", rules.port, 8080, "ok"],
  ["port 1024", rules.port, 1024, "ok"],
  ["port 80", rules.port, 80, /below 1024/],
  ["port 65536", rules.port, 65536, /above 65535/],
  ["port 80.5", rules.port, 80.5, /whole number/],
  ["env UPSTREAM_URL", rules.envName, "UPSTREAM_URL", "ok"],
  ["env lower", rules.envName, "lower", /not an environment variable name/],
  ["env PORT (reserved)", rules.envName, "PORT", /set by the service/],
  ["env TOKEN_FILE", rules.envName, "TOKEN_FILE", /_FILE/],
  ["env spec A=b c", rules.envSpec, "A=b c", "ok"],
  ["env spec A= (empty default)", rules.envSpec, "A=", "ok"],
  ["env spec A= b (leading space)", rules.envSpec, "A= b", /must not start or end with spaces/],
  ["env spec A=line\\nbreak", rules.envSpec, "A=x\ny", /one line/],
  ["env spec UPSTREAM_URL=https://x.example", rules.envSpec, "UPSTREAM_URL=https://x.example/a", "ok"],
  ["env spec UPSTREAM_URL=localhost", rules.envSpec, "UPSTREAM_URL=localhost", /must be an absolute URL/],
  ["description with quotes and {{", (v: string) => rules.oneLine(v, 300), `it's "quoted" {{x}} #1: ok`, "ok"],
  ["description with newline", (v: string) => rules.oneLine(v, 300), "a\nb", /one line/],
];

describe("validation rules", () => {
  test.each(cases)("%s", (_, rule, value, expected) => {
    const problem = rule(value as never);
    if (expected === "ok") expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });
});
