/**
 * What docs/testing.md promises about `testKeyring`, claim by claim: the
 * option defaults, rotating in a test, and what stays the same between runs
 * and between seeds.
 */
import { describe, expect, it } from 'vitest';
import { generateKey, Keyring } from '../../src/index.js';
import { testKeyring } from '../../src/testing/index.js';

const states = (ring: Keyring) => ring.keys().map((k) => `${k.id}: ${k.state}`);
const secrets = (ring: Keyring) => ring.export().keys.map((k) => (k as { secret: string }).secret);

describe('docs/testing.md: options', () => {
  it('defaults: one active key "test-key-1", random secret; the older keys are all decrypt-only', () => {
    expect(states(testKeyring())).toEqual(['test-key-1: active']);
    expect(secrets(testKeyring())).not.toEqual(secrets(testKeyring()));
    expect(states(testKeyring({ keys: 3 }))).toEqual(['test-key-1: decrypt-only', 'test-key-2: decrypt-only', 'test-key-3: active']);
  });

  it('the guide\'s example: keys 3, retired 1', () => {
    expect(states(testKeyring({ keys: 3, retired: 1, seed: 'my-tests' }))).toEqual(['test-key-1: disabled', 'test-key-2: decrypt-only', 'test-key-3: active']);
  });

  it('keys is 1 to 1000; idPrefix names the keys oldest first', () => {
    expect(testKeyring({ keys: 1000 }).keys()).toHaveLength(1000);
    expect(() => testKeyring({ keys: 1001 })).toThrow(/keys/);
    expect(testKeyring({ keys: 2, idPrefix: 'fx-' }).keys().map((k) => k.id)).toEqual(['fx-1', 'fx-2']);
  });

  it('clock and onDecrypt are passed on as for Keyring.create', () => {
    let calls = 0;
    const ring = testKeyring({ onDecrypt: () => void calls++, clock: () => Date.parse('2030-01-01T00:00:00Z') });
    ring.decrypt(ring.encrypt('x'));
    expect(calls).toBe(1);
    expect(ring.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });
});

describe('docs/testing.md: what stays the same between runs and between seeds', () => {
  it('ids and states never depend on the seed; createdAt is fixed with a seed (2020-01-02, one day later per key)', () => {
    const dates = (ring: Keyring) => ring.keys().map((k) => k.createdAt);
    const a = testKeyring({ keys: 3, seed: 's' });
    const b = testKeyring({ keys: 3, seed: 't' });
    expect(states(a)).toEqual(states(b));
    expect(states(a)).toEqual(states(testKeyring({ keys: 3 })));
    expect(dates(a)).toEqual(['2020-01-02T00:00:00.000Z', '2020-01-03T00:00:00.000Z', '2020-01-04T00:00:00.000Z']);
    expect(dates(b)).toEqual(dates(a));
    expect(Date.now() - Date.parse(testKeyring().keys()[0]!.createdAt!)).toBeLessThan(60_000);
  });

  it('same seed: same secrets, an earlier envelope decrypts, the export is identical; another seed: ERR_DECRYPT_FAILED', () => {
    const earlier = testKeyring({ seed: 'fixtures' }).encrypt('value');
    expect(testKeyring({ seed: 'fixtures' }).decryptString(earlier)).toBe('value');
    expect(JSON.stringify(testKeyring({ keys: 2, seed: 'fixtures' }).export())).toBe(JSON.stringify(testKeyring({ keys: 2, seed: 'fixtures' }).export()));
    expect(() => testKeyring({ seed: 'other' }).decrypt(earlier)).toThrow(expect.objectContaining({ code: 'ERR_DECRYPT_FAILED' }));
    expect(() => testKeyring().decrypt(earlier)).toThrow(expect.objectContaining({ code: 'ERR_DECRYPT_FAILED' }));
  });

  it('each secret depends only on the seed and the key id: a smaller keyring\'s fixtures decrypt with a bigger one', () => {
    const small = testKeyring({ keys: 2, seed: 'q' });
    const big = testKeyring({ keys: 3, seed: 'q' });
    expect(secrets(big).slice(0, 2)).toEqual(secrets(small));
    expect(big.decryptString(small.encrypt('fixture'))).toBe('fixture');
  });

  it('envelope bytes: random even with a seed; with deterministicEnvelopes the n-th repeats, also through add', () => {
    expect(testKeyring({ seed: 's' }).encrypt('v')).not.toBe(testKeyring({ seed: 's' }).encrypt('v'));
    const run = () => {
      const ring = testKeyring({ seed: 's', deterministicEnvelopes: true });
      const first = ring.encrypt('v');
      const derived = ring.add({ id: 'next', secret: 'ASDFGHJKL1234567' }, { activate: true });
      return [first, ring.encrypt('v'), derived.encrypt('v')];
    };
    const [first, second, derived] = run();
    expect(run()).toEqual([first, second, derived]);
    expect(second).not.toBe(first); // two calls in one run still differ
  });
});

describe('docs/testing.md: rotating in a test', () => {
  it('add a key and make it active: old values decrypt and are stale', () => {
    let ring = testKeyring({ seed: 'rotation' });
    const before = ring.encrypt('value');
    ring = ring.add(generateKey({ id: 'next' }), { activate: true });
    expect(ring.open(before).stale).toBe(true);
    expect(ring.decryptString(before)).toBe('value');
    expect(ring.encrypt('value').startsWith('kr1.next.')).toBe(true);
  });

  it('testKeyring({ keys: 2, seed }) is testKeyring({ keys: 1, seed }) after one rotation', () => {
    const before = testKeyring({ keys: 1, seed: 'r' });
    const after = testKeyring({ keys: 2, seed: 'r' });
    const stored = before.encrypt('value');
    expect(after.open(stored)).toMatchObject({ stale: true, keyId: 'test-key-1' });
    expect(states(after)).toEqual(['test-key-1: decrypt-only', 'test-key-2: active']);
  });

  it('a key that activates later follows the injected clock', () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const ring = testKeyring({ clock: () => now }).add(generateKey({ id: 'next' }), { activatesAt: '2026-01-02T00:00:00Z' });
    expect(ring.activeKeyId).toBe('test-key-1');
    now = new Date('2026-01-03T00:00:00Z');
    expect(ring.activeKeyId).toBe('next');
  });
});
