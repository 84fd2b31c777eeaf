import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Keyring, generateKey, type BlindIndexOptions } from '../../src/index.js';
import { codeOf } from '../core/helpers.js';
import { refIndex } from './reference.js';
import vectors from '../fixtures/blind-index-vectors.json' with { type: 'json' };

const k1 = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const ringOf = (secretHex: string, encoding: 'hex' | 'utf8' = 'hex') =>
  Keyring.create({ keys: [{ id: 'k1', secret: encoding === 'hex' ? secretHex : Buffer.from(secretHex, 'hex').toString('utf8'), encoding, state: 'active' }] });

describe('blind index: frozen vectors (docs/format.md)', () => {
  for (const v of vectors) {
    it(v.name, () => {
      const typed = v.secretHex !== k1; // the typed ASCII secret is loaded as a UTF-8 string
      const ring = ringOf(v.secretHex, typed ? 'utf8' : 'hex');
      const value = typeof v.value === 'object' && v.value !== null && !Array.isArray(v.value) ? Buffer.from((v.value as { hex: string }).hex, 'hex') : (v.value as string | string[]);
      expect(ring.blindIndex(value, v.definition as BlindIndexOptions)).toBe(v.index);
      // The vectors were made by the reference implementation: it must agree too.
      expect(refIndex(Buffer.from(v.secretHex, 'hex'), v.definition as never, value)).toBe(v.index);
    });
  }
});

describe('blind index: properties', () => {
  const secretArb = fc.uint8Array({ minLength: 32, maxLength: 64 });
  const valueArb = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.uint8Array({ maxLength: 40 }));
  const purposeArb = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 });
  const bitsArb = fc.integer({ min: 8, max: 256 });
  const ringFor = (secret: Uint8Array, id = 'k1') => Keyring.create({ keys: [{ id, secret, state: 'active' }] });

  it('agrees with the reference implementation for any key, value, purpose, length and normalisation', () => {
    fc.assert(
      fc.property(secretArb, valueArb, purposeArb, bitsArb, fc.record({ trim: fc.boolean(), nfc: fc.boolean(), caseFold: fc.boolean() }), (secret, value, purpose, bits, normalize) => {
        const def = { purpose, bits, normalize };
        const got = ringFor(secret).blindIndex(value, def);
        expect(got).toBe(refIndex(secret, def, value));
        expect(got).toHaveLength(Math.ceil(bits / 8) * 2);
      }),
    );
  });

  it('is deterministic: the same value and purpose give the same index under one key', () => {
    fc.assert(
      fc.property(secretArb, valueArb, purposeArb, (secret, value, purpose) => {
        const a = ringFor(secret);
        const b = ringFor(secret, 'other-id'); // the key id is not an input: only the secret is
        expect(a.blindIndex(value, { purpose })).toBe(a.blindIndex(value, { purpose }));
        expect(a.blindIndex(value, { purpose })).toBe(b.blindIndex(value, { purpose }));
      }),
    );
  });

  it('separates purposes, keys, lengths and normalisation settings', () => {
    fc.assert(
      fc.property(secretArb, secretArb, valueArb, purposeArb, purposeArb, (s1, s2, value, p1, p2) => {
        fc.pre(p1 !== p2 && Buffer.compare(Buffer.from(s1), Buffer.from(s2)) !== 0);
        const r1 = ringFor(s1);
        const base = r1.blindIndex(value, { purpose: p1 });
        expect(r1.blindIndex(value, { purpose: p2 })).not.toBe(base);
        expect(ringFor(s2).blindIndex(value, { purpose: p1 })).not.toBe(base);
        // A normalisation flag is bound into the index key even when it does not change the value.
        expect(r1.blindIndex(value, { purpose: p1, normalize: { nfc: true } })).not.toBe(base);
        // A shorter index is not a prefix of a longer one of the same purpose.
        expect(base.startsWith(r1.blindIndex(value, { purpose: p1, bits: 128 }))).toBe(false);
      }),
    );
  });

  it('different values give different full-length indexes; normalised-equal values give equal ones', () => {
    const def = { purpose: 'users.email', normalize: { trim: true, nfc: true, caseFold: true } };
    fc.assert(
      fc.property(secretArb, fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (secret, a, b) => {
        fc.pre(a.trim().normalize('NFC').toUpperCase().toLowerCase().normalize('NFC') !== b.trim().normalize('NFC').toUpperCase().toLowerCase().normalize('NFC'));
        const ring = ringFor(secret);
        expect(ring.blindIndex(a, def)).not.toBe(ring.blindIndex(b, def));
        expect(ring.blindIndex(` ${a.toUpperCase()}\t`, def)).toBe(ring.blindIndex(a.toUpperCase(), def));
      }),
    );
  });

  it('a compound index is not the index of the concatenated fields', () => {
    fc.assert(
      fc.property(secretArb, fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), (secret, a, b) => {
        const ring = ringFor(secret);
        const compound = ring.blindIndex([a, b], { purpose: 'p' });
        expect(compound).not.toBe(ring.blindIndex(a + b, { purpose: 'p' }));
        if (b !== '') expect(compound).not.toBe(ring.blindIndex([a + b, ''], { purpose: 'p' }));
      }),
    );
  });

  it('candidates hold the index of every usable key, active first, and never a disabled key', () => {
    fc.assert(
      fc.property(valueArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), (value, retired, disabled) => {
        const keys = [generateKey({ id: 'active', state: 'active' })];
        for (let i = 0; i < retired; i++) keys.push(generateKey({ id: `old${i}`, state: 'decrypt-only' }));
        for (let i = 0; i < disabled; i++) keys.push(generateKey({ id: `off${i}`, state: 'disabled' }));
        const ring = Keyring.create({ keys });
        const def = { purpose: 'p', bits: 256 };
        const candidates = ring.blindIndexCandidates(value, def);
        expect(candidates[0]).toBe(ring.blindIndex(value, def));
        expect(candidates).toHaveLength(1 + retired);
        for (let i = 0; i < retired; i++) {
          const alone = Keyring.create({ keys: [{ ...ring.export().keys.find((k) => k.id === `old${i}`)!, state: 'active' }] });
          expect(candidates).toContain(alone.blindIndex(value, def));
        }
        for (let i = 0; i < disabled; i++) {
          const alone = Keyring.create({ keys: [{ ...ring.export().keys.find((k) => k.id === `off${i}`)!, state: 'active' }] });
          expect(candidates).not.toContain(alone.blindIndex(value, def));
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('blind index: pending keys and the clock', () => {
  it('a pending key is a candidate before its time and writes the index after it', () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const ring = Keyring.create({ keys: [generateKey({ id: 'old', state: 'active' })], clock: () => now }).add(generateKey({ id: 'new' }), {
      activatesAt: new Date(now + 60_000),
    });
    const def = { purpose: 'users.email' };
    const before = ring.blindIndex('a@b.c', def);
    const candidates = ring.blindIndexCandidates('a@b.c', def);
    expect(candidates).toHaveLength(2);
    expect(candidates[0]).toBe(before);
    now += 120_000;
    const after = ring.blindIndex('a@b.c', def);
    expect(after).not.toBe(before);
    expect(ring.blindIndexCandidates('a@b.c', def)).toEqual([after, before]);
  });
});

describe('blind index: bad input', () => {
  const ring = Keyring.create({ keys: [generateKey({ id: 'k1', state: 'active' })] });
  const cases: [string, () => unknown][] = [
    ['no options', () => ring.blindIndex('x', undefined as never)],
    ['no purpose', () => ring.blindIndex('x', {} as never)],
    ['empty purpose', () => ring.blindIndex('x', { purpose: '' })],
    ['purpose over 255 bytes', () => ring.blindIndex('x', { purpose: 'é'.repeat(128) })],
    ['misspelt option', () => ring.blindIndex('x', { purpose: 'p', bitz: 32 } as never)],
    ['bits below 8', () => ring.blindIndex('x', { purpose: 'p', bits: 7 })],
    ['bits above 256', () => ring.blindIndex('x', { purpose: 'p', bits: 257 })],
    ['fractional bits', () => ring.blindIndex('x', { purpose: 'p', bits: 31.5 })],
    ['unknown normalisation step', () => ring.blindIndex('x', { purpose: 'p', normalize: { lower: true } as never })],
    ['normalisation flag not boolean', () => ring.blindIndex('x', { purpose: 'p', normalize: { trim: 1 } as never })],
    ['slow N not a power of two', () => ring.blindIndex('x', { purpose: 'p', slow: { N: 30000 } })],
    ['slow cost below the floor', () => ring.blindIndex('x', { purpose: 'p', slow: { N: 1024, r: 8 } })],
    ['slow cost above the cap', () => ring.blindIndex('x', { purpose: 'p', slow: { N: 2 ** 20, r: 8 } })],
    ['slow unknown parameter', () => ring.blindIndex('x', { purpose: 'p', slow: { n: 16384 } as never })],
    ['number value', () => ring.blindIndex(42 as never, { purpose: 'p' })],
    ['one-field compound', () => ring.blindIndex(['a'], { purpose: 'p' })],
    ['sparse compound', () => ring.blindIndex(['a', , 'c'] as never, { purpose: 'p' })],
    ['compound with a number', () => ring.blindIndex(['a', 1] as never, { purpose: 'p' })],
    ['lone surrogate', () => ring.blindIndex('\uD800', { purpose: 'p' })],
  ];
  for (const [name, fn] of cases) {
    it(`${name}: ERR_INVALID_ARGUMENT`, () => expect(codeOf(fn)).toBe('ERR_INVALID_ARGUMENT'));
  }

  it('an index never contains the value and the value never reaches an error message', () => {
    const secretValue = 'ann.lee+private@example.com';
    try {
      ring.blindIndex(secretValue, { purpose: 'p', bits: 300 });
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('ann.lee');
    }
    expect(ring.blindIndex(secretValue, { purpose: 'p' })).toMatch(/^[0-9a-f]{64}$/);
  });
});
