/**
 * The data a command checks or re-encrypts: `--db URL` or `--db-env NAME`,
 * `--table`, `--column` and `--id`, each repeatable. One table serves every
 * column; otherwise tables, columns (and ids) pair up by position.
 * @module
 */
import { countKeyUse, type KeyUse } from '../rotation/unused.js';
import { DB_SCHEMES, isStoreUrl, openStore, type OpenedStore } from '../stores/open.js';
import type { RowStoreTarget } from '../rotation/store.js';
import { UsageError, type CliIO } from './command.js';
import { envVariable } from './keyring-file.js';

/** parseArgs options for the data. */
export const DATA_OPTIONS = {
  db: { type: 'string' },
  'db-env': { type: 'string' },
  table: { type: 'string', multiple: true },
  column: { type: 'string', multiple: true },
  id: { type: 'string', multiple: true },
} as const;

/** Help lines for {@link DATA_OPTIONS}. */
export const DATA_HELP = [
  '  --db URL                sqlite:PATH, postgres://... (uses pg), postgres: (pg with the',
  '                          PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE variables), or pglite:DIR',
  '  --db-env NAME           read the database URL from environment variable NAME, so a',
  '                          password never shows on the command line',
  '  --table T               the table (repeatable: pairs with --column by position)',
  '  --column C              a column of envelopes (repeatable)',
  '  --id ID                 the primary key column (default id; repeatable like --table)',
];

/** Where the data is. */
export interface DataArgs {
  readonly url: string;
  readonly targets: readonly RowStoreTarget[];
}

/**
 * The data named by the options, or undefined when neither `--db` nor `--db-env` was given.
 * @example
 * ```ts
 * const data = dataFromArgs(values, io); // { url: 'sqlite:app.db', targets: [{ table: 'users', column: 'token', id: 'id' }] }
 * ```
 */
export function dataFromArgs(values: Record<string, unknown>, io: CliIO): DataArgs | undefined {
  const tables = (values['table'] as string[] | undefined) ?? [];
  const columns = (values['column'] as string[] | undefined) ?? [];
  const ids = (values['id'] as string[] | undefined) ?? [];
  const url = dbUrl(values, io);
  if (url === undefined) {
    if (tables.length + columns.length + ids.length > 0) throw new UsageError('--table, --column and --id need --db URL or --db-env NAME');
    return undefined;
  }
  if (tables.length === 0 || columns.length === 0) throw new UsageError('--db needs --table T and --column C (repeatable)');
  const pair = (list: readonly string[], name: string, fallback?: string): string[] => {
    if (list.length === 0 && fallback !== undefined) return columns.map(() => fallback);
    if (list.length === 1) return columns.map(() => list[0]!);
    if (list.length === columns.length) return [...list];
    throw new UsageError(`give one --${name} for every column, or a single one for all (got ${list.length} for ${columns.length} columns)`);
  };
  const t = pair(tables, 'table');
  const i = pair(ids, 'id', 'id');
  return { url, targets: columns.map((column, n) => ({ table: t[n]!, column, id: i[n]! })) };
}

/** The database URL from `--db`, or from the variable `--db-env` names; checked, never quoted back (it may hold a password). */
function dbUrl(values: Record<string, unknown>, io: CliIO): string | undefined {
  const direct = values['db'] as string | undefined;
  const envName = values['db-env'] as string | undefined;
  if (direct !== undefined && envName !== undefined) throw new UsageError('pass --db or --db-env, not both');
  let url: string;
  if (envName === undefined) {
    if (direct === undefined) return undefined;
    if (direct === '') throw new UsageError('--db URL must not be empty');
    url = direct;
  } else {
    url = envVariable(io.env, envName, '--db-env', 'DATABASE_URL');
  }
  if (!isStoreUrl(url)) throw new UsageError(`${envName === undefined ? '--db' : `--db-env ${envName}`}: ${DB_SCHEMES}`);
  return url;
}

/**
 * Opens one store per target, runs `use`, and closes them all.
 * @example
 * ```ts
 * const n = await withStores(data, async (stores) => stores.length);
 * ```
 */
export async function withStores<T>(data: DataArgs, use: (stores: OpenedStore[]) => Promise<T>): Promise<T> {
  const stores: OpenedStore[] = [];
  try {
    for (const target of data.targets) stores.push(await openStore(data.url, target));
    return await use(stores);
  } finally {
    for (const store of stores) await store.close();
  }
}

/**
 * Counts the values under `keyId` in every target (dry run: no key needed).
 * @example
 * ```ts
 * const use = await countInData(data, 'k1'); // use.total
 * ```
 */
export async function countInData(data: DataArgs, keyId: string): Promise<KeyUse> {
  return withStores(data, (stores) => countKeyUse(keyId, stores));
}

/**
 * `--db sqlite:app.db --table users --column token --id id` again, for a printed next command.
 * @example
 * ```ts
 * `keyroll rotate finish --keyring k.json ${dataFlags(data, values)}`;
 * ```
 */
export function dataFlags(data: DataArgs, values: Record<string, unknown>): string {
  // A URL with credentials is never echoed, nor put back on a command line: the next command reads it from the environment.
  const db = values['db-env'] !== undefined ? `--db-env ${String(values['db-env'])}` : /\/\/[^/]*@/.test(data.url) ? '--db-env DATABASE_URL' : `--db ${shellQuote(data.url)}`;
  const same = (k: 'table' | 'id'): boolean => data.targets.every((t) => t[k] === data.targets[0]![k]);
  const tables = same('table') ? `--table ${data.targets[0]!.table}` : data.targets.map((t) => `--table ${t.table}`).join(' ');
  const columns = data.targets.map((t) => `--column ${t.column}`).join(' ');
  const ids = same('id') ? (data.targets[0]!.id === 'id' ? '' : ` --id ${data.targets[0]!.id}`) : ` ${data.targets.map((t) => `--id ${t.id}`).join(' ')}`;
  return `${db} ${tables} ${columns}${ids}`;
}

/**
 * Quotes a word for a POSIX shell when it needs it.
 * @example
 * ```ts
 * shellQuote('my file.json'); // "'my file.json'"
 * ```
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
