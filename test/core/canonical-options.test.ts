/**
 * readAndRefresh canonicalises a context once for its open and its seal
 * (canonicalOptions): the shortcut must give exactly the bytes the ordinary
 * path gives, and only for the options it made last.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Keyring, generateKey, readAndRefresh } from '../../src/index.js';
import { canonicalContext, canonicalOptions, knownCanonical } from '../../src/envelope/context.js';

const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });

describe('canonicalOptions', () => {
  it('gives the canonical bytes of its context, for the options made last only', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 4 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }), (a, b) => {
        const first = canonicalOptions(a);
        expect(knownCanonical(first)).toEqual(canonicalContext(a));
        const second = canonicalOptions(b);
        expect(knownCanonical(second)).toEqual(canonicalContext(b));
        // The first options are no longer recognised: they take the ordinary path, which agrees.
        if (first !== second) expect(knownCanonical(first)).toBeUndefined();
        expect(knownCanonical({ context: b })).toBeUndefined();
        const sealed = ring.encrypt('x', first);
        expect(ring.decryptString(sealed, { context: a })).toBe('x');
      }),
      { numRuns: 100 },
    );
  });

  it('readAndRefresh seals under the context it opened with, non-ASCII and empty values included', () => {
    const old = Keyring.create({ keys: [generateKey({ id: 'a' })] });
    const next = old.add(generateKey({ id: 'b' }), { activate: true });
    for (const context of [{ table: 'users', id: '7' }, { 'clé': 'ünïcode €', id: '' }, { ['x'.repeat(70)]: 'y'.repeat(100) }]) {
      const stored = old.encrypt('secret', { context });
      const read = readAndRefresh(next, stored, { context });
      expect(read.stale).toBe(true);
      expect(next.decryptString(read.fresh as string, { context })).toBe('secret');
      expect(() => next.decryptString(read.fresh as string, { context: { ...context, extra: '1' } })).toThrow(/decryption failed/);
    }
  });
});
