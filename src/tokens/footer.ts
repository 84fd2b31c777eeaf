/**
 * The footer keyroll writes and accepts: exactly `{"kid":"<keyId>"}`, the
 * PASETO footer claim `kid` naming the keyring key that made the token. It is
 * authenticated but not encrypted, so the key can be picked before decryption.
 * @module
 */
import { fail } from '../errors.js';
import { latin1 } from '../bytes.js';

/** Longest footer accepted, in bytes: `{"kid":""}` plus a 64-character id, with room to spare. */
export const MAX_FOOTER_BYTES = 128;
// Key ids never need JSON escaping, so one exact spelling is accepted; anything else is refused.
const FOOTER = /^\{"kid":"([A-Za-z0-9_-]{1,64})"\}$/;
const encoder = new TextEncoder();

/**
 * The footer for a key id (ids are `A-Z a-z 0-9 _ -`, checked by the keyring).
 * @example
 * ```ts
 * encodeFooter('k1'); // bytes of {"kid":"k1"}
 * ```
 */
export function encodeFooter(keyId: string): Uint8Array {
  return encoder.encode(`{"kid":"${keyId}"}`);
}

/**
 * The key id a footer names; `ERR_TOKEN_INVALID` for any other footer
 * (missing, too long, another JSON shape, extra claims, whitespace).
 * @example
 * ```ts
 * footerKeyId(parseToken(token).footer); // 'k1'
 * ```
 */
export function footerKeyId(footer: Uint8Array): string {
  if (footer.length === 0) fail('ERR_TOKEN_INVALID', 'token has no footer; keyroll tokens carry {"kid":"<key id>"}');
  if (footer.length > MAX_FOOTER_BYTES) fail('ERR_TOKEN_INVALID', `token footer is ${footer.length} bytes; at most ${MAX_FOOTER_BYTES} are accepted`);
  // latin1 maps every byte to one character, so non-ASCII bytes simply fail the pattern.
  const match = FOOTER.exec(latin1(footer));
  if (match === null) fail('ERR_TOKEN_INVALID', 'token footer must be exactly {"kid":"<key id>"}');
  return match[1]!;
}
