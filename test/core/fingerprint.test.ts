import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Keyring, generateKey } from '../../src/index.js';

const SECRET_A = 'ASDFGHJKL1234567';
const SECRET_B = 'QWERTYUIOP123456';

describe('ring.fingerprint()', () => {
  it('is fp1. and 16 hex digits, equal for the same keyring loaded twice, whatever the clock', () => {
    const doc = Keyring.create({
      keys: [
        { id: 'k1', secret: SECRET_A, state: 'active' },
        { id: 'k2', secret: SECRET_B, state: 'pending', activatesAt: '2030-01-01T00:00:00Z' },
      ],
    }).export();
    const early = Keyring.fromJSON(doc, { clock: () => Date.parse('2029-01-01T00:00:00Z') });
    const late = Keyring.fromJSON(JSON.stringify(doc), { clock: () => Date.parse('2031-01-01T00:00:00Z') });
    expect(early.activeKeyId).toBe('k1');
    expect(late.activeKeyId).toBe('k2');
    expect(early.fingerprint()).toMatch(/^fp1\.[0-9a-f]{16}$/);
    expect(late.fingerprint()).toBe(early.fingerprint());
  });

  it('does not depend on key order, createdAt or secrets', () => {
    const a = Keyring.create({ keys: [{ id: 'k1', secret: SECRET_A, state: 'active', createdAt: '2020-01-01T00:00:00Z' }, { id: 'k0', secret: SECRET_B, state: 'decrypt-only' }] });
    const b = Keyring.create({ keys: [{ id: 'k0', secret: SECRET_A, state: 'decrypt-only' }, { id: 'k1', secret: SECRET_B, state: 'active' }] });
    expect(a.fingerprint()).toBe(b.fingerprint());
  });

  it('changes with any id, state, activation time or policy', () => {
    const base = Keyring.create({ keys: [{ id: 'k1', secret: SECRET_A, state: 'active' }, { id: 'k2', secret: SECRET_B, state: 'pending', activatesAt: '2030-01-01T00:00:00Z' }] });
    const variants = [
      Keyring.create({ keys: [{ id: 'k1', secret: SECRET_A, state: 'active' }, { id: 'k3', secret: SECRET_B, state: 'pending', activatesAt: '2030-01-01T00:00:00Z' }] }),
      Keyring.create({ keys: [{ id: 'k1', secret: SECRET_A, state: 'active' }, { id: 'k2', secret: SECRET_B, state: 'pending', activatesAt: '2030-01-01T00:00:01Z' }] }),
      Keyring.create({ keys: [{ id: 'k1', secret: SECRET_A, state: 'active' }, { id: 'k2', secret: SECRET_B, state: 'decrypt-only' }] }),
      Keyring.create({ keys: [{ id: 'k1', secret: SECRET_A, state: 'active' }, { id: 'k2', secret: SECRET_B, state: 'disabled' }] }),
      Keyring.create({ keys: [{ id: 'k1', secret: SECRET_A, state: 'active' }, { id: 'k2', secret: SECRET_B, state: 'pending', activatesAt: '2030-01-01T00:00:00Z' }], policy: { secretLengthMultipleOf: 16 } }),
    ];
    const all = new Set([base, ...variants].map((r) => r.fingerprint()));
    expect(all.size).toBe(variants.length + 1);
  });

  it('property: never contains or depends on the secret', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 64 }), fc.uint8Array({ minLength: 16, maxLength: 64 }), (s1, s2) => {
        const a = Keyring.create({ keys: [{ id: 'k', secret: s1 }] });
        const b = Keyring.create({ keys: [{ id: 'k', secret: s2 }] });
        expect(a.fingerprint()).toBe(b.fingerprint());
        expect(a.fingerprint()).not.toContain(Buffer.from(s1).toString('hex').slice(0, 16));
      }),
      { numRuns: 50 },
    );
  });

  it('a derived keyring has its own fingerprint; the same change on two instances gives the same one', () => {
    const doc = Keyring.create({ keys: [generateKey({ id: 'k1' })] }).export();
    const x = Keyring.fromJSON(doc).add({ id: 'k2', secret: SECRET_A }, { activatesAt: '2030-01-01T00:00:00Z' });
    const y = Keyring.fromJSON(doc).add({ id: 'k2', secret: SECRET_B }, { activatesAt: '2030-01-01T00:00:00Z' });
    expect(x.fingerprint()).toBe(y.fingerprint());
    expect(x.fingerprint()).not.toBe(Keyring.fromJSON(doc).fingerprint());
  });
});

describe('the fingerprint as docs/format.md specifies it', () => {
  it('is fp1. and the first 8 bytes of SHA-256 over the documented JSON array', async () => {
    const { createHash } = await import('node:crypto');
    const ring = Keyring.create({
      keys: [
        { id: 'k2', secret: SECRET_B, state: 'pending', activatesAt: '2026-12-01T00:00:00+01:00' },
        { id: 'k1', secret: SECRET_A, state: 'active' },
      ],
      policy: { secretLengthMultipleOf: 16 },
    });
    const input = JSON.stringify(['keyroll.fingerprint', 1, [1, 250, 16], [['k1', 'active', null], ['k2', 'pending', '2026-11-30T23:00:00.000Z']], null]);
    const expected = `fp1.${createHash('sha256').update(input, 'utf8').digest('hex').slice(0, 16)}`;
    expect(ring.fingerprint()).toBe(expected);
  });
});
