#!/bin/sh
# Promote: copy the exact image the previous environment runs (its tag and its digest) into ENV's
# overlay, so the image that reaches prod is byte for byte the one tested before it. Commit the
# change through a pull request (the promote workflow does that for you).
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
# The digest goes with the tag: a tag alone could be moved in the registry between the two environments.
digest=$(./scripts/current-image-tag.sh --digest "$from")
if [ -z "$digest" ]; then
  how="release to dev once more,"
  [ "$from" = dev ] || how="$how promote that release to $from,"
  echo "error: $from runs $tag but its overlay records no digest (it was released before digests were written): $how then promote again" >&2
  exit 1
fi
./scripts/set-image.sh "$to" "$tag" "$digest" >/dev/null
echo "$from -> $to: $tag"
