/**
 * Splitting a token into its parts, before any key is involved: the header
 * check (only `v4.local` is accepted: the minimum and only token version),
 * strict base64url, and the length bounds.
 * @module
 */
import { describe, fromBase64urlStrict } from '../bytes.js';
import { fail } from '../errors.js';

/** The only header keyroll accepts. */
export const V4_LOCAL_HEADER = 'v4.local.';
/**
 * Longest token accepted, in characters: refused before any decoding or crypto.
 * @example
 * ```ts
 * if (header.length > MAX_TOKEN_LENGTH) return reply(401); // verifyToken refuses it anyway, before any crypto
 * ```
 */
export const MAX_TOKEN_LENGTH = 8192;
/** Nonce (32) + tag (32): the shortest possible body. */
const MIN_BODY = 64;

/** A token split into its decoded parts. */
export interface ParsedToken {
  /** n || c || t. */
  readonly body: Uint8Array;
  /** The decoded footer; empty when absent. */
  readonly footer: Uint8Array;
}

/**
 * Splits and decodes a token without a key. `ERR_TOKEN_UNSUPPORTED` for
 * another PASETO version or purpose (`v3.local`, `v4.public`, ...),
 * `ERR_TOKEN_INVALID` for anything malformed.
 * @example
 * ```ts
 * const { footer } = parseToken(token); // then pick the key the footer names
 * ```
 */
export function parseToken(token: unknown): ParsedToken {
  if (typeof token !== 'string') fail('ERR_INVALID_ARGUMENT', `a token must be a string, got ${describe(token)}`);
  if (token.length > MAX_TOKEN_LENGTH) fail('ERR_TOKEN_INVALID', `token is ${token.length} characters long; at most ${MAX_TOKEN_LENGTH} are accepted`);
  const parts = token.split('.');
  if (parts[0] !== 'v4' || parts[1] !== 'local') {
    // Only a well-formed PASETO header earns "unsupported"; anything else is not a token at all.
    if (parts.length >= 3 && /^v[0-9]{1,3}$/.test(parts[0]!) && /^[a-z]{1,16}$/.test(parts[1]!)) {
      fail('ERR_TOKEN_UNSUPPORTED', `token is ${parts[0]}.${parts[1]}; keyroll accepts v4.local tokens only`);
    }
    fail('ERR_TOKEN_INVALID', 'not a PASETO token: it must start with "v4.local."');
  }
  if (parts.length !== 3 && parts.length !== 4) fail('ERR_TOKEN_INVALID', `token has ${parts.length} dot-separated parts; a v4.local token has 3 or 4`);
  const body = fromBase64urlStrict(parts[2]!);
  if (body === undefined) fail('ERR_TOKEN_INVALID', 'token body is not canonical unpadded base64url');
  if (body.length < MIN_BODY) fail('ERR_TOKEN_INVALID', `token body is ${body.length} bytes; at least ${MIN_BODY} (nonce and tag) are required`);
  let footer: Uint8Array = new Uint8Array(0);
  if (parts.length === 4) {
    // An empty footer is written by omitting it: a trailing dot is a second spelling of the same token.
    const decoded = parts[3]!.length === 0 ? undefined : fromBase64urlStrict(parts[3]!);
    if (decoded === undefined) fail('ERR_TOKEN_INVALID', 'token footer is empty or not canonical unpadded base64url');
    footer = decoded;
  }
  return { body, footer };
}
