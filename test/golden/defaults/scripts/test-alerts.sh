#!/bin/sh
# Check and unit-test every environment's SLO alerts with promtool (the Prometheus rule linter and
# test runner): `promtool check rules` on the rules, then `promtool test rules` on
# deploy/monitoring/tests/<environment>.yaml. `make test-alerts` and CI run it.
#
#   scripts/test-alerts.sh            every environment with deploy/overlays/<env>/prometheusrule.yaml
#   PROMTOOL="go run github.com/prometheus/prometheus/cmd/promtool@v0.316.0" scripts/test-alerts.sh
#
# promtool reads plain rule files, not the PrometheusRule object around them: the rules are its `spec`,
# which this script cuts out (everything under the top-level `spec:` key, de-indented by two spaces;
# the file is generated in that shape). Exit 1 when a check or a test fails, 2 when there is nothing
# to test or promtool is missing.
set -eu

cd "$(dirname "$0")/.."
promtool=${PROMTOOL:-promtool}
# Word splitting is wanted: PROMTOOL may be a command with arguments (go run ...).
# shellcheck disable=SC2086
if ! $promtool --version >/dev/null 2>&1; then
  echo "error: '$promtool' does not run: install promtool (it ships with Prometheus) or set PROMTOOL" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
tested=0
for rule in deploy/overlays/*/prometheusrule.yaml; do
  [ -f "$rule" ] || continue
  env_name=$(basename "$(dirname "$rule")")
  tests="deploy/monitoring/tests/$env_name.yaml"
  if [ ! -f "$tests" ]; then
    echo "error: $rule has no unit tests: $tests does not exist" >&2
    status=1
    continue
  fi
  mkdir "$work/$env_name"
  awk '/^spec:/ { inside = 1; next } inside && /^[^ #]/ { inside = 0 } inside { sub(/^  /, ""); print }' "$rule" >"$work/$env_name/rules.yaml"
  cp "$tests" "$work/$env_name/test.yaml"
  echo "== $env_name"
  # shellcheck disable=SC2086
  $promtool check rules --lint=all --lint-fatal "$work/$env_name/rules.yaml" || status=1
  # shellcheck disable=SC2086
  $promtool test rules "$work/$env_name/test.yaml" || status=1
  tested=$((tested + 1))
done

if [ "$tested" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "error: no deploy/overlays/*/prometheusrule.yaml to test" >&2
  exit 2
fi
exit "$status"
