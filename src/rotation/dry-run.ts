/**
 * Dry run: count rows per key id from the envelope header alone. No key is
 * used and nothing is written, so an operator can see what a rotation still
 * needs (and which retired keys can go) with read-only credentials.
 * @module
 */
import { KeyrollError, fail } from '../errors.js';
import { checkOptions } from '../args.js';
import { parseEnvelope } from '../envelope/format.js';
import type { Keyring } from '../keyring/keyring.js';
import { checkDecoders, legacyDecoderFor, legacyMayRead, type LegacyDecoder } from './legacy/decoder.js';
import type { RowId, RowStore, Shard } from './store.js';

/**
 * Counts by key id.
 * @example
 * ```ts
 * const { byKeyId, notEnvelope } = await countKeyIds({ store });
 * byKeyId.get('k1'); // rows still under k1
 * ```
 */
export interface KeyIdCounts {
  /** Non-NULL rows seen. */
  readonly total: number;
  /** Rows per key id (a Map: key ids are user input). */
  readonly byKeyId: Map<string, number>;
  /** Values that are not envelopes (legacy plaintext, or damaged). */
  readonly notEnvelope: number;
  /** Envelopes of a format version or suite this build does not read. */
  readonly unsupported: number;
  /** With a keyring: stale rows (by `ring.isStale`) and rows that are not envelopes (what a real run would rewrite or report). */
  readonly stale?: number;
  /** With legacy decoders: values that are not envelopes and that a decoder recognises, per kind (`cloak`, `aes-256-gcm`, ...). */
  readonly legacy?: Map<string, number>;
  readonly aborted: boolean;
}

/**
 * Options of {@link countKeyIds}.
 * @example
 * ```ts
 * await countKeyIds({ store, batchSize: 5000, shard: { index: 0, count: 2 } });
 * ```
 */
export interface CountKeyIdsOptions {
  readonly store: RowStore;
  readonly batchSize?: number;
  readonly shard?: Shard;
  readonly signal?: AbortSignal;
  /** Optional: only its key ids, dates and active key are read (never a secret), to count stale rows. */
  readonly keyring?: Keyring;
  /** Legacy decoders: values they recognise are counted per kind, from their shape (no key is used). */
  readonly legacy?: readonly LegacyDecoder[];
}

/**
 * Walks the store and counts rows per key id from the header (the text
 * prefix `kr1.<keyId>.` or the binary header), never decrypting.
 * @example
 * ```ts
 * const counts = await countKeyIds({ store });
 * for (const [keyId, n] of counts.byKeyId) console.log(keyId, n);
 * ```
 */
export async function countKeyIds(options: CountKeyIdsOptions): Promise<KeyIdCounts> {
  if (typeof options !== 'object' || options === null) fail('ERR_INVALID_ARGUMENT', 'countKeyIds needs an options object with store');
  checkOptions(options, ['store', 'batchSize', 'shard', 'signal', 'keyring', 'legacy'], 'countKeyIds options');
  if (options.legacy !== undefined) checkDecoders(options.legacy);
  const decoders = options.legacy;
  const legacy = decoders === undefined ? undefined : new Map<string, number>();
  const { store, shard, signal } = options;
  const batchSize = options.batchSize ?? 1000;
  const ring = options.keyring;
  const byKeyId = new Map<string, number>();
  let total = 0;
  let notEnvelope = 0;
  let unsupported = 0;
  let stale = 0;
  let aborted = false;
  let cursor: RowId | undefined;
  for (;;) {
    if (signal?.aborted) {
      aborted = true;
      break;
    }
    const rows = await store.scan(cursor, batchSize, shard);
    for (const row of rows) {
      total++;
      try {
        const keyId = parseEnvelope(row.value).keyId;
        byKeyId.set(keyId, (byKeyId.get(keyId) ?? 0) + 1);
        if (ring !== undefined && ring.isStale(row.value)) stale++;
      } catch (err) {
        const kind = decoders === undefined || !legacyMayRead(err, row.value) ? undefined : legacyDecoderFor(decoders, row.value)?.kind;
        if (kind !== undefined) {
          notEnvelope++;
          legacy!.set(kind, (legacy!.get(kind) ?? 0) + 1);
        } else if (KeyrollError.is(err, 'ERR_MALFORMED_ENVELOPE')) notEnvelope++;
        else if (KeyrollError.is(err, 'ERR_UNSUPPORTED_VERSION') || KeyrollError.is(err, 'ERR_UNSUPPORTED_SUITE')) unsupported++;
        else throw err;
        if (ring !== undefined) stale++;
      }
    }
    if (rows.length < batchSize) break;
    cursor = rows[rows.length - 1]!.id;
  }
  return { total, byKeyId, notEnvelope, unsupported, aborted, ...(ring === undefined ? {} : { stale }), ...(legacy === undefined ? {} : { legacy }) };
}
