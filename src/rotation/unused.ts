/**
 * Before a key is disabled or removed: is any stored value still under it?
 * Counted from the envelope headers alone (the dry run), so no key is needed.
 * @module
 */
import { fail } from '../errors.js';
import { checkOptions } from '../args.js';
import type { Keyring } from '../keyring/keyring.js';
import { countKeyIds } from './dry-run.js';
import type { RowStore } from './store.js';

/**
 * Your own count of the values under a key, for data no {@link RowStore}
 * walks: for example `SELECT count(*) FROM users WHERE token LIKE 'kr1.' || replace($1, '_', '!_') || '.%' ESCAPE '!'`
 * (`_` is a `LIKE` wildcard and key ids may hold it).
 * @example
 * ```ts
 * const counter: KeyUseCounter = async (keyId) => (await redis.keys(`kr1.${keyId}.*`)).length;
 * ```
 */
export type KeyUseCounter = (keyId: string) => number | Promise<number>;

/**
 * Where values under a key may live: a {@link RowStore} (walked with the dry
 * run) or a {@link KeyUseCounter}. A `label` names it in the counts and in the error.
 * @example
 * ```ts
 * const places: KeyUsePlace[] = [usersStore, { label: 'cache', count: async (id) => cache.countPrefix(`kr1.${id}.`) }];
 * ```
 */
export type KeyUsePlace = RowStore | KeyUseCounter | { readonly label: string; readonly count: KeyUseCounter };

/**
 * What {@link assertUnused} found.
 * @example
 * ```ts
 * const { total, places } = await assertUnused(ring, 'k1', [store]);
 * ```
 */
export interface KeyUse {
  readonly keyId: string;
  /** Values under the key, everywhere. */
  readonly total: number;
  /** Per place, in the order given: its label (`table.column` for a store) and count. */
  readonly places: ReadonlyArray<{ readonly label: string; readonly count: number }>;
}

/**
 * Counts the values under `keyId` in every place, without refusing.
 * @example
 * ```ts
 * const use = await countKeyUse('k1', [usersStore, ordersStore]);
 * console.log(use.total);
 * ```
 */
export async function countKeyUse(keyId: string, places: readonly KeyUsePlace[], options: { readonly batchSize?: number } = {}): Promise<KeyUse> {
  checkOptions(options, ['batchSize'], 'countKeyUse options');
  if (!Array.isArray(places)) fail('ERR_INVALID_ARGUMENT', 'places must be an array of row stores or counting functions');
  const counted: Array<{ label: string; count: number }> = [];
  for (const [index, place] of places.entries()) counted.push(await countOne(keyId, place, index, options.batchSize));
  return { keyId, total: counted.reduce((sum, p) => sum + p.count, 0), places: counted };
}

async function countOne(keyId: string, place: KeyUsePlace, index: number, batchSize: number | undefined): Promise<{ label: string; count: number }> {
  const counter = typeof place === 'function' ? place : 'count' in place && typeof place.count === 'function' && 'label' in place ? place.count : undefined;
  if (counter !== undefined) {
    const label = typeof place === 'function' ? `counter ${index + 1}` : (place as { label: string }).label;
    const n = await counter(keyId);
    if (!Number.isSafeInteger(n) || n < 0) fail('ERR_INVALID_ARGUMENT', `${label}: a counter must return a whole number of values, got ${typeof n}`);
    return { label, count: n };
  }
  const store = place as RowStore;
  if (typeof store !== 'object' || store === null || typeof store.scan !== 'function') fail('ERR_INVALID_ARGUMENT', `places[${index}] is neither a row store nor a counting function`);
  const counts = await countKeyIds({ store, ...(batchSize === undefined ? {} : { batchSize }) });
  const label = store.target === undefined ? `store ${index + 1}` : `${store.target.table}.${store.target.column}`;
  return { label, count: counts.byKeyId.get(keyId) ?? 0 };
}

/**
 * Refuses (`ERR_KEY_IN_USE`) while `keyId` is the keyring's active or a
 * pending key, or while any place still holds a value under it; resolves to
 * the counts (all zero) otherwise. Call it before `ring.disable(keyId)` or
 * `ring.remove(keyId)` when your values live where `keyroll remove --db`
 * cannot look. It counts from the envelope headers (no key needed); a value
 * written under the key after the count is not seen, so stop writing with it
 * first (it is neither active nor pending).
 * @example
 * ```ts
 * import { assertUnused } from 'keyroll/rotation';
 * await assertUnused(ring, 'k1', [usersStore, async (id) => countInCache(`kr1.${id}.`)]);
 * ring = ring.remove('k1');
 * ```
 */
export async function assertUnused(ring: Keyring, keyId: string, places: readonly KeyUsePlace[], options: { readonly batchSize?: number } = {}): Promise<KeyUse> {
  checkOptions(options, ['batchSize'], 'assertUnused options');
  const state = ring.keys().find((k) => k.id === keyId)?.state;
  if (state === 'active' || state === 'pending') {
    fail('ERR_KEY_IN_USE', `key "${keyId}" is the keyring's ${state} key; ${state === 'active' ? 'promote another key' : 'retire it'} first`, { keyId });
  }
  const use = await countKeyUse(keyId, places, options);
  if (use.total > 0) fail('ERR_KEY_IN_USE', `${describeUse(use)}: re-encrypt them first`, { keyId });
  return use;
}

/**
 * `4161 stored values still name key "k1" (users.token: 4000, orders.note: 161)`.
 * @example
 * ```ts
 * describeUse(await countKeyUse('k1', [store]));
 * ```
 */
export function describeUse(use: KeyUse): string {
  const where = use.places.map((p) => `${p.label}: ${p.count}`).join(', ');
  return `${use.total} stored value${use.total === 1 ? '' : 's'} still name${use.total === 1 ? 's' : ''} key "${use.keyId}" (${where})`;
}
