/**
 * A configurable decoder for the hand-rolled layouts common in Node
 * services: AES-256-GCM, or AES-256-CBC with HMAC-SHA256 (encrypt-then-MAC),
 * its parts (IV, ciphertext, tag or MAC) each encoded as hex, base64 or
 * base64url and joined by a separator in a stated order, for example
 * `iv:tag:ciphertext` in hex. The shape is checked exactly (part count,
 * alphabet, IV and tag lengths), so a value of another shape is never
 * decoded by accident.
 * @module
 */
import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { fail } from '../../errors.js';
import { fromBase64Strict, fromBase64urlStrict, fromHexStrict } from '../../bytes.js';
import { gcmOpen } from './cloak.js';
import { checkOptions } from '../../args.js';
import { legacyDecryptFailed, legacyText, rememberConfig, type LegacyDecoder } from './decoder.js';

/**
 * A part of a hand-rolled layout: the IV, the ciphertext, and the GCM tag or the CBC MAC.
 * @example
 * ```ts
 * const order: LayoutPart[] = ['iv', 'tag', 'ciphertext'];
 * ```
 */
export type LayoutPart = 'iv' | 'ciphertext' | 'tag';

/**
 * Options of {@link layoutDecoder}.
 * @example
 * ```ts
 * layoutDecoder({ algorithm: 'aes-256-gcm', key: process.env.OLD_KEY_HEX!, keyEncoding: 'hex', encoding: 'hex', separator: ':', order: ['iv', 'tag', 'ciphertext'] });
 * ```
 */
export interface LayoutDecoderOptions {
  /** `aes-256-gcm` (16-byte tag), or `aes-256-cbc-hmac-sha256` (PKCS#7 padding; 32-byte HMAC-SHA256 over IV || ciphertext, checked first). */
  readonly algorithm: 'aes-256-gcm' | 'aes-256-cbc-hmac-sha256';
  /** The 32-byte encryption key: bytes, or a string in `keyEncoding`. */
  readonly key: Uint8Array | string;
  /** The 32-byte MAC key of the CBC layout (required for it, refused for GCM). */
  readonly macKey?: Uint8Array | string;
  /** How `key` and `macKey` are written when strings (default `hex`). */
  readonly keyEncoding?: 'hex' | 'base64' | 'base64url';
  /** How each part is written in the value. */
  readonly encoding: 'hex' | 'base64' | 'base64url';
  /** The separator between parts (default `:`); must not occur in the encoding's alphabet. */
  readonly separator?: string;
  /** The parts in the order they appear. */
  readonly order: readonly LayoutPart[];
  /** IV length in bytes (default 12 for GCM, 16 for CBC). */
  readonly ivLength?: number;
  /** A fixed prefix before the first part (for example `enc:`), if the layout has one. */
  readonly prefix?: string;
}

const ALPHABET = { hex: /^[0-9a-fA-F]*$/, base64: /^[A-Za-z0-9+/]*={0,2}$/, base64url: /^[A-Za-z0-9_-]*$/ } as const;
const OPTION_KEYS = ['algorithm', 'key', 'macKey', 'keyEncoding', 'encoding', 'separator', 'order', 'ivLength', 'prefix'];

function decodePart(text: string, encoding: LayoutDecoderOptions['encoding']): Buffer | undefined {
  if (!ALPHABET[encoding].test(text)) return undefined;
  if (encoding === 'hex') return fromHexStrict(text);
  if (encoding === 'base64') return fromBase64Strict(text);
  return fromBase64urlStrict(text);
}

function keyBytes(value: unknown, encoding: LayoutDecoderOptions['keyEncoding'], what: string): Buffer {
  let bytes: Buffer | undefined;
  if (value instanceof Uint8Array) bytes = Buffer.from(value);
  else if (typeof value === 'string') bytes = encoding === 'base64' ? fromBase64Strict(value.trim()) : encoding === 'base64url' ? fromBase64urlStrict(value.trim()) : fromHexStrict(value.trim());
  if (bytes === undefined || bytes.length !== 32) fail('ERR_INVALID_KEY', `layoutDecoder: ${what} must be 32 bytes (${encoding ?? 'hex'} when given as a string)`);
  const own = Buffer.alloc(32);
  own.set(bytes);
  bytes.fill(0);
  return own;
}

/**
 * A decoder for one hand-rolled AES-GCM or AES-CBC + HMAC layout.
 * @example
 * ```ts
 * const legacy = layoutDecoder({ algorithm: 'aes-256-gcm', key: oldKeyHex, encoding: 'base64', separator: '.', order: ['iv', 'ciphertext', 'tag'] });
 * legacy.decode('q83v...==.Zm9v...==.3q2+...=='); // plaintext bytes
 * ```
 */
export function layoutDecoder(options: LayoutDecoderOptions): LegacyDecoder {
  if (typeof options !== 'object' || options === null) fail('ERR_INVALID_ARGUMENT', 'layoutDecoder takes an options object');
  checkOptions(options, OPTION_KEYS, 'layoutDecoder options');
  const { algorithm, encoding, separator = ':', order, prefix = '' } = options;
  if (algorithm !== 'aes-256-gcm' && algorithm !== 'aes-256-cbc-hmac-sha256') fail('ERR_INVALID_ARGUMENT', 'layoutDecoder: algorithm must be aes-256-gcm or aes-256-cbc-hmac-sha256');
  if (encoding !== 'hex' && encoding !== 'base64' && encoding !== 'base64url') fail('ERR_INVALID_ARGUMENT', 'layoutDecoder: encoding must be hex, base64 or base64url');
  if (typeof separator !== 'string' || separator.length === 0 || ALPHABET[encoding].test(separator) || separator.includes('=')) {
    fail('ERR_INVALID_ARGUMENT', `layoutDecoder: the separator must be a non-empty string outside the ${encoding} alphabet`);
  }
  if (typeof prefix !== 'string') fail('ERR_INVALID_ARGUMENT', 'layoutDecoder: prefix must be a string');
  const parts: LayoutPart[] = Array.isArray(order) ? [...(order as LayoutPart[])] : [];
  if (parts.length !== 3 || new Set(parts).size !== 3 || !parts.every((p) => p === 'iv' || p === 'ciphertext' || p === 'tag')) {
    fail('ERR_INVALID_ARGUMENT', "layoutDecoder: order must name 'iv', 'ciphertext' and 'tag' once each");
  }
  const gcm = algorithm === 'aes-256-gcm';
  const ivLength = options.ivLength ?? (gcm ? 12 : 16);
  if (gcm ? !Number.isInteger(ivLength) || ivLength < 12 || ivLength > 16 : ivLength !== 16) fail('ERR_INVALID_ARGUMENT', `layoutDecoder: ivLength must be ${gcm ? '12 to 16' : '16'} bytes`);
  const key = keyBytes(options.key, options.keyEncoding, 'key');
  if (gcm && options.macKey !== undefined) fail('ERR_INVALID_ARGUMENT', 'layoutDecoder: macKey is for the CBC layout only');
  const macKey = gcm ? undefined : keyBytes(options.macKey, options.keyEncoding, 'macKey');
  const tagLength = gcm ? 16 : 32;
  const kind = algorithm;

  const split = (value: string | Uint8Array): Record<LayoutPart, Buffer> | undefined => {
    const text = legacyText(value);
    if (!text.startsWith(prefix)) return undefined;
    const pieces = text.slice(prefix.length).split(separator);
    if (pieces.length !== 3) return undefined;
    const out: Partial<Record<LayoutPart, Buffer>> = {};
    for (let i = 0; i < 3; i++) {
      const bytes = decodePart(pieces[i]!, encoding);
      if (bytes === undefined) return undefined;
      out[parts[i]!] = bytes;
    }
    const { iv, ciphertext, tag } = out as Record<LayoutPart, Buffer>;
    if (iv.length !== ivLength || tag.length !== tagLength) return undefined;
    if (!gcm && (ciphertext.length === 0 || ciphertext.length % 16 !== 0)) return undefined;
    return { iv, ciphertext, tag };
  };

  // As plain data for worker threads: the checked options, keys as bytes.
  const config = { algorithm, encoding, separator, order: parts, prefix, ivLength, key: Uint8Array.from(key), ...(macKey === undefined ? {} : { macKey: Uint8Array.from(macKey) }) };
  return rememberConfig({
    kind,
    recognizes: (value) => split(value) !== undefined,
    decode(value) {
      const parsed = split(value);
      if (parsed === undefined) return fail('ERR_MALFORMED_ENVELOPE', `not a value of the configured ${kind} layout`);
      const { iv, ciphertext, tag } = parsed;
      if (gcm) return gcmOpen(key, iv, ciphertext, tag) ?? legacyDecryptFailed(kind);
      const mac = createHmac('sha256', macKey!).update(iv).update(ciphertext).digest();
      if (!timingSafeEqual(mac, tag)) legacyDecryptFailed(kind);
      try {
        const decipher = createDecipheriv('aes-256-cbc', key, iv);
        return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
      } catch {
        return legacyDecryptFailed(kind);
      }
    },
  }, { type: 'layout', options: config });
}
