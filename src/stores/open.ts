/**
 * Opens a store from a database URL, as the CLI's `--db` takes it:
 * `sqlite:PATH` (better-sqlite3), `postgres://...` / `postgresql://...`
 * (node-postgres), or `pglite:DIR` (PGlite on a data directory). Each driver
 * is imported only when its scheme is used.
 * @module
 */
import { fail } from '../errors.js';
import type { RowStore } from '../rotation/store.js';
import { importOptional, type SqlTableOptions } from './sql.js';

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
  return fail('ERR_INVALID_ARGUMENT', 'the database URL must start with sqlite:, postgres://, postgresql:// or pglite:');
}
