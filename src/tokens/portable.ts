/**
 * The primitives tokens need, on every runtime: HKDF-SHA256 from
 * @noble/hashes (already bundled with this entry for BLAKE2b), the
 * CSPRNG through WebCrypto's `getRandomValues` (Node 20+, Bun, Deno,
 * browsers and workers all have it), and a constant-time comparison.
 * Tokens never import node:crypto, so `keyroll/tokens` runs wherever
 * `keyroll/web` does.
 * @module
 */
import { hkdf as nobleHkdf } from '@noble/hashes/hkdf';
import { sha256 } from '@noble/hashes/sha2';
import { equalBytes } from '../bytes.js';
import { fail } from '../errors.js';

/** HKDF-SHA256 (RFC 5869). */
export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return nobleHkdf(sha256, ikm, salt, info, length);
}

/** `length` bytes from the runtime's CSPRNG. */
export function randomBytes(length: number): Uint8Array {
  const crypto = (globalThis as { crypto?: { getRandomValues?(array: Uint8Array): Uint8Array } }).crypto;
  if (typeof crypto?.getRandomValues !== 'function') fail('ERR_INVALID_ARGUMENT', 'this runtime has no globalThis.crypto.getRandomValues, which tokens need');
  const out = new Uint8Array(length);
  crypto.getRandomValues(out);
  return out;
}

/** Constant-time equality (lengths compared first: they are public). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return equalBytes(a, b);
}
