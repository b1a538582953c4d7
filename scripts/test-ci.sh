#!/usr/bin/env bash
# npm run test:ci: everything the tests need on a Debian or Ubuntu machine, then the tests. .ci/run calls it.
#   1. npm ci, when node_modules is missing or older than package-lock.json (it also brings the Node 24 the tests run on);
#   2. the Debian packages the tests start (docker-registry, tinyproxy, wine64) and the Windows build of Node, when missing;
#   3. npm test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -e node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci
fi
npx --no-install tsx scripts/test-machine.ts --prepare
npm test
