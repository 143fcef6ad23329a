#!/usr/bin/env bash
# Builds the throwaway Kubernetes cluster that test/cluster.test.ts and test/gitops.test.ts run against:
# kube-apiserver, kube-controller-manager, kube-scheduler and kubectl (Kubernetes v1.36.3), etcd
# (v3.6.16), and for the GitOps loop kwok, Flux (source, kustomize and notification controllers), Argo CD,
# Argo Rollouts, Flagger and a git host, from the Go module proxy, into the git-ignored .tools/cluster. `go install` cannot build either (their go.mod files have replace directives), so
# each comes from a small wrapper module under tools/cluster/ that requires it at the pinned version
# (Kubernetes' staging modules pinned to the published v0.36.3 with replaces) and runs `go build`.
# etcd has its own module so that MVS cannot move Kubernetes' etcd client libraries. The versions
# are the ones the wrapper go.mod files require (the single source; the test reads them too).
#
# Idempotent: a binary set is rebuilt only when its stamp changes (the wrapper's go.mod/go.sum and
# source files, the build flags below, the Go version). Prints one "build-cluster: <step>" line per
# step; on failure the last such line says which step failed.
#
# `--download` only fetches the modules every set needs (`go mod download`, network-bound, about a
# minute cold) and builds nothing: .ci/run starts it at the top, beside npm ci, so the build finds them cached.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-modcacherw -mod=readonly"
# CLUSTER_BIN_DIR builds elsewhere (a cold-cache measurement beside the tests' copy); the tests read .tools/cluster.
OUT="${CLUSTER_BIN_DIR:-$PWD/.tools/cluster}"
mkdir -p "$OUT"
# Binaries are built in a temp dir and moved into place: an interrupted build leaves no half binary.
BUILD_TMP=""
trap 'if [ -n "$BUILD_TMP" ]; then rm -rf "$BUILD_TMP"; fi' EXIT

command -v go >/dev/null || { echo "build-cluster: go not found on PATH" >&2; exit 3; }

K8S_VERSION="$(sed -n 's#^require k8s.io/kubernetes \(v1\.[0-9]*\.[0-9]*\)$#\1#p' tools/cluster/kube/go.mod)"
[[ "$K8S_VERSION" =~ ^v1\.([0-9]+)\.[0-9]+$ ]] || { echo "build-cluster: no 'require k8s.io/kubernetes v1.X.Y' line in tools/cluster/kube/go.mod" >&2; exit 2; }
K8S_MINOR="${BASH_REMATCH[1]}"
# What hack/lib/version.sh stamps into release binaries (`kubectl version`, /version, emulation version).
K8S_LDFLAGS="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  K8S_LDFLAGS+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$K8S_MINOR -X $pkg.gitTreeState=clean"
done
ETCD_LDFLAGS="-s -w"

# Every `go build` flag but -ldflags (which each set passes) and -o; part of every stamp.
GO_BUILD_FLAGS=(-trimpath)
stamp_of() { # module-dir ldflags (comment lines of go.mod do not count)
  local d="tools/cluster/$1"
  { grep -v '^[[:space:]]*//' "$d/go.mod"; cat "$d/go.sum"
    # The wrapper's own sources: githttp is one; the others' tools.go (never compiled) just lists packages.
    find "$d" -type f ! -name go.mod ! -name go.sum -print0 | sort -z | xargs -0r sha256sum | sed "s# $d/# #"
    echo "$2 ${GO_BUILD_FLAGS[*]} CGO_ENABLED=$CGO_ENABLED"; go env GOVERSION GOOS GOARCH; } | sha256sum | cut -c1-16
}

DOWNLOAD=0
if [ "${1-}" = --download ]; then DOWNLOAD=1; shift; fi
# Arguments name the binary sets to build (e.g. `argocd flux-source`); none means all of them.
ONLY=" $* "
build() { # name module-dir ldflags binary=package...
  local name=$1 dir=$2 ldflags=$3
  shift 3
  if [ "$ONLY" != "  " ] && [[ "$ONLY" != *" $name "* ]]; then return; fi
  local stamp fresh=1 spec bins=() pkgs=()
  for spec in "$@"; do bins+=("${spec%%=*}"); pkgs+=("${spec#*=}"); done
  if [ "$DOWNLOAD" = 1 ]; then
    local start=$SECONDS
    (cd "tools/cluster/$dir" && go mod download)
    echo "build-cluster: downloaded $name's modules in $((SECONDS - start))s"
    return
  fi
  stamp="$(stamp_of "$dir" "$ldflags")"
  for spec in "${bins[@]}"; do [ -x "$OUT/$spec" ] || fresh=0; done
  if [ "$fresh" = 1 ] && [ "$(cat "$OUT/.$name.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "build-cluster: $name up to date (stamp $stamp)"
    return
  fi
  echo "build-cluster: building $name (${pkgs[*]}), stamp $stamp"
  local start=$SECONDS tmp
  tmp="$(mktemp -d "$OUT/.build-$name.XXXXXX")"
  BUILD_TMP="$tmp"
  # One package: -o names the file. Several: -o is a directory and each binary is named after its
  # package's last element (the binary names given must match).
  local o="$tmp/"
  [ "${#pkgs[@]}" = 1 ] && o="$tmp/${bins[0]}"
  (cd "tools/cluster/$dir" && go build "${GO_BUILD_FLAGS[@]}" -ldflags "$ldflags" -o "$o" "${pkgs[@]}")
  rm -f "$OUT/.$name.stamp"
  for spec in "${bins[@]}"; do mv -f "$tmp/$spec" "$OUT/$spec"; done
  rm -rf "$tmp"
  BUILD_TMP=""
  echo "$stamp" >"$OUT/.$name.stamp"
  echo "build-cluster: built $name in $((SECONDS - start))s"
}

build etcd etcd "$ETCD_LDFLAGS" etcd=go.etcd.io/etcd/server/v3
build kube kube "$K8S_LDFLAGS" kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver kubectl=k8s.io/kubernetes/cmd/kubectl \
  kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler
# The GitOps loop of test/gitops.test.ts: a fake kubelet, a git host, Flux, Argo CD (and the kustomize its
# repo-server runs), Argo Rollouts. Each wrapper copies its upstream go.mod's replace block (see there).
build githttp githttp "-s -w" githttp=.
build kwok kwok "-s -w" kwok=sigs.k8s.io/kwok/cmd/kwok
build kustomize kustomize "-s -w" kustomize=sigs.k8s.io/kustomize/kustomize/v5
build flux-source flux-source "-s -w" source-controller=github.com/fluxcd/source-controller
build flux-kustomize flux-kustomize "-s -w" kustomize-controller=github.com/fluxcd/kustomize-controller
build flux-notification flux-notification "-s -w" notification-controller=github.com/fluxcd/notification-controller
build rollouts rollouts "-s -w" rollouts-controller=github.com/argoproj/argo-rollouts/cmd/rollouts-controller
build argocd argocd "-s -w" argocd=github.com/argoproj/argo-cd/v3/cmd
# Flagger (progressive delivery for Flux, --progressive flagger): no replaces upstream, runs out of cluster.
build flagger flagger "-s -w" flagger=github.com/fluxcd/flagger/cmd/flagger
[ "$DOWNLOAD" = 1 ] && { echo "build-cluster: modules downloaded in ${SECONDS}s"; exit 0; }
[ "$ONLY" != "  " ] && { echo "build-cluster: ok (${ONLY:1:-1}) in ${SECONDS}s"; exit 0; }
echo "build-cluster: ok $("$OUT/etcd" --version | head -1); $("$OUT/kube-apiserver" --version); kubectl $("$OUT/kubectl" version --client -o json | sed -n 's/.*"gitVersion": "\(.*\)".*/\1/p' | head -1)"
