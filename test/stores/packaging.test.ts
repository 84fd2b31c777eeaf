/** Drivers stay optional: the built entry points never import one statically. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIST = join(import.meta.dirname, '..', '..', 'dist');
const DRIVERS = ['better-sqlite3', 'pg', '@electric-sql/pglite', 'drizzle-orm', '@prisma/client'];

/** Every file reachable from `entry` through static imports, and the bare packages they import. */
function graph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/(?:^|[;\n])\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]|\brequire\(['"]([^'"]+)['"]\)/g)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('packaging', () => {
  it.each(['index.js', 'index.cjs', 'rotation.js', 'rotation.cjs', 'stores/sqlite.js', 'stores/postgres.js', 'stores/sqlite.cjs', 'stores/postgres.cjs'])('%s imports no database driver statically', (entry) => {
    const { files, packages } = graph(join(DIST, entry));
    expect(files.size).toBeGreaterThan(1);
    // The scanner does see bare imports (crypto is one of them), so the absence of drivers means something.
    if (!entry.includes('postgres')) expect(packages.has('crypto') || packages.has('node:crypto')).toBe(true);
    for (const driver of DRIVERS) expect([...packages]).not.toContain(driver);
  });

  it.each(['drizzle.js', 'drizzle.cjs'])('%s imports drizzle-orm (an optional peer) and no database driver', (entry) => {
    const { packages } = graph(join(DIST, entry));
    expect([...packages].some((p) => p.startsWith('drizzle-orm'))).toBe(true);
    for (const driver of DRIVERS.filter((d) => d !== 'drizzle-orm')) expect([...packages]).not.toContain(driver);
  });

  it.each(['prisma.js', 'prisma.cjs'])('%s loads no Prisma package and no driver (it works on the client it is given)', (entry) => {
    const { packages } = graph(join(DIST, entry));
    for (const driver of DRIVERS) expect([...packages]).not.toContain(driver);
    expect([...packages].some((p) => p.startsWith('@prisma/'))).toBe(false);
  });

  it('the root entry offers the lazy helper', async () => {
    const root = (await import(join(DIST, 'index.js'))) as Record<string, unknown>;
    expect(typeof root['readAndRefresh']).toBe('function');
    expect(typeof root['refreshOnRead']).toBe('function');
    expect(root['reencryptAll']).toBeUndefined();
  });
});
