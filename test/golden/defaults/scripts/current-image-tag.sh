#!/bin/sh
# Print the image tag an environment's overlay deploys (what scripts/set-image.sh last wrote).
#
#   scripts/current-image-tag.sh ENV
set -eu

if [ "$#" -ne 1 ]; then
  echo "usage: $0 ENV" >&2
  exit 2
fi
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

tag=$(sed -n 's/^[[:space:]]*newTag:[[:space:]]*\([^[:space:]#]*\).*$/\1/p' "$overlay" | tr -d "\"'")
if [ -z "$tag" ] || [ "$(printf '%s\n' "$tag" | wc -l)" -ne 1 ]; then
  echo "error: $overlay must have exactly one 'newTag:' line" >&2
  exit 1
fi
printf '%s\n' "$tag"
