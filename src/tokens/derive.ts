/**
 * The token key: a v4.local key derived from a keyring key's secret with its
 * own labels, so a token key never equals an envelope key (or any other key
 * derived from the same secret), and a secret of any accepted length works.
 *
 *   token key = HKDF-SHA256(IKM = secret, salt = TOKEN_KEY_SALT, info = TOKEN_KEY_INFO, L = 32)
 *
 * Suite 1 extracts with another salt ("keyroll/v1 suite 1 ..."), so the two
 * PRKs, and everything expanded from them, are independent.
 * @module
 */
import { fail } from '../errors.js';
import { materialOf, type Key } from '../keyring/key.js';
import { hkdf } from './portable.js';
import { v4LocalKey, type PasetoKey } from './v4local.js';

const encoder = new TextEncoder();
/** HKDF salt: a fixed, public label for keyroll token keys. */
export const TOKEN_KEY_SALT = encoder.encode('keyroll/v1 tokens PASETO v4.local');
/** HKDF info. */
export const TOKEN_KEY_INFO = encoder.encode('keyroll/v1 token key');
/** Slot in the key's derived-state cache (suite ids use small numbers). */
export const TOKEN_KEY_CACHE_ID = 0x7401;

/**
 * Derives the v4.local token key from a keyring key's secret.
 * @example
 * ```ts
 * const key = deriveTokenKey(secretBytes); // { version: 'v4', purpose: 'local', bytes: 32 bytes }
 * ```
 */
export function deriveTokenKey(secret: Uint8Array): PasetoKey {
  return v4LocalKey(hkdf(secret, TOKEN_KEY_SALT, TOKEN_KEY_INFO, 32));
}

/**
 * The token key of a keyring key, derived once and cached with the key.
 * @example
 * ```ts
 * const key = tokenKeyOf(ring.get(ring.activeKeyId)!);
 * ```
 */
export function tokenKeyOf(key: Key): PasetoKey {
  return materialOf(key).derived(TOKEN_KEY_CACHE_ID, deriveTokenKey);
}

/**
 * The keyring surface tokens need: satisfied by `Keyring`.
 * @example
 * ```ts
 * const ring: TokenKeyring = await Keyring.fromEnv(); // any Keyring is a TokenKeyring
 * issueToken(ring, {}, { expiresIn: 60 });
 * ```
 */
export interface TokenKeyring {
  readonly activeKeyId: string;
  get(keyId: string): Key | undefined;
  /** The keyring's clock (a `Keyring` has one); tokens default to it for now. */
  now?(): Date;
}

/** Now in milliseconds by the keyring's clock, else the system clock. */
export function ringNow(ring: TokenKeyring): number {
  return typeof ring.now === 'function' ? ring.now().getTime() : Date.now();
}

/**
 * The key a token names, or `ERR_UNKNOWN_KEY` / `ERR_KEY_DISABLED`. Active,
 * pending and `decrypt-only` keys verify (the CDN's primary and backup).
 * @example
 * ```ts
 * const key = verifyingKey(ring, footerKeyId(parsed.footer));
 * ```
 */
export function verifyingKey(ring: TokenKeyring, keyId: string): PasetoKey {
  const key = ring.get(keyId);
  if (key === undefined) fail('ERR_UNKNOWN_KEY', `token names key "${keyId}", which is not in this keyring`, { keyId });
  if (key.state === 'disabled') fail('ERR_KEY_DISABLED', `token names key "${keyId}", which is disabled`, { keyId });
  return tokenKeyOf(key);
}

/**
 * Checks that `ring` looks like a keyring (duck-typed, so CJS and ESM copies of keyroll interoperate).
 * @example
 * ```ts
 * assertKeyring(ring);
 * ```
 */
export function assertKeyring(ring: unknown): asserts ring is TokenKeyring {
  const r = ring as Partial<TokenKeyring> | null;
  if (typeof r !== 'object' || r === null || typeof r.get !== 'function' || typeof r.activeKeyId !== 'string') {
    fail('ERR_INVALID_ARGUMENT', 'the first argument must be a Keyring');
  }
}
