import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    tokens: 'src/tokens/index.ts',
    cli: 'src/cli/bin.ts',
    rotation: 'src/rotation/index.ts',
    // The batch job's worker thread (not an export: loaded by path from beside the rotation chunk).
    'rotation-worker': 'src/rotation/worker.ts',
    stream: 'src/stream/index.ts',
    'stores/sqlite': 'src/stores/sqlite.ts',
    'stores/postgres': 'src/stores/postgres.ts',
    drizzle: 'src/integrations/drizzle.ts',
    prisma: 'src/integrations/prisma.ts',
    web: 'src/web/index.ts',
    // keyroll/web under the `node` export condition: the same API on node:crypto.
    'web-node': 'src/web/node.ts',
    // The root entry under the `browser` and `worker` conditions: throws ERR_UNSUPPORTED_RUNTIME.
    unsupported: 'src/unsupported.ts',
  },
  // Database drivers and ORMs are optional peer dependencies: never bundled.
  external: ['better-sqlite3', 'pg', '@electric-sql/pglite', /^drizzle-orm(\/|$)/],
  // @noble/* (MIT) is bundled into the tokens entry only (the core never imports it), so users need no extra dependency.
  noExternal: [/^@noble\//],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: false,
  clean: true,
  target: 'node20',
  platform: 'node',
  // Errors print as KeyrollError (their name and util.inspect), not _KeyrollError. Stack frames of a
  // class that refers to itself may still read `_Keyring.decrypt`: how the bundler emits such a class.
  keepNames: true,
  splitting: true,
  treeshake: true,
  define: { __KEYROLL_VERSION__: JSON.stringify(process.env.npm_package_version ?? '0.0.0-dev') },
});
