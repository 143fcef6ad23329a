// Validation rules shared by every source of an answer (flag, answers file, prompt, Backstage).
// Each returns undefined when the value is fine, else the rule it breaks, phrased for the user.
import { shown } from "../shared/show.js";
import { isUrlName, repositoryUrl, serviceUrl } from "./urls.js";
import { goModulePaths } from "../shared/go-modules.js";

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function dns1035Label(value: string): string | undefined {
  if (value.length > 63) return "is longer than 63 characters (a Kubernetes Service name is a DNS-1035 label)";
  if (!DNS_1035.test(value))
    return "is not a DNS-1035 label: use lowercase letters, digits and '-', start with a letter, end with a letter or digit";
  return undefined;
}

export function dns1123Label(value: string): string | undefined {
  if (value.length > 63) return "is longer than 63 characters (a DNS-1123 label)";
  if (!DNS_1123.test(value)) return "is not a DNS-1123 label: use lowercase letters, digits and '-', start and end with a letter or digit";
  return undefined;
}

const MODULE_ELEMENT = /^[A-Za-z0-9._~-]+$/;
// Device names Windows reserves, with or without an extension: Go refuses them as path elements on
// every OS, so that a module can be checked out anywhere (golang.org/x/mod/module, badWindowsNames).
const WINDOWS_DEVICE = /^(?:con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

/**
 * One element of a Go module or import path, by module.CheckPath's rules (checkElem), plus `vendor`,
 * which cmd/go reads as vendored code ("must be imported as ..."). undefined when fine.
 */
export function goPathElement(element: string): string | undefined {
  if (element === "") return "is empty";
  if (!MODULE_ELEMENT.test(element)) return "has a character Go does not allow in a module path: use letters, digits and '.', '-', '_', '~'";
  if (element.startsWith(".")) return "starts with '.', which Go does not allow in a module path";
  if (element.endsWith(".")) return "ends with '.', which Go does not allow in a path element";
  const short = element.split(".")[0];
  if (WINDOWS_DEVICE.test(short))
    return `is a Windows device name (${shown(short)}), which Go refuses as a path element on every OS (module.CheckPath)`;
  if (/~[0-9]+$/.test(short)) return "ends in '~' and digits (a Windows short name), which Go refuses as a path element (module.CheckPath)";
  if (element === "vendor") return "is 'vendor': Go reads the packages below it as vendored code and refuses to import them by their path";
  return undefined;
}

/**
 * A trailing major version must be /v2 or above (module.SplitPathVersion): /v0, /v1, /v01 and /v1.2
 * are refused; gopkg.in paths end in .vN.
 */
function majorVersionProblem(value: string): string | undefined {
  if (value.startsWith("gopkg.in/")) {
    const m = /\.v([0-9]+)(?:-unstable)?$/.exec(value);
    if (!m || (m[1].startsWith("0") && m[1] !== "0")) return "is a gopkg.in path without a .vN version suffix (e.g. gopkg.in/yaml.v3)";
    return undefined;
  }
  const m = /\/v([0-9.]+)$/.exec(value);
  if (!m) return undefined;
  const major = m[1];
  if (major.includes(".") || major.startsWith("0") || major === "1") return `ends in ${shown(`/v${major}`)}: a major version suffix must be /v2 or above, without dots or leading zeros`;
  return undefined;
}

/** Go's module path rules (golang.org/x/mod/module.CheckPath, Windows names included), and no `vendor` element. */
export function goModulePath(value: string): string | undefined {
  if (value === "") return "is empty";
  if (value.startsWith("/") || value.endsWith("/")) return "must not start or end with '/'";
  const elements = value.split("/");
  for (const element of elements) {
    if (element === "") return "has an empty path element ('//')";
    const problem = goPathElement(element);
    if (problem) return `has an element ${shown(element)} that ${problem}`;
  }
  const first = elements[0];
  if (!/^[a-z0-9.-]+$/.test(first)) return `its first element ${shown(first)} must be a lowercase domain name`;
  if (!first.includes(".")) return `its first element ${shown(first)} must be a domain name containing a dot (e.g. github.com/acme/svc)`;
  if (first.startsWith("-")) return `its first element ${shown(first)} must not start with '-'`;
  return majorVersionProblem(value);
}

/**
 * A module path that is, lies inside or contains one the generated go.mod requires (issue #29): the
 * same path twice in the build list fails `go build`, and a package path two modules could provide
 * is ambiguous. The list is the one go.mod is written from (shared/go-modules.ts).
 */
export function dependencyClash(value: string): string | undefined {
  for (const dep of goModulePaths) {
    if (value === dep) return `is ${shown(dep)}, a module the generated service requires: go build cannot build a module that depends on itself`;
    if (value.startsWith(`${dep}/`)) return `lies inside ${shown(dep)}, a module the generated service requires: its packages would have two modules`;
    if (dep.startsWith(`${value}/`)) return `contains ${shown(dep)}, a module the generated service requires: its packages would have two modules`;
  }
  return undefined;
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label key, part by part, as apimachinery's IsQualifiedName checks it (issue #29). */
export function labelKey(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "has more than one '/' (a label key is [prefix/]name)";
  const name = parts.at(-1)!;
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix === "") return "has an empty prefix before '/'";
    if (prefix.length > 253) return `has a prefix of ${prefix.length} characters: at most 253 (a DNS subdomain)`;
    if (!SUBDOMAIN.test(prefix)) return `has a prefix ${shown(prefix)} that is not a DNS subdomain (lowercase letters, digits, '-' and '.')`;
  }
  if (name === "") return "has an empty name";
  if (name.length > 63) return `has a name part of ${name.length} characters: at most 63`;
  if (!LABEL_NAME.test(name)) return `has a name part ${shown(name)} that is not letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
  return undefined;
}

/**
 * The service name: a DNS-1035 label (it names the Kubernetes Service) that is also a Go path element
 * (it names cmd/<name>, and the default module path ends in it), and not `testdata`, which `./...`
 * skips (go build, vet and test would silently leave the main package out).
 */
export function serviceName(value: string): string | undefined {
  const dns = dns1035Label(value);
  if (dns) return dns;
  if (value === "testdata") return "is 'testdata': Go's ./... skips folders of that name, so cmd/testdata would never be built, vetted or tested";
  const go = goPathElement(value);
  return go && `names the folder cmd/${value} and ${go}`;
}

const OWNER_SEGMENT = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** A GitHub organisation or user, or a GitLab group path (`group/subgroup`). */
export function owner(value: string): string | undefined {
  if (value.length > 100) return "is longer than 100 characters";
  if (!value.split("/").every((s) => OWNER_SEGMENT.test(s)))
    return "is not a git organisation or group: use letters, digits, '.', '_', '-' (GitLab subgroups with '/')";
  return undefined;
}

// Docker reference grammar (distribution/reference): lowercase path components after a registry host.
const REGISTRY_HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const REGISTRY_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export function registry(value: string): string | undefined {
  const [host, ...path] = value.split("/");
  if (!REGISTRY_HOST.test(host) || !(host.includes(".") || host.includes(":") || host === "localhost"))
    return "must start with a registry host (e.g. ghcr.io/acme, registry.example.com:5000/team)";
  if (path.length === 0) return "needs a repository path after the host (e.g. ghcr.io/acme)";
  const bad = path.find((c) => !REGISTRY_COMPONENT.test(c));
  if (bad !== undefined) return `has an invalid path component ${shown(bad)}: use lowercase letters, digits and single separators ('.', '_', '-')`;
  if (value.length > 200) return "is longer than 200 characters";
  return undefined;
}

/** Where the repository will live: https or ssh, no credentials, no query (urls.ts, one rule with the schema). */
export const gitUrl = (value: string): string | undefined => repositoryUrl.check(value);

export function port(value: number): string | undefined {
  if (!Number.isInteger(value)) return "is not a whole number";
  if (value < 1024) return "is below 1024: the container runs as non-root with all capabilities dropped and cannot bind it";
  if (value > 65535) return "is above 65535";
  return undefined;
}

// Control characters (C0 including newlines, DEL, and C1: U+0085 NEL is a line break to YAML 1.1
// readers, the rest are refused outright by Go's YAML reader, i.e. by kubectl, kustomize and Argo CD),
// Unicode line/paragraph separators, the non-characters U+FFFE/U+FFFF (also refused by Go's YAML
// reader) and lone UTF-16 surrogates (not text: they cannot be written as UTF-8 and a Go string
// literal cannot hold them). Found by test/properties.test.ts (issue #8).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\uFFFE\uFFFF]|\p{Cs}/u;

export function oneLine(value: string, max: number): string | undefined {
  if (CONTROL.test(value)) return "must be one line of text without control characters";
  if (value.length > max) return `is longer than ${max} characters`;
  return undefined;
}

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
/** Variables the service itself reads or the runtime owns: a user variable may not shadow them. */
export const RESERVED_ENV = ["PORT", "ADMIN_PORT", "LOG_LEVEL", "SHUTDOWN_DELAY", "SHUTDOWN_TIMEOUT", "GOMEMLIMIT", "GOMAXPROCS", "GOGC", "GODEBUG"];

export function envName(value: string): string | undefined {
  if (!ENV_NAME.test(value)) return "is not an environment variable name: use A-Z, 0-9 and '_', starting with a letter";
  if (value.length > 100) return "is longer than 100 characters";
  if (RESERVED_ENV.includes(value)) return "is set by the service or the Go runtime already";
  // kustomize reads config.env's keys as YAML 1.2 and fails on these (found by test/accepted-space.test.ts).
  if (value === "TRUE" || value === "FALSE" || value === "NULL")
    return "is read by kustomize's configMapGenerator as a YAML boolean or null, not a name (kubectl kustomize fails): choose another name";
  if (value.endsWith("_FILE")) return "ends in _FILE, which the service reserves for file-mounted secrets";
  return undefined;
}

/** `NAME` or `NAME=default`; the default is one line (config.env holds one variable a line), and
 * surrounding spaces, which kustomize keeps but no reader of config.env can see, are refused. */
export function envSpec(value: string): string | undefined {
  const eq = value.indexOf("=");
  const name = eq === -1 ? value : value.slice(0, eq);
  const problem = envName(name);
  if (problem) return eq === -1 ? problem : `(variable '${name}') ${problem}`;
  if (eq === -1) return undefined;
  const def = value.slice(eq + 1);
  const lineProblem = oneLine(def, 500);
  if (lineProblem) return `default of ${name} ${lineProblem}`;
  if (def !== def.trim()) return `default of ${name} must not start or end with spaces`;
  // The service parses *_URL variables as absolute URLs at start-up (internal/config's checkURL, Go's
  // url.Parse): a default it refuses would crash-loop every pod (issue #29).
  if (isUrlName(name) && def !== "") {
    const urlProblem = serviceUrl.check(def);
    if (urlProblem) return `default of ${name} must be an absolute URL the service accepts at start-up (scheme://host/…): it ${urlProblem}`;
  }
  return undefined;
}
