#!/usr/bin/env bash
# Installs the Go tools the test suite runs on generated output, pinned, into the git-ignored .tools/bin.
# Idempotent: a tool already at its pinned version is not rebuilt. Versions mirror src/versions.ts
# (except kube-score's, a test-only tool, see below).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOBIN="$PWD/.tools/bin" GOTOOLCHAIN=local GOFLAGS=-modcacherw
mkdir -p "$GOBIN"

install() { # name module version
  local stamp="$GOBIN/.$1.version"
  if [ -x "$GOBIN/$1" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$3" ]; then return; fi
  echo "installing $1 $3"
  go install "$2@$3"
  echo "$3" >"$stamp"
}

install golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint v2.13.1
install actionlint github.com/rhysd/actionlint/cmd/actionlint v1.7.12
# kube-score runs only in this repository's tests (test/scanners.test.ts, allow-list
# test/kube-score-allowlist.yaml), not in the generated repository, which runs kube-linter: so its pin
# lives here and not in src/render/versions.ts. v1.20.0 is the newest tag (reference: pins.md).
install kube-score github.com/zegl/kube-score/cmd/kube-score v1.20.0

# kube-linter: built from the wrapper module in tools/kube-linter (see the comment in its go.mod).
kube_linter_stamp="$(sha256sum tools/kube-linter/go.mod | cut -c1-16)"
if [ ! -x "$GOBIN/kube-linter" ] || [ "$(cat "$GOBIN/.kube-linter.version" 2>/dev/null)" != "$kube_linter_stamp" ]; then
  echo "installing kube-linter (tools/kube-linter)"
  (cd tools/kube-linter && GOFLAGS="-modcacherw -mod=readonly" go build -o "$GOBIN/kube-linter" golang.stackrox.io/kube-linter/cmd/kube-linter)
  echo "$kube_linter_stamp" >"$GOBIN/.kube-linter.version"
fi

# promtool runs the generated SLO alerts' checks and unit tests (test/alerts.test.ts); Debian's
# prometheus package has it (2.42: the rule and test formats are those of the pinned 3.x).
if ! command -v promtool >/dev/null; then
  if [ "$(id -u)" = 0 ]; then (apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null) || echo "warning: promtool not installed" >&2
  else echo "warning: promtool missing and not root: test/alerts.test.ts skips locally and fails in CI" >&2; fi
fi

# actionlint checks `run:` scripts with shellcheck (Debian's package).
if ! command -v shellcheck >/dev/null; then
  if [ "$(id -u)" = 0 ]; then (apt-get update -qq && apt-get install -y -qq shellcheck >/dev/null) || echo "warning: shellcheck not installed" >&2
  else echo "warning: shellcheck missing and not root: actionlint will not check run: scripts" >&2; fi
fi
