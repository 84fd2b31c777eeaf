/**
 * Computing a blind index under one key (docs/format.md, "Blind indexes"):
 *
 *   IK    = HKDF-SHA256(IKM = secret, salt = "keyroll/v1 blind index",
 *                       info = "keyroll/v1 blind index key" || 0x00 || params, L = 32)
 *   fast  = HMAC-SHA256(IK, message)
 *   slow  = scrypt(P = message, S = IK, N, r, p, dkLen = 32)
 *   index = hex(first ceil(bits / 8) bytes, unused low bits of the last byte cleared)
 *
 * The salt and info differ from every other derivation of a keyring key
 * (suite 1, tokens), and `params` carries the purpose and every option, so
 * an index key is independent of envelope keys, token keys and every other
 * index's key.
 * @module
 */
import { fail } from '../errors.js';
import { utf8 } from '../bytes.js';
import { hkdf, hmacKey, hmacSha256, scrypt, type HmacKey } from '../suites/primitives.js';
import { normalizeValue } from './normalize.js';
import type { IndexSpec } from './spec.js';

const encoder = new TextEncoder();
/** HKDF salt of every index key. */
export const INDEX_KEY_SALT = encoder.encode('keyroll/v1 blind index');
/** HKDF info prefix of every index key (then 0x00 and the definition's params). */
export const INDEX_KEY_INFO = encoder.encode('keyroll/v1 blind index key');

/**
 * A value to index: a string, bytes, or the fields of a compound index (2 to 32).
 * @example
 * ```ts
 * const one: BlindIndexValue = 'ann@example.com';
 * const compound: BlindIndexValue = ['Lee', '1970-01-01'];
 * ```
 */
export type BlindIndexValue = string | Uint8Array | readonly (string | Uint8Array)[];

/** The per-key state of one index definition. */
export interface IndexKey {
  readonly hmac: HmacKey | undefined;
  readonly raw: Uint8Array | undefined;
}

/**
 * Derives the index key of `spec` from a keyring key's secret.
 * @example
 * ```ts
 * const ik = deriveIndexKey(secret, indexSpec({ purpose: 'users.email' }));
 * ```
 */
export function deriveIndexKey(secret: Uint8Array, spec: IndexSpec): IndexKey {
  const info = new Uint8Array(INDEX_KEY_INFO.length + 1 + spec.params.length);
  info.set(INDEX_KEY_INFO, 0);
  info.set(spec.params, INDEX_KEY_INFO.length + 1);
  const derived = hkdf(secret, INDEX_KEY_SALT, info, 32);
  // Own backing store: never a view into Node's shared Buffer pool.
  const key = new Uint8Array(32);
  key.set(derived);
  derived.fill(0);
  if (spec.slow) return { hmac: undefined, raw: key };
  const hmac = hmacKey(key);
  key.fill(0);
  return { hmac, raw: undefined };
}

/**
 * The message a value is indexed as: `0x01 || bytes` for one value,
 * `0x02 || count (u8) || (length (u32 BE) || bytes)*` for a compound index.
 * String values are normalised by `spec` and encoded as UTF-8.
 * @example
 * ```ts
 * indexMessage('Ann', spec); // Uint8Array [1, 65, 110, 110] without normalisation
 * ```
 */
export function indexMessage(value: BlindIndexValue, spec: IndexSpec): Uint8Array {
  if (typeof value === 'string' || value instanceof Uint8Array) {
    const bytes = fieldBytes(value, spec, 'blind index value');
    const out = new Uint8Array(1 + bytes.length);
    out[0] = 1;
    out.set(bytes, 1);
    return out;
  }
  if (!Array.isArray(value)) return fail('ERR_INVALID_ARGUMENT', 'a blind index value must be a string, a Uint8Array or an array of them (a compound index)');
  const count = value.length;
  if (count < 2 || count > 32) fail('ERR_INVALID_ARGUMENT', `a compound blind index takes 2 to 32 fields; got ${count}`);
  const parts: Uint8Array[] = [];
  let length = 2;
  for (let i = 0; i < count; i++) {
    if (!Object.hasOwn(value, i)) fail('ERR_INVALID_ARGUMENT', `compound blind index field ${i} is missing`);
    const field = value[i];
    if (typeof field !== 'string' && !(field instanceof Uint8Array)) fail('ERR_INVALID_ARGUMENT', `compound blind index field ${i} must be a string or a Uint8Array`);
    const bytes = fieldBytes(field, spec, `compound blind index field ${i}`);
    parts.push(bytes);
    length += 4 + bytes.length;
  }
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  out[0] = 2;
  out[1] = count;
  let at = 2;
  for (const part of parts) {
    view.setUint32(at, part.length);
    out.set(part, at + 4);
    at += 4 + part.length;
  }
  return out;
}

function fieldBytes(value: string | Uint8Array, spec: IndexSpec, what: string): Uint8Array {
  return typeof value === 'string' ? utf8(normalizeValue(value, spec.flags), what) : value;
}

/**
 * The index of `message` under `key`, as lowercase hex of `ceil(bits / 8)` bytes.
 * @example
 * ```ts
 * indexWith(deriveIndexKey(secret, spec), indexMessage('ann@example.com', spec), spec); // '3f9a…'
 * ```
 */
export function indexWith(key: IndexKey, message: Uint8Array, spec: IndexSpec): string {
  const digest = key.hmac !== undefined ? hmacSha256(key.hmac, message) : scrypt(message, key.raw!, spec.slow!);
  const length = Math.ceil(spec.bits / 8);
  const spare = length * 8 - spec.bits;
  const out = Buffer.from(digest.subarray(0, length));
  if (spare > 0) out[length - 1] = out[length - 1]! & (0xff << spare) & 0xff;
  digest.fill(0);
  return out.toString('hex');
}
