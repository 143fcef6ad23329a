// Issue #29: one rule per kind of URL. The CLI's validator and the published JSON Schema hold the same
// verdict on every URL form (they share one expression), and what the validator accepts, Go accepts:
// the generated service's own start-up check (checkURL, taken from the template and compiled), and
// url.Parse with a host for the Prometheus address (client_golang) and the repository URL the GitOps
// controllers read (Flux's CRD pattern as well).
import fc from "fast-check";
import { Ajv2020 } from "ajv/dist/2020.js";
import { beforeAll, describe, expect, test } from "vitest";
import { answersSchema } from "../src/answers/schema.js";
import { questionFor } from "../src/answers/questions.js";
import { gitopsRepoUrl } from "../src/answers/names.js";
import { goFound } from "./helpers/go-service.js";
import { buildUrlCheck, type GoVerdict } from "./helpers/url-check.js";
import { inCI } from "./helpers/render.js";
import { FIXED_SEED, URL_CASES, urlForms } from "./helpers/rel-arbitraries.js";

const SAMPLES = [...new Set([...URL_CASES, ...fc.sample(urlForms, { seed: FIXED_SEED, numRuns: inCI ? 5000 : 1500 })])];
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(answersSchema());
const schemaAccepts = (answers: Record<string, unknown>) => validate(answers) as boolean;
const cliAccepts = (name: "repoUrl" | "prometheusUrl" | "env", value: unknown) => questionFor(name)!.validate(value as never) === undefined;

describe("URL rules: the CLI and --print-schema agree (issue #29)", () => {
  test.each([
    ["repoUrl", (v: string) => v],
    ["prometheusUrl", (v: string) => v],
    ["env", (v: string) => [`UPSTREAM_URL=${v}`]],
  ] as const)("%s: same verdict on every sampled URL form", (name, wrap) => {
    const disagree: string[] = [];
    let accepted = 0;
    for (const v of SAMPLES) {
      const cli = cliAccepts(name, wrap(v));
      if (cli !== schemaAccepts({ [name]: wrap(v) })) disagree.push(`${JSON.stringify(v)}: CLI ${cli ? "accepts" : "refuses"}, schema ${cli ? "refuses" : "accepts"}`);
      if (cli) accepted++;
    }
    expect(disagree).toEqual([]);
    // Both verdicts occur, so the agreement means something.
    expect(accepted).toBeGreaterThan(2);
    expect(accepted).toBeLessThan(SAMPLES.length - 10);
  });
});

let goVerdicts: (urls: string[]) => Promise<Map<string, GoVerdict>>;

describe.runIf(goFound || inCI)("URL rules hold what Go holds (issue #29)", () => {
  beforeAll(async () => {
    goVerdicts = await buildUrlCheck();
  }, 180_000);

  test("*_URL defaults: accepted here => the generated service's checkURL accepts; refused there => refused here", async () => {
    const verdicts = await goVerdicts(SAMPLES);
    const problems: string[] = [];
    let goRefused = 0;
    for (const v of SAMPLES) {
      const ours = questionFor("env")!.validate([`X_URL=${v}`] as never);
      const go = verdicts.get(v)!;
      if (go.check) goRefused++;
      if (!ours && go.check) problems.push(`${JSON.stringify(v)}: accepted here, the service refuses it at start-up: ${go.check}`);
    }
    expect(problems).toEqual([]);
    expect(goRefused).toBeGreaterThan(50);
    // The cases of the issue, named: the service refuses them, so must we.
    for (const v of ["http:example.com", "http:/x", "http://%41.x"]) expect(verdicts.get(v)!.check, v).not.toBe("");
  });

  test("Prometheus and repository URLs: accepted here => url.Parse gives the scheme as written and a host; Flux's pattern holds", async () => {
    const forms = SAMPLES.flatMap((v) => (cliAccepts("repoUrl", v) ? [v, gitopsRepoUrl(v)] : [v]));
    const verdicts = await goVerdicts([...new Set(forms)]);
    const problems: string[] = [];
    for (const v of SAMPLES) {
      if (cliAccepts("prometheusUrl", v)) {
        const go = verdicts.get(v)!;
        if (go.parse || !go.host || !["http", "https"].includes(go.scheme)) problems.push(`prometheus ${JSON.stringify(v)}: Go reads ${JSON.stringify(go)}`);
      }
      if (cliAccepts("repoUrl", v)) {
        const gitops = gitopsRepoUrl(v);
        const go = verdicts.get(gitops)!;
        if (go.parse || !go.host || !gitops.startsWith(`${go.scheme}://`)) problems.push(`repo ${JSON.stringify(v)} (${gitops}): Go reads ${JSON.stringify(go)}`);
        // Flux's GitRepository CRD: spec.url pattern.
        if (!/^(http|https|ssh):\/\/.*$/.test(gitops)) problems.push(`repo ${JSON.stringify(v)}: Flux's pattern refuses ${gitops}`);
        if (/[?#]/.test(v)) problems.push(`repo ${JSON.stringify(v)}: a query or fragment`);
      }
    }
    expect(problems).toEqual([]);
  });
});
