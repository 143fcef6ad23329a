#!/bin/sh
# Write an image into one environment's overlay: the only way a tag and a digest get into Git.
# CI runs it after each release (first environment) and promotion runs it for the others, so every
# overlay holds a full commit SHA that CI built, and the digest of what CI pushed and signed under it;
# nobody edits them by hand. Kustomize renders the pair as <image>:<SHA>@<digest>: the SHA says which
# commit runs, the digest is what is pulled, so whoever can move the tag in the registry cannot change it.
#
#   scripts/set-image.sh ENV TAG DIGEST
#   e.g. scripts/set-image.sh dev 0123456789abcdef0123456789abcdef01234567 sha256:<64 hex characters>
#
# Changes the overlay's `newTag:` line and its `digest:` line (added right after newTag by the first
# release that has one) and nothing else. Exit 2 on bad input.
set -eu

usage() {
  echo "usage: $0 ENV TAG DIGEST   (ENV: a directory under deploy/overlays; TAG: a full 40-character commit SHA; DIGEST: sha256:<64 hex characters>, the digest CI pushed)" >&2
  exit 2
}

# A value as an error shows it: unprintable characters as '?', at most 80 characters.
shown() {
  s=$(printf '%s' "$1" | tr -c '[:print:]' '?')
  if [ "${#s}" -gt 80 ]; then
    s="$(printf '%s' "$s" | cut -c1-77)..."
  fi
  printf '%s' "$s"
}

[ "$#" -eq 3 ] || usage
env_name=$1
tag=$2
digest=$3

cd "$(dirname "$0")/.."

case "$env_name" in
  '' | *[!a-z0-9-]* | -* | *-)
    echo "error: ENV '$(shown "$env_name")' is not an environment name (lowercase letters, digits and '-')" >&2
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
  echo "error: TAG '$(shown "$tag")' is not a full commit SHA (exactly 40 lowercase hex characters)" >&2
  exit 2
fi
# Only the sha256 digest the registry returned for the push, written as registries print it.
hex=${digest#sha256:}
if [ "$hex" = "$digest" ] || [ "${#hex}" -ne 64 ] || [ -n "$(printf '%s' "$hex" | tr -d '0-9a-f')" ]; then
  echo "error: DIGEST '$(shown "$digest")' is not an image digest ('sha256:' followed by exactly 64 lowercase hex characters)" >&2
  exit 2
fi

count=$(grep -c '^[[:space:]]*newTag:' "$overlay" || true)
if [ "$count" -ne 1 ]; then
  echo "error: $overlay has $count 'newTag:' lines; expected exactly 1" >&2
  exit 1
fi
digests=$(grep -c '^[[:space:]]*digest:' "$overlay" || true)
if [ "$digests" -gt 1 ]; then
  echo "error: $overlay has $digests 'digest:' lines; expected at most 1" >&2
  exit 1
fi

# Keep indentation and any trailing comment; quote both values, because an all-digit SHA (or one like
# 123e45...) would otherwise be read by YAML as a number. An overlay without a digest line (before the
# first release, or released before digests were written) gets one, indented like newTag, right after it.
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
awk -v tag="$tag" -v digest="$digest" -v add="$((1 - digests))" '
  function set(line, value,   key, rest) {
    match(line, /^[[:space:]]*[A-Za-z]+:[[:space:]]*/)
    key = substr(line, 1, RLENGTH)
    rest = substr(line, RLENGTH + 1)
    sub(/^[^[:space:]#]*/, "", rest)
    return key "\"" value "\"" rest
  }
  /^[[:space:]]*newTag:/ {
    print set($0, tag)
    if (add) {
      match($0, /^[[:space:]]*/)
      print substr($0, 1, RLENGTH) "digest: \"" digest "\""
    }
    next
  }
  /^[[:space:]]*digest:/ { print set($0, digest); next }
  { print }
' "$overlay" >"$tmp"
# Write through the existing file so its mode and ownership stay as they were.
cat "$tmp" >"$overlay"
echo "$overlay: newTag $tag, digest $digest"
