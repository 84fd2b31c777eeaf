/**
 * Blind indexes: keyed, deterministic digests of (normalised) values for
 * equality lookups on encrypted columns, with index keys derived per
 * purpose from the keyring's keys, so a keyring rotation rotates them too.
 * `Keyring#blindIndex` and `Keyring#blindIndexCandidates` are the public
 * surface; docs/blind-index.md explains what an index leaks and how to size it.
 * @module
 */
import { deriveIndexKey, indexMessage, indexWith, type BlindIndexValue, type IndexKey } from './compute.js';
import type { IndexSpec } from './spec.js';

export { indexSpec, SLOW_DEFAULT, SLOW_BOUNDS, type BlindIndexOptions, type SlowIndexCost, type IndexSpec } from './spec.js';
export { normalizeValue, normalizationFlags, type Normalization } from './normalize.js';
export { deriveIndexKey, indexMessage, indexWith, INDEX_KEY_SALT, INDEX_KEY_INFO, type BlindIndexValue, type IndexKey } from './compute.js';

/**
 * What the lookup room needs of a key: its derived-state cache (a keyring
 * key's material satisfies it). The secret is only ever read inside `build`.
 */
export interface DerivedCache {
  derived<T>(id: number, build: (secret: Uint8Array) => T): T;
}

/** Slot of the per-key cache of index keys in the key's derived state. */
const INDEX_KEYS_CACHE_ID = 0x6201;
/** Index keys cached per keyring key: definitions are few and fixed in an application. */
const MAX_CACHED_DEFINITIONS = 256;

/**
 * The index key of `spec` under a key's material, derived once and cached with the key.
 * @example
 * ```ts
 * const ik = indexKeyOf(material, spec);
 * ```
 */
export function indexKeyOf(material: DerivedCache, spec: IndexSpec): IndexKey {
  const state = material.derived(INDEX_KEYS_CACHE_ID, (secret) => ({
    keys: new Map<string, IndexKey>(),
    derive: (definition: IndexSpec) => deriveIndexKey(secret, definition),
  }));
  let key = state.keys.get(spec.id);
  if (key === undefined) {
    key = state.derive(spec);
    if (state.keys.size < MAX_CACHED_DEFINITIONS) state.keys.set(spec.id, key);
  }
  return key;
}

/**
 * The blind index of `value` under each of `materials`, without duplicates, in order.
 * @example
 * ```ts
 * indexesUnder([activeMaterial, oldMaterial], 'ann@example.com', spec); // ['9c1e…', '04bb…']
 * ```
 */
export function indexesUnder(materials: readonly DerivedCache[], value: BlindIndexValue, spec: IndexSpec): string[] {
  const message = indexMessage(value, spec);
  const out: string[] = [];
  for (const material of materials) {
    const index = indexWith(indexKeyOf(material, spec), message, spec);
    if (!out.includes(index)) out.push(index);
  }
  message.fill(0);
  return out;
}
