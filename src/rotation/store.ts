/**
 * The `RowStore` interface the batch job walks, and shards. Any database can
 * be plugged in by implementing four small methods; keyroll ships SQLite and
 * PostgreSQL stores (`keyroll/stores/sqlite`, `keyroll/stores/postgres`).
 * @module
 */
import { createHash } from 'node:crypto';
import { fail } from '../errors.js';
import { checkOptions } from '../args.js';
import type { StoredValue } from './lazy.js';

/**
 * A primary key value: what the database returned (bigints may arrive as strings from `pg`).
 * @example
 * ```ts
 * const cursor: RowId = 42; // or 'user-42', or 42n
 * ```
 */
export type RowId = string | number | bigint;

/**
 * One row as scanned: its key, the stored value, and any extra columns the store was asked to read.
 * @example
 * ```ts
 * const row: Row = { id: 42, value: 'kr1.k1.AQEC...', fields: new Map([['id', 42]]) };
 * ```
 */
export interface Row {
  readonly id: RowId;
  readonly value: StoredValue;
  /** Every column read, by name (the id column included): what context templates refer to. */
  readonly fields: ReadonlyMap<string, unknown>;
}

/**
 * A compare-and-swap update: set the value to `fresh` only where it is still `previous`.
 * @example
 * ```ts
 * await store.update([{ id: 42, previous: oldEnvelope, fresh: newEnvelope }]); // [42] when it landed
 * ```
 */
export interface RowChange {
  readonly id: RowId;
  readonly previous: StoredValue;
  readonly fresh: StoredValue;
  /**
   * The blind index of the value under the active key, for the store's index
   * column (set when the job computes one); written in the same update.
   */
  readonly index?: string;
}

/**
 * One shard of `count`: rows whose stable hash of the primary key, modulo `count`, is `index`.
 * @example
 * ```ts
 * await reencryptAll({ keyring, store, batchSize: 500, shard: { index: 0, count: 4 } });
 * ```
 */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * What a store says about where it reads (used by the recommended context and by checkpoints).
 * @example
 * ```ts
 * store.target; // { table: 'users', column: 'token', id: 'id' }
 * ```
 */
export interface RowStoreTarget {
  readonly table: string;
  readonly column: string;
  readonly id: string;
  /** The blind index column the store rewrites with the value, if any. */
  readonly indexColumn?: string;
}

/**
 * A table the batch job can walk. Rows with a NULL value are never returned
 * nor counted. Every method takes the shard so a store can filter in SQL.
 *
 * @example
 * ```ts
 * const store: RowStore = {
 *   target: { table: 'users', column: 'token', id: 'id' },
 *   async count() { return rows.size; },
 *   async scan(after, limit) { return [...rows.values()].filter((r) => after === undefined || r.id > after).slice(0, limit); },
 *   async update(changes) { return changes.filter((c) => swap(c)).map((c) => c.id); },
 * };
 * ```
 */
export interface RowStore {
  readonly target?: RowStoreTarget;
  /** Rows with a non-NULL value (in this shard). */
  count(shard?: Shard): Promise<number>;
  /** Up to `limit` rows ordered by primary key, strictly after `after` (from the start when undefined). */
  scan(after: RowId | undefined, limit: number, shard?: Shard): Promise<Row[]>;
  /**
   * Applies the changes in ONE transaction, each only where the stored value
   * still equals `previous`; resolves to the ids that were updated.
   */
  update(changes: readonly RowChange[]): Promise<RowId[]>;
  /** Releases what the store opened (not a connection the caller passed in). */
  close?(): Promise<void>;
}

/**
 * Parses `i/n` (0-based index, as Kubernetes' `JOB_COMPLETION_INDEX`).
 * @example
 * ```ts
 * parseShard('1/4'); // { index: 1, count: 4 }
 * ```
 */
export function parseShard(text: string): Shard {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(String(text).trim());
  if (m === null) return fail('ERR_INVALID_ARGUMENT', 'a shard is written INDEX/COUNT, for example 0/4 (index from 0)');
  return checkShard({ index: Number(m[1]), count: Number(m[2]) });
}

/**
 * Validates a shard: integers, `0 <= index < count`, count at most 1,000,000.
 * @example
 * ```ts
 * checkShard({ index: 0, count: 2 });
 * ```
 */
export function checkShard(shard: Shard): Shard {
  if (typeof shard !== 'object' || shard === null) fail('ERR_INVALID_ARGUMENT', 'a shard is { index, count }');
  checkOptions(shard, ['index', 'count'], 'shard');
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) fail('ERR_INVALID_ARGUMENT', 'shard count must be an integer from 1 to 1000000');
  if (!Number.isInteger(index) || index < 0 || index >= count) fail('ERR_INVALID_ARGUMENT', `shard index must be an integer from 0 to ${count - 1}`);
  return { index, count };
}

/**
 * The shard a primary key belongs to: the first 28 bits of MD5 over the
 * key's text form, modulo `count`. The stores compute exactly this in SQL
 * (PostgreSQL `md5(id::text)`, SQLite a registered function), so each shard
 * reads only its own rows. MD5 is a spreading function here, not security.
 * @example
 * ```ts
 * shardOf('42', 4); // 0..3, the same on every machine
 * ```
 */
export function shardOf(idText: string, count: number): number {
  const hex = createHash('md5').update(idText, 'utf8').digest('hex');
  return parseInt(hex.slice(0, 7), 16) % count;
}
