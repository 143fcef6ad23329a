#!/usr/bin/env bash
# Runs a command with TMPDIR set to a fresh folder and fails, listing them, if the command left
# anything in it: a test run removes every temp folder it makes, pass or fail. The folder goes
# afterwards either way, so neither outcome leaves anything in the system temp dir.
#
# GOTMPDIR stays unset on purpose: Go's build work dirs (go-build*) land in this folder too. The go
# command removes them when it exits, so one left behind means a test killed a build and did not clean
# up, which is ours to fix. GOCACHE, GOMODCACHE and npm's cache do not follow TMPDIR and stay put.
# Usage: bash scripts/no-leftovers.sh npm test
set -uo pipefail
dir="$(mktemp -d "${TMPDIR:-/tmp}/cggs-ci-tmp-XXXXXX")"
trap 'chmod -R u+w "$dir" 2>/dev/null; rm -rf "$dir"' EXIT
TMPDIR="$dir" "$@"
status=$?
if [ -n "$(ls -A "$dir")" ]; then
  echo "error: '$*' left $(ls -A "$dir" | wc -l) entries in the temp dir (shown two levels deep):" >&2
  (cd "$dir" && find . -mindepth 1 -maxdepth 2 | sort | sed 's|^\./|  |') >&2
  [ "$status" -eq 0 ] && status=1
fi
exit "$status"
