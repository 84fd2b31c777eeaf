/**
 * Opens a store from a database URL, as the CLI's `--db` takes it:
 * `sqlite:PATH` (better-sqlite3), `postgres://...` / `postgresql://...`
 * (node-postgres), `postgres:` alone (node-postgres configured by the
 * standard `PG*` variables), or `pglite:DIR` (PGlite on a data directory).
 * Each driver is imported only when its scheme is used.
 * @module
 */
import { fail } from '../errors.js';
import type { RowStore } from '../rotation/store.js';
import { importOptional, type SqlTableOptions } from './sql.js';
import { openPgPool } from './pg-pool.js';

/** A store plus the function that releases what it opened. */
export type OpenedStore = RowStore & { close(): Promise<void> };

/**
 * Opens the store `url` names.
 * @example
 * ```ts
 * const store = await openStore('sqlite:./app.db', { table: 'users', column: 'token', id: 'id' });
 * ```
 */
export async function openStore(url: string, table: SqlTableOptions): Promise<OpenedStore> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') fail('ERR_INVALID_ARGUMENT', '--db sqlite:PATH needs a path');
    const { sqliteStore } = await import('./sqlite.js');
    return sqliteStore({ ...table, database: path });
  }
  if (/^postgres(ql)?:(\/\/)?$/.test(url)) {
    // No connection string: node-postgres reads PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE.
    const pool = await openPgPool(undefined);
    const { postgresStore } = await import('./postgres.js');
    try {
      const store = await postgresStore({ ...table, client: pool });
      return { ...store, target: store.target!, close: async () => pool.end() };
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { postgresStore } = await import('./postgres.js');
    return postgresStore({ ...table, client: url });
  }
  if (url.startsWith('pglite:')) {
    const dir = url.slice('pglite:'.length);
    if (dir === '') fail('ERR_INVALID_ARGUMENT', '--db pglite:DIR needs a data directory');
    const { PGlite } = await importOptional<{ PGlite: new (dir: string) => { query: never; close(): Promise<void> } }>('@electric-sql/pglite', 'the PGlite store');
    const db = new PGlite(dir);
    const { postgresStore } = await import('./postgres.js');
    const store = await postgresStore({ ...table, client: db as never });
    return { ...store, target: store.target!, close: async () => db.close() };
  }
  return fail('ERR_INVALID_ARGUMENT', DB_SCHEMES);
}

/** What `--db` accepts, for messages. */
export const DB_SCHEMES = 'the database URL must be sqlite:PATH, postgres://..., postgresql://..., postgres: (PG* variables) or pglite:DIR';

/**
 * Whether `url` names a database {@link openStore} can open (scheme and a non-empty path).
 * @example
 * ```ts
 * isStoreUrl('sqlite:app.db'); // true
 * ```
 */
export function isStoreUrl(url: string): boolean {
  return /^(sqlite:.|pglite:.|postgres(ql)?:(\/\/.*)?$)/s.test(url);
}
