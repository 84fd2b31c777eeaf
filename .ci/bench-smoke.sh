#!/usr/bin/env bash
# CI smoke of the benchmark: `npm run bench -- --quick` must run to the end
# and print its tables. It checks that the bench RUNS, never how fast:
# benchmarks are not timed tests (docs/performance.md holds real numbers).
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -t keyroll-bench.XXXXXX)"
trap 'rm -f "$out"' EXIT

timeout 300 npm run bench --silent -- --quick >"$out" 2>&1 || {
  echo "bench-smoke: 'npm run bench -- --quick' failed:" >&2
  tail -40 "$out" >&2
  exit 1
}
for heading in '## 64 B' '## 1 MiB' '## Round trip, ratio to raw GCM' '## Per-message overhead' 'peak RSS of this process' 'memory (binary form' '### On Node' '### In Chromium'; do
  if ! grep -qF -- "$heading" "$out"; then
    echo "bench-smoke: the quick bench printed no '$heading'" >&2
    tail -40 "$out" >&2
    exit 1
  fi
done
# CI has Chromium (.ci/run installs it): there the WebCrypto edition's bench must have run in it.
if [ "${CI:-}" = "true" ] && grep -q '^skipped: no ' "$out"; then
  echo "bench-smoke: CI=true but the Chromium bench was $(grep '^skipped: no ' "$out")" >&2
  exit 1
fi
echo "bench-smoke: the quick bench ran ($(grep -c '^|' "$out") table rows)"
