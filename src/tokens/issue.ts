/**
 * `issueToken`: a PASETO v4.local token under the keyring's active key.
 * @module
 */
import { assertStringOrBytes, utf8 } from '../bytes.js';
import { fail } from '../errors.js';
import { checkOptions } from '../args.js';
import { ISSUE_OPTIONS, buildClaims, encodeClaims, type ClaimOptions } from './claims.js';
import { assertKeyring, ringNow, tokenKeyOf, type TokenKeyring } from './derive.js';
import { encodeFooter } from './footer.js';
import { MAX_TOKEN_LENGTH } from './parse.js';
import { encryptV4Local } from './v4local.js';

/**
 * Options of {@link issueToken}.
 * @example
 * ```ts
 * const token = issueToken(ring, { role: 'viewer' }, { expiresIn: '15m', implicitAssertion: `user:${userId}` });
 * verifyToken(ring, token, { implicitAssertion: `user:${userId}` });
 * ```
 */
export interface IssueOptions extends ClaimOptions {
  /**
   * Data bound to the token but not carried in it (PASETO's implicit
   * assertion), e.g. a user id or a database row version: the verifier must
   * pass the same value.
   */
  readonly implicitAssertion?: string | Uint8Array;
}

/**
 * Issues an encrypted, expiring token (PASETO v4.local) with the keyring's
 * active key; the footer names the key: `{"kid":"<keyId>"}`.
 * @example
 * ```ts
 * import { issueToken } from 'keyroll/tokens';
 * const token = issueToken(ring, { path: '/videos/42.mp4' }, {
 *   expiresIn: '1h',
 *   audience: 'cdn',
 *   restrict: { ip: '203.0.113.0/24', protocol: 'https' },
 * });
 * ```
 */
export function issueToken(ring: TokenKeyring, claims: object, options: IssueOptions): string {
  assertKeyring(ring);
  if (typeof options !== 'object' || options === null) fail('ERR_INVALID_ARGUMENT', 'issueToken needs options with expiresIn: keyroll tokens always expire');
  checkOptions(options, ISSUE_OPTIONS, 'issueToken options');
  const payload = encodeClaims(buildClaims(claims, options.now === undefined ? { ...options, now: ringNow(ring) } : options));
  const implicit = implicitBytes(options.implicitAssertion);
  const key = ring.get(ring.activeKeyId)!;
  const token = encryptV4Local(tokenKeyOf(key), payload, encodeFooter(key.id), implicit);
  // Never hand out a token that verifyToken would refuse for its size.
  if (token.length > MAX_TOKEN_LENGTH) fail('ERR_INVALID_ARGUMENT', `the token would be ${token.length} characters; at most ${MAX_TOKEN_LENGTH} are accepted: carry less in the claims`);
  return token;
}

/**
 * The implicit assertion as bytes (empty when absent).
 * @example
 * ```ts
 * implicitBytes('user:42'); // UTF-8 bytes
 * ```
 */
export function implicitBytes(value: string | Uint8Array | undefined): Uint8Array {
  if (value === undefined) return new Uint8Array(0);
  assertStringOrBytes(value, 'implicitAssertion');
  return typeof value === 'string' ? utf8(value, 'implicitAssertion') : value;
}
