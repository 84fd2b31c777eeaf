/**
 * Where a rotation stands, from the keyring (and, given the data, the count
 * of values per key): the one function `rotate status`, `start` and `finish`
 * read, so each step can be rerun after a crash and pick up where it was.
 * @module
 */
import type { KeyInfo } from '../keyring/key.js';

/**
 * The phases of a rotation, in order:
 * - `idle`: one key in use, nothing pending or retired (start a rotation);
 * - `pending`: a new key waits for its activation time (roll it out meanwhile);
 * - `reencrypt`: the new key is active, values remain under the old one;
 * - `retired`: the old key is decrypt-only and no value needs it (or the data was not given);
 * - `disabled`: the old key is disabled (remove it when nothing complained);
 * - `ambiguous`: several retired or disabled keys: say which is the old one (`--old`).
 */
export type PhaseName = 'idle' | 'pending' | 'reencrypt' | 'retired' | 'disabled' | 'ambiguous';

/** A phase and the keys it is about. */
export interface Phase {
  readonly name: PhaseName;
  readonly active: string;
  /** The pending key and when it activates. */
  readonly pending?: { readonly id: string; readonly at: string };
  /** The key being rotated out. */
  readonly old?: string;
  /** With `ambiguous`: the keys that could be the old one. */
  readonly candidates?: readonly string[];
  /** Values still under the old key, when the data was counted. */
  readonly remaining?: number;
}

/**
 * The phase of a keyring. `counts` (values per key id, from a dry run) is
 * optional: without it a retired old key is `retired` (the data is unknown).
 * @example
 * ```ts
 * detectPhase(ring.keys(), undefined, new Map([['k1', 12]])); // { name: 'reencrypt', old: 'k1', remaining: 12, ... }
 * ```
 */
export function detectPhase(keys: readonly KeyInfo[], oldId: string | undefined, counts?: ReadonlyMap<string, number>): Phase {
  const active = keys.find((k) => k.state === 'active')!.id;
  const pendingKey = keys.filter((k) => k.state === 'pending').sort((a, b) => Date.parse(a.activatesAt!) - Date.parse(b.activatesAt!))[0];
  if (pendingKey !== undefined) {
    const remaining = counts?.get(active);
    return { name: 'pending', active, pending: { id: pendingKey.id, at: pendingKey.activatesAt! }, old: active, ...(remaining === undefined ? {} : { remaining }) };
  }
  const retired = keys.filter((k) => k.state === 'decrypt-only' || k.state === 'disabled');
  let old: KeyInfo | undefined;
  if (oldId !== undefined) old = retired.find((k) => k.id === oldId);
  else if (retired.length === 1) old = retired[0];
  else if (retired.length > 1) return { name: 'ambiguous', active, candidates: retired.map((k) => k.id) };
  if (old === undefined) return { name: 'idle', active };
  const remaining = counts === undefined ? undefined : (counts.get(old.id) ?? 0);
  const extra = remaining === undefined ? {} : { remaining };
  if (old.state === 'disabled') return { name: 'disabled', active, old: old.id, ...extra };
  if (remaining !== undefined && remaining > 0) return { name: 'reencrypt', active, old: old.id, ...extra };
  return { name: remaining === undefined ? 'reencrypt' : 'retired', active, old: old.id, ...extra };
}
