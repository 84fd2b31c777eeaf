import { inspect as utilInspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Keyring, KeyrollError, generateKey } from '../../src/index.js';
import { materialOf } from '../../src/keyring/key.js';

const utf8Secret = 'ASDFGHJKL1234567';
const hexSecret = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const ring = Keyring.create({
  keys: [
    { id: 'typed', secret: utf8Secret, state: 'decrypt-only' },
    { id: 'hexed', secret: hexSecret, encoding: 'hex', state: 'active' },
  ],
});
const generated = generateKey({ id: 'gen' });
const generatedBytes = Buffer.from(Keyring.create({ keys: [generated] }).export().keys[0]!.secret, 'base64url');

/** Every way a secret could be spelled in output. */
function spellings(secret: Uint8Array): string[] {
  const b = Buffer.from(secret);
  return [b.toString('hex'), b.toString('hex').toUpperCase(), b.toString('base64'), b.toString('base64url'), b.toString('latin1'), [...b].join(',')].filter((s) => s.length >= 16);
}
const allSpellings = [...spellings(Buffer.from(utf8Secret)), ...spellings(Buffer.from(hexSecret, 'hex')), ...spellings(generatedBytes), utf8Secret, hexSecret];

function expectNoSecret(output: string): void {
  for (const s of allSpellings) expect(output).not.toContain(s);
}

describe('secret material never shows', () => {
  it('in JSON.stringify, String() and util.inspect of a keyring', () => {
    for (const out of [JSON.stringify(ring), String(ring), `${ring}`, utilInspect(ring, { depth: 10, showHidden: true }), utilInspect(ring.keys(), { depth: 10 })]) {
      expectNoSecret(out);
    }
    expect(JSON.stringify(ring)).toContain('hexed');
  });

  it('in JSON.stringify, String() and util.inspect of a key', () => {
    for (const key of [ring.get('typed')!, ring.get('hexed')!, generated]) {
      for (const out of [JSON.stringify(key), String(key), utilInspect(key, { depth: 10, showHidden: true }), utilInspect(materialOf(key), { showHidden: true }), JSON.stringify(materialOf(key)), JSON.stringify({ nested: [key] })]) {
        expectNoSecret(out);
      }
    }
  });

  it('in stats and inspect of an envelope', () => {
    const stored = ring.encrypt('x');
    expectNoSecret(JSON.stringify(ring.stats()));
    expectNoSecret(JSON.stringify((ring as unknown as { inspect?: unknown }).inspect ?? ''));
    expectNoSecret(stored);
  });

  it('in the messages of every error keyroll raises about keys', () => {
    const attempts: Array<() => unknown> = [
      () => Keyring.create({ keys: [{ id: 'typed', secret: utf8Secret }, { id: 'typed', secret: utf8Secret }] }),
      () => Keyring.create({ keys: [{ id: 'x', secret: utf8Secret + 'xxxx' }], policy: { secretLengthMultipleOf: 16 } }),
      () => Keyring.create({ keys: [{ id: 'x', secret: hexSecret + 'zz', encoding: 'hex' }] }),
      () => Keyring.create({ keys: [{ id: 'x', secret: hexSecret.repeat(5) }] }),
      () => Keyring.create({ keys: [{ id: utf8Secret + '!', secret: hexSecret }] }),
      () => Keyring.create({ keys: [{ id: 'x', secret: utf8Secret, state: 'bogus' as 'active' }] }),
      () => Keyring.fromJSON(`{"format":"keyroll.keyring","version":1,"keys":[{"id":"a","secret":"${utf8Secret}"`),
      () => Keyring.fromJSON(`{"format":"keyroll.keyring","version":1,"keys":[{"id":"a","state":"active","secret":"${utf8Secret}","encoding":"utf8","${hexSecret}":1}]}`),
      () => Keyring.create({ keys: [{ id: 'impostor', secret: hexSecret, encoding: 'hex' }] }).decrypt(Keyring.create({ keys: [{ id: 'impostor', secret: utf8Secret }] }).encrypt('x')),
    ];
    let count = 0;
    for (const attempt of attempts) {
      try {
        attempt();
      } catch (err) {
        expect(err).toBeInstanceOf(KeyrollError);
        const e = err as KeyrollError;
        expectNoSecret(e.message);
        expectNoSecret(utilInspect(e));
        expectNoSecret(JSON.stringify(e));
        count++;
      }
    }
    expect(count).toBe(attempts.length);
  });

  it('only export() gives secrets out, deliberately', () => {
    const doc = JSON.stringify(ring.export());
    expect(doc).toContain(utf8Secret);
    expect(doc).toContain(hexSecret);
  });
});

describe('plaintext never shows in errors', () => {
  it('a failed decryption does not echo the plaintext or the envelope', () => {
    const plaintext = 'card 4111-1111-1111-1111';
    const stored = ring.encrypt(plaintext, { context: { id: '1' } });
    try {
      ring.decrypt(stored, { context: { id: '2' } });
      expect.unreachable();
    } catch (err) {
      const text = `${(err as Error).message} ${utilInspect(err)}`;
      expect(text).not.toContain(plaintext);
      expect(text).not.toContain(stored.slice(10, 60));
    }
  });
});
