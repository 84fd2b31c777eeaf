/**
 * Lazy re-encryption on read: one call gives the plaintext and, when the
 * stored envelope is stale, a fresh envelope under the active key; a second
 * helper writes it back through the caller's compare-and-swap, so a value
 * someone else changed in between is never overwritten.
 *
 * No I/O and no database driver here: this file is part of the root entry.
 * @module
 */
import { KeyrollError, fail } from '../errors.js';
import { fromUtf8 } from '../bytes.js';
import { checkOptions, guarded } from '../args.js';
import { DEFAULT_SUITE, SUPPORTED_VERSIONS, parseEnvelope } from '../envelope/format.js';
import { canonicalContext, type Context } from '../envelope/context.js';
import { keyringInternals, type Keyring, type OpenResult } from '../keyring/keyring.js';
import { indexSpec, type BlindIndexOptions } from '../lookup/spec.js';
import { checkDecoders, legacyDecoderFor, legacyMayRead, type LegacyDecoder } from './legacy/decoder.js';

const SUITE_IDS: ReadonlySet<number> = new Set([DEFAULT_SUITE.id]);

const ENCODER = new TextEncoder();
const REFRESH_OPTIONS = ['context', 'fromPlaintext', 'isLegacy', 'legacy', 'blindIndex', 'counters'];

/**
 * A stored value: a text envelope, or bytes (binary envelope, or a text envelope in a BLOB/BYTEA column).
 * @example
 * ```ts
 * const stored: StoredValue = row.token; // 'kr1.k1.AQEC...' or a Buffer from a BYTEA column
 * ```
 */
export type StoredValue = string | Uint8Array;

/**
 * Options of {@link readAndRefresh}.
 * @example
 * ```ts
 * readAndRefresh(ring, stored, { context: { table: 'users', column: 'token', id: '42' }, fromPlaintext: true });
 * ```
 */
export interface RefreshOptions {
  /** The context the value was encrypted with, e.g. `{ table: 'users', column: 'token', id: '42' }`. */
  readonly context?: Context;
  /**
   * Opt-in plaintext migration: a stored value that is not an envelope at all
   * (`ERR_MALFORMED_ENVELOPE`) is returned as legacy plaintext and encrypted
   * on the way back. A well-formed envelope that fails to decrypt is still an
   * error, and so is a value that starts like an envelope (a text prefix
   * `kr<digits>.`, or the binary header of a known version and suite) but does
   * not parse: it is a damaged envelope, never data. This mode suspends
   * integrity for the column (anyone who can write it can plant a value that
   * is read as plaintext): keep it for the migration only.
   * Default false: a non-envelope is `ERR_MALFORMED_ENVELOPE`.
   */
  readonly fromPlaintext?: boolean;
  /**
   * With `fromPlaintext`: decides which non-envelopes are legacy plaintext
   * (return true), in place of the default rule above. A value it refuses
   * stays `ERR_MALFORMED_ENVELOPE`. For example `(v) => typeof v === 'string' && /^\d{3}-\d{2}-\d{4}$/.test(v)`.
   */
  readonly isLegacy?: (value: StoredValue) => boolean;
  /**
   * Decoders of values written by another library (`cloakDecoder`,
   * `layoutDecoder` from `keyroll/rotation`): a stored value that is not a
   * keyroll envelope and that one of them recognises is decoded with its
   * keys and re-encrypted on the way back (`legacyKind` names the decoder).
   * A recognised value that fails to decode is an error, never data; a value
   * none recognises is `ERR_MALFORMED_ENVELOPE` (unless `fromPlaintext`).
   */
  readonly legacy?: readonly LegacyDecoder[];
  /**
   * The blind index definition of the value's index column: when the value
   * is stale, `index` holds its index under the active key, to write with
   * `fresh` in the same compare-and-swap. A plaintext that is UTF-8 is
   * indexed as a string (so `normalize` applies), other bytes as bytes.
   */
  readonly blindIndex?: BlindIndexOptions;
  /** Counters to increment (share one object across calls to watch a migration). */
  readonly counters?: RefreshCounters;
}

/**
 * Running counts kept by {@link readAndRefresh} when given a counters object.
 * @example
 * ```ts
 * const counters = refreshCounters();
 * // ... many reads ...
 * metrics.gauge('keyroll.stale_reads', counters.stale);
 * ```
 */
export interface RefreshCounters {
  reads: number;
  stale: number;
  legacyPlaintext: number;
  /** Values read by a legacy decoder (`legacy`). */
  legacyDecoded: number;
  written: number;
  conflicts: number;
}

/**
 * What {@link readAndRefresh} returns. The fields narrow one another: when
 * neither `legacyPlaintext` nor `legacyKind` is set (the stored value was an
 * envelope) `keyId` is a string, and when `stale` is true `fresh` is set.
 * @example
 * ```ts
 * const read = readAndRefresh(ring, stored, { context });
 * if (!read.legacyPlaintext && read.legacyKind === undefined) console.log(`opened with ${read.keyId}`); // keyId: string here
 * if (read.stale) await save(read.fresh, read.index); // fresh: StoredValue here
 * ```
 */
export type RefreshResult = {
  /** The plaintext bytes. */
  readonly plaintext: Uint8Array;
  /** The plaintext decoded as strict UTF-8 (throws `ERR_INVALID_ARGUMENT` when it is not UTF-8). */
  readonly text: string;
  /** With `blindIndex`, when `stale`: the value's index under the active key, to write with `fresh`. */
  readonly index?: string;
} & (
  | {
      /** False: the stored value is an envelope under the active key; nothing to write. */
      readonly stale: false;
      readonly fresh?: undefined;
      /** False: the stored value was an envelope. */
      readonly legacyPlaintext: false;
      /** The key that opened the stored envelope. */
      readonly keyId: string;
      readonly legacyKind?: undefined;
    }
  | {
      /** True: the stored value should be replaced by `fresh`. */
      readonly stale: true;
      /** The replacement under the active key, same form (text or bytes) as the stored value. */
      readonly fresh: StoredValue;
      /** False: the stored value was an envelope (under another key, or an older suite). */
      readonly legacyPlaintext: false;
      /** The key that opened the stored envelope. */
      readonly keyId: string;
      readonly legacyKind?: undefined;
    }
  | {
      /** True: the stored value should be replaced by `fresh`. */
      readonly stale: true;
      /** The value encrypted under the active key, same form as the stored value. */
      readonly fresh: StoredValue;
      /** True: the stored value was legacy plaintext (only with `fromPlaintext`). */
      readonly legacyPlaintext: true;
      readonly keyId?: undefined;
      readonly legacyKind?: undefined;
    }
  | {
      /** True: the stored value should be replaced by `fresh`. */
      readonly stale: true;
      /** The value encrypted under the active key, same form as the stored value. */
      readonly fresh: StoredValue;
      /** False: the stored value was another library's ciphertext, not plaintext. */
      readonly legacyPlaintext: false;
      readonly keyId?: undefined;
      /** The kind of the legacy decoder that read it (`cloak`, `aes-256-gcm`, ...; only with `legacy`). */
      readonly legacyKind: string;
    }
);

/**
 * Fresh counters for {@link RefreshOptions.counters}.
 * @example
 * ```ts
 * const counters = refreshCounters();
 * readAndRefresh(ring, stored, { counters });
 * counters.stale; // 0 or 1
 * ```
 */
export function refreshCounters(): RefreshCounters {
  return { reads: 0, stale: 0, legacyPlaintext: 0, legacyDecoded: 0, written: 0, conflicts: 0 };
}

/**
 * Decrypts a stored value and, when it is stale (another key, an older
 * suite or format version, or legacy plaintext), makes its replacement under
 * the active key in the same form (text stays text, bytes stay bytes).
 * Synchronous and pure apart from the keyring's randomness.
 *
 * @example
 * ```ts
 * import { readAndRefresh } from 'keyroll';
 * const context = { table: 'users', column: 'token', id: String(id) };
 * const { text, fresh } = readAndRefresh(ring, stored, { context });
 * if (fresh !== undefined) await db.query('UPDATE users SET token = $1 WHERE id = $2 AND token = $3', [fresh, id, stored]);
 * ```
 */
export function readAndRefresh(ring: Keyring, stored: StoredValue, options: RefreshOptions = {}): RefreshResult {
  checkOptions(options, REFRESH_OPTIONS, 'readAndRefresh options');
  checkCounters(options.counters);
  if (options.isLegacy !== undefined && typeof options.isLegacy !== 'function') fail('ERR_INVALID_ARGUMENT', 'readAndRefresh options: isLegacy must be a function (value) => boolean');
  if (options.legacy !== undefined) checkDecoders(options.legacy);
  // Checked on every read, so a bad definition fails at once, not at the first stale value.
  if (options.blindIndex !== undefined) indexSpec(options.blindIndex);
  // Canonicalised once for the open and the seal.
  const read = result(readValue(ring, stored, canonicalContext(options.context), options));
  if (options.blindIndex === undefined || read.fresh === undefined) return read;
  return Object.assign(read, { index: ring.blindIndex(indexable(read.plaintext), options.blindIndex) });
}

/** What reading one value found, before it is dressed as a {@link RefreshResult}. Package-internal. */
export interface ValueRead {
  readonly plaintext: Uint8Array;
  /** The replacement under the active key, when the value is stale. */
  readonly fresh: StoredValue | undefined;
  /** The value was legacy plaintext. */
  readonly legacy: boolean;
  /** The legacy decoder that read it. */
  readonly legacyKind: string | undefined;
  /** The key that made the envelope. */
  readonly keyId: string | undefined;
}

/**
 * Package-internal: {@link readAndRefresh} without its checks, its index
 * and its result object, for callers that checked the options once (the
 * batch job) and give the context as canonical bytes.
 */
export function readValue(ring: Keyring, stored: StoredValue, context: Uint8Array, options: Omit<RefreshOptions, 'context' | 'blindIndex'>): ValueRead {
  const counters = options.counters;
  if (counters) counters.reads++;
  const { open, seal } = keyringInternals;
  let opened: OpenResult;
  try {
    opened = open(ring, stored, context);
  } catch (err) {
    // open() raises ERR_MALFORMED_ENVELOPE only while parsing, before any key is
    // used: exactly "not an envelope". Newer versions or suites, and values that
    // fail to decrypt, stay errors and are never taken for plaintext.
    const decoder = options.legacy === undefined || !legacyMayRead(err, stored) ? undefined : legacyDecoderFor(options.legacy, stored);
    if (decoder !== undefined) {
      // Recognised: decoded with the decoder's keys, or its error (never taken for plaintext).
      const plaintext = decoder.decode(stored);
      const fresh = seal(ring, plaintext, context, typeof stored === 'string' ? 'text' : 'binary');
      if (counters) {
        counters.stale++;
        counters.legacyDecoded++;
      }
      return { plaintext, fresh, legacy: false, legacyKind: decoder.kind, keyId: undefined };
    }
    if (options.fromPlaintext !== true || !KeyrollError.is(err, 'ERR_MALFORMED_ENVELOPE')) throw err;
    if (!(options.isLegacy === undefined ? !looksLikeEnvelope(stored) : options.isLegacy(stored) === true)) throw err;
    const plaintext = typeof stored === 'string' ? ENCODER.encode(stored) : Uint8Array.from(stored);
    const fresh = seal(ring, plaintext, context, typeof stored === 'string' ? 'text' : 'binary');
    if (counters) {
      counters.stale++;
      counters.legacyPlaintext++;
    }
    return { plaintext, fresh, legacy: true, legacyKind: undefined, keyId: undefined };
  }
  if (!opened.stale) return { plaintext: opened.plaintext, fresh: undefined, legacy: false, legacyKind: undefined, keyId: opened.keyId };
  if (counters) counters.stale++;
  return { plaintext: opened.plaintext, fresh: sameForm(ring, stored, opened, context), legacy: false, legacyKind: undefined, keyId: opened.keyId };
}

/**
 * Options of {@link refreshOnRead}.
 * @example
 * ```ts
 * await refreshOnRead(ring, stored, { context, swap: async (fresh, previous) => saveIfUnchanged(id, fresh, previous) });
 * ```
 */
export interface RefreshOnReadOptions extends RefreshOptions {
  /**
   * Compare-and-swap: store `fresh` only if the stored value is still
   * `previous`; resolve true when it was written. In SQL:
   * `UPDATE t SET c = $fresh WHERE id = $id AND c = $previous`, true when one row changed.
   * With `blindIndex`, `index` is the value's index under the active key:
   * set the index column in the same statement (`, c_idx = $index`).
   */
  readonly swap: (fresh: StoredValue, previous: StoredValue, index?: string) => boolean | Promise<boolean>;
}

/**
 * What {@link refreshOnRead} returns.
 * @example
 * ```ts
 * const r = await refreshOnRead(ring, stored, { context, swap });
 * if (r.conflict) log.info('row changed concurrently; left as the other writer wrote it');
 * ```
 */
export type RefreshOnReadResult = RefreshResult & {
  /** True when the fresh envelope was written back. */
  readonly written: boolean;
  /** True when the swap found the value changed by someone else (nothing was overwritten). */
  readonly conflict: boolean;
};

/**
 * Reads a stored value and, when it is stale, writes the fresh envelope back
 * through `swap`. A value changed concurrently is left alone (`conflict`):
 * the other writer wins, and the plaintext returned is the one that was read.
 *
 * @example
 * ```ts
 * import { refreshOnRead } from 'keyroll';
 * const { text } = await refreshOnRead(ring, row.token, {
 *   context: { table: 'users', column: 'token', id: String(row.id) },
 *   swap: async (fresh, previous) =>
 *     (await pool.query('UPDATE users SET token = $1 WHERE id = $2 AND token = $3', [fresh, row.id, previous])).rowCount === 1,
 * });
 * ```
 */
export async function refreshOnRead(ring: Keyring, stored: StoredValue, options: RefreshOnReadOptions): Promise<RefreshOnReadResult> {
  checkOptions(options, [...REFRESH_OPTIONS, 'swap'], 'refreshOnRead options');
  if (typeof options?.swap !== 'function') fail('ERR_INVALID_ARGUMENT', 'refreshOnRead needs a swap(fresh, previous) function');
  const { swap: _swap, ...refresh } = options;
  const read = readAndRefresh(ring, stored, refresh);
  if (read.fresh === undefined) return withWrite(read, false, false);
  const written = (await options.swap(read.fresh, stored, read.index)) === true;
  if (options.counters) {
    if (written) options.counters.written++;
    else options.counters.conflicts++;
  }
  return withWrite(read, written, !written);
}

/**
 * True when `stored` parses as an envelope; only a malformed one counts as "not an envelope".
 * @example
 * ```ts
 * isEnvelope('kr1.k1.AQEC...'); // true when it parses
 * isEnvelope('plain text');      // false
 * ```
 */
export function isEnvelope(stored: StoredValue): boolean {
  try {
    parseEnvelope(stored);
    return true;
  } catch (err) {
    // Unsupported versions or suites look like envelopes from a newer build:
    // never mistake them for plaintext (that would encrypt an envelope twice).
    if (KeyrollError.is(err, 'ERR_MALFORMED_ENVELOPE')) return false;
    throw err;
  }
}

function checkCounters(counters: unknown): void {
  if (counters === undefined) return;
  const ok = typeof counters === 'object' && counters !== null && guarded(() => Object.keys(refreshCounters()).every((k) => typeof (counters as Record<string, unknown>)[k] === 'number'), 'counters');
  if (!ok) fail('ERR_INVALID_ARGUMENT', 'counters must be an object made by refreshCounters()');
}

const TEXT_PREFIX = /^kr[0-9]+\./;

/**
 * True when `stored` starts as keyroll writes envelopes: the text prefix
 * `kr<digits>.` (as a string, or as bytes of a text envelope in a binary
 * column), or, for bytes, a version and suite byte this build knows.
 */
function looksLikeEnvelope(stored: StoredValue): boolean {
  if (typeof stored === 'string') return TEXT_PREFIX.test(stored.slice(0, 16));
  if (stored.length >= 2 && SUPPORTED_VERSIONS.has(stored[0]!) && SUITE_IDS.has(stored[1]!)) return true;
  let head = '';
  for (let i = 0; i < Math.min(stored.length, 16); i++) head += String.fromCharCode(stored[i]!);
  return TEXT_PREFIX.test(head);
}

/** A UTF-8 plaintext is indexed as a string (normalisation applies), other bytes as they are. Package-internal. */
export function indexable(plaintext: Uint8Array): string | Uint8Array {
  try {
    return fromUtf8(plaintext, 'the plaintext');
  } catch {
    return plaintext;
  }
}

function sameForm(ring: Keyring, stored: StoredValue, opened: OpenResult, context: Uint8Array): StoredValue {
  const { seal } = keyringInternals;
  if (typeof stored === 'string') return seal(ring, opened.plaintext, context, 'text');
  // Bytes: a text envelope kept in a BLOB stays text bytes; a binary one stays binary.
  if (opened.form === 'text') return ENCODER.encode(seal(ring, opened.plaintext, context, 'text') as string);
  return seal(ring, opened.plaintext, context, 'binary');
}

function result(read: ValueRead): RefreshResult {
  const { plaintext } = read;
  const out = {
    plaintext,
    stale: read.fresh !== undefined,
    legacyPlaintext: read.legacy,
    get text(): string {
      return fromUtf8(plaintext, 'the plaintext');
    },
  };
  if (read.fresh !== undefined) Object.assign(out, { fresh: read.fresh });
  if (read.keyId !== undefined) Object.assign(out, { keyId: read.keyId });
  if (read.legacyKind !== undefined) Object.assign(out, { legacyKind: read.legacyKind });
  return out as RefreshResult;
}

function withWrite(read: RefreshResult, written: boolean, conflict: boolean): RefreshOnReadResult {
  // Not a spread: that would evaluate the `text` getter eagerly (and throw on non-UTF-8 plaintext).
  return Object.assign(read, { written, conflict });
}
