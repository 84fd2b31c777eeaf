import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aesGcmOpen, aesGcmSealInto, hkdf, hmacKey, hmacSha256 } from '../../src/suites/primitives.js';

const root = new URL('../vectors/wycheproof/', import.meta.url);
interface Group<T> {
  keySize?: number;
  ivSize?: number;
  tagSize?: number;
  tests: T[];
}
function load<T>(name: string): Group<T>[] {
  return (JSON.parse(readFileSync(new URL(name, root), 'utf8')) as { testGroups: Group<T>[] }).testGroups;
}
const hex = (s: string) => Buffer.from(s, 'hex');

interface AeadCase { tcId: number; comment: string; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: 'valid' | 'invalid' | 'acceptable' }
interface MacCase { tcId: number; key: string; msg: string; tag: string; result: string }
interface HkdfCase { tcId: number; ikm: string; salt: string; info: string; size: number; okm: string; result: string }

describe('Wycheproof AES-GCM through the suite primitives (256-bit keys, 96-bit IVs)', () => {
  const cases = load<AeadCase>('aes_gcm_test.json')
    .filter((g) => g.keySize === 256 && g.ivSize === 96 && g.tagSize === 128)
    .flatMap((g) => g.tests);

  it('covers the cases', () => {
    expect(cases.length).toBeGreaterThan(40);
    expect(cases.some((c) => c.result === 'invalid')).toBe(true);
  });

  for (const c of cases) {
    it(`tcId ${c.tcId} (${c.result}${c.comment ? `: ${c.comment}` : ''})`, () => {
      const opened = aesGcmOpen(hex(c.key), hex(c.iv), hex(c.aad), hex(c.ct), hex(c.tag));
      if (c.result === 'valid') {
        expect(opened?.toString('hex')).toBe(c.msg);
        const out = new Uint8Array(c.msg.length / 2 + 16);
        const written = aesGcmSealInto(hex(c.key), hex(c.iv), hex(c.aad), hex(c.msg), out, 0);
        expect(written).toBe(out.length);
        expect(Buffer.from(out).toString('hex')).toBe(c.ct + c.tag);
      } else {
        expect(opened).toBeUndefined();
      }
    });
  }
});

describe('Wycheproof HMAC-SHA256 through the precomputed-pad HMAC', () => {
  const groups = load<MacCase>('hmac_sha256_test.json');
  it('covers the cases', () => {
    expect(groups.reduce((n, g) => n + g.tests.length, 0)).toBe(174);
  });
  for (const g of groups) {
    for (const c of g.tests) {
      it(`tcId ${c.tcId} (${c.result}, key ${g.keySize} bits, tag ${g.tagSize} bits)`, () => {
        const mac = hmacSha256(hmacKey(hex(c.key)), hex(c.msg)).subarray(0, g.tagSize! / 8);
        if (c.result === 'valid') expect(mac.toString('hex')).toBe(c.tag);
        else expect(mac.toString('hex')).not.toBe(c.tag);
      });
    }
  }
  it('gives the same MAC when the message arrives in parts', () => {
    const key = hmacKey(Buffer.from('key'));
    expect(hmacSha256(key, Buffer.from('ab'), Buffer.from('cd'))).toEqual(hmacSha256(key, Buffer.from('abcd')));
  });
});

describe('Wycheproof HKDF-SHA256 through the suite HKDF', () => {
  const cases = load<HkdfCase>('hkdf_sha256_test.json').flatMap((g) => g.tests);
  it('covers the cases', () => {
    expect(cases.length).toBe(86);
  });
  for (const c of cases) {
    it(`tcId ${c.tcId} (${c.result}, ${c.size} bytes)`, () => {
      if (c.result === 'valid') expect(hkdf(hex(c.ikm), hex(c.salt), hex(c.info), c.size).toString('hex')).toBe(c.okm);
      else expect(() => hkdf(hex(c.ikm), hex(c.salt), hex(c.info), c.size)).toThrow();
    });
  }
});
