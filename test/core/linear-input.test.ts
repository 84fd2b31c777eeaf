/**
 * Hostile sizes: a binary value that starts with "kr" is read as a text
 * envelope held in bytes. Its prefix is checked on the first bytes only, and
 * the payload is converted once, so the work is linear and junk is refused
 * before any conversion. Work is measured without timing: the number of bytes
 * turned into text (Buffer#toString and String.fromCharCode are counted).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { inspect, KeyrollError } from '../../src/index.js';

let converted = 0;
beforeEach(() => {
  converted = 0;
  const toString = Buffer.prototype.toString;
  vi.spyOn(Buffer.prototype, 'toString').mockImplementation(function (this: Buffer, ...args: unknown[]) {
    const out = (toString as (...a: unknown[]) => string).apply(this, args);
    converted += out.length;
    return out;
  });
  const fromCharCode = String.fromCharCode;
  vi.spyOn(String, 'fromCharCode').mockImplementation((...codes: number[]) => {
    converted += codes.length;
    return fromCharCode(...codes);
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

const codeOf = (input: Uint8Array | string): string => {
  try {
    inspect(input);
    return 'no error';
  } catch (err) {
    return KeyrollError.is(err) ? err.code : String(err);
  }
};
const MB = 1024 * 1024;
const junk = (size: number, head: string, fill: number): Buffer => {
  const b = Buffer.alloc(size, fill);
  b.write(head, 0, 'latin1');
  return b;
};

describe('text envelopes held as bytes', () => {
  it('refuses 50 MB of junk after "kr" having converted no more than the prefix', () => {
    for (const [head, fill] of [['kr', 0x61], ['kr', 0x2e], ['kr1', 0x30], ['kr1.', 0x61], ['kr1.k1', 0x61]] as const) {
      converted = 0;
      expect(codeOf(junk(50 * MB, head, fill)), head).toBe('ERR_MALFORMED_ENVELOPE');
      expect(converted, `${head} + ${String.fromCharCode(fill)}...`).toBeLessThanOrEqual(71);
    }
  });

  it('converts a payload after a valid prefix once: doubling the input at most doubles the work', () => {
    const work = (size: number): number => {
      converted = 0;
      expect(codeOf(junk(size, 'kr1.k1.', 0x61))).not.toBe('no error');
      return converted;
    };
    const one = work(4 * MB);
    const two = work(8 * MB);
    expect(one).toBeLessThanOrEqual(4 * MB + 71);
    expect(two / one).toBeLessThanOrEqual(2.5);
    expect(['ERR_MALFORMED_ENVELOPE', 'ERR_UNSUPPORTED_VERSION']).toContain(codeOf(junk(50 * MB, 'kr1.k1.', 0x61)));
  });

  it('gives the same answer for a text envelope as a string and as bytes', () => {
    for (const text of ['kr', 'kr1', 'kr1.', 'kr1.k1', 'kr1.k1.', 'kr1234.k1.AAAA', `kr1.${'a'.repeat(65)}.AAAA`, `kr1.${'a'.repeat(64)}.AAAA`, 'kr1.k1.AQEC', 'kr2.k1.AAAA']) {
      expect(codeOf(Buffer.from(`${text}`, 'latin1')), text).toBe(codeOf(text));
    }
  });
});
