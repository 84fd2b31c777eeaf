import { describe, expect, it } from 'vitest';
import { codeOf } from './helpers.js';
import { Keyring, generateKey, type DecryptEvent } from '../../src/index.js';


const HOUR = 3_600_000;
const start = Date.parse('2026-11-22T00:00:00.000Z');

function clockAt(t: number) {
  const clock = { now: t, fn: () => clock.now };
  return clock;
}

describe('lifecycle operations', () => {
  const base = Keyring.create({ keys: [generateKey({ id: 'k1' })] });

  it('add defaults to decrypt-only and leaves the original keyring unchanged', () => {
    const next = base.add(generateKey({ id: 'k2', state: 'decrypt-only' }));
    expect(next.activeKeyId).toBe('k1');
    expect(next.keys().find((k) => k.id === 'k2')?.state).toBe('decrypt-only');
    expect(base.has('k2')).toBe(false);
  });

  it('adding a generated key (state active) does not activate it without activate: true', () => {
    const next = base.add(generateKey({ id: 'k2' }));
    expect(next.activeKeyId).toBe('k1');
    expect(next.get('k2')?.state).toBe('decrypt-only');
  });

  it('add with activate makes the new key active and retires the old one', () => {
    const next = base.add(generateKey({ id: 'k2' }), { activate: true });
    expect(next.activeKeyId).toBe('k2');
    expect(next.keys().map((k) => [k.id, k.state])).toEqual([['k1', 'decrypt-only'], ['k2', 'active']]);
  });

  it('promote switches the active key; the old one stays readable', () => {
    const stored = base.encrypt('before');
    const next = base.add(generateKey({ id: 'k2', state: 'decrypt-only' })).promote('k2');
    expect(next.activeKeyId).toBe('k2');
    expect(next.get('k1')?.state).toBe('decrypt-only');
    expect(next.decryptString(stored)).toBe('before');
    expect(next.encrypt('after').startsWith('kr1.k2.')).toBe(true);
  });

  it('retire, disable and remove refuse the active key', () => {
    for (const op of ['retire', 'disable', 'remove'] as const) {
      expect(codeOf(() => base[op]('k1'))).toBe('ERR_INVALID_KEYRING');
    }
  });

  it('operations on unknown ids give ERR_UNKNOWN_KEY', () => {
    for (const op of ['promote', 'retire', 'disable', 'remove'] as const) {
      expect(codeOf(() => base[op]('nope'))).toBe('ERR_UNKNOWN_KEY');
    }
  });

  it('a leaked key: disable it (reads fail), re-encrypt, remove it', () => {
    const stored = base.encrypt('secret');
    let ring = base.add(generateKey({ id: 'k2' }), { activate: true });
    const fresh = ring.reencrypt(stored);
    ring = ring.disable('k1');
    expect(codeOf(() => ring.decrypt(stored))).toBe('ERR_KEY_DISABLED');
    expect(codeOf(() => ring.promote('k1'))).toBe('ERR_INVALID_KEYRING');
    ring = ring.remove('k1');
    expect(ring.has('k1')).toBe(false);
    expect(ring.decryptString(fresh)).toBe('secret');
    expect(codeOf(() => ring.decrypt(stored))).toBe('ERR_UNKNOWN_KEY');
  });

  it('retire re-enables a disabled key for reading', () => {
    const ring = base.add(generateKey({ id: 'k2', state: 'disabled' })).retire('k2');
    expect(ring.get('k2')?.state).toBe('decrypt-only');
  });

  it('add refuses a duplicate id and activate together with activatesAt', () => {
    expect(codeOf(() => base.add(generateKey({ id: 'k1' })))).toBe('ERR_INVALID_KEYRING');
    expect(codeOf(() => base.add(generateKey({ id: 'k2' }), { activate: true, activatesAt: new Date() }))).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('activation delay', () => {
  it('a pending key decrypts at once, encrypts only from activatesAt, then the old key turns decrypt-only', () => {
    const clock = clockAt(start);
    const v1 = Keyring.create({ keys: [generateKey({ id: 'old' })], clock: clock.fn });
    const ring = v1.add(generateKey({ id: 'new' }), { activatesAt: new Date(start + HOUR) });
    expect(ring.get('new')?.state).toBe('pending');
    expect(ring.keys().find((k) => k.id === 'new')).toMatchObject({ state: 'pending', activatesAt: new Date(start + HOUR).toISOString() });

    const beforeEnvelope = ring.encrypt('before');
    expect(beforeEnvelope.startsWith('kr1.old.')).toBe(true);
    // A fleet member that already switched writes with "new": this one reads it before its own switch.
    const switched = Keyring.create({ keys: [{ id: 'new', secret: ring.export().keys[1]!.secret, encoding: 'base64url' }] });
    expect(ring.decryptString(switched.encrypt('early'))).toBe('early');

    clock.now = start + HOUR - 1;
    expect(ring.activeKeyId).toBe('old');
    clock.now = start + HOUR;
    expect(ring.activeKeyId).toBe('new');
    const afterEnvelope = ring.encrypt('after');
    expect(afterEnvelope.startsWith('kr1.new.')).toBe(true);
    expect(ring.keys().map((k) => [k.id, k.state])).toEqual([['old', 'decrypt-only'], ['new', 'active']]);
    expect(ring.decryptString(beforeEnvelope)).toBe('before');
    expect(ring.decryptString(afterEnvelope)).toBe('after');
    expect(ring.open(beforeEnvelope).stale).toBe(true);

    const exported = ring.export();
    expect(exported.keys.map((k) => [k.id, k.state, k.activatesAt])).toEqual([
      ['old', 'decrypt-only', undefined],
      ['new', 'active', undefined],
    ]);
  });

  it('an activation time already past activates at once', () => {
    const clock = clockAt(start);
    const ring = Keyring.create({ keys: [generateKey({ id: 'old' })], clock: clock.fn }).add(generateKey({ id: 'new' }), { activatesAt: start - 1 });
    expect(ring.activeKeyId).toBe('new');
    expect(ring.get('old')?.state).toBe('decrypt-only');
  });

  it('two pending keys activate in turn', () => {
    const clock = clockAt(start);
    const ring = Keyring.create({ keys: [generateKey({ id: 'a' })], clock: clock.fn })
      .add(generateKey({ id: 'b' }), { activatesAt: start + HOUR })
      .add(generateKey({ id: 'c' }), { activatesAt: start + 2 * HOUR });
    expect(ring.activeKeyId).toBe('a');
    clock.now = start + HOUR;
    expect(ring.activeKeyId).toBe('b');
    clock.now = start + 2 * HOUR;
    expect(ring.activeKeyId).toBe('c');
    expect(ring.keys().map((k) => k.state)).toEqual(['decrypt-only', 'decrypt-only', 'active']);
  });

  it('pending keys need distinct times and only pending keys carry activatesAt', () => {
    const keys = [generateKey({ id: 'a' })];
    const at = '2030-01-01T00:00:00.000Z';
    expect(codeOf(() => Keyring.create({ keys: [...keys, { id: 'b', secret: 'b'.repeat(32), state: 'pending', activatesAt: at }, { id: 'c', secret: 'c'.repeat(32), state: 'pending', activatesAt: at }] }))).toBe('ERR_INVALID_KEYRING');
    expect(codeOf(() => Keyring.create({ keys: [...keys, { id: 'b', secret: 'b'.repeat(32), state: 'pending' }] }))).toBe('ERR_INVALID_KEYRING');
    expect(codeOf(() => Keyring.create({ keys: [...keys, { id: 'b', secret: 'b'.repeat(32), state: 'decrypt-only', activatesAt: at }] }))).toBe('ERR_INVALID_KEYRING');
  });

  it('survives export and fromJSON while still pending', () => {
    const clock = clockAt(start);
    const ring = Keyring.create({ keys: [generateKey({ id: 'a' })], clock: clock.fn }).add(generateKey({ id: 'b' }), { activatesAt: start + HOUR });
    const copy = Keyring.fromJSON(JSON.stringify(ring.export()), { clock: clock.fn });
    expect(copy.get('b')?.state).toBe('pending');
    clock.now = start + HOUR;
    expect(copy.activeKeyId).toBe('b');
  });
});

describe('retirement readiness', () => {
  it('counts encryptions and decryptions per key, including stale reads', () => {
    const old = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
    const stored = old.encrypt('x');
    const ring = old.add(generateKey({ id: 'k2' }), { activate: true });
    ring.decrypt(stored);
    ring.decrypt(ring.encrypt('y'));
    const stats = new Map(ring.stats().map((s) => [s.keyId, s]));
    expect(stats.get('k1')).toMatchObject({ encryptions: 1, decryptions: 1, staleDecryptions: 1 });
    expect(stats.get('k2')).toMatchObject({ encryptions: 1, decryptions: 1, staleDecryptions: 0 });
    expect(typeof stats.get('k1')?.lastDecryptAt).toBe('string');
  });

  it('reports every decryption to onDecrypt with staleness, and a throwing hook never breaks a read', () => {
    const events: DecryptEvent[] = [];
    const old = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
    const ring = Keyring.create({ keys: [old.export().keys[0]!, generateKey({ id: 'k2', state: 'decrypt-only' })], onDecrypt: (e) => events.push(e) }).promote('k2');
    ring.decrypt(old.encrypt('a'));
    ring.decrypt(ring.encrypt('b'));
    expect(events).toEqual([
      { keyId: 'k1', version: 1, suite: 1, stale: true, activeKeyId: 'k2' },
      { keyId: 'k2', version: 1, suite: 1, stale: false, activeKeyId: 'k2' },
    ]);
    const noisy = Keyring.create({ keys: [generateKey({ id: 'k' })], onDecrypt: () => { throw new Error('telemetry down'); } });
    expect(noisy.decryptString(noisy.encrypt('fine'))).toBe('fine');
  });
});
