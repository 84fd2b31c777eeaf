/**
 * keyroll/tokens bundles @noble/* (so users need no extra dependency) and the
 * core never loads it. Checks the built dist (npm test builds it first).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = new URL('../../dist/', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, unknown>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

/** Every file an entry loads, following relative imports and requires. */
function closure(entry: string): string[] {
  const seen = new Set<string>();
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(new URL(file, dist), 'utf8');
    for (const m of text.matchAll(/(?:from\s*|import\s*\(?\s*|require\()\s*["']\.\/([^"']+)["']/g)) walk(m[1]!);
  };
  walk(entry);
  return [...seen];
}

describe('packaging of keyroll/tokens', () => {
  it('is built', () => {
    expect(existsSync(new URL('tokens.js', dist)), 'run `npx tsup` (npm test builds it)').toBe(true);
  });

  it('exports ./tokens types-first for import and require', () => {
    expect(pkg.exports['./tokens']).toEqual({
      import: { types: './dist/tokens.d.ts', default: './dist/tokens.js' },
      require: { types: './dist/tokens.d.cts', default: './dist/tokens.cjs' },
    });
  });

  it('keeps @noble out of dependencies and out of the core entry, bundled into tokens', () => {
    expect(Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@noble/'))).toEqual([]);
    expect(Object.keys(pkg.devDependencies ?? {})).toContain('@noble/ciphers');
    for (const entry of ['index.js', 'index.cjs', 'testing.js', 'testing.cjs']) {
      const files = closure(entry);
      expect(files.filter((f) => /@noble|xchacha/.test(readFileSync(new URL(f, dist), 'utf8'))), entry).toEqual([]);
    }
    for (const entry of ['tokens.js', 'tokens.cjs']) {
      const text = closure(entry).map((f) => readFileSync(new URL(f, dist), 'utf8')).join('\n');
      expect(text).toMatch(/xchacha/);
      // The MIT notices of the bundled code travel with it.
      expect(text).toMatch(/noble-ciphers - MIT License/);
      expect(text).toMatch(/noble-hashes - MIT License/);
      // Bundled, not imported: no bare @noble specifier is left for a user's resolver.
      expect(text).not.toMatch(/(?:from\s*|require\()\s*["']@noble\//);
    }
  });

  it('loads and round-trips from both the ESM and the CJS build', () => {
    const script = (load: string) => `${load}
const { Keyring } = core; const ring = Keyring.create({ keys: [{ id: 'k1', secret: 'a-sixteen-byte-secret' }] });
const t = tokens.issueToken(ring, { a: 1 }, { expiresIn: 60 });
process.stdout.write(String(tokens.verifyToken(ring, t).a));`;
    const cwd = fileURLToPath(dist);
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', script("const core = await import('./index.js'); const tokens = await import('./tokens.js');")], { cwd });
    const cjs = execFileSync(process.execPath, ['-e', script("const core = require('./index.cjs'); const tokens = require('./tokens.cjs');")], { cwd });
    expect(esm.toString()).toBe('1');
    expect(cjs.toString()).toBe('1');
  });
});
