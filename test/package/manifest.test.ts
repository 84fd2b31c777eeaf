/**
 * Package hygiene that must not drift as entry points are added: every
 * `exports` subpath is built by tsup, documented by typedoc, reachable by
 * TypeScript's node10 resolution (typesVersions) and lists `types` first; the
 * root entry never loads a database driver or @noble/*; nothing is a runtime
 * dependency. The full check of the packed tarball (publint, attw) is
 * .ci/package-check.sh; this is the fast guard that runs with `npm test`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import tsupConfig from '../../tsup.config.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  typesVersions?: Record<string, Record<string, string[]>>;
  dependencies?: Record<string, string>;
  files: string[];
};
const typedoc = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };
const entries = (tsupConfig as { entry: Record<string, string> }).entry;
type Conditions = { types: string; default: string };
const subpaths = Object.keys(pkg.exports).filter((s) => s !== './package.json');

describe('package.json exports', () => {
  it.each(subpaths)('%s: types first, ESM and CJS, built by tsup, documented, node10-reachable', (subpath) => {
    const entry = pkg.exports[subpath] as { import: Conditions; require: Conditions };
    expect(Object.keys(entry)).toEqual(['import', 'require']);
    expect(Object.keys(entry.import)[0]).toBe('types');
    expect(Object.keys(entry.require)[0]).toBe('types');
    const name = subpath === '.' ? 'index' : subpath.slice(2);
    expect(entry.import).toEqual({ types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` });
    expect(entry.require).toEqual({ types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` });
    const source = entries[name];
    expect(source, `tsup.config.ts has no entry "${name}"`).toBeDefined();
    expect(typedoc.entryPoints, 'typedoc.json entryPoints').toContain(source);
    if (subpath !== '.') expect(pkg.typesVersions?.['*']?.[name], `typesVersions["*"]["${name}"]`).toEqual([`./dist/${name}.d.ts`]);
    for (const file of [entry.import.types, entry.import.default, entry.require.types, entry.require.default]) {
      expect(existsSync(join(root, file)), `${file} (npm test builds dist/ first)`).toBe(true);
    }
  });

  it('has no runtime dependencies: drivers are optional peers, @noble/* is bundled into keyroll/tokens', () => {
    expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
  });

  it('ships only dist/ and the docs files', () => {
    expect(pkg.files.filter((f) => !f.startsWith('!')).sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'dist'].sort());
  });
});

describe('the root entry stays small', () => {
  /** Every module dist/index.js loads, following its relative imports (the chunks). */
  function closure(file: string, seen = new Set<string>()): Set<string> {
    if (seen.has(file)) return seen;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/(?:from|import)\s*\(?\s*["'](\.[^"']+)["']/g)) closure(join(dirname(file), m[1]!), seen);
    return seen;
  }

  it.each(['index.js', 'testing.js'])('dist/%s never imports a database driver, @noble/* or node:sqlite', (entry) => {
    const files = [...closure(join(root, 'dist', entry))];
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const specifiers = [...readFileSync(file, 'utf8').matchAll(/(?:from|import|require)\s*\(?\s*["']([^"'.][^"']*)["']/g)].map((m) => m[1]!);
      const bad = specifiers.filter((s) => /^(better-sqlite3|pg|@electric-sql\/|@noble\/|node:sqlite)/.test(s));
      expect(bad, file).toEqual([]);
    }
  });
});
