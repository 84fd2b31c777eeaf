#!/usr/bin/env bash
# Packs keyroll exactly as `npm publish` would and checks the tarball:
#  - publint --strict (package.json fields, exports, files),
#  - @arethetypeswrong/cli on every entry point of `exports`, for TypeScript's
#    node10, node16 (ESM and CJS importers) and bundler resolution,
#  - every subpath imports and requires in plain Node, with the same named
#    exports, and the `keyroll` bin runs (the tarball installed offline into
#    a scratch project).
# Needs dist/ (npm test builds it; this script builds it if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d -t keyroll-pack.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
[ -f dist/index.js ] || npm run build --silent

tarball="$tmp/$(npm pack --silent --pack-destination "$tmp" | tail -1)"
echo "package-check: $(basename "$tarball"), $(du -k "$tarball" | cut -f1) kB packed"

npx --no-install publint run "$tarball" --strict
npx --no-install attw "$tarball" --profile strict --format table --no-emoji --no-color

# Runtime check: each export subpath loads in ESM and CJS and exposes named exports.
mkdir -p "$tmp/app" && cd "$tmp/app"
echo '{ "name": "keyroll-package-check", "private": true, "type": "module" }' > package.json
# Optional peers that an entry point needs (keyroll/drizzle needs drizzle-orm), from the npm cache.
peers=(); for peer in drizzle-orm; do peers+=("$peer@$(node -p "require('$OLDPWD/node_modules/$peer/package.json').version")"); done
npm install --silent --offline --no-audit --no-fund --no-save --ignore-scripts "$tarball" "${peers[@]}" >/dev/null
node --input-type=module -e '
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync("node_modules/keyroll/package.json", "utf8"));
let failed = 0;
for (const sub of Object.keys(pkg.exports)) {
  if (sub.endsWith(".json")) continue;
  const spec = "keyroll" + sub.slice(1);
  const esm = Object.keys(await import(spec)).sort();
  const cjs = Object.keys(require(spec)).filter((k) => k !== "__esModule").sort();
  const same = esm.length > 0 && JSON.stringify(esm) === JSON.stringify(cjs);
  if (!same) failed++;
  console.log(`package-check: ${spec.padEnd(24)} ESM ${esm.length} / CJS ${cjs.length} exports${same ? "" : "  MISMATCH"}`);
}
process.exit(failed ? 1 : 0);
'
# The bin installed from the tarball runs (shebang, executable bit, bundled deps).
./node_modules/.bin/keyroll --help >/dev/null
echo "package-check: bin keyroll runs; unpacked install $(du -sk --apparent-size node_modules | cut -f1) kB in $(find node_modules -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l) package(s)"
echo "package-check: ok"
