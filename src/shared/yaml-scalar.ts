// The one rule for writing an answer into YAML (issue #17). Kubernetes tooling reads YAML 1.1
// (sigs.k8s.io/yaml: kubectl, kustomize, Argo CD, Flux): there `yes`, `on`, `n`, `~`, `012`, `0x1f`,
// `1e3`, `1_000`, `1:20` and `2001-12-14` are not strings. A value is written plain only when it is
// a string to every YAML 1.1 and 1.2 reader; everything else is double-quoted.

// Plain only if it starts with a letter (after any `./` or `../`), so that no number, timestamp,
// `.inf`, `~`, `<<`, `=` or indicator can begin it, and holds nothing a reader treats specially
// (`: `, ` #`, flow indicators, quotes, spaces).
const PLAIN = /^(?:\.\.?\/)*[A-Za-z][A-Za-z0-9._/-]*$/;
// The words YAML 1.1 (or 1.2 core) resolves to booleans or null, in any case: refusing more spellings
// than the spec lists costs only a pair of quotes. `e3`, `E-5`: a float with no digits before the
// exponent to the YAML 1.1 schema of the `yaml` package (Go's reader says string; quoted for both).
const WORDS = /^(?:y|yes|n|no|true|false|on|off|null|[eE][-+]?[0-9]+)$/i;

// Double quotes take JSON's escapes (a subset of YAML's), plus these, which JSON leaves raw but YAML
// must not see raw: DEL and C1 (non-printable; U+0085 is a line break to YAML 1.1), U+2028/2029
// (line breaks to YAML 1.1), the BOM and the non-characters U+FFFE/U+FFFF.
const UNSAFE_IN_QUOTES = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

/**
 * One YAML scalar that reads back as exactly `text`, a string, in YAML 1.1 and 1.2.
 * @example yamlScalar("orders-api") === "orders-api"; yamlScalar("yes") === '"yes"'; yamlScalar("1e3") === '"1e3"'
 */
export function yamlScalar(text: string): string {
  if (PLAIN.test(text) && !WORDS.test(text)) return text;
  return JSON.stringify(text).replace(UNSAFE_IN_QUOTES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
