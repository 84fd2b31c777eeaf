/**
 * PASETO v4.local over raw 32-byte keys: XChaCha20 for confidentiality and
 * keyed BLAKE2b-256 over PAE for integrity (encrypt-then-MAC), exactly as the
 * specification writes it. These are the functions the token API calls and
 * the ones the published test vectors run through.
 * https://github.com/paseto-standard/paseto-spec/blob/master/docs/01-Protocol-Versions/Version4.md
 * @module
 */
import { xchacha20 } from '@noble/ciphers/chacha';
import { blake2b } from '@noble/hashes/blake2b';
import { toBase64url } from '../bytes.js';
import { fail } from '../errors.js';
import { randomBytes, timingSafeEqual } from './portable.js';
import { pae } from './pae.js';
import { parseToken, V4_LOCAL_HEADER, type ParsedToken } from './parse.js';

const encoder = new TextEncoder();
const HEADER = encoder.encode(V4_LOCAL_HEADER);
const ENCRYPTION_KEY_INFO = encoder.encode('paseto-encryption-key');
const AUTH_KEY_INFO = encoder.encode('paseto-auth-key-for-aead');
const EMPTY = new Uint8Array(0);
/** Bytes of the random nonce `n`. */
export const NONCE_LENGTH = 32;
/** Bytes of the BLAKE2b tag `t`. */
export const TAG_LENGTH = 32;
/** Bytes of a v4.local key. */
export const KEY_LENGTH = 32;

/** What {@link decryptV4Local} returns. */
export interface V4LocalOpened {
  /** The decrypted message (for keyroll tokens: the claims as UTF-8 JSON). */
  readonly payload: Uint8Array;
  /** The footer as sent (authenticated, never encrypted); empty when absent. */
  readonly footer: Uint8Array;
}

/**
 * A PASETO key: its bytes together with the version and purpose it is for.
 * PASETO requires keys to carry their type so that, for example, a v4.public
 * key's bytes can never be used as a v4.local key (test vector 4-F-1).
 */
export interface PasetoKey {
  readonly version: 'v4';
  readonly purpose: 'local' | 'public';
  readonly bytes: Uint8Array;
}

/**
 * Wraps 32 raw bytes as a v4.local key.
 * @example
 * ```ts
 * const key = v4LocalKey(crypto.getRandomValues(new Uint8Array(32)));
 * ```
 */
export function v4LocalKey(bytes: Uint8Array): PasetoKey {
  if (!(bytes instanceof Uint8Array) || bytes.length !== KEY_LENGTH) fail('ERR_INVALID_ARGUMENT', `a v4.local key must be ${KEY_LENGTH} bytes`);
  return Object.freeze({ version: 'v4', purpose: 'local', bytes });
}

function checkKey(key: PasetoKey): Uint8Array {
  if (typeof key !== 'object' || key === null || key.version !== 'v4' || key.purpose !== 'local') {
    fail('ERR_INVALID_ARGUMENT', 'only a v4.local key can encrypt or decrypt v4.local tokens');
  }
  if (!(key.bytes instanceof Uint8Array) || key.bytes.length !== KEY_LENGTH) fail('ERR_INVALID_ARGUMENT', `a v4.local key must be ${KEY_LENGTH} bytes`);
  return key.bytes;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Ek || n2 and Ak from the key and the nonce (spec steps 3 and 4). */
function splitKeys(key: Uint8Array, nonce: Uint8Array): { ek: Uint8Array; n2: Uint8Array; ak: Uint8Array } {
  const tmp = blake2b(concat(ENCRYPTION_KEY_INFO, nonce), { key, dkLen: 56 });
  const ak = blake2b(concat(AUTH_KEY_INFO, nonce), { key, dkLen: 32 });
  return { ek: tmp.subarray(0, 32), n2: tmp.subarray(32, 56), ak };
}

function tag(ak: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, footer: Uint8Array, implicit: Uint8Array): Uint8Array {
  return blake2b(pae([HEADER, nonce, ciphertext, footer, implicit]), { key: ak, dkLen: TAG_LENGTH });
}

/**
 * Encrypts `message` into a `v4.local.` token. `nonce` is for known-answer
 * tests only: in use it must be fresh random bytes, which is the default.
 * @example
 * ```ts
 * const token = encryptV4Local(v4LocalKey(key32), utf8('{"exp":"2030-01-01T00:00:00+00:00"}'), utf8('{"kid":"k1"}'));
 * ```
 */
export function encryptV4Local(
  localKey: PasetoKey,
  message: Uint8Array,
  footer: Uint8Array = EMPTY,
  implicit: Uint8Array = EMPTY,
  nonce: Uint8Array = randomBytes(NONCE_LENGTH),
): string {
  const key = checkKey(localKey);
  if (nonce.length !== NONCE_LENGTH) fail('ERR_INVALID_ARGUMENT', `a v4.local nonce must be ${NONCE_LENGTH} bytes`);
  const { ek, n2, ak } = splitKeys(key, nonce);
  const ciphertext = xchacha20(ek, n2, message);
  const t = tag(ak, nonce, ciphertext, footer, implicit);
  ek.fill(0);
  ak.fill(0);
  const body = new Uint8Array(NONCE_LENGTH + ciphertext.length + TAG_LENGTH);
  body.set(nonce, 0);
  body.set(ciphertext, NONCE_LENGTH);
  body.set(t, NONCE_LENGTH + ciphertext.length);
  return V4_LOCAL_HEADER + toBase64url(body) + (footer.length === 0 ? '' : `.${toBase64url(footer)}`);
}

/**
 * Checks and decrypts a `v4.local.` token (or one already parsed by
 * {@link parseToken}). Any version or purpose other than v4.local is
 * `ERR_TOKEN_UNSUPPORTED`; a malformed token, a wrong key, a changed footer
 * or implicit assertion are all `ERR_TOKEN_INVALID`.
 * @example
 * ```ts
 * const { payload, footer } = decryptV4Local(v4LocalKey(key32), token);
 * ```
 */
export function decryptV4Local(localKey: PasetoKey, token: string | ParsedToken, implicit: Uint8Array = EMPTY): V4LocalOpened {
  const key = checkKey(localKey);
  const parsed = typeof token === 'string' ? parseToken(token) : token;
  const { body, footer } = parsed;
  const nonce = body.subarray(0, NONCE_LENGTH);
  const ciphertext = body.subarray(NONCE_LENGTH, body.length - TAG_LENGTH);
  const t = body.subarray(body.length - TAG_LENGTH);
  const { ek, n2, ak } = splitKeys(key, nonce);
  const expected = tag(ak, nonce, ciphertext, footer, implicit);
  ak.fill(0);
  if (!timingSafeEqual(expected, t)) {
    ek.fill(0);
    fail('ERR_TOKEN_INVALID', 'token authentication failed: it was forged or changed, the footer or implicit assertion differs, or another key made it');
  }
  const payload = xchacha20(ek, n2, ciphertext);
  ek.fill(0);
  return { payload, footer };
}
