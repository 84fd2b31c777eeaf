/** activatesIn, postpone, and the removed-key memory (document version 2). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, errorOf } from './helpers.js';
import { Keyring, generateKey, parseDocument } from '../../src/index.js';
import { formatDuration, parseDuration } from '../../src/keyring/duration.js';
import { fingerprintSecret, matchesRemoved } from '../../src/keyring/removed.js';

const start = Date.parse('2026-11-22T00:00:00.000Z');
function clocked() {
  const clock = { now: start, fn: () => clock.now };
  return clock;
}

describe('durations', () => {
  it('reads unit strings and milliseconds', () => {
    expect(parseDuration('90s', 'd')).toBe(90_000);
    expect(parseDuration('1h30m', 'd')).toBe(5_400_000);
    expect(parseDuration('2d', 'd')).toBe(172_800_000);
    expect(parseDuration('250ms', 'd')).toBe(250);
    expect(parseDuration('0', 'd')).toBe(0);
    expect(parseDuration(1500, 'd')).toBe(1500);
  });
  it('refuses everything else with ERR_INVALID_ARGUMENT', () => {
    for (const bad of ['', '1', '1x', 'h', '-1h', '1.5h', ' 1h', '1h ', '400d', -1, 1.5, Number.NaN, null, {}]) {
      expect(codeOf(() => parseDuration(bad, 'd')), String(bad)).toBe('ERR_INVALID_ARGUMENT');
    }
  });
  it('formats for people', () => {
    expect(formatDuration(3_900_000)).toBe('1h 5m');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(-90_000)).toBe('-1m 30s');
  });
});

describe('activatesIn', () => {
  it('makes the key pending for that long by the keyring clock', () => {
    const clock = clocked();
    const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })], clock: clock.fn }).add(generateKey({ id: 'k2' }), { activatesIn: '1h' });
    expect(ring.get('k2')?.activatesAt?.toISOString()).toBe('2026-11-22T01:00:00.000Z');
    expect(ring.activeKeyId).toBe('k1');
    clock.now += 3_600_000;
    expect(ring.activeKeyId).toBe('k2');
  });
  it('refuses two ways of asking and unknown options', () => {
    const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
    expect(codeOf(() => ring.add(generateKey({ id: 'k2' }), { activatesIn: '1h', activate: true }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => ring.add(generateKey({ id: 'k2' }), { activatesIn: '1h', activatesAt: new Date() }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => ring.add(generateKey({ id: 'k2' }), { activatesIn: '-5m' }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => ring.add(generateKey({ id: 'k2' }), { activateIn: '1h' } as never))).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('postpone', () => {
  const clock = clocked();
  const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })], clock: clock.fn }).add(generateKey({ id: 'k2' }), { activatesIn: '1h' });

  it('moves a pending key by a duration or to a time', () => {
    expect(ring.postpone('k2', { by: '30m' }).get('k2')?.activatesAt?.toISOString()).toBe('2026-11-22T01:30:00.000Z');
    expect(ring.postpone('k2', { to: '2026-11-22T00:10:00Z' }).get('k2')?.activatesAt?.toISOString()).toBe('2026-11-22T00:10:00.000Z');
  });
  it('refuses a time already passed, a key that is not pending, and bad options', () => {
    expect(codeOf(() => ring.postpone('k2', { to: '2026-11-21T00:00:00Z' }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => ring.postpone('k1', { by: '1h' }))).toBe('ERR_INVALID_KEYRING');
    expect(codeOf(() => ring.postpone('k9', { by: '1h' }))).toBe('ERR_UNKNOWN_KEY');
    expect(codeOf(() => ring.postpone('k2', {}))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => ring.postpone('k2', { by: '1h', to: new Date() }))).toBe('ERR_INVALID_ARGUMENT');
  });
  it('refuses a key whose time has come (it is active now)', () => {
    const late = clocked();
    const r = Keyring.create({ keys: [generateKey({ id: 'k1' })], clock: late.fn }).add(generateKey({ id: 'k2' }), { activatesIn: '1m' });
    late.now += 120_000;
    expect(codeOf(() => r.postpone('k2', { by: '1h' }))).toBe('ERR_INVALID_KEYRING');
  });
});

describe('removed keys', () => {
  const k1 = generateKey({ id: 'k1', state: 'decrypt-only' });
  const base = Keyring.create({ keys: [k1, generateKey({ id: 'k2', state: 'active' })], activeKeyId: 'k2' });

  it('remove remembers the id and a fingerprint, never the secret', () => {
    const next = base.remove('k1');
    const [entry] = next.removed();
    expect(entry?.id).toBe('k1');
    expect(entry?.secretFingerprint).toMatch(/^v1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    const text = JSON.stringify(next.export());
    const secret = base.export().keys.find((k) => k.id === 'k1')!.secret;
    expect(text).not.toContain(secret);
    expect(next.export().version).toBe(2);
    expect(base.export().version).toBe(1);
  });
  it('re-adding the id with another secret is refused, unless reuseRemovedId', () => {
    const next = base.remove('k1');
    const err = errorOf(() => next.add(generateKey({ id: 'k1' })));
    expect(err.code).toBe('ERR_INVALID_KEYRING');
    expect(err.message).toMatch(/removed at .* with a different secret/);
    const reused = next.add(generateKey({ id: 'k1' }), { reuseRemovedId: true });
    expect(reused.has('k1')).toBe(true);
    expect(reused.removed()).toEqual([]);
  });
  it('re-adding the same secret undoes the removal', () => {
    const back = base.remove('k1').add(k1);
    expect(back.has('k1')).toBe(true);
    expect(back.removed()).toEqual([]);
  });
  it('survives export and load, sealed or plain documents alike', () => {
    const next = Keyring.fromJSON(JSON.stringify(base.remove('k1').export()));
    expect(next.removed().map((r) => r.id)).toEqual(['k1']);
    expect(codeOf(() => next.add(generateKey({ id: 'k1' })))).toBe('ERR_INVALID_KEYRING');
    expect(next.add(k1).has('k1')).toBe(true);
  });
  it('documents: version 1 still loads; removed needs version 2; malformed entries are refused', () => {
    const doc = base.remove('k1').export();
    const v1 = base.export();
    expect(Keyring.fromJSON(v1).activeKeyId).toBe('k2');
    expect(codeOf(() => parseDocument({ ...doc, version: 1 }))).toBe('ERR_INVALID_KEYRING');
    expect(codeOf(() => parseDocument({ ...doc, version: 3 }))).toBe('ERR_INVALID_KEYRING');
    const entry = doc.removed![0]!;
    for (const bad of [{ ...entry, secretFingerprint: 'abc' }, { ...entry, removedAt: 'yesterday' }, { ...entry, id: 'no spaces' }, { ...entry, extra: 1 }, { ...entry, id: 'k2' }]) {
      expect(codeOf(() => Keyring.fromJSON({ ...doc, removed: [bad] })), JSON.stringify(bad)).toBe('ERR_INVALID_KEYRING');
    }
    expect(codeOf(() => Keyring.fromJSON({ ...doc, removed: [entry, entry] }))).toBe('ERR_INVALID_KEYRING');
  });
  it('fingerprints: salted (two of one secret differ), bound to the id, matched only by that secret', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 64 }), fc.uint8Array({ minLength: 16, maxLength: 64 }), (a, b) => {
        const fp = fingerprintSecret(a, 'k1');
        expect(fingerprintSecret(a, 'k1')).not.toBe(fp);
        expect(matchesRemoved({ id: 'k1', removedAt: '', secretFingerprint: fp }, a)).toBe(true);
        expect(matchesRemoved({ id: 'k2', removedAt: '', secretFingerprint: fp }, a)).toBe(false);
        if (Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) expect(matchesRemoved({ id: 'k1', removedAt: '', secretFingerprint: fp }, b)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });
});
