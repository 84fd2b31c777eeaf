/**
 * The streaming envelope header (docs/format.md, "Streaming envelopes").
 * Pure: parsing needs no key, which `inspect()` relies on.
 *
 *   version u8 | suite u8 (0x02) | idLen u8 | keyId | segmentSize u32be |
 *   salt(32) | noncePrefix(7) | commitment(32)
 *
 * followed by segments `ciphertext || tag(16)`, each holding `segmentSize`
 * plaintext bytes except the last (0 to `segmentSize`, 0 only when it is the
 * only segment).
 * @module
 */
import { fail } from '../errors.js';
import { KEY_ID_PATTERN } from '../document/key-id.js';
import { CURRENT_VERSION, SUPPORTED_VERSIONS, type SuiteLayout } from './format.js';

/** The stream suite: STREAM over AES-256-GCM, stream key and commitment from HKDF-SHA256. */
export const STREAM_SUITE: SuiteLayout = {
  id: 2,
  name: 'AES-256-GCM-HKDF-SHA256-COMMIT-STREAM',
  saltLength: 32,
  commitmentLength: 32,
  tagLength: 16,
};
/** Bytes of the random nonce prefix. */
export const NONCE_PREFIX_LENGTH = 7;
/**
 * Default plaintext bytes per segment (64 KiB).
 * @example
 * ```ts
 * import { DEFAULT_SEGMENT_SIZE, encryptStream } from 'keyroll/stream';
 * encryptStream(ring, { segmentSize: 4 * DEFAULT_SEGMENT_SIZE });
 * ```
 */
export const DEFAULT_SEGMENT_SIZE = 64 * 1024;
/**
 * Smallest plaintext segment size accepted (16 bytes).
 * @example
 * ```ts
 * import { MIN_SEGMENT_SIZE } from 'keyroll/stream';
 * const size = Math.max(MIN_SEGMENT_SIZE, wanted);
 * ```
 */
export const MIN_SEGMENT_SIZE = 16;
/**
 * Largest plaintext segment size accepted (16 MiB).
 * @example
 * ```ts
 * import { MAX_SEGMENT_SIZE } from 'keyroll/stream';
 * const size = Math.min(MAX_SEGMENT_SIZE, wanted);
 * ```
 */
export const MAX_SEGMENT_SIZE = 16 * 1024 * 1024;
/** Segments per stream: the counter is a u32. */
export const MAX_SEGMENTS = 2 ** 32;
/** Header bytes besides the key id. */
const FIXED = 3 + 4 + 32 + NONCE_PREFIX_LENGTH + 32;
/** Longest header (64-character key id). */
export const MAX_HEADER_LENGTH = FIXED + 64;

/** A parsed stream header: facts and offsets into `bytes`. */
export interface StreamHeader {
  readonly version: number;
  readonly keyId: string;
  readonly segmentSize: number;
  /** The header's bytes (a copy), all of it authenticated. */
  readonly bytes: Uint8Array;
  /** `bytes[0, commitmentOffset)` is `header0`, the HKDF info input. */
  readonly commitmentOffset: number;
  readonly saltOffset: number;
  readonly noncePrefixOffset: number;
}

/** Header length for a key id. */
export function streamHeaderLength(keyId: string): number {
  return FIXED + keyId.length;
}

/** True when `bytes` starts like a stream (version byte and suite 2). */
export function looksLikeStream(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && SUPPORTED_VERSIONS.has(bytes[0]!) && bytes[1] === STREAM_SUITE.id;
}

/** Checks a segment size option (plaintext bytes per segment). */
export function checkSegmentSize(value: unknown): number {
  if (value === undefined) return DEFAULT_SEGMENT_SIZE;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_SEGMENT_SIZE || value > MAX_SEGMENT_SIZE) {
    fail('ERR_INVALID_ARGUMENT', `segmentSize must be an integer from ${MIN_SEGMENT_SIZE} to ${MAX_SEGMENT_SIZE}`);
  }
  return value;
}

/**
 * Writes a header with everything but the commitment (left zero); returns
 * it. `salt` and `noncePrefix` come from the caller (random in use).
 */
export function encodeStreamHeader(keyId: string, segmentSize: number, salt: Uint8Array, noncePrefix: Uint8Array): StreamHeader {
  const bytes = new Uint8Array(streamHeaderLength(keyId));
  bytes[0] = CURRENT_VERSION;
  bytes[1] = STREAM_SUITE.id;
  bytes[2] = keyId.length;
  for (let i = 0; i < keyId.length; i++) bytes[3 + i] = keyId.charCodeAt(i);
  const at = 3 + keyId.length;
  new DataView(bytes.buffer).setUint32(at, segmentSize);
  bytes.set(salt.subarray(0, 32), at + 4);
  bytes.set(noncePrefix.subarray(0, NONCE_PREFIX_LENGTH), at + 36);
  return { version: CURRENT_VERSION, keyId, segmentSize, bytes, saltOffset: at + 4, noncePrefixOffset: at + 36, commitmentOffset: at + 36 + NONCE_PREFIX_LENGTH };
}

/**
 * Parses a stream header from the start of `bytes`. Returns `undefined`
 * when `bytes` is too short to tell yet (a stream reader waits for more);
 * throws a KeyrollError when the bytes cannot be a stream header.
 */
export function parseStreamHeader(bytes: Uint8Array): StreamHeader | undefined {
  if (bytes.length < 3) return undefined;
  if (bytes[0] === 0x6b && bytes[1] === 0x72) {
    fail('ERR_UNSUPPORTED_SUITE', 'this is a text envelope (kr1.<keyId>.…), not a streaming envelope: open it with ring.decrypt()');
  }
  const version = bytes[0]!;
  if (!SUPPORTED_VERSIONS.has(version)) {
    fail('ERR_UNSUPPORTED_VERSION', `envelope format version ${version} is not supported by this build (it reads ${[...SUPPORTED_VERSIONS].join(', ')})`);
  }
  if (bytes[1] !== STREAM_SUITE.id) {
    fail('ERR_UNSUPPORTED_SUITE', `this is an envelope of suite ${bytes[1]}, not a streaming envelope (suite ${STREAM_SUITE.id}): open it with ring.decrypt()`);
  }
  const idLength = bytes[2]!;
  if (idLength < 1 || idLength > 64) malformed('the key id length is out of range');
  const length = FIXED + idLength;
  if (bytes.length < length) return undefined;
  let keyId = '';
  for (let i = 0; i < idLength; i++) keyId += String.fromCharCode(bytes[3 + i]!);
  if (!KEY_ID_PATTERN.test(keyId)) malformed('the key id holds characters outside A-Z a-z 0-9 _ -');
  const at = 3 + idLength;
  const segmentSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at);
  if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) malformed(`its segment size ${segmentSize} is outside ${MIN_SEGMENT_SIZE} to ${MAX_SEGMENT_SIZE}`, keyId);
  return {
    version,
    keyId,
    segmentSize,
    bytes: bytes.slice(0, length),
    saltOffset: at + 4,
    noncePrefixOffset: at + 36,
    commitmentOffset: at + 36 + NONCE_PREFIX_LENGTH,
  };
}

/**
 * Plaintext length of a complete stream of `streamLength` bytes, or
 * `undefined` when no complete stream has that length.
 */
export function streamPlaintextLength(header: StreamHeader, streamLength: number): number | undefined {
  const body = streamLength - header.bytes.length;
  const full = header.segmentSize + STREAM_SUITE.tagLength;
  if (body < STREAM_SUITE.tagLength) return undefined;
  const segments = Math.ceil(body / full);
  const last = body - (segments - 1) * full;
  if (last < STREAM_SUITE.tagLength || (last === STREAM_SUITE.tagLength && segments > 1)) return undefined;
  return body - segments * STREAM_SUITE.tagLength;
}

/** The refusal `ring.decrypt()` gives a streaming envelope. */
export function refuseStream(): never {
  return fail('ERR_UNSUPPORTED_SUITE', 'this is a streaming envelope (suite 2): open it with decryptStream(), decryptFile() or decryptRange() from keyroll/stream, or `keyroll decrypt --in FILE`');
}

function malformed(why: string, keyId?: string): never {
  return fail('ERR_MALFORMED_ENVELOPE', `not a keyroll streaming envelope: ${why}`, keyId === undefined ? {} : { keyId });
}
