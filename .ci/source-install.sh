#!/usr/bin/env bash
# Installs keyroll from source, as a user does before it is on the registry,
# into fresh temporary projects, and checks each install:
#   - the packed tarball (`npm pack`),
#   - a git URL (`npm install git+file://<clone>`: npm clones it, installs its
#     devDependencies and runs its `prepare` script, which builds dist/),
#   - a folder (`npm install <path-to-clone>`).
# For each: `npx keyroll --help`, an ESM import and a CJS require of every entry
# point (the core ones round-trip a value), and `tsc --strict` on a file that
# imports every entry point, both with module/moduleResolution nodenext and with
# node10 + commonjs without esModuleInterop. keyroll/drizzle needs drizzle-orm,
# as in an application that uses it: it is linked from this repository's
# node_modules, and the errors drizzle-orm's own .d.ts files give without
# skipLibCheck are set aside (every other error fails).
# Usage: .ci/source-install.sh [clone]   (default: this repository; it must have
# dist/ built, or its devDependencies installed so `prepare` can build it).
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
SRC="$(cd "${1:-$HERE}" && pwd)"
TSC="$HERE/node_modules/typescript/bin/tsc"
start=$SECONDS
tmp="$(mktemp -d -t keyroll-install.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
say() { echo "source-install: $* ($((SECONDS - start)) s)"; }
export npm_config_prefer_offline=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

tarball="$tmp/$(cd "$SRC" && npm pack --silent --pack-destination "$tmp" | tail -1)"

types() { # tsconfig, what: tsc --strict; only drizzle-orm's own .d.ts errors are set aside
  local out bad
  out="$(node "$TSC" -p "$1" 2>&1)" && return 0
  bad="$(grep -E '^[^ ]' <<<"$out" | grep -v '/drizzle-orm/' || true)"
  [ -z "$bad" ] || { echo "$bad"; echo "source-install: $name: tsc --strict ($2) failed" >&2; exit 1; }
}

check() { # name, npm install argument
  local name="$1" spec="$2" app="$tmp/app-$1" t0=$SECONDS
  mkdir -p "$app" && cd "$app"
  echo '{ "name": "app", "version": "1.0.0", "private": true }' > package.json
  npm install --silent "$spec" >"$tmp/$name.log" 2>&1 || { cat "$tmp/$name.log"; echo "source-install: npm install $spec failed" >&2; exit 1; }
  [ -f node_modules/keyroll/dist/index.js ] || { echo "source-install: $name: no dist/ in the installed package" >&2; exit 1; }
  local installed=$((SECONDS - t0))

  npx --no-install keyroll --help | grep -q 'Usage: keyroll' || { echo "source-install: $name: keyroll --help failed" >&2; exit 1; }
  mkdir -p node_modules/@types
  for t in node better-sqlite3; do ln -sfn "$HERE/node_modules/@types/$t" "node_modules/@types/$t"; done
  ln -sfn "$HERE/node_modules/drizzle-orm" node_modules/drizzle-orm
  cat > esm.mjs <<'JS'
import { Keyring, generateKey, KeyrollError } from 'keyroll';
import { testKeyring } from 'keyroll/testing';
import { issueToken } from 'keyroll/tokens';
import { reencryptAll } from 'keyroll/rotation';
import { sqliteStore } from 'keyroll/stores/sqlite';
import { postgresStore } from 'keyroll/stores/postgres';
import { encryptFile } from 'keyroll/stream';
import { encryptedColumns } from 'keyroll/drizzle';
import { fieldEncryption } from 'keyroll/prisma';
const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
const context = { table: 't', column: 'c', id: '1' };
if (ring.decryptString(ring.encrypt('hello', { context }), { context }) !== 'hello') throw new Error('round trip');
for (const f of [testKeyring, issueToken, reencryptAll, sqliteStore, postgresStore, encryptFile, encryptedColumns, fieldEncryption]) if (typeof f !== 'function') throw new Error('export');
if (!(new KeyrollError('ERR_IO', 'x') instanceof Error)) throw new Error('KeyrollError');
// keyroll/web: the node:crypto build under Node's `node` condition, reading what the Node edition wrote.
const { WebKeyring } = await import('keyroll/web');
if (!import.meta.resolve('keyroll/web').endsWith('/dist/web-node.js')) throw new Error('keyroll/web should resolve to dist/web-node.js on Node');
const web = WebKeyring.fromJSON(ring.export());
if ((await web.decryptString(ring.encrypt('hello', { context }), { context })) !== 'hello') throw new Error('keyroll/web round trip');
const { WebKeyring: WebCryptoKeyring } = await import('keyroll/web/webcrypto');
if ((await WebCryptoKeyring.fromJSON(ring.export()).decryptString(ring.encrypt('hello', { context }), { context })) !== 'hello') throw new Error('keyroll/web/webcrypto round trip');
JS
  node esm.mjs
  cat > cjs.cjs <<'JS'
const { Keyring, generateKey } = require('keyroll');
const { testKeyring } = require('keyroll/testing');
for (const entry of ['tokens', 'rotation', 'stream', 'stores/sqlite', 'stores/postgres', 'drizzle', 'prisma', 'web', 'web/webcrypto']) {
  if (Object.keys(require(`keyroll/${entry}`)).length === 0) throw new Error(`keyroll/${entry}: no exports`);
}
const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
if (ring.decryptString(ring.encrypt('hello')) !== 'hello') throw new Error('round trip');
if (testKeyring().encrypt('x').slice(0, 4) !== 'kr1.') throw new Error('testKeyring');
JS
  node cjs.cjs

  # Types, as a TypeScript user sees them (lib check on: .d.ts errors count).
  cat > index.ts <<'TS'
import { Keyring, generateKey, KeyrollError, type KeyrollErrorCode } from 'keyroll';
import { testKeyring } from 'keyroll/testing';
import { issueToken, verifyToken } from 'keyroll/tokens';
import { reencryptAll, refreshOnRead } from 'keyroll/rotation';
import { sqliteStore, type SqliteDatabase } from 'keyroll/stores/sqlite';
import { postgresStore } from 'keyroll/stores/postgres';
import { encryptFile, type EncryptStreamOptions } from 'keyroll/stream';
import { encryptedColumns } from 'keyroll/drizzle';
import { fieldEncryption } from 'keyroll/prisma';
import { WebKeyring } from 'keyroll/web';
import { WebKeyring as WebCryptoKeyring } from 'keyroll/web/webcrypto';
const ring: Keyring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
const text: string = ring.encrypt('hello');
export const pending: Promise<string> = WebKeyring.fromJSON(ring.export()).encrypt('hello');
const code: KeyrollErrorCode = 'ERR_IO';
export const used = [text, code, KeyrollError, testKeyring, issueToken, verifyToken, reencryptAll, refreshOnRead, sqliteStore, postgresStore, encryptFile, encryptedColumns, fieldEncryption, WebKeyring, WebCryptoKeyring];
export type Db = SqliteDatabase;
export type StreamOptions = EncryptStreamOptions;
TS
  echo '{ "compilerOptions": { "strict": true, "noEmit": true, "module": "nodenext", "moduleResolution": "nodenext", "target": "es2022", "types": ["node"] }, "files": ["index.ts"] }' > tsconfig.json
  echo '{ "compilerOptions": { "strict": true, "noEmit": true, "module": "commonjs", "moduleResolution": "node10", "target": "es2022", "types": ["node"], "ignoreDeprecations": "5.0" }, "files": ["index.ts"] }' > tsconfig.node10.json
  types tsconfig.json "nodenext"
  types tsconfig.node10.json "node10, commonjs, no esModuleInterop"
  say "$name: installed in ${installed} s; keyroll --help, ESM import, CJS require, tsc --strict (nodenext; node10 + commonjs) ok"
}

check tarball "$tarball"
check folder "$SRC"
check git "git+file://$SRC"
say "ok"
