#!/usr/bin/env node
/**
 * Builds dist/ with tsup.
 *
 *   node scripts/build.mjs               build, with tsup's log
 *   node scripts/build.mjs --if-stale    build only when the sources changed since the last build
 *   node scripts/build.mjs --quiet       print nothing unless the build fails
 *
 * The last build's inputs are recorded in dist/.build-stamp as one SHA-256 over
 * every file under src/ and the build configuration (contents, not times, so a
 * checkout or a copy never fools it). `npm install`, `npm run demo` and
 * `npm test` use `--if-stale --quiet`: when dist/ is current they cost a few
 * milliseconds and print nothing.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stampFile = join(root, 'dist', '.build-stamp');
const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const ifStale = args.has('--if-stale');
const CONFIG = ['package.json', 'package-lock.json', 'tsup.config.ts', 'tsconfig.json', 'scripts/build.mjs'];

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

function inputsHash() {
  const hash = createHash('sha256');
  const inputs = [...filesUnder(join(root, 'src')), ...CONFIG.map((f) => join(root, f)).filter((f) => existsSync(f))];
  for (const file of inputs.map((f) => relative(root, f)).sort()) {
    hash.update(`${file}\0`).update(readFileSync(join(root, file))).update('\0');
  }
  return hash.digest('hex');
}

function current(hash) {
  if (!existsSync(stampFile)) return false;
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    return stamp.inputs === hash && stamp.outputs.every((f) => existsSync(join(root, 'dist', f)));
  } catch {
    return false;
  }
}

const hash = inputsHash();
if (ifStale && current(hash)) process.exit(0);

let tsup;
try {
  tsup = createRequire(join(root, 'package.json')).resolve('tsup/dist/cli-default.js');
} catch {
  console.error(
    'keyroll: cannot build dist/: tsup is not installed. Run `npm install` in the repository first ' +
      '(it installs the build tools and builds the package).',
  );
  process.exit(1);
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const env = { ...process.env, npm_package_version: process.env.npm_package_version ?? pkg.version };
const result = spawnSync(process.execPath, [tsup, ...(quiet ? ['--silent'] : [])], {
  cwd: root,
  env,
  stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  encoding: 'utf8',
});
if (result.status !== 0) {
  if (quiet) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  console.error(`keyroll: the build failed (tsup exited with ${result.status ?? result.signal}).`);
  process.exit(1);
}
const outputs = filesUnder(join(root, 'dist')).map((f) => relative(join(root, 'dist'), f));
writeFileSync(stampFile, `${JSON.stringify({ inputs: hash, outputs })}\n`);
