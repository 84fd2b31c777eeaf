import { describe, expect, it } from 'vitest';
import { codeOf } from './helpers.js';
import { inspect, type KeyrollErrorCode } from '../../src/index.js';
import { parseEnvelope } from '../../src/envelope/format.js';
import { canonicalContext } from '../../src/envelope/context.js';
import { fromBase64urlStrict } from '../../src/bytes.js';
import { testKeyring } from '../../src/testing/index.js';


const ring = testKeyring({ seed: 'envelope-tests' });
const text = ring.encrypt('hello');
const binary = ring.encryptToBytes('hello');

describe('envelope parsing', () => {
  it('reads the text and binary forms alike', () => {
    expect(inspect(text)).toEqual({ version: 1, suite: { id: 1, name: 'AES-256-GCM-HKDF-SHA256-COMMIT' }, keyId: 'test-key-1', form: 'text', plaintextLength: 5 });
    expect(inspect(binary)).toEqual({ ...inspect(text), form: 'binary' });
  });

  it('starts the text form with kr1.<keyId>.', () => {
    expect(text.startsWith('kr1.test-key-1.')).toBe(true);
  });

  it('accepts the text form handed over as bytes (a BLOB column)', () => {
    expect(ring.decryptString(Buffer.from(text, 'latin1'))).toBe('hello');
  });

  it('keeps binary overhead at 67 bytes plus the key id', () => {
    expect(binary.length - 5).toBe(67 + 'test-key-1'.length);
  });

  const table: Array<[string, string | Uint8Array, KeyrollErrorCode]> = [
    ['empty string', '', 'ERR_MALFORMED_ENVELOPE'],
    ['plain text', 'hello world', 'ERR_MALFORMED_ENVELOPE'],
    ['prefix only', 'kr1.k1.', 'ERR_MALFORMED_ENVELOPE'],
    ['no key id separator', 'kr1', 'ERR_MALFORMED_ENVELOPE'],
    ['bad version text', 'krx.k1.AAAA', 'ERR_MALFORMED_ENVELOPE'],
    ['leading zero version', 'kr01.k1.AAAA', 'ERR_MALFORMED_ENVELOPE'],
    ['future version', 'kr2.k1.AAAA', 'ERR_UNSUPPORTED_VERSION'],
    ['invalid key id', 'kr1.k!1.AAAA', 'ERR_MALFORMED_ENVELOPE'],
    ['padding in payload', `${text}=`, 'ERR_MALFORMED_ENVELOPE'],
    ['standard base64 characters', text.replace(/[-_]/, '+'), 'ERR_MALFORMED_ENVELOPE'],
    ['whitespace in payload', `${text.slice(0, 20)} ${text.slice(20)}`, 'ERR_MALFORMED_ENVELOPE'],
    ['truncated text', text.slice(0, 40), 'ERR_MALFORMED_ENVELOPE'],
    ['empty bytes', new Uint8Array(0), 'ERR_MALFORMED_ENVELOPE'],
    ['unknown binary version', Uint8Array.from([9, 1, 1, 65]), 'ERR_UNSUPPORTED_VERSION'],
    ['unknown suite', Uint8Array.from([1, 9, 1, 65, ...new Uint8Array(80)]), 'ERR_UNSUPPORTED_SUITE'],
    ['zero-length key id', Uint8Array.from([1, 1, 0, ...new Uint8Array(80)]), 'ERR_MALFORMED_ENVELOPE'],
    ['key id longer than 64', Uint8Array.from([1, 1, 65, ...new Uint8Array(200).fill(65)]), 'ERR_MALFORMED_ENVELOPE'],
    ['truncated binary', binary.subarray(0, binary.length - 6), 'ERR_MALFORMED_ENVELOPE'],
  ];
  for (const [name, input, code] of table) {
    it(`refuses ${name} with ${code}`, () => {
      expect(codeOf(() => parseEnvelope(input))).toBe(code);
      expect(codeOf(() => ring.decrypt(input))).toBe(code);
    });
  }

  it('refuses a text prefix that disagrees with the authenticated header', () => {
    const other = testKeyring({ seed: 'other', idPrefix: 'other-key-' });
    const payload = other.encrypt('x').split('.')[2]!;
    const forged = `kr1.test-key-1.${payload}`;
    expect(codeOf(() => parseEnvelope(forged))).toBe('ERR_MALFORMED_ENVELOPE');
    expect(() => parseEnvelope(forged)).toThrow(/disagrees with the authenticated header/);
  });

  it('refuses non-string, non-bytes input with ERR_INVALID_ARGUMENT', () => {
    for (const value of [undefined, null, 42, {}, [], new ArrayBuffer(8)]) {
      expect(codeOf(() => ring.decrypt(value as unknown as string))).toBe('ERR_INVALID_ARGUMENT');
    }
  });

  it('never puts the whole envelope in an error message', () => {
    const tampered = text.slice(0, -3) + (text.endsWith('A') ? 'BAA' : 'AAA');
    try {
      ring.decrypt(tampered);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain(tampered.split('.')[2]!.slice(0, 16));
    }
  });
});

describe('strict base64url', () => {
  it('accepts exactly the canonical encoding', () => {
    expect(fromBase64urlStrict('AQID')?.toString('hex')).toBe('010203');
    expect(fromBase64urlStrict('AQ')?.toString('hex')).toBe('01');
    expect(fromBase64urlStrict('AR')).toBeUndefined(); // unused bits set
    expect(fromBase64urlStrict('AQI')?.toString('hex')).toBe('0102');
    expect(fromBase64urlStrict('AQJ')).toBeUndefined();
    expect(fromBase64urlStrict('A')).toBeUndefined();
    expect(fromBase64urlStrict('AQ==')).toBeUndefined();
    expect(fromBase64urlStrict('A+/Q')).toBeUndefined();
    expect(fromBase64urlStrict('A.QI')).toBeUndefined();
  });
});

describe('context canonicalisation', () => {
  it('treats no context, {} and empty bytes as the same empty context', () => {
    expect(canonicalContext(undefined)).toEqual(new Uint8Array(0));
    expect(canonicalContext({})).toEqual(new Uint8Array(0));
    expect(canonicalContext(new Uint8Array(0))).toEqual(new Uint8Array(0));
  });

  it('does not depend on key order', () => {
    expect(canonicalContext({ a: '1', b: '2' })).toEqual(canonicalContext({ b: '2', a: '1' }));
  });

  it('keeps records and bytes apart, and length-prefixes every string', () => {
    expect(canonicalContext({ a: 'bc' })).not.toEqual(canonicalContext({ ab: 'c' }));
    const record = canonicalContext({ x: 'y' });
    expect(canonicalContext(record)).not.toEqual(record);
  });

  it('refuses non-string values and lone surrogates with ERR_INVALID_ARGUMENT', () => {
    expect(codeOf(() => canonicalContext({ id: 42 } as unknown as Record<string, string>))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => canonicalContext({ id: '\uD800' }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => canonicalContext('table=users' as unknown as Record<string, string>))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('works with __proto__ and constructor as context keys', () => {
    const context = JSON.parse('{"__proto__":"a","constructor":"b"}') as Record<string, string>;
    const stored = ring.encrypt('v', { context });
    expect(ring.decryptString(stored, { context })).toBe('v');
    expect(codeOf(() => ring.decrypt(stored, { context: { constructor: 'b' } }))).toBe('ERR_DECRYPT_FAILED');
  });
});

describe('KeyrollError.is', () => {
  it('recognises errors by brand, also from another copy of the library', async () => {
    const { KeyrollError } = await import('../../src/index.js');
    const err = new KeyrollError('ERR_UNKNOWN_KEY', 'x');
    expect(KeyrollError.is(err, 'ERR_UNKNOWN_KEY')).toBe(true);
    expect(KeyrollError.is(err, 'ERR_DECRYPT_FAILED')).toBe(false);
    const foreign = Object.assign(new Error('from the other build'), { code: 'ERR_UNKNOWN_KEY' });
    Object.defineProperty(foreign, Symbol.for('keyroll.KeyrollError'), { value: true });
    expect(KeyrollError.is(foreign, 'ERR_UNKNOWN_KEY')).toBe(true);
    expect(KeyrollError.is(new Error('plain'))).toBe(false);
    expect(KeyrollError.is(Object.assign(new Error('look-alike'), { code: 'ERR_UNKNOWN_KEY' }))).toBe(false);
  });
});
