/**
 * One row's crypto in the batch job, as plain data: the same work on the
 * main thread and on a worker thread (pool.ts), so both give the same
 * outcome for the same row.
 * @module
 */
import { KeyrollError } from '../errors.js';
import type { Keyring } from '../keyring/keyring.js';
import type { BlindIndexOptions } from '../lookup/spec.js';
import type { LegacyDecoder } from './legacy/decoder.js';
import { indexable, readValue, type StoredValue } from './lazy.js';

/** What the crypto says about one stored value. */
export type RowOutcome =
  | { readonly kind: 'current' }
  | {
      readonly kind: 'fresh';
      readonly fresh: StoredValue;
      /** The stored value was legacy plaintext (`fromPlaintext`). */
      readonly legacy: boolean;
      /** The legacy decoder that read the stored value, when one did. */
      readonly decodedBy?: string;
      /** The value's blind index under the active key (`blindIndex`). */
      readonly index?: string;
    }
  | { readonly kind: 'failed'; readonly code: string; readonly keyId?: string };

/** A row's value and the canonical bytes of its context (made on the job's thread). */
export interface RowWork {
  readonly value: StoredValue;
  readonly context: Uint8Array;
}

/** How every row of a job is read: the same on each thread. */
export interface RowMode {
  readonly fromPlaintext: boolean;
  readonly legacy?: readonly LegacyDecoder[];
  readonly blindIndex?: BlindIndexOptions;
}

/** The outcome of a value already under the active key (one frozen object for every such row). */
export const CURRENT: RowOutcome = Object.freeze({ kind: 'current' });

/**
 * Decrypts and, when stale, re-encrypts one value: what `readAndRefresh`
 * does, with the mode checked once per job (by `reencryptAll`) instead of
 * once per row. A KeyrollError (unknown or disabled key, tampered value,
 * wrong context, a legacy value that does not decode) is an outcome;
 * anything else is a bug or a broken environment and is thrown.
 */
export function refreshRow(ring: Keyring, work: RowWork, mode: RowMode): RowOutcome {
  try {
    const read = readValue(ring, work.value, work.context, mode);
    if (read.fresh === undefined) return CURRENT;
    const outcome: { kind: 'fresh'; fresh: StoredValue; legacy: boolean; decodedBy?: string; index?: string } = { kind: 'fresh', fresh: read.fresh, legacy: read.legacy };
    if (read.legacyKind !== undefined) outcome.decodedBy = read.legacyKind;
    if (mode.blindIndex !== undefined) outcome.index = ring.blindIndex(indexable(read.plaintext), mode.blindIndex);
    return outcome;
  } catch (err) {
    if (!(err instanceof KeyrollError)) throw err;
    return err.keyId === undefined ? { kind: 'failed', code: err.code } : { kind: 'failed', code: err.code, keyId: err.keyId };
  }
}
