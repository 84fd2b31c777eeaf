/**
 * What the batch job needs of a table, checked when a store opens: the table
 * and its columns exist, and the id column is the primary key or UNIQUE on
 * its own (the compare-and-swap finds a row by id; an id shared by two rows
 * would let one row's value be written over another's). `ERR_STORE` otherwise.
 * @module
 */
import type BetterSqlite3 from 'better-sqlite3';
import { fail } from '../errors.js';

type Run = (sql: string, params: unknown[]) => Promise<Array<Record<string, unknown>>>;

/**
 * Checks a SQLite table (`schema.table` names an attached database).
 * @example
 * ```ts
 * checkSqliteTable(db, 'users', ['id', 'token'], 'id');
 * ```
 */
export function checkSqliteTable(db: BetterSqlite3.Database, table: string, columns: readonly string[], id: string): void {
  const [schema, name] = table.includes('.') ? (table.split('.') as [string, string]) : ['main', table];
  const info = db.prepare('SELECT name, pk FROM pragma_table_info(?, ?)').all(name, schema) as Array<{ name: string; pk: number }>;
  if (info.length === 0) missingTable(table);
  // SQLite matches names without regard to ASCII case.
  const same = (a: string | null, b: string): boolean => a !== null && a.toLowerCase() === b.toLowerCase();
  for (const c of columns) if (!info.some((i) => same(i.name, c))) fail('ERR_STORE', `table ${table} has no column ${c} (names are matched exactly)`);
  const pk = info.filter((c) => c.pk > 0);
  if (pk.length === 1 && same(pk[0]!.name, id)) return;
  const indexes = db.prepare('SELECT name FROM pragma_index_list(?, ?) WHERE "unique" = 1 AND partial = 0').all(name, schema) as Array<{ name: string }>;
  for (const index of indexes) {
    const cols = db.prepare('SELECT name FROM pragma_index_info(?, ?)').all(index.name, schema) as Array<{ name: string | null }>;
    if (cols.length === 1 && same(cols[0]!.name, id)) return;
  }
  notUnique(table, id);
}

/**
 * Checks a PostgreSQL table (`table` already quoted, as `to_regclass` reads it).
 * @example
 * ```ts
 * await checkPostgresUnique(run, '"users"', 'users', 'id');
 * ```
 */
export async function checkPostgresUnique(run: Run, quotedTable: string, table: string, id: string): Promise<void> {
  const rows = await run(
    'SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] ' +
      'WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indisvalid AND i.indnkeyatts = 1 AND i.indpred IS NULL AND a.attname = $2) AS ok',
    [quotedTable, id],
  );
  if (rows[0]?.['ok'] !== true) notUnique(table, id);
}

/**
 * `ERR_STORE` for a table that does not exist.
 * @example
 * ```ts
 * missingTable('users');
 * ```
 */
export function missingTable(table: string): never {
  return fail('ERR_STORE', `table ${table} does not exist (names are matched exactly, case included)`);
}

function notUnique(table: string, id: string): never {
  return fail('ERR_STORE', `column ${id} of table ${table} is neither the primary key nor UNIQUE on its own: the job finds each row by its id, so an id must name one row (name the primary key column, or add a UNIQUE constraint)`);
}
