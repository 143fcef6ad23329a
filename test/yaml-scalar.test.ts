// Issue #17: every answer written into YAML goes through one quoting rule (src/yaml-scalar.ts, the
// `yaml` Handlebars helper), safe for YAML 1.1 readers (sigs.k8s.io/yaml: kubectl, kustomize, Argo CD,
// Flux) and YAML 1.2 ones alike.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import jsYaml from "js-yaml";
import { parse } from "yaml";
import { describe, expect, test } from "vitest";
import type { Answers } from "../src/answers/types.js";
import { buildContext } from "../src/render/context.js";
import { yamlScalar } from "../src/shared/yaml-scalar.js";
import { baseAnswers, TOOL } from "./helpers/render.js";
import { yamlTypeDrift } from "./helpers/yaml-types.js";

/** Strings that YAML 1.1 or 1.2 readers take for something else when written plain. */
export const YAML_SPECIAL = [
  "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON",
  "off", "Off", "OFF", "null", "Null", "NULL", "~", "", "1", "012", "0o12", "0x1F", "0x1f", "0b101", "1e3", "1E3", "-1", "+1", "1_000",
  "1.5", ".5", "1.", ".inf", "-.Inf", ".NaN", "1:20", "190:20:30.15", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "<<", "=",
  "e3", "E-5", "-", "- a", "? a", ": a", "a: b", "a #b", "#a", "&a", "*a", "!a", "%a", "@a", "`a", "|", ">", "[a]", "{a}", "'a'", '"a"', ",a",
  " a", "a ", "a\tb", "a\nb", "\u0085", "a\u2028b", "\u2029", "\ufeff", "\u007f", "\u009f", "\uffff", "日本語", "🚀", "é",
  "../../components/x", "./deploy/overlays/prod", "ghcr.io/acme/svc", "orders-api", "a.b_c/d-e",
];

describe("yamlScalar: every reader reads back the exact string", () => {
  test.each(YAML_SPECIAL.map((s) => [JSON.stringify(s), s]))("%s", (_, text) => {
    const doc = `key: ${yamlScalar(text)}\nlist:\n  - ${yamlScalar(text)}\n${yamlScalar(text)}: v\n`;
    for (const version of ["1.1", "1.2"] as const) {
      const read = parse(doc, { version, uniqueKeys: false }) as Record<string, unknown>;
      expect(read.key, `YAML ${version}: ${doc}`).toBe(text);
      expect((read.list as unknown[])[0], `YAML ${version}`).toBe(text);
      expect(Object.keys(read), `YAML ${version}`).toContain(text);
    }
    const js = jsYaml.load(doc) as Record<string, unknown>;
    expect(js.key).toBe(text);
  });

  test("plain only where nothing can be misread (names stay readable in the output)", () => {
    expect(yamlScalar("orders-api")).toBe("orders-api");
    expect(yamlScalar("ghcr.io/acme/orders-api")).toBe("ghcr.io/acme/orders-api");
    expect(yamlScalar("yes")).toBe('"yes"');
    expect(yamlScalar("1e3")).toBe('"1e3"');
    expect(yamlScalar("a\u2028b")).toBe('"a\\u2028b"');
  });
});

const TEMPLATES = path.resolve(import.meta.dirname, "../templates");

/**
 * Interpolations a YAML template may write without the helper, each a number the context types as
 * one (a port, a replica count), where a YAML number is meant. Everything else from the context must
 * go through `{{yaml ...}}`; `versions.*` are pinned constants from src/versions.ts, not answers.
 */
const TYPED_NUMBERS: Record<string, (c: ReturnType<typeof buildContext>) => unknown> = {
  port: (c) => c.port,
  adminPort: (c) => c.adminPort,
  // The NetworkPolicy's egress ports: numbers from src/render/security.ts (the defaults' URLs, or 443).
  publicPort: (c) => c.egress.publicPorts[0],
  "baseSizing.minReplicas": (c) => c.baseSizing.minReplicas,
  "baseSizing.maxReplicas": (c) => c.baseSizing.maxReplicas,
  "environment.sizing.minReplicas": (c) => c.environments[0].sizing.minReplicas,
  "environment.sizing.maxReplicas": (c) => c.environments[0].sizing.maxReplicas,
  // Flagger's thresholdRange.max for the p95 (src/render/context.ts: the answer, a number of milliseconds).
  "canary.maxP95Ms": (c) => c.canary.maxP95Ms,
};

/**
 * Strings an answer's rule holds to a plain decimal (the canary's error percent: PERCENT in
 * src/answers/questions/platform.ts, "0.25"), written where a YAML number is meant (Flagger's
 * thresholdRange.max). The test below parses each, at the rule's extremes too, as a number.
 */
const DECIMAL_STRINGS: Record<string, (c: ReturnType<typeof buildContext>) => unknown> = {
  "canary.maxErrorPercent": (c) => c.canary.maxErrorPercent,
};

/** Every `{{expression}}` of a YAML template's content (not comments) that does not use the helper. */
export function unquotedInterpolations(source: string): { line: number; expression: string }[] {
  const found: { line: number; expression: string }[] = [];
  // Handlebars comments may span lines: blank them, keeping the line count.
  const text = source.replace(/\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}/g, (c) => c.replace(/[^\n]/g, " "));
  text.split("\n").forEach((line, i) => {
    // A YAML comment line: what it says cannot change a type (the validators keep answers one line).
    if (line.trimStart().startsWith("#")) return;
    for (const m of line.matchAll(/(\\)?\{\{\{?\s*([^}]*?)\s*\}?\}\}/g)) {
      if (m[1]) continue; // `\{{`: GitHub or Argo CD template syntax, written literally
      const expression = m[2];
      if (/^[#/^>]|^else\b/.test(expression)) continue; // block helpers and partials
      // promSelector quotes its values as PromQL strings; slo.* are decimal strings derived from
      // validated numbers (src/render/slo.ts), written into PromQL, never as a YAML value of their own.
      if (/^(yaml|promSelector)\s/.test(expression) || /^(versions|slo)\./.test(expression) || expression in TYPED_NUMBERS || expression in DECIMAL_STRINGS) continue;
      found.push({ line: i + 1, expression });
    }
  });
  return found;
}

describe("every YAML template writes answers through the yaml helper", () => {
  test("no template interpolates a value into YAML without it", async () => {
    const files = (await readdir(TEMPLATES, { recursive: true })).filter((f) => /\.ya?ml\.hbs$/.test(f)).sort();
    expect(files.length).toBeGreaterThan(25);
    const problems: string[] = [];
    for (const file of files) {
      for (const { line, expression } of unquotedInterpolations(await readFile(path.join(TEMPLATES, file), "utf8")))
        problems.push(`templates/${file}:${line}: {{${expression}}} must be {{yaml ${expression}}}`);
    }
    expect(problems).toEqual([]);
  });

  test("the scan finds what it should (and the allowed numbers are numbers)", () => {
    expect(unquotedInterpolations("name: {{name}}\n# about {{name}}\nx: {{yaml name}}\ny: {{{name}}}\nz: {{yaml name}}-{{environment.name}}\n")).toEqual([
      { line: 1, expression: "name" },
      { line: 4, expression: "name" },
      { line: 5, expression: "environment.name" },
    ]);
    expect(unquotedInterpolations('{{#each environments}}\n  - {{yaml name}}\n{{/each}}\nport: {{port}}\nx: "$\\{{ github.sha }}"\n')).toEqual([]);
    const context = buildContext(baseAnswers, TOOL);
    for (const [expression, read] of Object.entries(TYPED_NUMBERS)) expect(typeof read(context), expression).toBe("number");
    for (const [expression, read] of Object.entries(DECIMAL_STRINGS)) {
      for (const percent of ["0.001", "1", "10.5", "99.999"]) {
        const value = read(buildContext({ ...baseAnswers, progressive: "argo-rollouts", canaryMaxErrorPercent: percent }, TOOL));
        expect(typeof value, expression).toBe("string");
        for (const parsed of [jsYaml.load(`x: ${value}`), parse(`x: ${value}`)]) expect(parsed, `${expression} = ${value}`).toEqual({ x: Number(value) });
      }
    }
  });
});

// Answers the validators accept that YAML 1.1 reads as booleans, nulls, numbers or timestamps.
const SENTINELS: { title: string; answers: Partial<Answers>; labels?: Record<string, string> }[] = [
  {
    title: "argocd applicationset, external secrets, preset labels",
    answers: {
      name: "yes",
      argocdProject: "1e3",
      argocdMode: "applicationset",
      environments: ["true", "no", "1e3", "012", "0x1f", "null", "2001-12-14", "on", "y", "prod"],
      env: ["ON=yes", "NULL", "TRUE=~"],
      secret: ["Y", "OFF"],
      owner: "0x1F",
      registry: "ghcr.io/012",
      repoUrl: "https://github.com/0x1F/yes.git",
      module: "github.com/0x1F/yes",
      description: "null",
    },
    labels: { on: "yes", "example.com/n": "012", y: "1e3" },
  },
  {
    title: "flux, gitlab",
    answers: { name: "null", gitops: "flux", ci: "gitlab", environments: ["off", "n", "0b1", "1"], owner: "NO", registry: "registry.gitlab.com/no", secret: [], env: ["NO"] },
  },
  {
    title: "argocd applications, canary, an existing project",
    answers: { name: "on", argocdProject: "012", progressive: "argo-rollouts", environments: ["false", "1-2", "off"], canaryMaxErrorPercent: "0.5", secret: ["NULL"] },
  },
  {
    title: "argocd applications, the service's own project",
    answers: { name: "off", argocdProject: "off", environments: ["yes", "prod"], repoUrl: "git@github.com:y/off.git", catalog: true },
  },
];

describe("answers YAML 1.1 reads as non-strings stay strings in every generated YAML file", () => {
  test.each(SENTINELS)("$title", async ({ answers, labels }) => {
    const a = { ...baseAnswers, ...answers } as Answers;
    const { problems, plan } = await yamlTypeDrift(a, labels);
    expect(plan.filter((f) => /\.ya?ml$/.test(f.path)).length).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  });
});
