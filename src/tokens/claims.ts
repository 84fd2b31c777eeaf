/**
 * Building a token's claims at issue time: the PASETO registered claims
 * (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`) from options, keyroll's
 * `restrict` claim, and the caller's custom claims, as UTF-8 JSON.
 * @module
 */
import { describe, toBase64url } from '../bytes.js';
import { checkArray, checkOptions } from '../args.js';
import { fail } from '../errors.js';
import { randomBytes } from './portable.js';
import { checkRestrictClaim, type RestrictClaim } from './restrictions.js';
import { formatDateTime, parseDuration, toMillis, type Duration, type Instant } from './time.js';

/**
 * Claims as a verified token holds them. Times are PASETO date-times (`2030-01-01T00:00:00+00:00`).
 * @example
 * ```ts
 * const claims: TokenClaims = verifyToken(ring, token, { audience: 'api' });
 * claims.exp; // '2026-11-22T05:00:00.000Z'
 * claims['role']; // a custom claim: unknown until you check it
 * ```
 */
export interface TokenClaims {
  /** Expiry: always present, always checked. */
  readonly exp: string;
  readonly iat?: string;
  readonly nbf?: string;
  readonly aud?: string;
  readonly sub?: string;
  readonly iss?: string;
  readonly jti?: string;
  readonly restrict?: RestrictClaim;
  /** Custom claims: any JSON value. */
  readonly [claim: string]: unknown;
}

/**
 * Restrictions as callers write them at issue time (normalised into the `restrict` claim).
 * @example
 * ```ts
 * issueToken(ring, {}, { expiresIn: '1h', restrict: { ip: '10.0.0.0/8', countries: ['DE', 'FR'], pathPrefix: '/videos/' } });
 * ```
 */
export interface Restrictions {
  /** Allowed client addresses or CIDR ranges (`203.0.113.7`, `10.0.0.0/8`, `2001:db8::/32`). */
  readonly ip?: string | readonly string[];
  /** Allowed countries, ISO 3166-1 alpha-2 (`['DE', 'FR']`). */
  readonly countries?: string | readonly string[];
  /** URL path prefix, matched at a segment boundary (`/videos/` or `/videos`). */
  readonly pathPrefix?: string;
  /** Allowed referrer hosts; `*.example.com` allows its subdomains. */
  readonly referrer?: string | readonly string[];
  /** Allowed protocols (`https`). */
  readonly protocol?: string | readonly string[];
}

const RESTRICT_OPTIONS = ['ip', 'countries', 'pathPrefix', 'referrer', 'protocol'];
/** Every option of issueToken (ClaimOptions and IssueOptions). */
export const ISSUE_OPTIONS: readonly string[] = ['expiresIn', 'notBefore', 'audience', 'subject', 'issuer', 'jti', 'restrict', 'now', 'implicitAssertion'];

/** Claim names set through options only; custom claims may not use them. */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'kid', 'wpk', 'restrict']);

/**
 * The parts of the issue options that become claims.
 * @example
 * ```ts
 * issueToken(ring, {}, { expiresIn: '15m', audience: 'api', subject: 'user-42', jti: false });
 * ```
 */
export interface ClaimOptions {
  /** Lifetime: seconds, or a string such as `15m`, `1h`, `7d`. Required: keyroll tokens always expire. */
  readonly expiresIn: Duration;
  /** Not valid before: a `Date`, or a delay from now (seconds or `5m`). */
  readonly notBefore?: Date | Duration;
  readonly audience?: string;
  readonly subject?: string;
  readonly issuer?: string;
  /** Token id: default a random 128-bit base64url string; `false` leaves it out. */
  readonly jti?: string | false;
  readonly restrict?: Restrictions;
  /** Issue time (tests); default the keyring's clock (`ring.now()`). */
  readonly now?: Instant;
}

function list(value: unknown, name: string): string[] {
  if (typeof value === 'string') return [value];
  const items = checkArray<unknown>(value, `restrict.${name} (a string or an array of strings)`);
  if (!items.every((e) => typeof e === 'string')) fail('ERR_INVALID_ARGUMENT', `restrict.${name} must be a string or an array of strings`);
  return items as string[];
}

function restrictClaim(input: Restrictions): RestrictClaim {
  if (typeof input !== 'object' || input === null) fail('ERR_INVALID_ARGUMENT', `restrict must be an object, got ${describe(input)}`);
  checkOptions(input, RESTRICT_OPTIONS, 'issueToken options: restrict');
  const wire: Record<string, unknown> = {};
  const upper = (v: unknown): unknown => (typeof v === 'string' ? v.toUpperCase() : v);
  const lower = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase().replace(/:$/, '') : v);
  if (input.ip !== undefined) wire['ip'] = list(input.ip, 'ip');
  if (input.countries !== undefined) wire['country'] = list(input.countries, 'countries').map(upper);
  if (input.pathPrefix !== undefined) wire['path'] = input.pathPrefix;
  if (input.referrer !== undefined) wire['referrer'] = list(input.referrer, 'referrer').map(lower);
  if (input.protocol !== undefined) wire['protocol'] = list(input.protocol, 'protocol').map(lower);
  // A null or empty restriction set restricts nothing: refused (checkRestrictClaim), never a silently unrestricted token.
  return checkRestrictClaim(wire, 'ERR_INVALID_ARGUMENT');
}

function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) fail('ERR_INVALID_ARGUMENT', `${what} must be a non-empty string, got ${describe(value)}`);
  return value;
}

/**
 * The claims of a new token as a plain object (registered claims first, then custom ones).
 * @example
 * ```ts
 * buildClaims({ role: 'viewer' }, { expiresIn: '1h', audience: 'cdn' }); // { aud, jti, iat, exp, role }
 * ```
 */
export function buildClaims(custom: object, options: ClaimOptions): Record<string, unknown> {
  if (typeof custom !== 'object' || custom === null || Array.isArray(custom)) fail('ERR_INVALID_ARGUMENT', `claims must be a plain object, got ${describe(custom)}`);
  for (const name of Object.keys(custom)) {
    if (RESERVED_CLAIMS.has(name)) fail('ERR_INVALID_ARGUMENT', `claim "${name}" is reserved: set it through the issue options (expiresIn, notBefore, audience, subject, issuer, jti, restrict)`);
  }
  if (typeof options !== 'object' || options === null || options.expiresIn === undefined) fail('ERR_INVALID_ARGUMENT', 'issueToken needs options with expiresIn: keyroll tokens always expire');
  checkOptions(options, ISSUE_OPTIONS, 'issueToken options');
  const now = options.now === undefined ? Date.now() : toMillis(options.now, 'now');
  const ttl = parseDuration(options.expiresIn, 'expiresIn');
  if (ttl < 1000) fail('ERR_INVALID_ARGUMENT', 'expiresIn must be at least one second (token times are written to the second)');
  const exp = now + ttl;
  let nbf: number | undefined;
  if (options.notBefore !== undefined) nbf = options.notBefore instanceof Date ? toMillis(options.notBefore, 'notBefore') : now + parseDuration(options.notBefore, 'notBefore');
  if (nbf !== undefined && Math.floor(nbf / 1000) >= Math.floor(exp / 1000)) fail('ERR_INVALID_ARGUMENT', 'notBefore must be earlier than the expiry');
  const jti = options.jti === false ? undefined : options.jti === undefined ? toBase64url(randomBytes(16)) : optionalString(options.jti, 'jti');
  const registered: Record<string, unknown> = {};
  const set = (name: string, value: unknown): void => {
    if (value !== undefined) registered[name] = value;
  };
  set('iss', optionalString(options.issuer, 'issuer'));
  set('sub', optionalString(options.subject, 'subject'));
  set('aud', optionalString(options.audience, 'audience'));
  set('jti', jti);
  set('iat', formatDateTime(now));
  set('nbf', nbf === undefined ? undefined : formatDateTime(nbf));
  set('exp', formatDateTime(exp));
  set('restrict', options.restrict === undefined ? undefined : restrictClaim(options.restrict));
  // Spread copies own properties with define semantics, so a custom claim named "__proto__" stays a claim.
  return { ...registered, ...custom };
}

/**
 * The claims as UTF-8 JSON; `ERR_INVALID_ARGUMENT` when a value is not JSON (a BigInt, a cycle).
 * @example
 * ```ts
 * const payload = encodeClaims(buildClaims({}, { expiresIn: 60 }));
 * ```
 */
export function encodeClaims(claims: Record<string, unknown>): Uint8Array {
  let json: string;
  try {
    json = JSON.stringify(claims);
  } catch {
    // The engine's message can quote claim names and structure: say only what failed.
    return fail('ERR_INVALID_ARGUMENT', 'claims must be JSON-serialisable (no BigInt, no cycles)');
  }
  return new TextEncoder().encode(json);
}
