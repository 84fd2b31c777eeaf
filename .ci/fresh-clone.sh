#!/usr/bin/env bash
# A new user's first hour, proven: clones the repository (its committed HEAD)
# into an empty temporary folder with nothing beside it, runs the README's
# quick-start commands exactly as written, and checks that
#  - `npm install && npm run demo` prints the demo and nothing of the build (no
#    npm warnings either),
#  - a second `npm run demo` does not rebuild,
#  - `npm test` passes (no test reads anything outside the clone); with
#    KEYROLL_FRESH_CLONE_NODES="22 24" (as .ci/run sets it) the suite runs on
#    those Nodes instead (.ci/node-matrix.sh), since CI already ran it on Node 20,
# then installs the package from that clone (tarball, git+file URL, folder)
# into fresh projects (.ci/source-install.sh).
# The npm cache is reused (prefer-offline); node_modules is never copied.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
start=$SECONDS
tmp="$(mktemp -d -t keyroll-fresh.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
say() { echo "fresh-clone: $* ($((SECONDS - start)) s)"; }

if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ]; then
  echo "fresh-clone: note: uncommitted changes in $ROOT are not part of the clone" >&2
fi
git clone --quiet --no-local "$ROOT" "$tmp/keyroll"
cd "$tmp/keyroll"
[ -z "$(ls -A "$tmp" | grep -vx keyroll)" ] || { echo "fresh-clone: $tmp is not empty besides the clone" >&2; exit 1; }

# The README's quick-start commands: the first ```sh block after "## Quick start".
mapfile -t commands < <(awk '
  /^## Quick start/ { inside = 1; next }
  inside && /^```sh/ { block = 1; next }
  block && /^```/ { exit }
  block { sub(/[ \t]+#.*$/, ""); if ($0 != "") print }
' README.md)
[ "${#commands[@]}" -eq 2 ] || { echo "fresh-clone: expected 2 quick-start commands in README.md, found ${#commands[@]}" >&2; exit 1; }
say "README commands: ${commands[0]} / ${commands[1]}"

export npm_config_prefer_offline=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

t0=$SECONDS
bash -c "${commands[0]}" >"$tmp/first.log" 2>&1 || { cat "$tmp/first.log"; echo "fresh-clone: '${commands[0]}' failed" >&2; exit 1; }
say "'${commands[0]}' took $((SECONDS - t0)) s"
# The demo's own output and npm's summary lines, nothing of the build and no
# npm warnings (the repository's .npmrc keeps npm to errors).
if grep -nE 'tsup|Build (start|success)|empty chunk|^(ESM|CJS|DTS) ' "$tmp/first.log"; then
  echo "fresh-clone: the output above shows build log lines" >&2
  exit 1
fi
if grep -n '^npm warn' "$tmp/first.log"; then
  echo "fresh-clone: the output above shows npm warnings" >&2
  exit 1
fi
grep -q '^Done in ' "$tmp/first.log" || { cat "$tmp/first.log"; echo "fresh-clone: the demo did not finish" >&2; exit 1; }
sed -n '/keyroll demo:/,$p' "$tmp/first.log" | sed 's/^/  | /' | head -8

stamp="$(sha256sum dist/.build-stamp) $(stat -c %y dist/.build-stamp)"
t0=$SECONDS
npm run demo --silent >"$tmp/second.log" 2>&1
[ "$stamp" = "$(sha256sum dist/.build-stamp) $(stat -c %y dist/.build-stamp)" ] || { echo "fresh-clone: the second demo rebuilt dist/" >&2; exit 1; }
say "second 'npm run demo' (no rebuild) took $((SECONDS - t0)) s"

# The installs from source (.ci/source-install.sh) run beside the suite: they
# wait on npm and the disk as much as on the CPU.
bash "$ROOT/.ci/source-install.sh" "$tmp/keyroll" >"$tmp/source-install.log" 2>&1 &
installs=$!
trap 'kill "$installs" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT

t0=$SECONDS
if [ -n "${KEYROLL_FRESH_CLONE_NODES:-}" ]; then
  # .ci/run has already run the README's `npm test` on the machine's Node in its
  # own checkout: here the same suite runs on the other supported Nodes, over
  # the clone with nothing beside it (one run per Node, not one more on Node 20).
  KEYROLL_MATRIX_REPO="$tmp/keyroll" bash "$ROOT/.ci/node-matrix.sh" $KEYROLL_FRESH_CLONE_NODES
  say "the suite on Node $KEYROLL_FRESH_CLONE_NODES took $((SECONDS - t0)) s"
else
  bash -c "${commands[1]}" >"$tmp/test.log" 2>&1 || {
    tail -60 "$tmp/test.log"
    echo "fresh-clone: '${commands[1]}' failed:" >&2
    sed 's/\x1b\[[0-9;]*m//g' "$tmp/test.log" | grep -E '^ FAIL ' | sort -u >&2 || true
    exit 1
  }
  # vitest colours its summary when CI or FORCE_COLOR is set: strip the escapes
  # first, and never let the summary lines decide the exit status.
  sed 's/\x1b\[[0-9;]*m//g' "$tmp/test.log" | grep -E '^ +(Test Files|Tests) ' | sed 's/^ */  /' || true
  say "'${commands[1]}' took $((SECONDS - t0)) s"
fi

if ! wait "$installs"; then
  cat "$tmp/source-install.log"
  echo "fresh-clone: the installs from source failed" >&2
  exit 1
fi
cat "$tmp/source-install.log"
say "ok"
