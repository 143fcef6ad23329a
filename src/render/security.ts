// Derived security facts the templates print: who may sign the image (for `cosign verify` and the
// admission policy) and where the pods may open connections (the NetworkPolicy's egress). Pure
// functions of the answers.
import type { Egress, EnvVar, ImagePolicy, InClusterEgress, Signing } from "./context-types.js";

/**
 * The certificate identity and issuer of the image signatures CI makes (Sigstore's verification cheat
 * sheet): GitHub `https://github.com/<slug>/.github/workflows/release.yaml@refs/heads/main`, GitLab
 * `https://<host>/<slug>//.gitlab-ci.yml@refs/heads/main`. Exact strings: a regexp invites `.` and `*`.
 * @example signingOf("github", "https://github.com/acme/orders.git", "acme/orders").issuer
 */
export function signingOf(ci: "github" | "gitlab" | "none", sourceUrl: string, slug: string): Signing | undefined {
  const host = new URL(sourceUrl).hostname;
  if (ci === "github") {
    // GitHub Enterprise Server issues its own tokens; github.com's come from the Actions service.
    const issuer = host === "github.com" ? "https://token.actions.githubusercontent.com" : `https://${host}/_services/token`;
    return { issuer, identity: `https://${host}/${slug}/.github/workflows/release.yaml@refs/heads/main` };
  }
  if (ci === "gitlab") return { issuer: `https://${host}`, identity: `https://${host}/${slug}//.gitlab-ci.yml@refs/heads/main` };
  return undefined;
}

/**
 * The Sigstore policy-controller ClusterImagePolicy of --admission sigstore (needs a signer, i.e. CI).
 * Globs in policy-controller's syntax (`*` is any run of characters but `/`), on the image name exactly
 * as the overlays' `newName` writes it: `<image>:*` for a tag, `<image>@*` for a digest (the controller
 * matches `repository@sha256:…` once a reference carries one, tag or not). Nothing wider: `<image>*`
 * would also take in `<image>-worker`, another service's image signed by another workflow.
 * @example imagePolicyOf("sigstore", "orders", "ghcr.io/acme/orders", signing).globs // ["ghcr.io/acme/orders:*", "ghcr.io/acme/orders@*"]
 */
export function imagePolicyOf(choice: "none" | "sigstore", name: string, image: string, signing: Signing | undefined): ImagePolicy {
  return { enabled: choice === "sigstore" && signing !== undefined, name: `${name}-signed-release`, globs: [`${image}:*`, `${image}@*`] };
}

const SCHEME_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };
/** `<service>.<namespace>.svc[.cluster.local]`: each part a DNS label, so it is safe in YAML as is. */
const IN_CLUSTER = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)\.svc(\.cluster\.local)?$/;
const ONE_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Where the service's pods may connect besides DNS, read from the env vars: a URL default names
 * its destination (in-cluster by namespace, anything else as a public port); a `_URL` var without a
 * default is set per environment, so public HTTPS stays open for it. Nothing else is allowed.
 * @example egressOf([{ name: "API_URL", default: "https://api.example.com", ... }]).publicPorts // [443]
 */
export function egressOf(env: readonly EnvVar[]): Egress {
  const inCluster = new Map<string, InClusterEgress>();
  const publicPorts = new Set<number>();
  for (const v of env) {
    if (v.required) {
      if (v.isURL) publicPorts.add(443);
      continue;
    }
    let url: URL;
    try {
      url = new URL(v.default);
    } catch {
      continue;
    }
    // Any scheme with an explicit port (postgres://db.data.svc:5432); http(s) also without one.
    const port = url.port ? Number(url.port) : SCHEME_PORTS[url.protocol];
    if (port === undefined || !url.hostname) continue;
    const host = url.hostname.replace(/\.$/, "");
    const match = IN_CLUSTER.exec(host);
    if (match || ONE_LABEL.test(host)) {
      const namespace = match?.[2];
      inCluster.set(`${namespace ?? ""}:${port}`, { env: v.name, ...(namespace ? { namespace } : {}), port });
    } else {
      publicPorts.add(port);
    }
  }
  const ports = [...publicPorts].sort((a, b) => a - b);
  return { inCluster: [...inCluster.values()], publicPorts: ports, hasPublic: ports.length > 0 };
}
