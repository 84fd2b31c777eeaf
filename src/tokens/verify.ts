/**
 * `verifyToken` and `inspectToken`: the key is picked by the footer's `kid`,
 * the token is authenticated and decrypted, then every claim is checked.
 * @module
 */
import { describe } from '../bytes.js';
import { checkOptions } from '../args.js';
import { fail } from '../errors.js';
import { checkClaims, readClaims, type Expectations } from './check.js';
import type { TokenClaims } from './claims.js';
import { assertKeyring, ringNow, verifyingKey, type TokenKeyring } from './derive.js';
import { footerKeyId } from './footer.js';
import { implicitBytes } from './issue.js';
import { parseToken } from './parse.js';
import { parseDuration, toMillis, type Duration, type Instant } from './time.js';
import { decryptV4Local } from './v4local.js';

/**
 * Options of {@link verifyToken}.
 * @example
 * ```ts
 * verifyToken(ring, token, { audience: ['api', 'cdn'], clockSkew: '30s', now: Date.now() });
 * ```
 */
export interface VerifyOptions {
  /** Accepted audiences. Required to accept a token that names one. */
  readonly audience?: string | readonly string[];
  /** Now (tests, replays); default the keyring's clock (`ring.now()`). */
  readonly now?: Instant;
  /** Tolerated clock difference: seconds or a string such as `30s`. Default 0, at most {@link MAX_CLOCK_SKEW} seconds (5 minutes). */
  readonly clockSkew?: Duration;
  /**
   * Refuse tokens issued longer ago than this (seconds or a string such as
   * `15m`), whatever their `exp`: a token without `iat` is then refused too.
   */
  readonly maxAge?: Duration;
  /** Must equal the value given to `issueToken`. */
  readonly implicitAssertion?: string | Uint8Array;
  /** Expected `sub`/`iss`, and what the verifier sees of the request (checked against the token's restrictions). */
  readonly expect?: Expectations;
}

/**
 * What {@link inspectToken} returns.
 * @example
 * ```ts
 * inspectToken(token); // { version: 'v4', purpose: 'local', keyId: 'k2' }: no key needed, nothing decrypted
 * ```
 */
export interface TokenInfo {
  readonly version: 'v4';
  readonly purpose: 'local';
  /** The keyring key that made the token. */
  readonly keyId: string;
}

const OBSERVED = ['subject', 'issuer', 'ip', 'country', 'path', 'referrer', 'protocol'] as const;
const VERIFY_OPTIONS = ['audience', 'now', 'clockSkew', 'maxAge', 'implicitAssertion', 'expect'];
/**
 * The largest `clockSkew` accepted, in seconds (5 minutes): a larger
 * tolerance would quietly extend every token's lifetime.
 * @example
 * ```ts
 * verifyToken(ring, token, { clockSkew: MAX_CLOCK_SKEW }); // the most tolerance allowed
 * ```
 */
export const MAX_CLOCK_SKEW = 300;

function checkExpect(expect: unknown): Expectations | undefined {
  if (expect === undefined) return undefined;
  if (typeof expect !== 'object' || expect === null) fail('ERR_INVALID_ARGUMENT', `expect must be an object, got ${describe(expect)}`);
  checkOptions(expect, OBSERVED, 'verifyToken options: expect');
  for (const name of OBSERVED) {
    const value = (expect as Record<string, unknown>)[name];
    if (value !== undefined && typeof value !== 'string') fail('ERR_INVALID_ARGUMENT', `expect.${name} must be a string, got ${describe(value)}`);
  }
  return expect as Expectations;
}

/**
 * Verifies a token and returns its claims. The key named by the footer must
 * be in the keyring and not disabled (active, pending or `decrypt-only`: the
 * primary and the backup). `exp` is always checked.
 * @example
 * ```ts
 * import { verifyToken } from 'keyroll/tokens';
 * const claims = verifyToken(ring, token, {
 *   audience: 'cdn',
 *   expect: { ip: req.socket.remoteAddress, path: req.url, protocol: 'https' },
 * });
 * ```
 */
export function verifyToken(ring: TokenKeyring, token: string, options: VerifyOptions = {}): TokenClaims {
  assertKeyring(ring);
  if (typeof options !== 'object' || options === null) fail('ERR_INVALID_ARGUMENT', `options must be an object, got ${describe(options)}`);
  checkOptions(options, VERIFY_OPTIONS, 'verifyToken options');
  const now = options.now === undefined ? ringNow(ring) : toMillis(options.now, 'now');
  const clockSkew = options.clockSkew === undefined ? 0 : parseDuration(options.clockSkew, 'clockSkew');
  if (clockSkew > MAX_CLOCK_SKEW * 1000) fail('ERR_INVALID_ARGUMENT', `clockSkew must be at most ${MAX_CLOCK_SKEW} seconds`);
  const maxAge = options.maxAge === undefined ? undefined : parseDuration(options.maxAge, 'maxAge');
  const expect = checkExpect(options.expect);
  const implicit = implicitBytes(options.implicitAssertion);
  const parsed = parseToken(token);
  const keyId = footerKeyId(parsed.footer);
  const { payload } = decryptV4Local(verifyingKey(ring, keyId), parsed, implicit);
  const claims = readClaims(payload);
  checkClaims(claims, {
    now,
    clockSkew,
    ...(maxAge === undefined ? {} : { maxAge }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    ...(expect === undefined ? {} : { expect }),
  });
  return claims;
}

/**
 * A token's version, purpose and key id, read without any key and without
 * decrypting (the footer is plain text): for counting tokens per key during a rotation.
 * @example
 * ```ts
 * inspectToken(token).keyId; // 'k2'
 * ```
 */
export function inspectToken(token: string): TokenInfo {
  return { version: 'v4', purpose: 'local', keyId: footerKeyId(parseToken(token).footer) };
}
