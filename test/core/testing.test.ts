import { describe, expect, it } from 'vitest';
import { KeyrollError } from '../../src/index.js';
import { testKeyring } from '../../src/testing/index.js';

describe('keyroll/testing', () => {
  it('gives a ready keyring with one generated key by default', () => {
    const ring = testKeyring();
    expect(ring.activeKeyId).toBe('test-key-1');
    expect(ring.decryptString(ring.encrypt('hi'))).toBe('hi');
  });

  it('makes several keys, the newest active, some retired and the rest disabled', () => {
    const ring = testKeyring({ keys: 4, retired: 1 });
    expect(ring.keys().map((k) => [k.id, k.state])).toEqual([
      ['test-key-1', 'disabled'],
      ['test-key-2', 'disabled'],
      ['test-key-3', 'decrypt-only'],
      ['test-key-4', 'active'],
    ]);
  });

  it('derives the same keys from the same seed and different keys from another', () => {
    const a = testKeyring({ seed: 42 });
    const b = testKeyring({ seed: 42 });
    const c = testKeyring({ seed: 43 });
    expect(b.decryptString(a.encrypt('x'))).toBe('x');
    expect(() => c.decrypt(a.encrypt('x'))).toThrow(KeyrollError);
    expect(JSON.stringify(a.export())).toBe(JSON.stringify(b.export()));
  });

  it('random keys differ between calls without a seed', () => {
    expect(() => testKeyring().decrypt(testKeyring().encrypt('x'))).toThrow(KeyrollError);
  });

  it('can make envelopes repeat for snapshot tests, only with a seed', () => {
    const first = testKeyring({ seed: 'snap', deterministicEnvelopes: true });
    const second = testKeyring({ seed: 'snap', deterministicEnvelopes: true });
    expect([first.encrypt('a'), first.encrypt('b')]).toEqual([second.encrypt('a'), second.encrypt('b')]);
    expect(() => testKeyring({ deterministicEnvelopes: true })).toThrow(KeyrollError);
  });

  it('refuses nonsense options', () => {
    expect(() => testKeyring({ keys: 0 })).toThrow(KeyrollError);
    expect(() => testKeyring({ keys: 2, retired: 2 })).toThrow(KeyrollError);
  });
});
