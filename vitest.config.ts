import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The examples have their own package.json (they depend on keyroll by path, as an
// application would), so a bare `keyroll` import there is not a self-reference:
// resolve `keyroll` and its subpaths to this package's built entry points, exactly
// what the package's `exports` give an application.
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, string | { import?: { default: string } }>;
};
const alias = Object.entries(pkg.exports)
  .filter(([subpath, target]) => subpath !== './package.json' && typeof target === 'object' && target.import !== undefined)
  .map(([subpath, target]) => ({
    find: new RegExp(`^keyroll${subpath.slice(1).replace(/[/]/g, '\\/')}$`),
    replacement: fileURLToPath(new URL((target as { import: { default: string } }).import.default, import.meta.url)),
  }));

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // Generous: process, database and Prisma tests run for tens of seconds on a loaded 2-core machine;
    // a timeout is a hang detector here, never a speed check (speed is npm run bench).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
