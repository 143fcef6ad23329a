#!/usr/bin/env bash
# Installs the Go tools the test suite runs on generated output, pinned, into the git-ignored .tools/bin.
# Idempotent: a tool already at its pinned version is not rebuilt. Versions mirror src/versions.ts.
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
install kube-linter golang.stackrox.io/kube-linter/cmd/kube-linter v0.8.3
install actionlint github.com/rhysd/actionlint/cmd/actionlint v1.7.12

# shellcheck lets actionlint check `run:` scripts; Debian's package.
if ! command -v shellcheck >/dev/null; then
  if [ "$(id -u)" = 0 ]; then (apt-get update -qq && apt-get install -y -qq shellcheck >/dev/null) || echo "warning: shellcheck not installed" >&2
  else echo "warning: shellcheck missing and not root: actionlint will not check run: scripts" >&2; fi
fi
