/**
 * Opening a node-postgres pool: from a `postgres://` connection string, or,
 * without one, from the standard `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`
 * and `PGDATABASE` variables (node-postgres reads them itself, as psql does).
 * A password left out of a connection string is also taken from `PGPASSWORD`.
 * @module
 */
import { fail } from '../errors.js';
import { importOptional } from './sql.js';

/** A pool: queryable and closable. */
export interface PgPool {
  query(text: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<void>;
}

type PoolClass = new (config: object) => PgPool;

/**
 * Opens a `pg` Pool of two connections.
 * @example
 * ```ts
 * const pool = await openPgPool(undefined); // PGHOST, PGUSER, PGPASSWORD, PGDATABASE, PGPORT
 * ```
 */
export async function openPgPool(connectionString: string | undefined): Promise<PgPool> {
  const pg = await importOptional<{ default?: { Pool: PoolClass }; Pool?: PoolClass }>('pg', 'the PostgreSQL store');
  const Pool = pg.Pool ?? pg.default?.Pool;
  if (Pool === undefined) return fail('ERR_MISSING_DEPENDENCY', 'the installed "pg" package has no Pool export: run `npm install pg`');
  return new Pool({ ...(connectionString === undefined ? {} : { connectionString }), max: 2 });
}
