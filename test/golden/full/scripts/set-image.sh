#!/bin/sh
# Write an image tag into one environment's overlay: the only way a tag gets into Git.
# CI runs it after each release (first environment) and promotion runs it for the others, so every
# overlay holds a full commit SHA that CI built, pushed and signed; nobody edits tags by hand.
#
#   scripts/set-image.sh ENV TAG      e.g. scripts/set-image.sh dev 0123456789abcdef0123456789abcdef01234567
#
# Changes exactly one line (the overlay's `newTag:`) and no other file. Exit 2 on bad input.
set -eu

usage() {
  echo "usage: $0 ENV TAG   (ENV: a directory under deploy/overlays; TAG: a full 40-character commit SHA)" >&2
  exit 2
}

[ "$#" -eq 2 ] || usage
env_name=$1
tag=$2

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
  known=""
  for dir in deploy/overlays/*/; do
    [ -d "$dir" ] && known="$known $(basename "$dir")"
  done
  echo "environments:${known:- none}" >&2
  exit 2
fi

# Only an immutable, full commit SHA: never `latest`, a short SHA or a branch name.
if [ "${#tag}" -ne 40 ] || [ -n "$(printf '%s' "$tag" | tr -d '0-9a-f')" ]; then
  echo "error: TAG '$tag' is not a full commit SHA (exactly 40 lowercase hex characters)" >&2
  exit 2
fi

count=$(grep -c '^[[:space:]]*newTag:' "$overlay" || true)
if [ "$count" -ne 1 ]; then
  echo "error: $overlay has $count 'newTag:' lines; expected exactly 1" >&2
  exit 1
fi

# Keep indentation and any trailing comment; quote the tag, because an all-digit SHA (or one like
# 123e45...) would otherwise be read by YAML as a number.
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
sed "s/^\([[:space:]]*newTag:[[:space:]]*\)[^[:space:]#]*/\1\"$tag\"/" "$overlay" >"$tmp"
# Write through the existing file so its mode and ownership stay as they were.
cat "$tmp" >"$overlay"
echo "$overlay: newTag $tag"
