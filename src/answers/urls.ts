// One rule per kind of URL (issue #29). Each kind is one regular expression, built here from named
// parts, and that expression is the verdict: the validator (flag, answers file, prompt, Backstage)
// tests it with the `u` flag, as JSON Schema validators do, and --print-schema publishes its source,
// so the two cannot disagree. `explain` only picks the message for a refusal.
//
// Each expression is a subset of what its readers accept (RFC 3986 characters only, percent escapes
// well formed, a host that is a DNS name or an IP literal), so that what we accept works everywhere
// it lands; what they would read differently is refused with the reason.
import { shown } from "../shared/show.js";

const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const DNS_NAME = `${LABEL}(?:\\.${LABEL})*`;
/** A DNS name or an IPv4 address, or an IPv6 literal (not in scp-like addresses: `git@[::1]:x` is no URL to Go). */
const HOST = `(?:${DNS_NAME}|\\[[0-9A-Fa-f:.]+\\])`;
const PORT = "(?::[0-9]{1,5})?";
const PCT = "%[0-9A-Fa-f]{2}";
/** RFC 3986 pchar: unreserved, sub-delims, ':' and '@', or a percent escape. */
const PCHAR = `(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@]|${PCT})`;
/** A path segment of a repository or a Prometheus prefix: unreserved characters or escapes. */
const SEGMENT = `(?:[A-Za-z0-9\\-._~]|${PCT})+`;
const SSH_USER = "[A-Za-z0-9._-]+";

export interface UrlRule {
  /** The whole rule as a JSON Schema `pattern` (ECMA-262, read with the `u` flag). */
  pattern: string;
  /** undefined when the value is accepted, else the rule it breaks (the caller names the flag). */
  check(value: string): string | undefined;
}

function urlRule(pattern: string, explain: (value: string) => string): UrlRule {
  const whole = new RegExp(pattern, "u");
  return { pattern, check: (value) => (whole.test(value) ? undefined : explain(value)) };
}

/** The reasons shared by every kind, in the order a reader meets them; undefined when none applies. */
function commonProblem(value: string, what: string): string | undefined {
  if (/[\s\u0000-\u001f\u007f-\u009f]/u.test(value)) return "contains whitespace or a control character: percent-encode it (%20)";
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value);
  if (!scheme) return `has no scheme: write it as ${what}`;
  if (!value.startsWith(`${scheme[0]}//`))
    return `has no '//' after ${shown(scheme[0])}: Go's url.Parse, git and Flux read no host in it (write ${scheme[0]}//host/…)`;
  if (/%(?![0-9A-Fa-f]{2})/.test(value)) return "has a '%' that does not start a percent escape (%XX)";
  const authority = value.slice(scheme[0].length + 2).split(/[/?#]/)[0];
  if (authority.includes("@")) return "must not contain credentials or a user name";
  if (!new RegExp(`^${HOST}${PORT}$`, "u").test(authority))
    return `has a host ${shown(authority)} that is not a DNS name or IP address with an optional port (write an international name in its xn-- form)`;
  return undefined;
}

const NOT_RFC3986 = "has a character a URL must percent-encode (RFC 3986: letters, digits and -._~!$&'()*+,;=:@/?#%)";

/**
 * A `*_URL` default: what the generated service's config check accepts at start-up (Go's url.Parse,
 * with a scheme and a host), without credentials (the default is written to a ConfigMap: use a
 * secret), in RFC 3986 characters.
 */
export const serviceUrl = urlRule(`^[A-Za-z][A-Za-z0-9+.\\-]*://${HOST}${PORT}(?:/${PCHAR}*)*(?:\\?(?:${PCHAR}|[/?])*)?(?:#(?:${PCHAR}|[/?])*)?$`, (value) =>
  commonProblem(value, "scheme://host/path (e.g. https://api.example.com/v1)") ?? NOT_RFC3986,
);

/**
 * Where the repository lives: what git, Flux's GitRepository (`^(http|https|ssh)://`) and Argo CD all
 * read the same way: lower-case `https://` or `ssh://`, a host, a path, no query or fragment, no
 * credentials (an ssh user is not one), or scp-like `user@host:path`.
 */
export const repositoryUrl = urlRule(
  `^(?:(?:https://|ssh://(?:${SSH_USER}@)?)${HOST}${PORT}/|${SSH_USER}@${DNS_NAME}:/?)${SEGMENT}(?:/${SEGMENT})*/?$`,
  (value) => {
    if (/^[A-Za-z0-9._-]+@[^/:]+:(?!\/\/)/.test(value) && !/^[a-z]+:\/\//i.test(value))
      return "is scp-like but not user@host:path with a path of letters, digits and '.', '_', '-', '~', '/' (e.g. git@github.com:acme/svc.git)";
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1];
    if (scheme && scheme.toLowerCase() !== scheme && ["https", "ssh"].includes(scheme.toLowerCase()))
      return `has the scheme ${shown(scheme)}: write it in lower case (${scheme.toLowerCase()}://); git looks for a helper named remote-${scheme} and Flux refuses it`;
    if (scheme && !["https", "ssh"].includes(scheme.toLowerCase())) return `uses ${shown(`${scheme}:`)}: use an https or ssh git URL`;
    if (!scheme) return "is not an https or ssh git URL (e.g. https://github.com/acme/svc.git or git@github.com:acme/svc.git)";
    const common = commonProblem(value, "https://host/owner/repository.git");
    if (common && !(scheme === "ssh" && common.startsWith("must not contain credentials"))) return common;
    if (/[?#]/.test(value)) return "must not contain a query or fragment ('?' or '#'), not even an empty one: git and the GitOps controllers read them differently";
    if (/^https:\/\/[^/]*@/.test(value)) return "must not contain credentials";
    if (/^ssh:\/\/[^/]*:[^/@]*@/.test(value)) return "must not contain credentials";
    if (!/^[a-z]+:\/\/[^/]+\/./.test(value)) return "has no repository path";
    return "has a path that is not segments of letters, digits, '.', '_', '-', '~' or percent escapes, separated by single '/'";
  },
);

/** Prometheus for the canary analysis: http(s), a host, an optional path prefix; nothing else. */
export const prometheusUrl = urlRule(`^https?://${HOST}${PORT}(?:/${SEGMENT})*/?$`, (value) => {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1];
  if (scheme && scheme !== "http" && scheme !== "https")
    return `uses ${shown(`${scheme}:`)}: use a lower-case http or https URL (e.g. http://prometheus-operated.monitoring.svc:9090)`;
  const common = commonProblem(value, "http://host:port (e.g. http://prometheus-operated.monitoring.svc:9090)");
  if (common) return common.startsWith("must not contain credentials") ? "must not contain credentials (add them to the AnalysisTemplate's authentication instead)" : common;
  if (/[?#]/.test(value)) return "must not contain a query or fragment";
  return "has a path that is not segments of letters, digits, '.', '_', '-', '~' or percent escapes";
});

/**
 * Alertmanager's alerts endpoint for deployment notifications. Flux's alertmanager Provider and an Argo CD
 * webhook both POST to the address exactly as given (neither appends a path), so it is the Prometheus
 * URL's rule ending in /api/v2/alerts (a route prefix may come before it).
 */
export const alertmanagerUrl = urlRule(`^https?://${HOST}${PORT}(?:/${SEGMENT})*/api/v2/alerts/?$`, (value) => {
  const example = "http://alertmanager-operated.monitoring.svc:9093/api/v2/alerts";
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1];
  if (scheme && scheme !== "http" && scheme !== "https") return `uses ${shown(`${scheme}:`)}: use a lower-case http or https URL (e.g. ${example})`;
  const common = commonProblem(value, `http://host:port/api/v2/alerts (e.g. ${example})`);
  if (common)
    return common.startsWith("must not contain credentials") ? "must not contain credentials (put them in a Secret the Flux Provider or Argo CD webhook references)" : common;
  if (/[?#]/.test(value)) return "must not contain a query or fragment";
  if (!/\/api\/v2\/alerts\/?$/.test(value)) return `does not end in /api/v2/alerts: Flux and Argo CD post alerts to this exact address (e.g. ${example})`;
  return "has a path that is not segments of letters, digits, '.', '_', '-', '~' or percent escapes";
});

/** `URL` or `*_URL`: the names the service parses as URLs (internal/config). */
export const isUrlName = (name: string): boolean => name === "URL" || name.endsWith("_URL");

/**
 * An env spec as a JSON Schema pattern: NAME or NAME=default, where a *_URL default follows
 * serviceUrl (an empty default is no default).
 */
export const ENV_SPEC_PATTERN = `^(?:(?:[A-Z][A-Z0-9_]*_)?URL(?:=(?:${serviceUrl.pattern.slice(1, -1)})?)?|(?!(?:[A-Z][A-Z0-9_]*_)?URL(?:=|$))[A-Z][A-Z0-9_]*(?:=.*)?)$`;
