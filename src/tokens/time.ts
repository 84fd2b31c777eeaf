/**
 * Times and durations for tokens. PASETO writes `exp`, `nbf` and `iat` as
 * ISO 8601 date-times (RFC 3339 profile); keyroll writes them in UTC to the
 * second (`2030-01-01T00:00:00+00:00`, the form of the specification's
 * examples) and reads any RFC 3339 date-time with an offset, strictly.
 * @module
 */
import { describe } from '../bytes.js';
import { fail } from '../errors.js';
import { parseTime } from '../document/time.js';

/**
 * A duration: seconds as a number, or a string such as `90s`, `15m`, `1h`, `7d`, `1h30m`.
 * @example
 * ```ts
 * issueToken(ring, {}, { expiresIn: '1h30m' }); // or 5400 (seconds)
 * ```
 */
export type Duration = number | string;
/**
 * A time: a `Date` or milliseconds since the epoch.
 * @example
 * ```ts
 * verifyToken(ring, token, { now: new Date('2026-11-22T05:00:00Z') }); // or milliseconds since the epoch
 * ```
 */
export type Instant = Date | number;

const UNIT_MS = new Map<string, number>([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
  ['w', 604_800_000],
]);
/** Latest time written or read: the end of year 9999, the last RFC 3339 can spell. */
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/**
 * Milliseconds in a {@link Duration}; `ERR_INVALID_ARGUMENT` naming `what` when it is not one.
 * @example
 * ```ts
 * parseDuration('1h30m', 'expiresIn'); // 5_400_000
 * ```
 */
export function parseDuration(value: Duration, what: string): number {
  let ms: number | undefined;
  if (typeof value === 'number') ms = Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  else if (typeof value === 'string' && /^(?:[0-9]{1,9}(?:ms|s|m|h|d|w))+$/.test(value)) {
    ms = 0;
    for (const [, amount, unit] of value.matchAll(/([0-9]+)(ms|s|m|h|d|w)/g)) ms += Number(amount) * UNIT_MS.get(unit!)!;
  } else if (typeof value !== 'string') fail('ERR_INVALID_ARGUMENT', `${what} must be seconds or a string such as "15m", got ${describe(value)}`);
  if (ms === undefined || ms > MAX_MS) fail('ERR_INVALID_ARGUMENT', `${what} is not a valid duration: use seconds (a number >= 0) or a string such as "90s", "15m", "1h", "7d"`);
  return ms;
}

/**
 * Milliseconds since the epoch of an {@link Instant}.
 * @example
 * ```ts
 * toMillis(new Date('2030-01-01T00:00:00Z'), 'now'); // 1893456000000
 * ```
 */
export function toMillis(value: Instant, what: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Number.NaN;
  if (!Number.isFinite(ms)) fail('ERR_INVALID_ARGUMENT', `${what} must be a valid Date or milliseconds since the epoch, got ${describe(value)}`);
  return ms;
}

/**
 * The PASETO form of a time, in UTC to the second (milliseconds are dropped).
 * @example
 * ```ts
 * formatDateTime(Date.UTC(2030, 0, 1)); // '2030-01-01T00:00:00+00:00'
 * ```
 */
export function formatDateTime(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_MS) fail('ERR_INVALID_ARGUMENT', 'a token time must lie between 1970 and 9999');
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

/**
 * Milliseconds since the epoch of an RFC 3339 date-time with a `Z` or
 * `±hh:mm` offset, or `undefined` when it is not one (an impossible date
 * such as February 30 included): the one time parser, `document/time.ts`.
 * @example
 * ```ts
 * parseDateTime('2022-01-01T00:00:00+00:00'); // 1640995200000
 * ```
 */
export const parseDateTime: (text: unknown) => number | undefined = parseTime;
