#!/usr/bin/env bash
# The Backstage test stack (packages/backstage's own lockfile, ≈940 packages: the scaffolder backend,
# backend-test-utils with the Azure and AWS SDKs, database drivers, testcontainers) is installed into
# packages/backstage/node_modules for `npm run test:backstage` only, so that the root `npm ci` installs
# just the generator's tools (issue #30). Node finds the shared tools (vitest, execa, esbuild,
# TypeScript) in the root's node_modules above it.
#
# `npm ci` as the lockfile says, redone only when the lockfile changes (a stamp in node_modules), since
# npm ci always starts from an empty node_modules. Install scripts follow packages/backstage's
# allowScripts (better-sqlite3 would compile from source; the test backend uses pg-mem).
set -euo pipefail
cd "$(dirname "$0")/../packages/backstage"
stamp="$(sha256sum package-lock.json package.json | sha256sum | cut -c1-16)"
if [ "$(cat node_modules/.install-stamp 2>/dev/null)" != "$stamp" ]; then
  echo "installing the Backstage test stack into packages/backstage/node_modules"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$stamp" >node_modules/.install-stamp
fi
