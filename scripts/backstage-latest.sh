#!/usr/bin/env bash
# The second Backstage matrix entry: the latest published backend line (scaffolder-backend 4.3 with
# scaffolder-node 1.0), installed as an adopter's backend would install it, with this repository's
# Backstage package packed (`npm pack`) and installed beside it; then the HTTP test
# (packages/backstage/test/backend.test.ts) runs against that install. The first entry is the
# package's own line (packages/backstage's devDependencies), run by `npm run test:backstage`.
#
# Cached in the git-ignored .tools/backstage-latest: the install is redone only when the pinned
# versions or the package's dependencies change (a stamp); a warm run unpacks the fresh tarball over
# the installed copy, exactly as npm would unpack it, and reinstalls nothing.
# No install scripts run (--ignore-scripts): better-sqlite3 would compile from source, and the test
# backend's database is pg-mem (plain JavaScript, from packages/backstage's install, which
# scripts/backstage-install.sh makes) anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.tools/backstage-latest
# Pinned: the latest line as published. Raise these to move the entry.
versions='"@backstage/plugin-scaffolder-backend": "4.3.0", "@backstage/plugin-scaffolder-node": "1.0.0", "@backstage/backend-plugin-api": "1.12.0"'
# The harness, added after the adopter's install: scaffolder-node 1.0.0 declares an optional peer
# @backstage/backend-test-utils ^1.12.0, which is not published (1.11.7 is the latest), so npm refuses
# it without --legacy-peer-deps. An adopter's backend does not install it.
test_utils="@backstage/backend-test-utils@1.11.7"
mkdir -p "$dir"
[ -f dist/index.js ] || npm run build --silent
bash scripts/backstage-install.sh
npm --prefix packages/backstage run build --silent >/dev/null
tarball="$(cd packages/backstage && npm pack --pack-destination "../../$dir" --silent | tail -1)"
stamp="$(printf '%s\n' "$versions" "$test_utils" "$(node -p 'JSON.stringify(require("./packages/backstage/package.json").dependencies)')" | sha256sum | cut -c1-16)"
if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -d "$dir/node_modules/@create-gitops-go-service/backstage" ]; then
  echo "installing the latest Backstage backend line into $dir"
  rm -rf "$dir/node_modules" "$dir/package-lock.json"
  cat >"$dir/package.json" <<EOF
{ "private": true, "dependencies": { $versions, "@create-gitops-go-service/backstage": "file:./$tarball" } }
EOF
  # As an adopter installs it: plain npm, no flags. Then one copy of each Backstage package, or fail.
  (cd "$dir" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error)
  for p in @backstage/plugin-scaffolder-node @backstage/backend-plugin-api; do
    copies="$(cd "$dir" && npm ls "$p" --all --parseable | sort -u | wc -l)"
    [ "$copies" = 1 ] || { echo "error: $copies copies of $p in $dir" >&2; (cd "$dir" && npm ls "$p" --all) >&2; exit 1; }
  done
  (cd "$dir" && npm install --no-save --no-audit --no-fund --ignore-scripts --legacy-peer-deps --loglevel=error "$test_utils")
  echo "$stamp" >"$dir/.stamp"
else
  # Warm: the dependencies are unchanged; put the fresh build in place as npm unpacks a tarball.
  target="$dir/node_modules/@create-gitops-go-service/backstage"
  rm -rf "$target" && mkdir -p "$target"
  tar -xzf "$dir/$tarball" -C "$target" --strip-components=1
fi
BACKSTAGE_LINE="$PWD/$dir" npx vitest run --project backstage packages/backstage/test/backend.test.ts
