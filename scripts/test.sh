#!/usr/bin/env bash
# What `npm test` runs: type-check and compile everything (src + tests into build/), build dist/
# (the e2e tests run the built CLI), lint, then every test tier that exists, against a real etcd.
# Stops at the first failing step with its exit code.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin

rm -rf build
"$bin/tsc" -p tsconfig.json

# The Go interop program takes a minute or two to compile cold; build it once here, outside any
# test's timeout (the tests reuse the cached binary; without Go they skip, or fail under CI=true).
# It compiles in the background while dist/ is built and the code is linted, in its own process
# group so that a failing step stops the compiler too.
setsid node --input-type=module -e "const { goInteropProgram } = await import('./build/test/helpers/go-build.js'); const p = await goInteropProgram(); console.log(p.skip ?? 'test.sh: Go interop program ready: ' + p.binary);" &
go_build=$!
trap 'kill -- -"$go_build" 2>/dev/null || true' EXIT

"$bin/tsc" -p tsconfig.build.json
"$bin/eslint" .
wait "$go_build"
trap - EXIT

dirs=()
for tier in unit contract integration e2e faults; do
  if [ -d "build/test/$tier" ]; then dirs+=("build/test/$tier"); fi
done
if [ "${#dirs[@]}" -eq 0 ]; then
  echo "test.sh: no compiled tests under build/test" >&2
  exit 1
fi

# Two files at a time: each starts its own etcd (or 3-node cluster) on free loopback ports.
# The timeout is per test and generous: it only stops a hung test, it is not a performance bound.
node --test --test-concurrency=2 --test-timeout=180000 "${dirs[@]}"
