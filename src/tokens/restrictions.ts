/**
 * CDN-style restrictions carried in a token's `restrict` claim and checked
 * against what the verifier sees: client IP or CIDR, country, URL path
 * prefix, referrer host, protocol. Restrictions fail closed: a restricted
 * token verified without the matching observation is a mismatch, and a
 * restriction this version does not know makes the token invalid.
 * @module
 */
import { describe } from '../bytes.js';
import { fail, type KeyrollErrorCode } from '../errors.js';
import { inRange, parseCidr, parseIp, type IpRange } from './ip.js';
import { observedPath, plainPath, underPrefix } from './path.js';

/**
 * Restrictions as the `restrict` claim holds them (the wire form).
 * @example
 * ```ts
 * const restrict = verifyToken(ring, token).restrict; // e.g. { ip: ['10.0.0.0/8'], country: ['DE'] }
 * ```
 */
export interface RestrictClaim {
  /** Allowed client addresses or CIDR ranges, IPv4 or IPv6. */
  readonly ip?: readonly string[];
  /** Allowed countries, ISO 3166-1 alpha-2, upper case. */
  readonly country?: readonly string[];
  /** URL path prefix, matched at a segment boundary. */
  readonly path?: string;
  /** Allowed referrer hosts; `*.example.com` allows subdomains (not the apex). */
  readonly referrer?: readonly string[];
  /** Allowed protocols, lower case without the colon (`https`). */
  readonly protocol?: readonly string[];
}

/**
 * What the verifier sees of the request. Only the fields a token restricts are needed.
 * @example
 * ```ts
 * const observed: Observed = { ip: req.socket.remoteAddress, path: req.url, referrer: req.headers.referer, protocol: 'https' };
 * verifyToken(ring, token, { expect: observed });
 * ```
 */
export interface Observed {
  /** The client address (`::ffff:` IPv4-mapped forms are read as IPv4). */
  readonly ip?: string;
  /** The client's country, ISO 3166-1 alpha-2 (any case). */
  readonly country?: string;
  /** The request path, or the whole URL (query and fragment are ignored). */
  readonly path?: string;
  /** The `Referer` header (a URL) or a bare host. */
  readonly referrer?: string;
  /** The protocol: `https`, `https:` or `http`. */
  readonly protocol?: string;
}

const KNOWN = new Set(['ip', 'country', 'path', 'referrer', 'protocol']);
const MAX_ENTRIES = 64;
const COUNTRY = /^[A-Z]{2}$/;
const HOST = /^(?:\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const PROTOCOL = /^[a-z][a-z0-9+.-]{0,31}$/;

/**
 * Checks a `restrict` claim (from a caller at issue time, or from a token at
 * verify time) and returns it in wire form; `code` is the error to raise.
 * @example
 * ```ts
 * const restrict = checkRestrictClaim({ ip: ['192.0.2.0/24'], protocol: ['https'] }, 'ERR_INVALID_ARGUMENT');
 * ```
 */
export function checkRestrictClaim(value: unknown, code: KeyrollErrorCode): RestrictClaim {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(code, `claim restrict must be an object, got ${describe(value)}`);
  const out: { -readonly [K in keyof RestrictClaim]: RestrictClaim[K] } = {};
  const entries = Object.entries(value);
  // An empty restriction set restricts nothing: refused, so it cannot pass for a restricted token.
  if (entries.length === 0) fail(code, 'claim restrict is empty; leave it out, or name at least one restriction');
  for (const [name, entry] of entries) {
    if (!KNOWN.has(name)) fail(code, `claim restrict holds an unknown restriction (known: ${[...KNOWN].join(', ')})`);
    if (name === 'path') {
      if (typeof entry !== 'string' || entry.length > 1024 || plainPath(entry) === undefined) {
        fail(code, 'claim restrict.path must be a plain path starting with "/": RFC 3986 path characters without ";", no empty or dot segments, no query or fragment, ASCII after percent-decoding');
      }
      out.path = entry;
      continue;
    }
    if (!Array.isArray(entry) || entry.length === 0 || entry.length > MAX_ENTRIES || !entry.every((e) => typeof e === 'string')) {
      fail(code, `claim restrict.${name} must be a list of 1 to ${MAX_ENTRIES} strings`);
    }
    const list = entry as string[];
    if (name === 'ip') {
      for (const e of list) {
        const range = parseCidr(e);
        if (typeof range === 'string') fail(code, `claim restrict.ip: an entry is not an address or CIDR range (${range})`);
      }
      out.ip = [...list];
    } else if (name === 'country') {
      if (!list.every((e) => COUNTRY.test(e))) fail(code, 'claim restrict.country: entries must be ISO 3166-1 alpha-2 codes in upper case');
      out.country = [...list];
    } else if (name === 'referrer') {
      if (!list.every((e) => e.length <= 253 && HOST.test(e))) fail(code, 'claim restrict.referrer: entries must be lower-case host names, optionally "*.example.com"');
      out.referrer = [...list];
    } else {
      if (!list.every((e) => PROTOCOL.test(e))) fail(code, 'claim restrict.protocol: entries must be lower-case schemes such as "https"');
      out.protocol = [...list];
    }
  }
  return out;
}

function mismatch(claim: string, why: string): never {
  return fail('ERR_TOKEN_CLAIM_MISMATCH', `token claim restrict.${claim} does not match the request: ${why}`);
}

function referrerHost(observed: string): string | undefined {
  const lower = observed.toLowerCase();
  if (HOST.test(lower) && !lower.startsWith('*')) return lower;
  try {
    return new URL(observed).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Checks every restriction of a (checked) `restrict` claim against what the
 * verifier sees; `ERR_TOKEN_CLAIM_MISMATCH` naming the first one that fails.
 * @example
 * ```ts
 * checkRestrictions({ ip: ['10.0.0.0/8'] }, { ip: req.socket.remoteAddress });
 * ```
 */
export function checkRestrictions(restrict: RestrictClaim, observed: Observed): void {
  if (restrict.ip !== undefined) {
    if (observed.ip === undefined) mismatch('ip', 'the token is bound to client addresses and none was given');
    const address = parseIp(observed.ip);
    if (address === undefined) mismatch('ip', 'the client address is not a valid IPv4 or IPv6 address');
    if (!restrict.ip.some((r) => inRange(address, parseCidr(r) as IpRange))) mismatch('ip', 'the client address is not allowed');
  }
  if (restrict.country !== undefined) {
    if (observed.country === undefined) mismatch('country', 'the token is bound to countries and none was given');
    if (!restrict.country.includes(observed.country.toUpperCase())) mismatch('country', 'the client country is not allowed');
  }
  if (restrict.path !== undefined) {
    if (observed.path === undefined) mismatch('path', 'the token is bound to a path prefix and no path was given');
    const path = observedPath(observed.path);
    if (path === undefined) mismatch('path', 'the request path is not a plain absolute path');
    if (!underPrefix(path, plainPath(restrict.path)!)) mismatch('path', 'the request path is outside the allowed prefix');
  }
  if (restrict.referrer !== undefined) {
    if (observed.referrer === undefined) mismatch('referrer', 'the token is bound to referrer hosts and none was given');
    const host = referrerHost(observed.referrer);
    const ok = host !== undefined && restrict.referrer.some((r) => (r.startsWith('*.') ? host.endsWith(r.slice(1)) : host === r));
    if (!ok) mismatch('referrer', 'the referrer host is not allowed');
  }
  if (restrict.protocol !== undefined) {
    if (observed.protocol === undefined) mismatch('protocol', 'the token is bound to protocols and none was given');
    const protocol = observed.protocol.toLowerCase().replace(/:$/, '');
    if (!restrict.protocol.includes(protocol)) mismatch('protocol', 'the request protocol is not allowed');
  }
}
