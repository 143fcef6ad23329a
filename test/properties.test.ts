// Property-based tests over the question table (issue #8). Random valid answer sets render to a
// repository whose YAML, workflows and Go all parse and in which free text means what the user typed;
// random invalid values for each question are refused, naming the flag, with nothing written.
// Seeds: FC_SEED (default FIXED_SEED) for the reproducible runs, plus one run on a random seed that is
// printed (fast-check also prints the seed and the counterexample of any failure).
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { execa } from "execa";
import { parseAllDocuments } from "yaml";
import { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } from "@actions/workflow-parser";
import { describe, expect, test } from "vitest";
import type { Answers } from "../src/answers/types.js";
import { resolveAnswers } from "../src/answers/resolve.js";
import { fromFlag } from "../src/answers/coerce.js";
import { buildContext } from "../src/render/context.js";
import { UserError } from "../src/shared/errors.js";
import { hasLeftoverMarker, planFiles, type Plan } from "../src/render/plan.js";
import { questionFor, questionList } from "../src/answers/questions.js";
import { yamlScalar } from "../src/shared/yaml-scalar.js";
import { runCli, tempDir } from "./helpers/cli.js";
import { baseAnswers, inCI, TOOL } from "./helpers/render.js";
import { GO_ENV, goFound } from "./helpers/go-service.js";
import { asFlagInput, FIXED_SEED, hostileLine, invalidByQuestion, validAnswers } from "./helpers/rel-arbitraries.js";

const RUNS = Number(process.env.FC_RUNS ?? 30);
const RANDOM_SEED = Math.floor(Math.random() * 0x7fffffff);

/** Files whose content must not depend on any free text at all: CI, Make, Go, scripts, the image. */
const CODE_FILE = (p: string) =>
  p.startsWith(".github/") || p === ".gitlab-ci.yml" || p === "Makefile" || p.endsWith(".go") || p.startsWith("scripts/") || p === "Dockerfile";

const isYaml = (p: string) => /\.ya?ml$/.test(p);
const text = (plan: Plan, p: string) => plan.find((f) => f.path === p)!.content.toString("utf8");

async function render(answers: Answers): Promise<Plan> {
  return planFiles(buildContext(answers, TOOL));
}

/** The same answers with every free-text value replaced by something bland. */
function neutral(a: Answers): Answers {
  return {
    ...a,
    description: "neutral description",
    // One distinct bland value per variable, so that each can be mapped back to its own literal.
    env: a.env.map((e, i) => {
      const eq = e.indexOf("=");
      if (eq === -1) return e;
      const name = e.slice(0, eq);
      return name === "URL" || name.endsWith("_URL") ? e : `${name}=neutral${i}`;
    }),
  };
}

/** The goString helper's Go literal: JSON, with a BOM escaped (Go refuses it raw mid-file). */
const goLiteral = (v: string) => JSON.stringify(v).replaceAll("\ufeff", "\\ufeff");

/** Every encoding of the user's free text the templates may legitimately contain. */
function freeTextForms(a: Answers): string[] {
  const values = [a.description, ...a.env.filter((e) => e.includes("=")).map((e) => e.slice(e.indexOf("=") + 1))];
  return values
    .flatMap((v) => [JSON.stringify(v), goLiteral(v), yamlScalar(v), v, JSON.stringify(v).slice(1, -1), v.replaceAll("|", "\\|")])
    .filter((v) => v.length > 0)
    .sort((x, y) => y.length - x.length);
}

function checkYaml(plan: Plan): string[] {
  const problems: string[] = [];
  for (const file of plan.filter((f) => isYaml(f.path))) {
    const docs = parseAllDocuments(file.content.toString("utf8"), { uniqueKeys: true, prettyErrors: false });
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      for (const e of [...doc.errors, ...doc.warnings]) problems.push(`${file.path}: ${e.message}`);
    }
  }
  return problems;
}

async function checkWorkflows(plan: Plan): Promise<string[]> {
  const problems: string[] = [];
  for (const file of plan.filter((f) => f.path.startsWith(".github/workflows/"))) {
    const parsed = parseWorkflow({ name: file.path, content: file.content.toString("utf8") }, new NoOperationTraceWriter());
    problems.push(...parsed.context.errors.getErrors().map((e) => `${file.path}: ${e.message}`));
    if (parsed.value) problems.push(...((await convertWorkflowTemplate(parsed.context, parsed.value)).errors ?? []).map((e) => `${file.path}: ${e.Message}`));
  }
  return problems;
}

/** Where the description and the env defaults must appear, and mean exactly what was typed. */
function checkFreeText(a: Answers, plan: Plan): void {
  const readme = text(plan, "README.md");
  expect(readme.split("\n")[2], "README shows the description on its third line").toBe(a.description);
  // The AppProject exists only for the service's own project (an existing one is not written).
  expect(plan.some((f) => f.path === "deploy/argocd/appproject.yaml")).toBe(a.gitops === "argocd" && a.argocdProject === a.name);
  if (a.gitops === "argocd" && a.argocdProject === a.name) {
    const project = parseAllDocuments(text(plan, "deploy/argocd/appproject.yaml"));
    const doc = (Array.isArray(project) ? project : [project])[0].toJS();
    expect(doc.spec.description).toBe(a.description);
  }
  const baseEnv = text(plan, "deploy/base/config.env").split("\n");
  const config = text(plan, "internal/config/config.go");
  for (const spec of a.env.filter((e) => e.includes("="))) {
    const name = spec.slice(0, spec.indexOf("="));
    const value = spec.slice(spec.indexOf("=") + 1);
    expect(baseEnv, `config.env line for ${name}`).toContain(`${name}=${value}`);
    // The Go literal (goString) decodes to the value: JSON string syntax is a subset of Go's.
    const literal = new RegExp(`p\\.optional\\("${name}", ("(?:[^"\\\\]|\\\\.)*")\\)`).exec(config);
    expect(literal, `Go default of ${name}`).not.toBeNull();
    expect(JSON.parse(literal![1])).toBe(value);
  }
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Every Kubernetes object name, namespace and label value in the output fits Kubernetes' limits. */
function checkNames(plan: Plan): string[] {
  const problems: string[] = [];
  for (const file of plan.filter((f) => f.path.startsWith("deploy/") && isYaml(f.path))) {
    const docs = parseAllDocuments(file.content.toString("utf8"));
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      const obj = doc.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, string> }; spec?: any } | null;
      if (!obj?.kind || !obj.metadata) continue;
      const { name, namespace, labels } = obj.metadata;
      const where = `${file.path} ${obj.kind}`;
      if (name !== undefined) {
        if (name.length > 253 || !SUBDOMAIN.test(name)) problems.push(`${where}: name '${name}' is not a DNS-1123 subdomain`);
        // Namespaces, Services, Argo CD Applications (their name becomes a tracking label value) and
        // Flux Kustomizations (likewise) need a 63-character label.
        if (["Namespace", "Service", "Application", "Kustomization"].includes(obj.kind) && (name.length > 63 || !LABEL.test(name)))
          problems.push(`${where}: name '${name}' is not a DNS-1123 label of at most 63 characters`);
      }
      if (namespace !== undefined && (namespace.length > 63 || !LABEL.test(namespace))) problems.push(`${where}: namespace '${namespace}' is not a DNS label`);
      for (const [k, v] of Object.entries(labels ?? {}))
        if (typeof v !== "string" || v.length > 63 || !LABEL_VALUE.test(v)) problems.push(`${where}: label ${k}='${v}' is not a valid label value`);
      const destination = obj.spec?.destination?.namespace ?? obj.spec?.targetNamespace;
      if (typeof destination === "string" && !destination.includes("{{") && (destination.length > 63 || !LABEL.test(destination)))
        problems.push(`${where}: destination namespace '${destination}' is not a DNS label`);
    }
  }
  return problems;
}

async function validProperty(a: Answers): Promise<void> {
  // The generator only makes valid answers: the CLI's own resolution must accept them unchanged.
  const { answers } = await resolveAnswers({ directory: a.name, flags: asFlagInput(a), yes: true });
  expect(answers).toMatchObject(asFlagInput(a));
  const plan = await render(answers);
  expect(checkYaml(plan)).toEqual([]);
  const forms = freeTextForms(answers);
  for (const file of plan) {
    let content = file.content.toString("utf8");
    // Only a file that seems to hold a marker has the user's text taken out first: taking a text such
    // as `}}` out of every file would cut the workflows' own `${{ … }}` in half.
    if (!hasLeftoverMarker(content)) continue;
    for (const form of forms) content = content.replaceAll(form, "");
    expect(hasLeftoverMarker(content), `${file.path} has an unrendered {{`).toBe(false);
  }
  expect(await checkWorkflows(plan)).toEqual([]);
  checkFreeText(answers, plan);
  expect(checkNames(plan)).toEqual([]);
  // Free text reaches no CI file, Makefile, script or Dockerfile, and Go only as a goString literal
  // (JSON string syntax, which is valid Go): each such file equals a render with bland text once the
  // bland literals are swapped back for the user's. That way round, because a user's value can be a
  // piece of the template's own text (a default of ":" is inside `"msg":"listening"`), a bland one not.
  const bland = await render(neutral(answers));
  const swaps = answers.env
    .map((e, i) => [e, neutral(answers).env[i]] as const)
    .filter(([e, n]) => e !== n)
    .map(([e, n]) => [goLiteral(n.slice(n.indexOf("=") + 1)), goLiteral(e.slice(e.indexOf("=") + 1))] as const);
  for (const file of plan.filter((f) => CODE_FILE(f.path))) {
    let expected = text(bland, file.path);
    if (file.path.endsWith(".go")) for (const [from, to] of swaps) expected = expected.replaceAll(from, () => to); // a function: "$$" in a value is literal
    expect(file.content.toString("utf8") === expected, `${file.path} depends on free text`).toBe(true);
  }
}

describe("property: any valid answer set renders a well-formed repository", () => {
  test(`fixed seed ${FIXED_SEED}, ${RUNS} runs`, async () => {
    await fc.assert(fc.asyncProperty(validAnswers, validProperty), { seed: FIXED_SEED, numRuns: RUNS });
  });

  test("random seed (printed), 10 runs", async () => {
    console.info(`properties.test.ts: random seed ${RANDOM_SEED} (rerun with FC_SEED=${RANDOM_SEED})`);
    await fc.assert(fc.asyncProperty(validAnswers, validProperty), { seed: RANDOM_SEED, numRuns: 10 });
  });

  // Two sampled answer sets are built with the real Go toolchain: hostile defaults end up in Go
  // string literals, which must compile.
  test.runIf(goFound || inCI)("go build ./... succeeds for 2 sampled answer sets", { timeout: 600_000 }, async () => {
    const samples = fc.sample(validAnswers, { seed: FIXED_SEED, numRuns: 2 });
    // Make sure at least one sample has env defaults (hostile ones end up in config.go).
    samples[1] = { ...samples[1], env: ["GREETING=it's \"quoted\" \\ `x` ${{ y }} $(id) 🚀 é \ufeff BOM", "UPSTREAM_URL", "MODE=#: &a *a"] };
    for (const a of samples) {
      const plan = await render(a);
      const dir = await tempDir("cggs-prop-go-");
      for (const f of plan) {
        await mkdir(path.dirname(path.join(dir, f.path)), { recursive: true });
        await writeFile(path.join(dir, f.path), f.content, { mode: f.mode });
      }
      const run = await execa("go", ["build", "./..."], { cwd: dir, env: GO_ENV, reject: false });
      expect(run.exitCode, `${JSON.stringify(a)}\n${run.stderr}`).toBe(0);
    }
  });
});

// Questions whose value can be invalid (choices and booleans are closed sets handled by the parser).
const INVALID_QUESTIONS = Object.keys(invalidByQuestion);

/** A valid base with the question's preconditions on (the canary questions need argo-rollouts). */
function baseFor(name: string): Partial<Answers> {
  const base = asFlagInput({ ...baseAnswers, progressive: name.startsWith("canary") || name === "prometheusUrl" ? "argo-rollouts" : "none" });
  delete base.name;
  return base;
}

describe("property: an invalid value for any question is refused, naming its flag", () => {
  test("every question that can be invalid has an invalid-value generator", () => {
    const open = questionList.filter((q) => q.kind !== "choice" && q.kind !== "boolean").map((q) => q.name);
    expect(INVALID_QUESTIONS.sort()).toEqual([...open].sort());
  });

  test.each(INVALID_QUESTIONS)("%s: resolveAnswers throws a usage error naming the flag (fixed seed)", async (name) => {
    const question = questionFor(name)!;
    const invalid = invalidByQuestion[name].filter((v) => question.validate(v as never) !== undefined);
    await fc.assert(
      fc.asyncProperty(invalid, async (value) => {
        const flags = { ...baseFor(name), [name]: value };
        const error = await resolveAnswers({ directory: "svc", flags, yes: true }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(UserError);
        expect((error as UserError).exitCode).toBe(2);
        expect((error as UserError).message).toContain(`--${question.flag}`);
      }),
      { seed: FIXED_SEED, numRuns: 25 },
    );
  });

  // The built CLI, 2 sampled invalid values per question: exit 2, the flag named, nothing written.
  test("the CLI exits 2 naming the flag and writes nothing (2 values per question)", { timeout: 300_000 }, async () => {
    let runs = 0;
    for (const name of INVALID_QUESTIONS) {
      const question = questionFor(name)!;
      // What the CLI receives is argv text: keep values that are still invalid after UTF-8 and the flag coercion.
      const asArgv = (v: unknown): string[] => (Array.isArray(v) ? (question.kind === "list" ? [v.join(",")] : v.map(String)) : [String(v)]);
      const invalid = invalidByQuestion[name]
        .map((v) => asArgv(v).map((s) => Buffer.from(s.replaceAll("\0", "")).toString()))
        .filter((argv) => {
          try {
            return question.validate(fromFlag(question, question.kind === "repeatable" ? argv : argv[0]) as never) !== undefined;
          } catch {
            return true; // refused by the flag coercion itself
          }
        });
      for (const argv of fc.sample(invalid, { seed: FIXED_SEED, numRuns: 2 })) {
        const cwd = await tempDir("cggs-prop-cli-");
        const base = baseFor(name);
        const args = ["svc", "--yes", "--no-git", "--owner", String(base.owner)];
        if (base.progressive === "argo-rollouts") args.push("--progressive=argo-rollouts");
        for (const v of argv) args.push(`--${question.flag}=${v}`);
        const run = await runCli(args, { cwd });
        runs++;
        expect(run.exitCode, `${args.join(" ")}\n${run.stderr}`).toBe(2);
        expect(run.stderr).toContain(`--${question.flag}`);
        expect(run.stderr).not.toMatch(/\n\s+at /);
        // Issue #17: the rejected value cannot drive the terminal or flood it.
        expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
        expect(Buffer.byteLength(run.stderr)).toBeLessThanOrEqual(4096);
        expect(await readdir(cwd)).toEqual([]);
      }
    }
    expect(runs).toBe(INVALID_QUESTIONS.length * 2);
  });
});

// Issue #29: the classes no flag-only answer set can reach. Numeric-looking YAML scalars in an
// answers file, long label keys in a preset, odd targets in the printed next steps.
const yamlNumberish = fc.oneof(
  fc.nat({ max: 0xffff }).map((n) => `0x${n.toString(16).toUpperCase()}`),
  fc.nat({ max: 0o777 }).map((n) => `0o${n.toString(8)}`),
  fc.tuple(fc.nat({ max: 3000 }), fc.nat({ max: 99 })).map(([a, b]) => `${a}.${b}0`),
  fc.tuple(fc.nat({ max: 9 }), fc.nat({ max: 9 })).map(([a, b]) => `${a}e${b}`),
  fc.nat({ max: 99999 }).map((n) => `+${n}`),
  fc.nat({ max: 9999 }).map((n) => `0${n}`),
  fc.constantFrom("8080", "8080.0", "1_000", ".inf", "-.inf", ".nan", "true", "false", "0b101", "2026.10", "-0", "1E3"),
);

describe("property: answers-file scalars are read as written (issue #29)", () => {
  test("a text answer is the text of the file; a number is accepted exactly when the flag accepts it", async () => {
    const dir = await tempDir("cggs-prop-yaml-");
    const { readAnswersFile } = await import("../src/answers/answers-file.js");
    let differentToYaml = 0;
    for (const [i, s] of fc.sample(yamlNumberish, { seed: FIXED_SEED, numRuns: 200 }).entries()) {
      const file = path.join(dir, `a${i}.yaml`);
      await writeFile(file, `description: ${s}\nowner: ${s}\nargocdProject: ${s}\n`);
      const answers = await readAnswersFile(file);
      expect(answers, s).toMatchObject({ description: s, owner: s, argocdProject: s });
      await writeFile(file, `port: ${s}\n`);
      const byFile = await readAnswersFile(file).then((a) => a.port, () => "refused");
      let byFlag: unknown;
      try {
        byFlag = fromFlag(questionFor("port")!, s);
      } catch {
        byFlag = "refused";
      }
      expect(byFile, `port: ${s}`).toEqual(byFlag);
      if (typeof (await import("js-yaml")).load(s) !== "string") differentToYaml++;
    }
    // Most samples are ones YAML reads as something else than the text: the property is about them.
    expect(differentToYaml).toBeGreaterThan(150);
  });
});

describe("property: preset label keys are qualified names, part by part (issue #29)", () => {
  const labelName = (n: number) => fc.string({ unit: fc.constantFrom(..."abcXYZ019-_."), minLength: n, maxLength: n }).map((s) => `a${s}z`);
  const prefix = (n: number) => fc.array(fc.constantFrom("a", "ab", "a-b", "x9"), { minLength: 1, maxLength: n }).map((p) => p.join("."));
  const keys = fc.oneof(
    fc.integer({ min: 55, max: 70 }).chain(labelName),
    fc.tuple(fc.integer({ min: 60, max: 140 }).chain(prefix), fc.integer({ min: 1, max: 66 }).chain(labelName)).map(([p, n]) => `${p}/${n}`),
  );
  test("a key the preset accepts has a name of at most 63 and a prefix of at most 253 characters", async () => {
    const { readPreset } = await import("../src/answers/preset.js");
    const dir = await tempDir("cggs-prop-labels-");
    let accepted = 0;
    let refused = 0;
    for (const [i, key] of fc.sample(keys, { seed: FIXED_SEED, numRuns: 150 }).entries()) {
      const file = path.join(dir, `p${i}.yaml`);
      await writeFile(file, `name: p\npolicy:\n  requiredLabels:\n    ${JSON.stringify(key)}: x\n`);
      const ok = await readPreset(file).then(() => true, () => false);
      const [prefixPart, namePart] = key.includes("/") ? key.split("/") : ["", key];
      // apimachinery's IsQualifiedName, by its documented limits.
      expect(ok, key).toBe(namePart.length <= 63 && prefixPart.length <= 253);
      if (ok) accepted++;
      else refused++;
    }
    expect(accepted).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(10);
  });
});

describe("property: the printed next steps are commands a shell reads back (issue #29)", () => {
  test("cd's target is the directory written, whatever its name", async () => {
    const { formatSummary } = await import("../src/cli/report.js");
    const targets = fc
      .sample(fc.oneof(hostileLine(30), hostileLine(20).map((s) => `-${s}`), fc.constantFrom("-lead3", "sp dir/x y", "it's", "~x", "a\\b", "$HOME", "!x")), { seed: FIXED_SEED, numRuns: 300 })
      .filter((t) => !t.includes("/") && t.trim() === t && t !== "." && t !== "..");
    // The word formatSummary prints after `cd`, for a repository written to /work/<target>.
    const cdWord = (target: string) => {
      const result = { directory: `/work/${target}`, files: [], dryRun: false, git: { status: "skipped", reason: "" }, placeholders: [], answers: { ...baseAnswers, env: [], secret: [] } };
      return /^ {2}cd (.*)$/m.exec(formatSummary(result as never, "/work"))![1];
    };
    const script = targets.map((t) => `printf '%s\\0' ${cdWord(t)}`).join("\n");
    const run = await execa("sh", ["-c", script]);
    const read = run.stdout.split("\0").slice(0, -1);
    expect(read).toEqual(targets.map((t) => (t.startsWith("-") ? `./${t}` : t)));
  });
});
