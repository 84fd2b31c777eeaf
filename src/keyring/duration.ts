/**
 * Durations as operators type them (`90s`, `30m`, `1h30m`, `2d`) or as
 * milliseconds: the activation delay of `ring.add` and `ring.postpone`.
 * @module
 */
import { fail } from '../errors.js';
import { describe } from '../bytes.js';

/**
 * A duration: milliseconds, or a string of `<integer><unit>` parts with units
 * `ms`, `s`, `m`, `h`, `d` (e.g. `'1h30m'`). `'0'` and `0` mean no delay.
 * @example
 * ```ts
 * ring.add(generateKey({ id: 'k2' }), { activatesIn: '1h' });
 * ring.add(generateKey({ id: 'k3' }), { activatesIn: 90 * 60_000 });
 * ```
 */
export type Duration = number | string;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d{1,9})(ms|s|m|h|d)/y;
/** A year: anything longer is a typo, not a rollout. */
const MAX_MS = 366 * 86_400_000;

/**
 * Milliseconds of a {@link Duration}; `ERR_INVALID_ARGUMENT` for anything
 * else (negative, fractional, no unit, an unknown unit, longer than a year).
 * @example
 * ```ts
 * parseDuration('1h30m', '--activate-in'); // 5_400_000
 * ```
 */
export function parseDuration(value: unknown, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > MAX_MS) fail('ERR_INVALID_ARGUMENT', `${what} must be a whole number of milliseconds from 0 to ${MAX_MS} (a year)`);
    return value;
  }
  if (typeof value !== 'string') return fail('ERR_INVALID_ARGUMENT', `${what} must be a duration such as '30m' or a number of milliseconds, got ${describe(value)}`);
  if (value === '0') return 0;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < value.length) {
    const start = PART.lastIndex;
    const match = PART.exec(value);
    if (match === null || match.index !== start) break;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    if (PART.lastIndex === value.length) {
      if (total > MAX_MS) fail('ERR_INVALID_ARGUMENT', `${what} is longer than a year`);
      return total;
    }
  }
  return fail('ERR_INVALID_ARGUMENT', `${what} must be a duration such as 90s, 30m, 1h30m or 2d (units ms, s, m, h, d)`);
}

/**
 * A duration for people: `1h 5m`, `45s`, `2d 3h`.
 * @example
 * ```ts
 * formatDuration(3_900_000); // '1h 5m'
 * ```
 */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let s = Math.round(Math.abs(ms) / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  if (s > 0 || parts.length === 0) parts.push(`${s}s`);
  return sign + parts.slice(0, 2).join(' ');
}
