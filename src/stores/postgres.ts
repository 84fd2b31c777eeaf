/**
 * `keyroll/stores/postgres`: a {@link RowStore} over PostgreSQL, with
 * node-postgres (`pg` Pool or Client) or PGlite (the real PostgreSQL engine
 * in process). The same SQL for both. Drivers are optional peer
 * dependencies; `pg` is imported only when a connection URL is opened here.
 *
 * Each batch is ONE `UPDATE ... FROM unnest(...)` statement, so it commits
 * or not as a whole; the `AND value = previous` predicate (bytes, whatever the
 * column's collation) is re-checked by
 * PostgreSQL against a concurrently committed row, so a concurrent write wins.
 * @module keyroll/stores/postgres
 */
import { fail } from '../errors.js';
import type { Row, RowChange, RowId, RowStore, Shard } from '../rotation/store.js';
import { quoteTable, type SqlTableOptions } from './sql.js';
import { openPgPool } from './pg-pool.js';
import { checkPostgresUnique, missingTable } from './checks.js';

/**
 * What the store needs of a client: `pg` Pool and Client and PGlite all fit.
 * @example
 * ```ts
 * const client: PostgresQueryable = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export interface PostgresQueryable {
  query(text: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/**
 * Options of {@link postgresStore}.
 * @example
 * ```ts
 * await postgresStore({ client: pool, table: 'billing.cards', column: 'pan', id: 'card_id' });
 * ```
 */
export interface PostgresStoreOptions extends SqlTableOptions {
  /** A `pg` Pool or Client, or a PGlite instance (left open), or a `postgres://` URL (a `pg` Pool opened here, closed by `close()`). */
  readonly client: PostgresQueryable | string;
}

/**
 * Opens a PostgreSQL store.
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite';
 * import { postgresStore } from 'keyroll/stores/postgres';
 * const store = await postgresStore({ client: new PGlite('./data'), table: 'users', column: 'token', id: 'id' });
 * // or: await postgresStore({ client: process.env.DATABASE_URL!, table: 'users', column: 'token', id: 'id' })
 * ```
 */
export async function postgresStore(options: PostgresStoreOptions): Promise<RowStore & { close(): Promise<void> }> {
  const q = quoteTable(options, ['client'], 'postgresStore options');
  let client: PostgresQueryable;
  let end: (() => Promise<void>) | undefined;
  if (typeof options.client === 'string') {
    if (!/^postgres(ql)?:\/\//.test(options.client)) fail('ERR_INVALID_ARGUMENT', 'postgresStore: a connection string starts with postgres:// or postgresql://');
    const pool = await openPgPool(options.client);
    client = pool;
    end = () => pool.end();
  } else if (options.client !== null && typeof options.client === 'object' && typeof options.client.query === 'function') {
    client = options.client;
  } else {
    return fail('ERR_INVALID_ARGUMENT', 'postgresStore: client must be a pg Pool or Client, a PGlite instance, or a postgres:// URL');
  }
  const run = async (sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>> => {
    try {
      return (await client.query(sql, params)).rows;
    } catch (err) {
      // Database messages name tables and columns, not values (values are bound parameters).
      return fail('ERR_IO', `PostgreSQL: ${String((err as Error)?.message ?? err).slice(0, 200)}`, { cause: err });
    }
  };

  let types: Map<string, string>;
  try {
    types = await columnTypes(run, q.table, [options.id, options.column, ...q.extra.map(([name]) => name), ...(options.indexColumn === undefined ? [] : [options.indexColumn])], options.table);
    await checkPostgresUnique(run, q.table, options.table, options.id);
  } catch (err) {
    await end?.().catch(() => undefined); // a pool opened here must not keep the process alive
    throw err;
  }
  const idType = types.get(options.id)!;
  const valueType = types.get(options.column)!;
  const columns = [`${q.id} AS k_id`, `${q.column} AS k_value`, ...q.extra.map(([, quoted], i) => `${quoted} AS k_x${i}`)].join(', ');
  const base = `FROM ${q.table} WHERE ${q.column} IS NOT NULL`;
  // The same spreading function as shardOf(): first 28 bits of md5(id::text), modulo count.
  const shardSql = (n: number): string => `(('x' || left(md5(CAST(${q.id} AS text)), 7))::bit(28)::int % $${n}) = $${n + 1}`;
  // Text values travel as text[] (PGlite cannot serialise an array of an extension type such as citext[]).
  const wire = valueType === 'bytea' ? 'bytea' : 'text';
  // The index column (when there is one) is rewritten in the same statement; a change without an index keeps the old one.
  const setIndex = q.index === undefined ? '' : `, ${q.index} = COALESCE(v.k_index::${types.get(options.indexColumn!)!}, t.${q.index})`;
  const indexArray = q.index === undefined ? '' : ', $4::text[]';
  const updateSql =
    `UPDATE ${q.table} AS t SET ${q.column} = v.k_fresh::${valueType}${setIndex} ` +
    `FROM unnest($1::${idType}[], $2::${wire}[], $3::${wire}[]${indexArray}) AS v(k_id, k_prev, k_fresh${q.index === undefined ? '' : ', k_index'}) ` +
    `WHERE t.${q.id} = v.k_id AND ${bytesEqual(`t.${q.column}`, 'v.k_prev', valueType)} RETURNING t.${q.id} AS k_id`;

  return {
    target: q.target,
    async count(shard?: Shard) {
      const rows = await run(`SELECT count(*) AS n ${base}${shard ? ` AND ${shardSql(1)}` : ''}`, shard ? [shard.count, shard.index] : []);
      return Number(rows[0]?.['n'] ?? 0);
    },
    async scan(after: RowId | undefined, limit: number, shard?: Shard) {
      const params: unknown[] = [limit];
      let where = '';
      if (after !== undefined) {
        params.push(after);
        where += ` AND ${q.id} > $${params.length}`;
      }
      if (shard) {
        where += ` AND ${shardSql(params.length + 1)}`;
        params.push(shard.count, shard.index);
      }
      const rows = await run(`SELECT ${columns} ${base}${where} ORDER BY ${q.id} LIMIT $1`, params);
      return rows.map((r) => toRow(r, options.id, q.extra));
    },
    async update(changes: readonly RowChange[]) {
      if (changes.length === 0) return [];
      const params: unknown[] = [changes.map((c) => c.id), changes.map((c) => bind(c.previous)), changes.map((c) => bind(c.fresh))];
      if (q.index !== undefined) params.push(changes.map((c) => c.index ?? null));
      const rows = await run(updateSql, params);
      return rows.map((r) => r['k_id'] as RowId);
    },
    async close() {
      await end?.();
    },
  };
}

/**
 * Equality of stored values as bytes: citext or a nondeterministic collation
 * would take a concurrent 'ALICE' for the 'alice' the job read.
 */
function bytesEqual(a: string, b: string, type: string): string {
  return type === 'bytea' ? `${a} = ${b}` : `convert_to(${a}::text, 'UTF8') = convert_to(${b}::text, 'UTF8')`;
}

async function columnTypes(run: (sql: string, params: unknown[]) => Promise<Array<Record<string, unknown>>>, table: string, names: string[], label: string): Promise<Map<string, string>> {
  const rows = await run(
    'SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY($2::text[])',
    [table, names],
  );
  const out = new Map<string, string>();
  for (const r of rows) {
    const type = String(r['type']);
    // Catalog output, but checked anyway before it goes into a cast.
    if (!/^[A-Za-z0-9_ ."]+$/.test(type)) fail('ERR_INVALID_ARGUMENT', `column ${String(r['name'])} has a type keyroll cannot bind (${type.slice(0, 60)})`);
    out.set(String(r['name']), type);
  }
  if (rows.length === 0) {
    const exists = await run('SELECT to_regclass($1) IS NOT NULL AS ok', [table]);
    if (exists[0]?.['ok'] !== true) missingTable(label);
  }
  for (const name of names) if (!out.has(name)) fail('ERR_STORE', `table ${label} has no column ${name} (names are matched exactly, case included)`);
  return out;
}

function toRow(r: Record<string, unknown>, idName: string, extra: ReadonlyArray<readonly [string, string]>): Row {
  const id = r['k_id'] as RowId;
  const raw = r['k_value'];
  const fields = new Map<string, unknown>([[idName, id]]);
  extra.forEach(([name], i) => fields.set(name, r[`k_x${i}`]));
  const value = typeof raw === 'string' || raw instanceof Uint8Array ? raw : String(raw);
  return { id, value, fields };
}

function bind(value: string | Uint8Array): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
