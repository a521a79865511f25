#!/usr/bin/env bash
# The CMake build (cmake-js, offline: node-api-headers from node_modules) of the same
# sources as binding.gyp, proved by running the quick start and a few test files against
# it. It lands in build/Release, where node-gyp's build was; the package check after it
# rebuilds that with node-gyp (prebuildify), which is what users get. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "cmake-check: npm run build:cmake"
npm run --silent build:cmake
node examples/quickstart.mjs | grep -q '^uid=0(root)' || { echo "cmake-check: the quick start did not run on the CMake build"; exit 1; }
node node_modules/vitest/vitest.mjs run --configLoader native \
  test/unit/bootstrap-codec.test.ts test/integration/basics.test.ts test/integration/lifecycle.test.ts test/integration/files.test.ts
echo "cmake-check: ok"
