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
type Conditions = Record<string, string>;
const subpaths = Object.keys(pkg.exports).filter((s) => s !== './package.json');
/** Subpaths that give another subpath's build on every runtime. */
const SAME_BUILD_AS: Record<string, string> = { './web/webcrypto': 'web' };
/** Runtime conditions before `default`: each picks another build of the same API (docs/runtimes.md). */
const RUNTIME_CONDITIONS = ['node', 'workerd', 'browser', 'worker'];

describe('package.json exports', () => {
  it.each(subpaths)('%s: types first, default last, ESM and CJS, built by tsup, documented, node10-reachable', (subpath) => {
    const entry = pkg.exports[subpath] as { import: Conditions; require: Conditions };
    expect(Object.keys(entry)).toEqual(['import', 'require']);
    const name = SAME_BUILD_AS[subpath] ?? (subpath === '.' ? 'index' : subpath.slice(2));
    for (const [form, js, dts] of [['import', 'js', 'd.ts'], ['require', 'cjs', 'd.cts']] as const) {
      const conditions = entry[form];
      const keys = Object.keys(conditions);
      expect(keys[0], form).toBe('types');
      expect(keys.at(-1), form).toBe('default');
      // One set of types for every condition: the builds behind them have the same API.
      expect(conditions['types']).toBe(`./dist/${name}.${dts}`);
      expect(conditions['default']).toBe(`./dist/${name}.${js}`);
      for (const key of keys.slice(1, -1)) {
        expect(RUNTIME_CONDITIONS, `${subpath} ${form}`).toContain(key);
        const build = new RegExp(`^\\./dist/([\\w-]+)\\.${js}$`).exec(conditions[key]!)?.[1];
        expect(build && entries[build], `${subpath} ${form}.${key}: ${conditions[key]} is not a tsup entry`).toBeDefined();
      }
      for (const file of Object.values(conditions)) expect(existsSync(join(root, file)), `${file} (npm test builds dist/ first)`).toBe(true);
    }
    const source = entries[name];
    expect(source, `tsup.config.ts has no entry "${name}"`).toBeDefined();
    expect(typedoc.entryPoints, 'typedoc.json entryPoints').toContain(source);
    if (subpath !== '.') expect(pkg.typesVersions?.['*']?.[subpath.slice(2)], `typesVersions["*"]["${subpath.slice(2)}"]`).toEqual([`./dist/${name}.d.ts`]);
  });

  it('has no runtime dependencies: drivers are optional peers, @noble/* is bundled into keyroll/tokens', () => {
    expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
  });

  it('installs from source: a prepare script builds dist/, and the README names the repository it points to', () => {
    const meta = pkg as unknown as { scripts: Record<string, string>; repository: { url: string }; homepage: string; bugs: { url: string }; bin: Record<string, string> };
    expect(meta.scripts['prepare']).toMatch(/^node scripts\/build\.mjs /);
    const repo = meta.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
    expect(meta.homepage.startsWith(repo)).toBe(true);
    expect(meta.bugs.url).toBe(`${repo}/issues`);
    expect(meta.bin).toEqual({ keyroll: './dist/cli.js' });
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`npm install ${meta.repository.url}`);
    expect(readme).toContain('npx keyroll --help');
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
