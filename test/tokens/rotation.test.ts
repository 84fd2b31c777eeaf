/**
 * The CDN rotation playbook of docs/tokens.md, end to end on an injected
 * clock: copy the primary to the backup, set a new primary, re-issue, then
 * clear the backup.
 */
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../src/keyring/keyring.js';
import { generateKey } from '../../src/keyring/generate.js';
import { inspectToken, issueToken, verifyToken } from '../../src/tokens/index.js';
import { codeOf, T0 } from './helpers.js';

const HOUR = 3_600_000;

describe('CDN-style rotation with a primary and a backup key', () => {
  it('primary and backup both verify; after the backup is cleared old tokens fail; after expiry, expired', () => {
    let now = T0;
    const clock = () => now;
    // Day 0: one primary key.
    let ring = Keyring.create({ keys: [{ id: 'primary-2030-01', secret: 'first-primary-secret-value' }], clock });
    const oldToken = issueToken(ring, { file: '/videos/1.mp4' }, { expiresIn: '24h', now: clock(), audience: 'cdn' });
    expect(inspectToken(oldToken).keyId).toBe('primary-2030-01');

    // Step 1 and 2: the current primary becomes the backup (decrypt-only), a new primary is set.
    now += 2 * HOUR;
    ring = ring.add({ id: 'primary-2030-02', secret: 'second-primary-secret-value' }).promote('primary-2030-02');
    // The operator's file round-trips through the keyring document, as the CLI writes it.
    ring = Keyring.fromJSON(ring.export(), { clock });
    expect(ring.keys().map((k) => [k.id, k.state])).toEqual([
      ['primary-2030-01', 'decrypt-only'],
      ['primary-2030-02', 'active'],
    ]);
    const newToken = issueToken(ring, { file: '/videos/2.mp4' }, { expiresIn: '24h', now: clock(), audience: 'cdn' });
    expect(inspectToken(newToken).keyId).toBe('primary-2030-02');
    expect(verifyToken(ring, oldToken, { now: clock(), audience: 'cdn' })['file']).toBe('/videos/1.mp4');
    expect(verifyToken(ring, newToken, { now: clock(), audience: 'cdn' })['file']).toBe('/videos/2.mp4');

    // Step 3: re-issue what is still in circulation under the new primary.
    const claims = verifyToken(ring, oldToken, { now: clock(), audience: 'cdn' });
    const reissued = issueToken(ring, { file: claims['file'] }, { expiresIn: '24h', now: clock(), audience: 'cdn' });
    expect(inspectToken(reissued).keyId).toBe('primary-2030-02');

    // Step 4: once every old token has been replaced (or has expired), clear the backup.
    now += 4 * HOUR;
    const disabled = ring.disable('primary-2030-01');
    expect(codeOf(() => verifyToken(disabled, oldToken, { now: clock(), audience: 'cdn' }))).toBe('ERR_KEY_DISABLED');
    ring = ring.remove('primary-2030-01');
    expect(codeOf(() => verifyToken(ring, oldToken, { now: clock(), audience: 'cdn' }))).toBe('ERR_UNKNOWN_KEY');
    expect(verifyToken(ring, reissued, { now: clock(), audience: 'cdn' })['file']).toBe('/videos/1.mp4');
    expect(verifyToken(ring, newToken, { now: clock(), audience: 'cdn' })['file']).toBe('/videos/2.mp4');

    // Later still: the new tokens expire too.
    now = T0 + 2 * HOUR + 24 * HOUR;
    expect(codeOf(() => verifyToken(ring, newToken, { now: clock(), audience: 'cdn' }))).toBe('ERR_TOKEN_EXPIRED');
    expect(codeOf(() => verifyToken(ring, reissued, { now: clock(), audience: 'cdn' }))).toBe('ERR_TOKEN_EXPIRED');
  });

  it('a scheduled primary (pending with activatesAt) verifies before it issues', () => {
    let now = T0;
    const clock = () => now;
    const ring = Keyring.create({ keys: [{ id: 'p1', secret: 'first-primary-secret-value' }], clock }).add(
      { id: 'p2', secret: 'second-primary-secret-value' },
      { activatesAt: new Date(T0 + HOUR) },
    );
    // Edge servers that already hold p2 accept its tokens before it becomes primary everywhere.
    const fromP1 = issueToken(ring, {}, { expiresIn: '2h', now: clock() });
    expect(inspectToken(fromP1).keyId).toBe('p1');
    now += HOUR;
    const fromP2 = issueToken(ring, {}, { expiresIn: '2h', now: clock() });
    expect(inspectToken(fromP2).keyId).toBe('p2');
    expect(verifyToken(ring, fromP1, { now: clock() }).exp).toBeDefined();
    expect(verifyToken(ring, fromP2, { now: clock() }).exp).toBeDefined();
  });
});

describe('tokens follow the keyring clock', () => {
  it('issue and verify read ring.now() when no now is given', () => {
    const clock = { t: Date.parse('2031-03-01T00:00:00Z') };
    const ring = Keyring.create({ keys: [generateKey({ id: 'p1' })], clock: () => clock.t });
    expect(ring.now().toISOString()).toBe('2031-03-01T00:00:00.000Z');
    const token = issueToken(ring, { a: 'b' }, { expiresIn: '1h' });
    const claims = verifyToken(ring, token);
    expect(claims.iat).toBe('2031-03-01T00:00:00+00:00');
    clock.t += 3_600_000;
    expect(() => verifyToken(ring, token)).toThrowError(expect.objectContaining({ code: 'ERR_TOKEN_EXPIRED' }));
  });
});
