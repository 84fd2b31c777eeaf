/**
 * `keyroll/drizzle`: Drizzle ORM column types that encrypt on write and
 * decrypt on read, for SQLite and PostgreSQL, and blind index helpers for
 * `where`. Values are bound to `{ table, column }` (the ORM default: no row
 * id is needed before the INSERT); bind a value to its row with
 * {@link EncryptedColumns.sealForRow} when the application has a stable id
 * before writing (docs/orm.md).
 *
 * @example
 * ```ts
 * import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core';
 * import { encryptedColumns } from 'keyroll/drizzle';
 * const enc = encryptedColumns({ keyring: ring, table: 'users' });
 * export const users = sqliteTable('users', {
 *   id: integer('id').primaryKey(),
 *   email: enc.sqlite.text('email'),
 *   emailIdx: text('email_idx'),
 * });
 * await db.insert(users).values({ email, emailIdx: enc.index(email, byEmail) });
 * const rows = await db.select().from(users).where(enc.lookup(users.emailIdx, email, byEmail));
 * ```
 * @module keyroll/drizzle
 */
import { inArray, type Column, type SQL } from 'drizzle-orm';
import { customType as pgCustomType } from 'drizzle-orm/pg-core';
import { customType as sqliteCustomType } from 'drizzle-orm/sqlite-core';
import { fail } from '../errors.js';
import { checkOptions } from '../args.js';
import type { BlindIndexOptions, BlindIndexValue } from '../lookup/index.js';
import { checkKeyringSource, resolveKeyring, type KeyringSource } from './source.js';

export type { KeyringSource } from './source.js';

/**
 * A stale value seen on read: its key is older than the active key.
 * @example
 * ```ts
 * const onStale = (e: StaleValue) => metrics.increment('keyroll.stale', { column: `${e.table}.${e.column}`, key: e.keyId });
 * ```
 */
export interface StaleValue {
  readonly table: string;
  readonly column: string;
  readonly keyId: string;
}

/**
 * Options of {@link encryptedColumns}.
 * @example
 * ```ts
 * encryptedColumns({ keyring: watcher, table: 'users', onStale: (e) => queue.push(e) });
 * ```
 */
export interface DrizzleEncryptionOptions {
  /** The keyring, a watcher (`{ current }`) or a function returning the keyring. */
  readonly keyring: KeyringSource;
  /** The table name, bound into every value's context with the column name. */
  readonly table: string;
  /** Called for each value read whose key is older than the active key (for lazy re-encryption). */
  readonly onStale?: (value: StaleValue) => void;
}

/**
 * The column builders and helpers for one table.
 * @example
 * ```ts
 * const enc = encryptedColumns({ keyring: ring, table: 'users' });
 * enc.pg.text('email'); enc.sqlite.json<Profile>('profile'); enc.pg.bytes('avatar');
 * ```
 */
export interface EncryptedColumns {
  /** SQLite columns: `text` (TEXT), `json` (TEXT) and `bytes` (BLOB, binary envelopes). */
  readonly sqlite: {
    text(name: string): ReturnType<ReturnType<typeof sqliteCustomType<{ data: string; driverData: string }>>>;
    json<T>(name: string): ReturnType<ReturnType<typeof sqliteCustomType<{ data: T; driverData: string }>>>;
    bytes(name: string): ReturnType<ReturnType<typeof sqliteCustomType<{ data: Uint8Array; driverData: Uint8Array }>>>;
  };
  /** PostgreSQL columns: `text` (text), `json` (text) and `bytes` (bytea, binary envelopes). */
  readonly pg: {
    text(name: string): ReturnType<ReturnType<typeof pgCustomType<{ data: string; driverData: string }>>>;
    json<T>(name: string): ReturnType<ReturnType<typeof pgCustomType<{ data: T; driverData: string }>>>;
    bytes(name: string): ReturnType<ReturnType<typeof pgCustomType<{ data: Uint8Array; driverData: Uint8Array }>>>;
  };
  /** The blind index to store with a value (under the active key). */
  index(value: BlindIndexValue, definition: BlindIndexOptions): string;
  /** `column IN (candidates)`: finds rows indexed under any usable key. */
  lookup(column: Column, value: BlindIndexValue, definition: BlindIndexOptions): SQL;
  /** An envelope bound to `{ table, column, id }`, for a plain text column, when the id is known before the write. */
  sealForRow(column: string, id: string, value: string): string;
  /** Opens a value written by {@link EncryptedColumns.sealForRow}. */
  openForRow(column: string, id: string, stored: string): string;
}

const OPTION_KEYS = ['keyring', 'table', 'onStale'] as const;

/**
 * Column types and helpers for the encrypted columns of one table.
 * @example
 * ```ts
 * const enc = encryptedColumns({ keyring: ring, table: 'users' });
 * const users = pgTable('users', { id: serial('id').primaryKey(), email: enc.pg.text('email') });
 * ```
 */
export function encryptedColumns(options: DrizzleEncryptionOptions): EncryptedColumns {
  if (options === undefined) fail('ERR_INVALID_ARGUMENT', 'encryptedColumns takes { keyring, table }');
  checkOptions(options, OPTION_KEYS, 'encryptedColumns options');
  const source = checkKeyringSource(options.keyring);
  const { table, onStale } = options;
  if (typeof table !== 'string' || table.length === 0) fail('ERR_INVALID_ARGUMENT', 'encryptedColumns: table must be the table name');
  if (onStale !== undefined && typeof onStale !== 'function') fail('ERR_INVALID_ARGUMENT', 'encryptedColumns: onStale must be a function');

  const contextOf = (column: string) => ({ table, column });
  const open = (column: string, stored: string | Uint8Array): Uint8Array => {
    const ring = resolveKeyring(source);
    const result = ring.open(stored, { context: contextOf(column) });
    if (result.stale && onStale !== undefined) onStale({ table, column, keyId: result.keyId });
    return result.plaintext;
  };
  const textOf = (column: string, stored: string) => new TextDecoder('utf-8', { fatal: true }).decode(open(column, stored));
  const sealText = (column: string, value: string) => resolveKeyring(source).encrypt(value, { context: contextOf(column) });
  const sealBytes = (column: string, value: Uint8Array) => resolveKeyring(source).encryptToBytes(value, { context: contextOf(column) });
  const checkString = (column: string, value: unknown): string => {
    if (typeof value !== 'string') fail('ERR_INVALID_ARGUMENT', `${table}.${column} is an encrypted text column: write a string`);
    return value;
  };
  const checkBytes = (column: string, value: unknown): Uint8Array => {
    if (!(value instanceof Uint8Array)) fail('ERR_INVALID_ARGUMENT', `${table}.${column} is an encrypted bytes column: write a Uint8Array`);
    return value;
  };

  const columns = (custom: typeof sqliteCustomType | typeof pgCustomType, blobType: string) => ({
    text: (name: string) =>
      (custom as typeof sqliteCustomType)<{ data: string; driverData: string }>({
        dataType: () => 'text',
        toDriver: (value) => sealText(name, checkString(name, value)),
        fromDriver: (value) => textOf(name, value),
      })(name),
    json: <T>(name: string) =>
      (custom as typeof sqliteCustomType)<{ data: T; driverData: string }>({
        dataType: () => 'text',
        toDriver: (value) => sealText(name, JSON.stringify(value)),
        fromDriver: (value) => JSON.parse(textOf(name, value)) as T,
      })(name),
    bytes: (name: string) =>
      (custom as typeof sqliteCustomType)<{ data: Uint8Array; driverData: Uint8Array }>({
        dataType: () => blobType,
        toDriver: (value) => sealBytes(name, checkBytes(name, value)),
        fromDriver: (value) => open(name, value),
      })(name),
  });

  return {
    sqlite: columns(sqliteCustomType, 'blob') as EncryptedColumns['sqlite'],
    pg: columns(pgCustomType, 'bytea') as unknown as EncryptedColumns['pg'],
    index: (value, definition) => resolveKeyring(source).blindIndex(value, definition),
    lookup: (column, value, definition) => inArray(column, resolveKeyring(source).blindIndexCandidates(value, definition)),
    sealForRow: (column, id, value) => resolveKeyring(source).encrypt(checkString(column, value), { context: { table, column, id: String(id) } }),
    openForRow: (column, id, stored) => resolveKeyring(source).decryptString(stored, { context: { table, column, id: String(id) } }),
  };
}
