/**
 * The envelope format: binary layout and text form. Pure: parsing needs no
 * key and no crypto, which is what `inspect()` and dry runs rely on.
 *
 * Binary (docs/format.md): `version u8 | suite u8 | idLen u8 | keyId |
 * suite body`, where suite 1's body is `salt(16) | commitment(32) |
 * ciphertext | tag(16)`. Text: `kr<version>.<keyId>.<base64url(binary)>`.
 * @module
 */
import { fail } from '../errors.js';
import { latin1, describe, fromBase64urlStrict, toBase64url } from '../bytes.js';
import { KEY_ID_PATTERN } from '../document/key-id.js';
import { looksLikeStream, parseStreamHeader, refuseStream, streamPlaintextLength, STREAM_SUITE, type StreamHeader } from './stream-header.js';

/**
 * The envelope format version this build writes.
 * @example
 * ```ts
 * import { CURRENT_VERSION, inspect } from 'keyroll';
 * inspect(stored).version === CURRENT_VERSION; // false for envelopes of an older format
 * ```
 */
export const CURRENT_VERSION = 1;
/** Format versions this build reads. */
export const SUPPORTED_VERSIONS: ReadonlySet<number> = new Set([1]);

/** Sizes of the body of each suite this build knows. */
export interface SuiteLayout {
  readonly id: number;
  readonly name: string;
  readonly saltLength: number;
  readonly commitmentLength: number;
  readonly tagLength: number;
}

/** Suite 1: AES-256-GCM, per-message key and commitment from HKDF-SHA256. */
export const SUITE_1: SuiteLayout = {
  id: 1,
  name: 'AES-256-GCM-HKDF-SHA256-COMMIT',
  saltLength: 16,
  commitmentLength: 32,
  tagLength: 16,
};

/** The suite new envelopes use. */
export const DEFAULT_SUITE = SUITE_1;
const SUITES = new Map<number, SuiteLayout>([[1, SUITE_1]]);

/**
 * Which form an envelope came in.
 * @example
 * ```ts
 * const form: EnvelopeForm = inspect(stored).form; // 'text' (kr1.<keyId>.<base64url>) or 'binary'
 * ```
 */
export type EnvelopeForm = 'text' | 'binary';

/** A parsed envelope: header facts and offsets into `bytes`. */
export interface ParsedEnvelope {
  readonly form: EnvelopeForm;
  readonly version: number;
  readonly suite: SuiteLayout;
  readonly keyId: string;
  /** The binary envelope. */
  readonly bytes: Uint8Array;
  /** Offset of the salt: bytes before it are version, suite and key id. */
  readonly saltOffset: number;
  /** Offset of the ciphertext: bytes before it are the authenticated header. */
  readonly bodyOffset: number;
  /** Offset of the tag. */
  readonly tagOffset: number;
}

const TEXT_MAGIC = 'kr';

/** Writes `version | suite | idLen | keyId` and returns the header prefix. */
export function encodeHeaderPrefix(version: number, suite: SuiteLayout, keyId: string): Uint8Array {
  const out = new Uint8Array(3 + keyId.length);
  writeHeaderPrefix(out, version, suite, keyId);
  return out;
}

/**
 * Writes `version | suite | idLen | keyId` at the start of `out` (which the
 * caller sized with {@link envelopeLength}) and returns its length: the
 * offset of the suite body. Saves an allocation per message.
 */
export function writeHeaderPrefix(out: Uint8Array, version: number, suite: SuiteLayout, keyId: string): number {
  out[0] = version;
  out[1] = suite.id;
  out[2] = keyId.length;
  for (let i = 0; i < keyId.length; i++) out[3 + i] = keyId.charCodeAt(i);
  return 3 + keyId.length;
}

/** Total binary length of an envelope for `plaintextLength` bytes. */
export function envelopeLength(suite: SuiteLayout, keyId: string, plaintextLength: number): number {
  return 3 + keyId.length + suite.saltLength + suite.commitmentLength + plaintextLength + suite.tagLength;
}

/** The text form of a binary envelope. */
export function toText(version: number, keyId: string, bytes: Uint8Array): string {
  return `${TEXT_MAGIC}${version}.${keyId}.${toBase64url(bytes)}`;
}

/** Parses a text or binary envelope. Throws a KeyrollError on anything malformed. */
export function parseEnvelope(envelope: string | Uint8Array): ParsedEnvelope {
  if (typeof envelope === 'string') return parseText(envelope);
  if (!(envelope instanceof Uint8Array)) {
    return fail('ERR_INVALID_ARGUMENT', `envelope must be a string or a Uint8Array, got ${describe(envelope)}`);
  }
  // Text stored in a binary column: 'k' (0x6b) is never a binary version byte.
  if (envelope.length > 3 && envelope[0] === 0x6b && envelope[1] === 0x72) {
    return parseTextBytes(envelope);
  }
  return parseBinary(envelope, 'binary');
}

/** Longest text prefix: "kr" + 3 version digits + "." + 64-character key id + ".". */
const MAX_PREFIX = 2 + 3 + 1 + 64 + 1;

interface TextPrefix {
  readonly version: number;
  readonly keyId: string;
  /** Index of the payload's first character. */
  readonly payloadStart: number;
}

/**
 * Reads `kr<version>.<keyId>.` from the start of `head`, looking at no more
 * than {@link MAX_PREFIX} characters, so junk of any length is refused at
 * once (the caller passes at least that many characters when there are).
 */
function parsePrefix(head: string): TextPrefix {
  if (!head.startsWith(TEXT_MAGIC)) malformed(`it does not start with "${TEXT_MAGIC}"`);
  const firstDot = head.slice(0, TEXT_MAGIC.length + 4).indexOf('.', TEXT_MAGIC.length);
  if (firstDot === -1) malformed(head.length <= TEXT_MAGIC.length + 3 ? 'the text prefix has no "." after the version' : 'the version in the text prefix is not a number');
  const versionText = head.slice(TEXT_MAGIC.length, firstDot);
  if (!/^[1-9][0-9]{0,2}$/.test(versionText)) malformed('the version in the text prefix is not a number');
  const version = Number(versionText);
  const idWindow = head.slice(firstDot + 1, firstDot + 66);
  const idLength = idWindow.indexOf('.');
  if (idLength === -1) malformed(idWindow.length < 65 ? 'the text prefix has no "." after the key id' : 'the key id in the text prefix is not a valid key id');
  const keyId = idWindow.slice(0, idLength);
  if (!KEY_ID_PATTERN.test(keyId)) malformed('the key id in the text prefix is not a valid key id');
  if (!SUPPORTED_VERSIONS.has(version)) {
    fail('ERR_UNSUPPORTED_VERSION', `envelope format version ${version} is not supported by this build (it reads ${[...SUPPORTED_VERSIONS].join(', ')})`, { keyId });
  }
  return { version, keyId, payloadStart: firstDot + 2 + idLength };
}

function parseText(text: string): ParsedEnvelope {
  const prefix = parsePrefix(text);
  return parsePayload(text.slice(prefix.payloadStart), prefix);
}

/**
 * A text envelope held as bytes (a BLOB or BYTEA column): the prefix is read
 * from the first bytes only, and the payload is converted once, natively, so
 * the work is linear in the input and junk is refused before any conversion.
 */
function parseTextBytes(bytes: Uint8Array): ParsedEnvelope {
  const prefix = parsePrefix(latin1(bytes.subarray(0, MAX_PREFIX)));
  return parsePayload(latin1(bytes.subarray(prefix.payloadStart)), prefix);
}

function parsePayload(payload: string, prefix: TextPrefix): ParsedEnvelope {
  const { version, keyId } = prefix;
  const bytes = fromBase64urlStrict(payload, false); // not secret: the pooled, faster allocation
  if (bytes === undefined) malformed('the payload after the prefix is not canonical base64url', keyId);
  const parsed = parseBinary(bytes, 'text');
  if (parsed.version !== version || parsed.keyId !== keyId) {
    malformed('the text prefix disagrees with the authenticated header', keyId);
  }
  return parsed;
}

function parseBinary(bytes: Uint8Array, form: EnvelopeForm): ParsedEnvelope {
  if (bytes.length < 4) malformed(`it is ${bytes.length} bytes long, shorter than any envelope`);
  const version = bytes[0]!;
  if (!SUPPORTED_VERSIONS.has(version)) {
    fail('ERR_UNSUPPORTED_VERSION', `envelope format version ${version} is not supported by this build (it reads ${[...SUPPORTED_VERSIONS].join(', ')})`);
  }
  const suite = SUITES.get(bytes[1]!);
  if (bytes[1] === STREAM_SUITE.id) refuseStream();
  if (suite === undefined) fail('ERR_UNSUPPORTED_SUITE', `envelope suite ${bytes[1]} is not supported by this build`);
  const idLength = bytes[2]!;
  if (idLength < 1 || idLength > 64 || bytes.length < 3 + idLength) malformed('the key id length is out of range');
  let keyId = '';
  for (let i = 0; i < idLength; i++) keyId += String.fromCharCode(bytes[3 + i]!);
  if (!KEY_ID_PATTERN.test(keyId)) malformed('the key id holds characters outside A-Z a-z 0-9 _ -');
  const saltOffset = 3 + idLength;
  const bodyOffset = saltOffset + suite.saltLength + suite.commitmentLength;
  const tagOffset = bytes.length - suite.tagLength;
  if (tagOffset < bodyOffset) malformed(`it is ${bytes.length} bytes long, too short for suite ${suite.id}`, keyId);
  return { form, version, suite, keyId, bytes, saltOffset, bodyOffset, tagOffset };
}

function malformed(why: string, keyId?: string): never {
  return fail('ERR_MALFORMED_ENVELOPE', `not a keyroll envelope: ${why}`, keyId === undefined ? {} : { keyId });
}

/**
 * What {@link inspect} tells about an envelope without any key.
 * @example
 * ```ts
 * const info: EnvelopeInfo = inspect('kr1.k2.AQEC...');
 * console.log(info.keyId, info.plaintextLength);
 * ```
 */
export interface EnvelopeInfo {
  /** Envelope format version. */
  readonly version: number;
  /** Suite id and name. */
  readonly suite: { readonly id: number; readonly name: string };
  /** The id of the key that made it. */
  readonly keyId: string;
  /** Text (`kr1.<keyId>.…`), binary, or a streaming envelope (`keyroll/stream`). */
  readonly form: EnvelopeForm | 'stream';
  /**
   * Plaintext length in bytes. For a streaming envelope, the bytes given
   * must be the whole stream (`inspectFile` in `keyroll/stream` reads a
   * stream file's header and size only).
   */
  readonly plaintextLength: number;
  /** Streaming envelopes only: plaintext bytes per segment. */
  readonly segmentSize?: number;
}

/**
 * Reads an envelope's header: no key needed, never decrypts. The facts are
 * not authenticated until a keyring opens the envelope.
 *
 * @example
 * ```ts
 * import { inspect } from 'keyroll';
 * inspect('kr1.k2.AQEC...'); // { version: 1, suite: { id: 1, ... }, keyId: 'k2', form: 'text', ... }
 * inspect(firstBytesOfAStreamFile); // { suite: { id: 2, ... }, form: 'stream', segmentSize: 65536, ... }
 * ```
 */
export function inspect(envelope: string | Uint8Array): EnvelopeInfo {
  if (envelope instanceof Uint8Array && looksLikeStream(envelope)) return inspectStream(envelope);
  const p = parseEnvelope(envelope);
  return {
    version: p.version,
    suite: { id: p.suite.id, name: p.suite.name },
    keyId: p.keyId,
    form: p.form,
    plaintextLength: p.tagOffset - p.bodyOffset,
  };
}

function inspectStream(bytes: Uint8Array): EnvelopeInfo {
  const header = parseStreamHeader(bytes);
  if (header === undefined) malformed(`it is ${bytes.length} bytes long, shorter than a streaming envelope's header`);
  return {
    version: header.version,
    suite: { id: STREAM_SUITE.id, name: STREAM_SUITE.name },
    keyId: header.keyId,
    form: 'stream',
    plaintextLength: streamLength(header, bytes.length),
    segmentSize: header.segmentSize,
  };
}

/** Plaintext length of a complete stream; a KeyrollError when `length` cannot be one. */
export function streamLength(header: StreamHeader, length: number): number {
  const plaintext = streamPlaintextLength(header, length);
  if (plaintext === undefined) {
    malformed(`no complete streaming envelope with ${header.segmentSize}-byte segments is ${length} bytes long (truncated?)`, header.keyId);
  }
  return plaintext;
}
