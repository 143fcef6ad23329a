// Every version the generator writes lives here, so the Dockerfile, go.mod, workflows and tests
// cannot disagree. Each entry names its upstream; `renovate:` markers let a bot find and bump them.
// Digests: none of the image digests could be verified from this network, so images are pinned by
// exact tag and the generated Dependabot config pins and bumps their digests (see issue #2).

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

/** Container images (exact tags; digests are added by the generated Dependabot config). */
export const images = {
  // renovate: datasource=docker depName=golang  (Debian trixie is the image's default variant)
  goBuilder: `golang:${go.version}-trixie`,
  // renovate: datasource=docker depName=gcr.io/distroless/static-debian13  (UID 65532, no shell)
  runtime: "gcr.io/distroless/static-debian13:nonroot",
  // renovate: datasource=docker depName=quay.io/buildah/stable  (containers/buildah; GitLab CI builds the image
  // with it, daemonless and unprivileged. Tag not verifiable from this network: re-check at release.)
  buildah: "quay.io/buildah/stable:v1.41.0",
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
  createPullRequest: { repo: "peter-evans/create-pull-request", sha: "5f6978faf089d4d20b00c7766989d076bb2fc7f1", tag: "v8.1.1" },
} as const;

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
} as const;
