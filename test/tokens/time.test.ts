import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { le64, pae } from '../../src/tokens/pae.js';
import { formatDateTime, parseDateTime, parseDuration } from '../../src/tokens/time.js';
import { codeOf } from './helpers.js';

describe('PASETO date-times', () => {
  it('writes UTC to the second with +00:00', () => {
    expect(formatDateTime(Date.UTC(2022, 0, 1))).toBe('2022-01-01T00:00:00+00:00');
    expect(formatDateTime(Date.UTC(2030, 5, 15, 7, 8, 9, 999))).toBe('2030-06-15T07:08:09+00:00');
  });

  it('reads RFC 3339 with Z or an offset, and refuses impossible dates', () => {
    expect(parseDateTime('2022-01-01T00:00:00+00:00')).toBe(Date.UTC(2022, 0, 1));
    expect(parseDateTime('2022-01-01T00:00:00Z')).toBe(Date.UTC(2022, 0, 1));
    expect(parseDateTime('2022-01-01T02:30:00+02:30')).toBe(Date.UTC(2022, 0, 1));
    expect(parseDateTime('2021-12-31T19:00:00-05:00')).toBe(Date.UTC(2022, 0, 1));
    expect(parseDateTime('2022-01-01T00:00:00.5Z')).toBe(Date.UTC(2022, 0, 1) + 500);
    expect(parseDateTime('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseDateTime('0050-01-01T00:00:00Z')).toBe(new Date('0050-01-01T00:00:00Z').getTime());
    for (const bad of ['2023-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2022-04-31T00:00:00Z', '2022-13-01T00:00:00Z', '2022-00-10T00:00:00Z', '2022-01-01T24:00:00Z', '2022-01-01T00:60:00Z', '2022-01-01T00:00:60Z', '2022-01-01T00:00:00', '2022-01-01 00:00:00Z', '2022-01-01T00:00:00+0000', '2022-01-01T00:00:00+24:00', '2022-01-01t00:00:00z', '1640995200', '', 'x'.repeat(100)]) {
      expect(parseDateTime(bad), bad).toBeUndefined();
    }
    expect(parseDateTime(1640995200)).toBeUndefined();
  });

  it('round-trips every second between 1970 and 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799 }), (seconds) => {
        expect(parseDateTime(formatDateTime(seconds * 1000))).toBe(seconds * 1000);
      }),
    );
  });
});

describe('durations', () => {
  it('reads seconds and unit strings', () => {
    expect(parseDuration(90, 'x')).toBe(90_000);
    expect(parseDuration('90s', 'x')).toBe(90_000);
    expect(parseDuration('15m', 'x')).toBe(900_000);
    expect(parseDuration('1h30m', 'x')).toBe(5_400_000);
    expect(parseDuration('7d', 'x')).toBe(604_800_000);
    expect(parseDuration('2w', 'x')).toBe(1_209_600_000);
    expect(parseDuration('250ms', 'x')).toBe(250);
    for (const bad of ['', '1', '1 h', '-1h', '1.5h', 'h', '1y', Number.NaN, -1, Infinity]) {
      expect(codeOf(() => parseDuration(bad as never, 'x')), String(bad)).toBe('ERR_INVALID_ARGUMENT');
    }
  });
});

describe('PAE', () => {
  it('matches the specification\'s examples', () => {
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    expect(hex(pae([]))).toBe('0000000000000000');
    expect(hex(pae([new Uint8Array(0)]))).toBe('01000000000000000000000000000000');
    expect(hex(pae([new TextEncoder().encode('test')]))).toBe('0100000000000000040000000000000074657374');
    expect(hex(le64(2 ** 53 - 1))).toBe('ffffffffffff1f00');
  });
});
