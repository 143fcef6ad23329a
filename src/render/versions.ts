// Every version the generator writes lives here, so the Dockerfile, go.mod, workflows and tests
// cannot disagree. Each entry names its upstream; `renovate:` markers let a bot find and bump them.
// Digests: images are written `tag@sha256:` once a digest is verified (imagePins); the ones still
// pending are listed, with the reason, in digestsPending (issue #27, F6/F7).

import { goDirect, goIndirect } from "../shared/go-modules.js";

/** The Go toolchain: go.mod's `go` line, the Dockerfile builder tag and CI's setup-go all derive from it. */
export const go = {
  // renovate: datasource=golang-version depName=go
  version: "1.26.8",
  /** The language version written to go.mod (`go 1.26.0`): the minor the builder image must match. */
  get directive(): string {
    const [major, minor] = this.version.split(".");
    return `${major}.${minor}.0`;
  },
  get minor(): string {
    const [major, minor] = this.version.split(".");
    return `${major}.${minor}`;
  },
} as const;

/** Go modules required by the generated service (go.sum in templates/ is tidied against exactly these). */
export const goModules = { ...goDirect, indirect: goIndirect } as const;

/** Go tools the generated repo runs (Makefile and CI) and our own tests install. */
export const tools = {
  // renovate: datasource=go depName=github.com/golangci/golangci-lint/v2
  golangciLint: "v2.13.1",
  // renovate: datasource=go depName=golang.org/x/vuln
  govulncheck: "v1.6.0",
  // renovate: datasource=go depName=golang.stackrox.io/kube-linter
  kubeLinter: "v0.8.3",
  // renovate: datasource=go depName=sigs.k8s.io/kustomize/kustomize/v5
  kustomize: "v5.7.1",
  // renovate: datasource=github-releases depName=sigstore/cosign
  cosign: "v3.1.2",
  // renovate: datasource=go depName=github.com/prometheus/prometheus  (v0.316.0 is Prometheus v3.16.0; its
  // promtool checks and unit-tests the SLO alerts. Built with `go install`, so the checksum database
  // vouches for it: no prom/prometheus image digest could be verified from this network.)
  promtool: "v0.316.0",
} as const;

/**
 * Cluster controllers the generated README names as prerequisites: the versions the generator's GitOps
 * loop test runs (tools/cluster/<set>/go.mod requires the same; test/flagger.test.ts compares them).
 */
export const controllers = {
  // renovate: datasource=go depName=github.com/fluxcd/flagger
  flagger: "v1.44.0",
  // renovate: datasource=github-releases depName=sigstore/policy-controller  (--admission sigstore: the
  // admission controller that enforces the ClusterImagePolicy. Not run by the loop test: its CRD at this
  // tag is in schemas/crds, and test/security.test.ts checks that its README row names this tag.)
  policyController: "v0.15.1",
} as const;

/**
 * One container image: repository, exact tag, and the digest that tag pointed at when it was verified.
 * The generated file says `repository:tag@sha256:…` once `digest` is set: the digest is what runs, the
 * tag tells people (and Dependabot / Renovate, which bump both) which release it is.
 */
export interface ImagePin {
  repository: string;
  tag: string;
  digest?: `sha256:${string}`;
}

/** How a pin is written into the generated files (Dockerfile, .gitlab-ci.yml). */
export function imageRef(pin: ImagePin): string {
  return pin.digest ? `${pin.repository}:${pin.tag}@${pin.digest}` : `${pin.repository}:${pin.tag}`;
}

/**
 * Every image the generated repository runs. Set `digest` only from a verified source
 * (../shared/reference/pins.md or a registry read at release time), never from memory.
 */
export const imagePins = {
  // renovate: datasource=docker depName=docker/dockerfile  (BuildKit's Dockerfile frontend, `# syntax=`)
  dockerfileFrontend: { repository: "docker/dockerfile", tag: "1" },
  // renovate: datasource=docker depName=golang  (Debian trixie is the image's default variant)
  goBuilder: { repository: "golang", tag: `${go.version}-trixie` },
  // renovate: datasource=docker depName=gcr.io/distroless/static-debian13  (UID 65532, no shell)
  // Distroless publishes no versioned tags: only a digest pin lets a bot propose (and a reviewer see) a
  // new build of `nonroot`.
  runtime: { repository: "gcr.io/distroless/static-debian13", tag: "nonroot" },
  // renovate: datasource=docker depName=quay.io/buildah/stable  (containers/buildah; GitLab CI builds the image
  // with it, daemonless and unprivileged. Tag not verifiable from this network: re-check at release.)
  buildah: { repository: "quay.io/buildah/stable", tag: "v1.41.0" },
  // GitLab CI's lint job: the image of the golangci-lint version the Makefile and GitHub CI run.
  golangciLint: { repository: "golangci/golangci-lint", tag: tools.golangciLint },
  // renovate: datasource=docker depName=node  (GitLab CI's template-update jobs: npx runs the generator,
  // and the full, non-slim variant has the git and curl the script needs. Active LTS, trixie like Go's.)
  nodeGit: { repository: "node", tag: "24.11.1-trixie" },
} as const satisfies Record<string, ImagePin>;

/**
 * Images whose digest is not pinned yet, each with the reason. Reviewed like kube-linter's allow-list:
 * test/security.test.ts fails on an image with neither a digest nor an entry here, and on an entry whose
 * image has a digest. Empty this list before a release.
 */
export const digestsPending: Partial<Record<keyof typeof imagePins, string>> = {
  dockerfileFrontend: "no verified digest in pins.md and no registry reachable from the build network (2026-12-07)",
  goBuilder: "no verified digest in pins.md and no registry reachable from the build network (2026-12-07)",
  runtime: "no verified digest in pins.md and no registry reachable from the build network (2026-12-07)",
  buildah: "no verified digest in pins.md and no registry reachable from the build network (2026-12-07)",
  golangciLint: "no verified digest in pins.md and no registry reachable from the build network (2026-12-07)",
  nodeGit: "no verified digest in pins.md and no registry reachable from the build network (2026-12-07)",
};

/** Image references as the templates write them. */
export const images = {
  dockerfileFrontend: imageRef(imagePins.dockerfileFrontend),
  goBuilder: imageRef(imagePins.goBuilder),
  runtime: imageRef(imagePins.runtime),
  buildah: imageRef(imagePins.buildah),
  golangciLint: imageRef(imagePins.golangciLint),
  nodeGit: imageRef(imagePins.nodeGit),
} as const;

/** GitHub Actions, pinned to full commit SHAs (verified tag -> commit in ../shared/reference/pins.md). */
export const actions = {
  checkout: { repo: "actions/checkout", sha: "3d3c42e5aac5ba805825da76410c181273ba90b1", tag: "v7.0.1" },
  setupGo: { repo: "actions/setup-go", sha: "b7ad1dad31e06c5925ef5d2fc7ad053ef454303e", tag: "v7.0.0" },
  golangciLint: { repo: "golangci/golangci-lint-action", sha: "ba0d7d2ec06a0ea1cb5fa41b2e4a3ab91d21278a", tag: "v9.3.0" },
  setupBuildx: { repo: "docker/setup-buildx-action", sha: "37fe631027851001ddb9b187196cc803df7f5f0e", tag: "v4.3.0" },
  login: { repo: "docker/login-action", sha: "4907a6ddec9925e35a0a9e82d7399ccc52663121", tag: "v4.1.0" },
  metadata: { repo: "docker/metadata-action", sha: "dc802804100637a589fabce1cb79ff13a1411302", tag: "v6.2.0" },
  buildPush: { repo: "docker/build-push-action", sha: "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a", tag: "v7.3.0" },
  cosignInstaller: { repo: "sigstore/cosign-installer", sha: "6f9f17788090df1f26f669e9d70d6ae9567deba6", tag: "v4.1.2" },
  createGithubAppToken: { repo: "actions/create-github-app-token", sha: "1b10c78c7865c340bc4f6099eb2f838309f1e8c3", tag: "v3.1.1" },
  createPullRequest: { repo: "peter-evans/create-pull-request", sha: "5f6978faf089d4d20b00c7766989d076bb2fc7f1", tag: "v8.1.1" },
  // The template-update workflow's hand-over from the job that runs npx to the job that holds the token.
  // upload-artifact: pins.md. download-artifact (not in pins.md): tag v8.0.1 read from the
  // actions/download-artifact history (lightweight tag, `v8` on the same commit, node24), 2026-12-07.
  uploadArtifact: { repo: "actions/upload-artifact", sha: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", tag: "v7.0.0" },
  downloadArtifact: { repo: "actions/download-artifact", sha: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", tag: "v8.0.1" },
} as const;
