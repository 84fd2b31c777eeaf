/**
 * Reading and checking a decrypted token's claims: the payload must be a JSON
 * object with a valid `exp` (a token without one is never valid), then time,
 * audience, subject, issuer and restrictions are checked, in that order.
 * @module
 */
import { describe } from '../bytes.js';
import { fail } from '../errors.js';
import type { TokenClaims } from './claims.js';
import { checkRestrictClaim, checkRestrictions, type Observed } from './restrictions.js';
import { parseDateTime } from './time.js';

/**
 * What the verifier expects of a token and sees of the request.
 * @example
 * ```ts
 * verifyToken(ring, token, { expect: { subject: 'user-42', issuer: 'auth', ip: req.socket.remoteAddress } });
 * ```
 */
export interface Expectations extends Observed {
  /** The token's `sub` must equal this. */
  readonly subject?: string;
  /** The token's `iss` must equal this. */
  readonly issuer?: string;
}

/** The parts of the verify options the claim checks use. */
export interface CheckOptions {
  /** Accepted audiences. A token with `aud` needs this (fail closed); a token without `aud` ignores it. */
  readonly audience?: string | readonly string[];
  /** Now, in milliseconds since the epoch. */
  readonly now: number;
  /** Tolerated clock difference between issuer and verifier, in milliseconds. */
  readonly clockSkew: number;
  /** When set, tokens whose `iat` is older than this many milliseconds (or that have no `iat`) are refused. */
  readonly maxAge?: number;
  readonly expect?: Expectations;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a decrypted payload into claims; `ERR_TOKEN_INVALID` unless it is a
 * JSON object whose registered claims have the PASETO types.
 * @example
 * ```ts
 * const claims = readClaims(decryptV4Local(key, token).payload);
 * ```
 */
export function readClaims(payload: Uint8Array): TokenClaims {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch {
    // Never pass the parser's message on: it quotes the (secret) payload.
    return fail('ERR_TOKEN_INVALID', 'token payload is not UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('ERR_TOKEN_INVALID', `token payload must be a JSON object, got ${describe(value)}`);
  const claims = value as Record<string, unknown>;
  if (claims['exp'] === undefined) fail('ERR_TOKEN_INVALID', 'token has no exp claim; keyroll never accepts a token that does not expire');
  for (const name of ['exp', 'nbf', 'iat']) {
    if (claims[name] !== undefined && parseDateTime(claims[name]) === undefined) fail('ERR_TOKEN_INVALID', `token claim ${name} is not an ISO 8601 date-time with an offset`);
  }
  for (const name of ['aud', 'sub', 'iss', 'jti']) {
    if (claims[name] !== undefined && typeof claims[name] !== 'string') fail('ERR_TOKEN_INVALID', `token claim ${name} must be a string`);
  }
  if (claims['restrict'] !== undefined) checkRestrictClaim(claims['restrict'], 'ERR_TOKEN_INVALID');
  return claims as TokenClaims;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function mismatch(claim: string, why: string): never {
  return fail('ERR_TOKEN_CLAIM_MISMATCH', `token claim ${claim} does not match: ${why}`);
}

/**
 * Checks time, audience, subject, issuer and restrictions of claims read by {@link readClaims}.
 * @example
 * ```ts
 * checkClaims(claims, { now: Date.now(), clockSkew: 0, audience: 'cdn', expect: { ip: '203.0.113.7' } });
 * ```
 */
export function checkClaims(claims: TokenClaims, options: CheckOptions): void {
  const { now, clockSkew } = options;
  // Messages carry no claim values; the times go in err.details for server logs.
  const exp = parseDateTime(claims.exp)!;
  if (now >= exp + clockSkew) fail('ERR_TOKEN_EXPIRED', 'token has expired (claim exp)', { details: { exp: iso(exp), now: iso(now) } });
  for (const name of ['nbf', 'iat'] as const) {
    const value = claims[name];
    if (value === undefined) continue;
    const at = parseDateTime(value)!;
    // An iat in the future is as suspect as an nbf: the token claims to come from later than now.
    if (now + clockSkew < at) fail('ERR_TOKEN_NOT_YET_VALID', `token is not valid yet (claim ${name})`, { details: { [name]: iso(at), now: iso(now) } });
  }
  if (options.maxAge !== undefined) {
    if (claims.iat === undefined) fail('ERR_TOKEN_INVALID', 'token has no iat claim, and the verifier sets maxAge');
    const iat = parseDateTime(claims.iat)!;
    if (now - clockSkew > iat + options.maxAge) fail('ERR_TOKEN_EXPIRED', 'token is older than maxAge (claim iat)', { details: { iat: iso(iat), now: iso(now), maxAgeSeconds: options.maxAge / 1000 } });
  }
  const audiences = options.audience === undefined ? undefined : typeof options.audience === 'string' ? [options.audience] : options.audience;
  if (audiences !== undefined) {
    if (claims.aud === undefined) mismatch('aud', 'the token names no audience and one is required');
    if (!audiences.includes(claims.aud)) mismatch('aud', 'the token is for another audience');
  } else if (claims.aud !== undefined) {
    mismatch('aud', 'the token names an audience and the verifier named none (audience option, --aud)');
  }
  const expect = options.expect ?? {};
  if (expect.subject !== undefined && claims.sub !== expect.subject) mismatch('sub', 'the token is for another subject');
  if (expect.issuer !== undefined && claims.iss !== expect.issuer) mismatch('iss', 'the token comes from another issuer');
  checkRestrictions(claims.restrict ?? {}, expect);
}
