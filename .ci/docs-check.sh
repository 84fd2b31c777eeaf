#!/usr/bin/env bash
# Fails when the committed API reference (docs/api/, made by `npm run docs:api`)
# differs from what typedoc generates from src/ now, or when an export of an
# entry point has no TSDoc @example. typedoc.json turns off everything that
# would differ between two runs on the same source (git revision links, source
# links, generator banner, highlighting classes), so a diff means a real change.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d -t keyroll-docs.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

npx --no-install typedoc --out "$tmp/api" --json "$tmp/api.json" --logLevel Warn
if ! diff -r docs/api "$tmp/api" >"$tmp/diff.txt"; then
  echo "docs-check: docs/api/ is out of date with src/. Run 'npm run docs:api' and commit docs/api/." >&2
  head -40 "$tmp/diff.txt" >&2
  exit 1
fi
node .ci/tsdoc-examples.mjs "$tmp/api.json"
echo "docs-check: docs/api/ is up to date; every export has an @example"
