#!/bin/sh
# Promote: copy the exact image tag the previous environment runs into ENV's overlay, so the
# image that reaches prod is byte for byte the one tested before it. Commit the change through a
# pull request (the promote workflow does that for you).
#
#   scripts/promote.sh ENV
set -eu

usage() {
  echo "usage: $0 ENV   (ENV: staging | prod)" >&2
  exit 2
}
[ "$#" -eq 1 ] || usage
to=$1

# Environment order, fixed when the repository was generated.
case "$to" in
  staging) from=dev ;;
  prod) from=staging ;;
  *) usage ;;
esac

cd "$(dirname "$0")/.."
tag=$(./scripts/current-image-tag.sh "$from")
if [ "${#tag}" -ne 40 ] || [ -n "$(printf '%s' "$tag" | tr -d '0-9a-f')" ]; then
  echo "error: $from has no released image yet (its tag is '$tag'): merge to the default branch and let CI release first" >&2
  exit 1
fi
./scripts/set-image.sh "$to" "$tag" >/dev/null
echo "$from -> $to: $tag"
