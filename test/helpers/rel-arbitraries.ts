// fast-check arbitraries over the question table (issue #8): valid answer sets, hostile free text,
// and invalid values for every question that can be invalid. Shared by properties.test.ts and
// reliability.test.ts.
import fc from "fast-check";
import type { Answers } from "../../src/answers/types.js";
import { goPathElement, RESERVED_ENV } from "../../src/answers/rules.js";
import { sizeClasses } from "../../src/answers/sizing.js";

/** The fixed seed every property uses unless FC_SEED says otherwise (fast-check prints the seed of a failure). */
export const FIXED_SEED = Number(process.env.FC_SEED ?? 20260808);

/**
 * Free text a user (or a form, or an agent) might type that means something to one of the languages
 * the output is written in: YAML, Markdown, shell, GitHub Actions expressions, Make, Go, Handlebars.
 */
export const HOSTILE_PIECES = [
  '"', "'", "\\", "#", "# comment", ": ", "key: value", "- item", "{{", "}}", "{{name}}", "{{{owner}}}", "${{ github.token }}",
  "${{ secrets.GITHUB_TOKEN }}", "`id`", "$(id)", "$HOME", "${HOME}", "$$", "&a", "*a", "!!binary", "!tag", "%YAML", "---", "...",
  "|", ">", "[", "]", "{", "}", ",", "?", "@", "%", "<script>alert(1)</script>", "](javascript:x)", "<!--", "-->", "~", "null",
  "true", "0x1F", "1e3", ";", "&&", "||", "\t", "é", "日本語", "🚀", "\u00a0", "\ufeff", "ß", "Ω", "\u202e", "«»",
];

const VALID_TEXT_CHARS = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_PIECES.filter((p) => !/[\u0000-\u001f]/.test(p))) },
  { weight: 3, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 3 }) },
);

/** One line of hostile text: no control characters (the validators refuse those), at most `max` code units. */
export function hostileLine(max: number): fc.Arbitrary<string> {
  return fc
    .array(VALID_TEXT_CHARS, { minLength: 1, maxLength: 20 })
    .map((parts) => parts.join("").replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, " ").slice(0, max))
    // Slicing may split a surrogate pair; lone surrogates are not text anyone types.
    .map((s) => s.replace(/[\ud800-\udbff]$/, ""))
    .filter((s) => s.length > 0 && !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, "")));
}

const lower = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz");
const alnum = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789");
const dashAlnum = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-");

/** A DNS-1035 label of at most `max` characters. */
export function dns1035(max: number): fc.Arbitrary<string> {
  return fc
    .tuple(lower, fc.array(dashAlnum, { maxLength: Math.max(0, max - 2) }), alnum)
    .map(([first, middle, last]) => (max === 1 ? first : `${first}${middle.join("")}${last}`).slice(0, max))
    .filter((s) => /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(s));
}

/** A DNS-1123 label of at most `max` characters. */
export function dns1123(max: number): fc.Arbitrary<string> {
  return fc
    .tuple(alnum, fc.array(dashAlnum, { maxLength: Math.max(0, max - 2) }), alnum)
    .map(([first, middle, last]) => `${first}${middle.join("")}${last}`.slice(0, max))
    .filter((s) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s));
}

const upper = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ");
const envChar = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
const envName = fc
  .tuple(upper, fc.array(envChar, { maxLength: 14 }))
  .map(([a, rest]) => a + rest.join(""))
  .filter((n) => !RESERVED_ENV.includes(n) && !["TRUE", "FALSE", "NULL"].includes(n) && !n.endsWith("_FILE") && !n.includes("__") && !n.endsWith("_"));

const ownerSegment = fc
  .tuple(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), fc.array(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-"), { maxLength: 12 }), alnum)
  .map(([a, b, c]) => a + b.join("") + c)
  // Both end up in the module path: a Windows device name such as `con` is refused there (rightly).
  .filter((s) => goPathElement(s) === undefined);

const urlDefault = fc.constantFrom("https://example.com", "http://upstream.svc.cluster.local:8080/v1", "https://api.example.org/path?q=1&x=#frag", "postgres://db:5432/app");

/**
 * Valid answers as a user could give them through flags: every value passes its validator and the
 * cross-checks (resolveAnswers is asserted to accept them, so a generator bug shows as a failure).
 */
export const validAnswers: fc.Arbitrary<Answers> = fc
  .record({
    name: dns1035(30).filter((s) => goPathElement(s) === undefined),
    owner: fc.array(ownerSegment, { minLength: 1, maxLength: 2 }).map((s) => s.join("/")),
    description: hostileLine(300),
    ci: fc.constantFrom("github", "gitlab", "none") as fc.Arbitrary<Answers["ci"]>,
    templateUpdate: fc.constantFrom("off", "17 5 * * 1", "0 */6 1-15 1,7 0-6", "*/15  3  *  *  5"),
    port: fc.integer({ min: 1024, max: 65535 }),
    envNames: fc.uniqueArray(envName, { maxLength: 4, selector: (n) => n.replaceAll("_", "") }),
    envDefaults: fc.array(fc.option(hostileLine(500).map((s) => s.trim()).filter((s) => s.length > 0), { nil: undefined }), { minLength: 4, maxLength: 4 }),
    urlDefaults: fc.array(urlDefault, { minLength: 4, maxLength: 4 }),
    secretNames: fc.uniqueArray(envName, { maxLength: 3, selector: (n) => n.replaceAll("_", "") }),
    secrets: fc.constantFrom("external-secrets", "none") as fc.Arbitrary<Answers["secrets"]>,
    registryHost: fc.constantFrom("ghcr.io", "registry.example.com:5000", "localhost:5000", "quay.io"),
    gitops: fc.constantFrom("argocd", "flux", "none") as fc.Arbitrary<Answers["gitops"]>,
    argocdMode: fc.constantFrom("applications", "applicationset") as fc.Arbitrary<Answers["argocdMode"]>,
    // undefined: the service's own project (the default); else an existing, shared one.
    argocdProject: fc.option(dns1123(30), { nil: undefined }),
    resources: fc.constantFrom("cpu=50m,memory=128Mi,replicas=1-3", "cpu=10m,memory=32Mi,replicas=1-1", "memory=256Mi,replicas=3-5,cpu=0.5", "cpu=2,memory=1Gi,replicas=2-100"),
    productionResources: fc.constantFrom("cpu=250m,memory=512Mi,replicas=3-10", "cpu=64,memory=64Gi,replicas=2-2", "replicas=100-100,cpu=1.25,memory=300Mi"),
    environments: fc.uniqueArray(dns1123(20), { minLength: 1, maxLength: 4 }),
    monitoring: fc.boolean(),
    networkPolicy: fc.boolean(),
    admission: fc.constantFrom("none", "sigstore") as fc.Arbitrary<Answers["admission"]>,
    progressive: fc.boolean(),
    canaryMaxErrorPercent: fc.constantFrom("1", "0.5", "0.001", "99.999", "5"),
    canaryMaxP95Ms: fc.integer({ min: 10, max: 10000 }),
    sloAvailability: fc.constantFrom("99.9", "90", "99.999", "95.5", "99"),
    sloLatencyPercent: fc.constantFrom("99", "90.125", "99.95"),
    sloLatencyMs: fc.constantFrom(5, 250, 500, 1000, 2500, 10000),
    scpUrl: fc.boolean(),
  })
  .map((r): Answers => {
    const owner = r.owner;
    // GitHub has no subgroups (cross-checks.ts): a group path goes with GitLab.
    if (owner.includes("/")) r.ci = "gitlab";
    const host = r.ci === "gitlab" ? "gitlab.com" : "github.com";
    const names = [...r.envNames, ...r.secretNames];
    const envNames = r.envNames;
    // Env and secret names must differ, and must not map to one Go field.
    const secretNames = r.secretNames.filter((s) => !envNames.some((e) => e.replaceAll("_", "") === s.replaceAll("_", "")));
    void names;
    const env = envNames.map((n, i) => {
      const isUrl = n === "URL" || n.endsWith("_URL");
      const def = isUrl ? (i % 2 === 0 ? r.urlDefaults[i] : undefined) : r.envDefaults[i];
      return def === undefined ? n : `${n}=${def}`;
    });
    const progressive = r.progressive && r.gitops !== "flux" && r.monitoring;
    return {
      catalog: r.scpUrl,
      directory: r.name,
      name: r.name,
      owner,
      description: r.description,
      ci: r.ci,
      templateUpdate: r.templateUpdate,
      module: `${host}/${owner}/${r.name}`,
      port: r.port,
      env,
      secret: secretNames,
      secrets: r.secrets,
      registry: `${r.registryHost}/${owner.toLowerCase().replace(/[^a-z0-9/]/g, "x")}`,
      repoUrl: r.scpUrl ? `git@${host}:${owner}/${r.name}.git` : `https://${host}/${owner}/${r.name}.git`,
      gitops: r.gitops,
      argocdMode: r.argocdMode,
      argocdProject: r.argocdProject ?? r.name,
      environments: r.environments,
      resources: r.resources,
      productionResources: r.productionResources,
      monitoring: r.monitoring,
      networkPolicy: r.networkPolicy,
      // Nothing signs without CI: the policy is offered (and only works) with it.
      admission: r.ci === "none" ? "none" : r.admission,
      progressive: progressive ? "argo-rollouts" : "none",
      canaryMaxErrorPercent: r.canaryMaxErrorPercent,
      canaryMaxP95Ms: r.canaryMaxP95Ms,
      sloAvailability: r.sloAvailability,
      sloLatencyPercent: r.sloLatencyPercent,
      sloLatencyMs: r.sloLatencyMs,
      prometheusUrl: "http://prometheus-operated.monitoring.svc:9090",
      alertmanagerUrl: "http://alertmanager-operated.monitoring.svc:9093/api/v2/alerts",
    };
  });

/** Answers with the flags that only apply in some combinations removed when they do not apply. */
export function asFlagInput(a: Answers): Partial<Answers> {
  const out: Partial<Answers> = { ...a };
  delete (out as { directory?: string }).directory;
  if (a.ci !== "github") delete out.templateUpdate;
  if (a.ci === "none") delete out.admission;
  if (a.gitops !== "argocd") {
    delete out.argocdMode;
    delete out.argocdProject;
  }
  const sizes = sizeClasses(a.environments);
  if (!sizes.other) delete out.resources;
  if (!sizes.production) delete out.productionResources;
  if (a.secret.length === 0) delete out.secrets;
  if (!a.monitoring || a.gitops === "none") delete out.alertmanagerUrl;
  if (a.progressive !== "argo-rollouts") {
    delete out.canaryMaxErrorPercent;
    delete out.canaryMaxP95Ms;
    delete out.prometheusUrl;
  }
  if (!a.monitoring) {
    delete out.sloAvailability;
    delete out.sloLatencyPercent;
    delete out.sloLatencyMs;
  }
  return out;
}

/**
 * URL forms with odd schemes, separators, hosts, escapes, queries and fragments (issue #29): each
 * part is one a reader (Go's url.Parse, git, Flux, a browser's URL) reads its own way.
 */
export const urlForms: fc.Arbitrary<string> = fc.oneof(
  // Near misses of a working URL: one odd scheme, separator or tail on an address that is otherwise fine.
  { weight: 3, arbitrary: fc
    .record({
      scheme: fc.constantFrom("http", "https", "HTTP", "HTTPS", "Https", "ssh", "SSH"),
      sep: fc.constantFrom("://", "://", ":", ":/", ":///"),
      rest: fc.constantFrom("github.com/acme/svc.git", "gitlab.com/g/s/svc.git", "prometheus-operated.monitoring.svc:9090", "api.example.com/v1", "%41.x/a", "git@github.com/acme/svc.git"),
      tail: fc.constantFrom("", "", "?", "#", "?a=1", "/"),
    })
    .map((p) => `${p.scheme}${p.sep}${p.rest}${p.tail}`) },
  { weight: 5, arbitrary: fc
    .record({
      scheme: fc.constantFrom("http", "https", "HTTP", "Https", "ssh", "SSH", "git", "file", "postgres", "x+y.z", "1http", "", "ht tp"),
      sep: fc.constantFrom("://", "://", "://", ":", ":/", ":///", "//", ""),
      user: fc.constantFrom("", "", "", "git@", "u:p@", "@", "u%41@"),
      host: fc.constantFrom("example.com", "h", "prometheus-operated.monitoring.svc", "%41.x", "a_b.com", "[::1]", "[::1", "[fe80::1%25eth0]", "xn--bcher-kva.example", "bücher.example", "1.2.3.4", "-x.com", "a..b", "", "h,i", "{h}"),
      port: fc.constantFrom("", "", ":80", ":", ":99999", ":x", ":0"),
      path: fc.array(fc.constantFrom("a", "svc.git", "%41", "%zz", "%", "a b", "~u", "", "é", "{x}", "$x", "'", "a:b", "@", "v1"), { maxLength: 3 }).map((p) => (p.length ? `/${p.join("/")}` : "")),
      query: fc.constantFrom("", "", "?", "?a=1", "?a=%zz", "??", "?a b"),
      fragment: fc.constantFrom("", "", "#", "#f", "#%zz", "#a#b"),
    })
    .map((p) => `${p.scheme}${p.scheme ? p.sep : ""}${p.user}${p.host}${p.port}${p.path}${p.query}${p.fragment}`) },
  { weight: 1, arbitrary: fc
    .tuple(fc.constantFrom("git@", "", "u.x-y_z@", "@"), fc.constantFrom("github.com", "gitlab.example", "h", "[::1]", "a..b"), fc.constantFrom(":", "::", ":/", "://", "/"), fc.constantFrom("acme/svc.git", "/acme/svc.git", "acme//svc", "acme/svc.git/", "a b", "", "acme/svc.git?x", "~u/r"))
    .map(([u, h, s, p]) => `${u}${h}${s}${p}`) },
);

/** The URLs issue #29 found accepted and broken, and forms beside them. */
export const URL_CASES = [
  "http:example.com", "http:/x", "http://%41.x", "HTTPS://github.com/acme/svc.git", "SSH://git@github.com/acme/svc.git", "https:github.com/acme/svc.git",
  "https://github.com/acme/svc.git?", "https://github.com/acme/svc.git#", "http:prometheus-operated.monitoring.svc:9090", "https://github.com/acme/svc.git",
  "ssh://git@github.com/acme/svc.git", "git@github.com:acme/svc.git", "git@github.com:/acme/svc.git", "ssh://git@gitlab.com:2222/a/b/c.git",
  "http://prometheus-operated.monitoring.svc:9090", "https://api.example.org/path?q=1&x=#frag", "postgres://db:5432/app", "http://[::1]:8080/x",
];

/** Candidate strings from which each question's invalid values are drawn (filtered by its own validator). */
const junk = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom("", " ", "-", "A", "Upper", "has space", "a_b", "a..b", "/x", "x/", "x//y", "ftp://x/y", "http://", "1024x", "../etc", "a\nb", "\u0000", "x".repeat(70), "-leading", "trailing-", "é"),
  fc.array(fc.constantFrom(...HOSTILE_PIECES, "\n", "\r", "\u2028"), { minLength: 1, maxLength: 6 }).map((p) => p.join("")),
);

/**
 * Invalid raw flag values for a question, as `[flag, values...]` argv fragments for the CLI and as
 * typed values for resolveAnswers. `isInvalid` is the question's own validator: the property is
 * that an invalid value is always refused with the flag named and nothing written.
 */
export const invalidByQuestion: Record<string, fc.Arbitrary<unknown>> = {
  name: junk,
  owner: fc.oneof(junk, fc.constant("a".repeat(101))),
  description: fc.oneof(
    fc.tuple(hostileLine(100), fc.constantFrom("\n", "\r", "\t", "\u0000", "\u001b[31m", "\u007f", "\u2028", "\u2029"), hostileLine(100)).map(([a, b, c]) => a + b + c),
    fc.integer({ min: 301, max: 2000 }).map((n) => "x".repeat(n)),
  ),
  // Issue #29: the generated go.mod's own requirements, one inside one, one containing one.
  module: fc.oneof(junk, fc.constantFrom("github.com/prometheus/common", "github.com/prometheus/client_golang/x", "golang.org/x", "google.golang.org/protobuf")),
  port: fc.oneof(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 65536, max: 10_000_000 })),
  env: fc.oneof(
    junk.map((s) => [s]),
    fc.constantFrom("PORT", "LOG_LEVEL", "GOMAXPROCS", "TOKEN_FILE", "lower", "1ABC", "A-B", "A=x\ny", "A= leading", "A=trailing\t", "API_URL=not a url", "A=\u2028").map((s) => [s]),
    urlForms.map((u) => [`API_URL=${u}`]),
  ),
  secret: fc.oneof(junk.map((s) => [s]), fc.constantFrom("PORT", "X_FILE", "lower", "A=B", "A B").map((s) => [s])),
  registry: junk,
  repoUrl: fc.oneof(junk, urlForms, fc.constantFrom("https://user:pw@github.com/a/b.git", "https://github.com/a/b.git?x=1", "file:///etc/passwd", "https://github.com/a/$(id).git", "ext::sh -c id", "-uhttps://x/y", "http://github.com/a/b.git")),
  environments: fc.oneof(
    junk.map((s) => [s]),
    fc.constant([] as string[]),
    fc.constant(Array.from({ length: 11 }, (_, i) => `e${i}`)),
  ),
  canaryMaxErrorPercent: fc.oneof(junk, fc.constantFrom("0", "100", "1.2345", "-1", "1%", "01")),
  canaryMaxP95Ms: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 10001, max: 10_000_000 })),
  sloAvailability: fc.oneof(junk, fc.constantFrom("100", "89.999", "99.9999", "99.9%", "099.9", "9", "1", "100.0")),
  sloLatencyPercent: fc.oneof(junk, fc.constantFrom("100", "89", "99.0001", "-99")),
  sloLatencyMs: fc.oneof(fc.integer({ min: -10, max: 20000 }).filter((n) => ![5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000].includes(n)), fc.constant(0.5)),
  argocdProject: junk,
  templateUpdate: fc.oneof(junk, fc.constantFrom("daily", "0 6 * *", "0 6 * * 1 2", "60 6 * * 1", "0 24 * * *", "0 6 0 * *", "0 6 * 13 *", "0 6 * * 7", "0 6 * * MON", "5-1 * * * *", "*/0 * * * *", "@weekly", "OFF")),
  resources: fc.oneof(
    junk,
    fc.constantFrom("cpu=50m,memory=128Mi", "cpu=0m,memory=128Mi,replicas=1-3", "cpu=50m,memory=16Mi,replicas=1-3", "cpu=50m,memory=128M,replicas=1-3", "cpu=50m,memory=128Mi,replicas=3-1", "cpu=50m,memory=128Mi,replicas=0-3", "cpu=50m,memory=128Mi,replicas=1-101", "cpu=50m,cpu=60m,memory=128Mi,replicas=1-3", "gpu=1,cpu=50m,memory=128Mi,replicas=1-3", "cpu=65,memory=128Mi,replicas=1-3"),
  ),
  productionResources: fc.oneof(junk, fc.constantFrom("cpu=250m,memory=512Mi,replicas=1-10", "cpu=250m,memory=128Gi,replicas=3-10", "cpu=250m,memory=512Mi")),
  prometheusUrl: fc.oneof(junk, urlForms, fc.constantFrom("ftp://x", "http://u:p@h:9090", "http://h:9090/?q=1", "http://h/${x}", "http://h/`id`")),
  alertmanagerUrl: fc.oneof(junk, urlForms, fc.constantFrom("ftp://h/api/v2/alerts", "http://u:p@h:9093/api/v2/alerts", "http://h:9093/api/v2/alerts?q=1", "http://h:9093", "http://h:9093/api/v1/alerts", "http://h/${x}/api/v2/alerts")),
};

