/**
 * `keyroll/stores/sqlite`: a {@link RowStore} over SQLite with better-sqlite3
 * (an optional peer dependency, imported only when a path is opened here).
 * Keyset pages by primary key, one transaction per batch, compare-and-swap
 * updates comparing bytes; shards filtered in SQL by a registered
 * deterministic function. The id column must be the primary key or UNIQUE.
 * @module keyroll/stores/sqlite
 */
// Named type imports, not the default: @types/better-sqlite3 uses `export =`, and a default
// import in the emitted .d.ts fails for TypeScript users without esModuleInterop (TS1259).
import type { Database as BetterSqlite3Database, Options as BetterSqlite3Options, Statement as BetterSqlite3Statement } from 'better-sqlite3';
import { fail } from '../errors.js';
import { shardOf, type Row, type RowChange, type RowId, type RowStore, type Shard } from '../rotation/store.js';
import { importOptional, quoteTable, type SqlTableOptions } from './sql.js';
import { checkSqliteTable } from './checks.js';

/**
 * A better-sqlite3 database handle.
 * @example
 * ```ts
 * const store = await sqliteStore({ database: new Database('app.db'), table: 'users', column: 'token', id: 'id' });
 * ```
 */
export type SqliteDatabase = BetterSqlite3Database;

/**
 * Options of {@link sqliteStore}.
 * @example
 * ```ts
 * await sqliteStore({ database: 'app.db', table: 'users', column: 'token', id: 'id', columns: ['tenant_id'], busyTimeout: 30_000 });
 * ```
 */
export interface SqliteStoreOptions extends SqlTableOptions {
  /** A file path (opened here and closed by `close()`), or an open better-sqlite3 handle (left open). */
  readonly database: string | SqliteDatabase;
  /** Milliseconds to wait for a lock held by another process, default 10,000. */
  readonly busyTimeout?: number;
}

const SHARD_FUNCTION = 'keyroll_shard';

/**
 * Opens a SQLite store.
 * @example
 * ```ts
 * import { sqliteStore } from 'keyroll/stores/sqlite';
 * const store = await sqliteStore({ database: 'app.db', table: 'users', column: 'token', id: 'id' });
 * try { await reencryptAll({ keyring, store, batchSize: 500 }); } finally { await store.close(); }
 * ```
 */
export async function sqliteStore(options: SqliteStoreOptions): Promise<RowStore & { readonly db: SqliteDatabase; close(): Promise<void> }> {
  const q = quoteTable(options, ['database', 'busyTimeout'], 'sqliteStore options');
  const owned = typeof options.database === 'string';
  let db: SqliteDatabase;
  if (typeof options.database === 'string') {
    const mod = await importOptional<{ default: new (file: string, options?: BetterSqlite3Options) => BetterSqlite3Database }>('better-sqlite3', 'the SQLite store');
    try {
      db = new mod.default(options.database, { fileMustExist: true, timeout: options.busyTimeout ?? 10_000 });
    } catch (err) {
      return fail('ERR_IO', `could not open SQLite database ${options.database}: ${(err as Error).message.slice(0, 120)}`, { file: options.database, cause: err });
    }
  } else if (options.database !== null && typeof options.database === 'object' && typeof options.database.prepare === 'function') {
    db = options.database;
  } else {
    return fail('ERR_INVALID_ARGUMENT', 'sqliteStore: database must be a file path or a better-sqlite3 Database');
  }
  try {
    checkSqliteTable(db, options.table, [options.id, options.column, ...q.extra.map(([name]) => name), ...(options.indexColumn === undefined ? [] : [options.indexColumn])], options.id);
  } catch (err) {
    if (owned) db.close();
    throw err;
  }
  // The same spreading function as shardOf(), so a shard's rows are chosen inside SQLite.
  db.function(SHARD_FUNCTION, { deterministic: true }, (idText: unknown, count: unknown) => shardOf(String(idText), Number(count)));

  const columns = [`${q.id} AS k_id`, `${q.column} AS k_value`, ...q.extra.map(([, quoted], i) => `${quoted} AS k_x${i}`)].join(', ');
  const shardSql = `${SHARD_FUNCTION}(CAST(${q.id} AS TEXT), @count) = @index`;
  const base = `FROM ${q.table} WHERE ${q.column} IS NOT NULL`;
  const statements = new Map<string, BetterSqlite3Statement>();
  const prepared = (sql: string): BetterSqlite3Statement => {
    let s = statements.get(sql);
    if (s === undefined) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  // Compared as bytes: under a NOCASE column `=` would take a concurrent 'ALICE' for the 'alice' that was read.
  // The index column (when there is one) is rewritten in the same statement; a change without an index keeps the old one.
  const setIndex = q.index === undefined ? '' : `, ${q.index} = COALESCE(?, ${q.index})`;
  const cas = db.prepare(`UPDATE ${q.table} SET ${q.column} = ?${setIndex} WHERE ${q.id} = ? AND CAST(${q.column} AS BLOB) = CAST(? AS BLOB)`);
  const applyAll = db.transaction((changes: readonly RowChange[]): RowId[] => {
    const updated: RowId[] = [];
    for (const c of changes) {
      const params = q.index === undefined ? [bind(c.fresh), c.id, bind(c.previous)] : [bind(c.fresh), c.index ?? null, c.id, bind(c.previous)];
      if (cas.run(...params).changes === 1) updated.push(c.id);
    }
    return updated;
  });

  return {
    db,
    target: q.target,
    async count(shard?: Shard) {
      const sql = `SELECT count(*) AS n ${base}${shard ? ` AND ${shardSql}` : ''}`;
      const row = prepared(sql).get(shard ? { count: shard.count, index: shard.index } : {}) as { n: number };
      return Number(row.n);
    },
    async scan(after: RowId | undefined, limit: number, shard?: Shard) {
      const where = `${after === undefined ? '' : ` AND ${q.id} > @after`}${shard ? ` AND ${shardSql}` : ''}`;
      const sql = `SELECT ${columns} ${base}${where} ORDER BY ${q.id} LIMIT @limit`;
      const params: Record<string, unknown> = { limit };
      if (after !== undefined) params['after'] = after;
      if (shard) Object.assign(params, { count: shard.count, index: shard.index });
      const raw = prepared(sql).all(params) as Array<Record<string, unknown>>;
      return raw.map((r): Row => toRow(r, options.id, q.extra));
    },
    async update(changes: readonly RowChange[]) {
      return applyAll(changes);
    },
    async close() {
      if (owned) db.close();
    },
  };
}

function toRow(r: Record<string, unknown>, idName: string, extra: ReadonlyArray<readonly [string, string]>): Row {
  const value = r['k_value'];
  const id = r['k_id'] as RowId;
  const fields = new Map<string, unknown>([[idName, id]]);
  extra.forEach(([name], i) => fields.set(name, r[`k_x${i}`]));
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    // A number or other type in the column cannot be an envelope; hand it on as text so it is reported, never lost.
    return { id, value: String(value), fields };
  }
  return { id, value, fields };
}

function bind(value: string | Uint8Array): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
