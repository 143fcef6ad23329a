#!/bin/sh
# Print the image tag an environment's overlay deploys (what scripts/set-image.sh last wrote), or with
# --digest the digest beside it: nothing before the first release, or in an overlay last released
# before digests were written.
#
#   scripts/current-image-tag.sh [--digest] ENV
set -eu

usage() {
  echo "usage: $0 [--digest] ENV" >&2
  exit 2
}
key=newTag
if [ "${1:-}" = "--digest" ]; then
  key=digest
  shift
fi
[ "$#" -eq 1 ] || usage
env_name=$1
cd "$(dirname "$0")/.."

case "$env_name" in
  '' | *[!a-z0-9-]* | -* | *-)
    echo "error: ENV '$env_name' is not an environment name (lowercase letters, digits and '-')" >&2
    exit 2
    ;;
esac
overlay="deploy/overlays/$env_name/kustomization.yaml"
if [ ! -f "$overlay" ]; then
  echo "error: unknown environment '$env_name': $overlay does not exist" >&2
  exit 2
fi

value=$(sed -n "s/^[[:space:]]*$key:[[:space:]]*\([^[:space:]#]*\).*\$/\1/p" "$overlay" | tr -d "\"'")
lines=$(grep -c "^[[:space:]]*$key:" "$overlay" || true)
if [ "$key" = newTag ] && { [ -z "$value" ] || [ "$lines" -ne 1 ]; }; then
  echo "error: $overlay must have exactly one 'newTag:' line" >&2
  exit 1
fi
if [ "$key" = digest ] && [ "$lines" -gt 1 ]; then
  echo "error: $overlay has $lines 'digest:' lines; expected at most 1" >&2
  exit 1
fi
[ -z "$value" ] || printf '%s\n' "$value"
