// Names derived from answers, used by the cross-checks (to validate) and by render/ (to write).

// Common initialisms Go style keeps upper-case in identifiers (a subset of golint's list).
const INITIALISMS = new Set(["API", "DB", "DNS", "HTTP", "HTTPS", "ID", "IP", "JSON", "SQL", "TLS", "TTL", "UI", "URI", "URL", "UUID"]);

/** DATABASE_URL -> DatabaseURL; leading digits cannot occur (env names start with a letter or _). */
export function goIdentifier(envName: string): string {
  return envName
    .split("_")
    .filter(Boolean)
    .map((part) => (INITIALISMS.has(part) ? part : part[0] + part.slice(1).toLowerCase()))
    .join("");
}

/**
 * Flux accepts only URL forms (http, https, ssh://), Argo CD accepts those too: scp-like
 * `git@host:org/repo.git` becomes `ssh://git@host/org/repo.git`, which means the same to git.
 */
export function gitopsRepoUrl(url: string): string {
  const scp = /^([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+):(?!\/\/)(.+)$/.exec(url);
  // `git@github.com:/acme/svc.git` (a leading '/') means the same repository: no '//' in the URL.
  return scp ? `ssh://${scp[1]}@${scp[2]}/${scp[3].replace(/^\/+/, "")}` : url;
}

/** `https://host/path` for any accepted git URL: https as given, ssh and scp-like without user and port. */
export function httpsRepoUrl(url: string): string {
  const parsed = new URL(gitopsRepoUrl(url));
  return parsed.protocol === "https:" ? url : `https://${parsed.hostname}${parsed.pathname.replace(/^\/+/, "/")}`;
}

/** `acme/orders` from `https://github.com/acme/orders.git` or `git@github.com:acme/orders.git`. */
export function projectSlug(repoUrl: string): string {
  const pathPart = gitopsRepoUrl(repoUrl).replace(/^[a-z]+:\/\/[^/]+\//, "");
  return pathPart.replace(/\.git$/, "").replace(/\/+$/, "");
}
