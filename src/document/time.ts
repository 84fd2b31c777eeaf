/**
 * Times: the one parser for every time keyroll reads from text (keyring
 * documents, `--activate-at`, `ring.add` options, token claims and options).
 * RFC 3339 `date-time` only, with a required offset (`Z` or `±hh:mm`), the
 * calendar checked (no February 30, leap years by the Gregorian rule). No
 * `Date.parse` leniency: `'1'`, `'Dec 1, 2026'` and a time without an offset
 * (which `Date` would read in the machine's local zone) are refused. Pure: the
 * result never depends on the process's time zone.
 * @module
 */

const DATE_TIME = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(?:Z|([+-])([0-9]{2}):([0-9]{2}))$/;
/** Longest accepted text: `yyyy-mm-ddThh:mm:ss.nnnnnnnnn+hh:mm`. */
const MAX_LENGTH = 35;

/**
 * Days in a month of the proleptic Gregorian calendar.
 * @example
 * ```ts
 * daysInMonth(2028, 2); // 29
 * ```
 */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Milliseconds since the epoch of an RFC 3339 date-time with an offset, or
 * `undefined` when `text` is not one. Fractions beyond milliseconds are
 * truncated; a leap second (`:60`) is refused (JavaScript time has none).
 * @example
 * ```ts
 * parseTime('2026-12-01T00:00:00Z'); // 1796083200000
 * parseTime('2030-12-01T00:00:00'); // undefined: no offset
 * ```
 */
export function parseTime(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.length > MAX_LENGTH) return undefined;
  const m = DATE_TIME.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (day > daysInMonth(year, month)) return undefined;
  let offset = 0;
  if (m[8] !== undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) return undefined;
    offset = (oh * 60 + om) * 60_000 * (m[8] === '-' ? -1 : 1);
  }
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0 to 99 onto 1900 to 1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0')));
  return date.getTime() - offset;
}

/**
 * Milliseconds since the epoch of a time given as a valid `Date`, a finite
 * number of milliseconds, or an RFC 3339 string ({@link parseTime});
 * `undefined` for anything else.
 * @example
 * ```ts
 * timeValue(new Date(0)); // 0
 * timeValue('Dec 1, 2026'); // undefined
 * ```
 */
export function timeValue(value: unknown): number | undefined {
  let ms: number | undefined;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') ms = parseTime(value);
  // 8.64e15 ms is the range of a JavaScript Date.
  return ms !== undefined && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : undefined;
}
