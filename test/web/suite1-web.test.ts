// The WebCrypto backend against the Node edition, on Node's WebCrypto:
// byte-identical envelopes for the same salt, the same failures, keys
// imported once and non-extractable.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalContext } from '../../src/envelope/context.js';
import { parseEnvelope } from '../../src/envelope/format.js';
import { seal1, suite1Key, open1 } from '../../src/suites/suite1.js';
import { openAsync, sealAsync } from '../../src/suites/backend.js';
import { webBackend } from '../../src/suites/webcrypto.js';
import { Keyring, KeyrollError } from '../../src/index.js';
import { WebKeyring, generateKey } from '../../src/web/index.js';
import { WebKeyring as NodeWebKeyring } from '../../src/web/node.js';
import { SALT_SOURCE } from '../../src/keyring/select.js';
import { materialOf } from '../../src/keyring/key.js';

const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const context = fc.oneof(fc.constant(undefined), fc.dictionary(fc.string(), fc.string(), { maxKeys: 4 }), fc.uint8Array({ maxLength: 20 }));

async function codeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KeyrollError);
    return (err as KeyrollError).code;
  }
  return 'no error';
}

describe('suite 1 over WebCrypto', () => {
  it('seals byte for byte as the node:crypto suite, and each opens the other', async () => {
    await fc.assert(
      fc.asyncProperty(id, fc.uint8Array({ minLength: 16, maxLength: 64 }), fc.uint8Array({ maxLength: 300 }), context, fc.uint8Array({ minLength: 16, maxLength: 16 }), async (keyId, secret, plaintext, ctx, salt) => {
        const c = canonicalContext(ctx);
        const nodeBytes = seal1(keyId, suite1Key(secret), plaintext, c, salt);
        const webKey = await webBackend.importKey(secret);
        const webBytes = await sealAsync(webBackend, keyId, webKey, plaintext, c, salt);
        expect(Buffer.from(webBytes).equals(nodeBytes)).toBe(true);
        expect(Buffer.from((await openAsync(webBackend, parseEnvelope(nodeBytes), webKey, c))!).equals(Buffer.from(plaintext))).toBe(true);
        expect(Buffer.from(open1(parseEnvelope(webBytes), suite1Key(secret), c)!).equals(Buffer.from(plaintext))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects any single flipped bit after the header prefix', async () => {
    const secret = new Uint8Array(32).fill(9);
    const key = await webBackend.importKey(secret);
    const sealed = await sealAsync(webBackend, 'k1', key, new TextEncoder().encode('flip me'), new Uint8Array(0));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 5 * 8, max: sealed.length * 8 - 1 }), async (bit) => {
        const copy = sealed.slice();
        copy[bit >> 3]! ^= 1 << (bit & 7);
        expect(await openAsync(webBackend, parseEnvelope(copy), key, new Uint8Array(0))).toBeUndefined();
      }),
      { numRuns: 80 },
    );
  });

  it('imports a key once, non-extractable, and caches it with the key', async () => {
    const key = generateKey({ id: 'k1' });
    const ring = WebKeyring.create({ keys: [key] });
    await ring.encrypt('a');
    const cached = materialOf(key).derived(0x5701, () => {
      throw new Error('imported again');
    }) as Promise<{ extractable: boolean; algorithm: { name: string }; usages: string[] }>;
    const imported = await cached;
    expect(imported.extractable).toBe(false);
    expect(imported.algorithm.name).toBe('HKDF');
    expect(imported.usages).toEqual(['deriveBits']);
    await ring.decrypt(await ring.encrypt('b'));
  });
});

describe.each([
  ['WebCrypto', WebKeyring],
  ['node:crypto (the `node` condition)', NodeWebKeyring],
])('WebKeyring on %s', (_engine, WebKeyring) => {
  const keys = [
    { id: 'k2', secret: 'web-keyring-secret-k2', encoding: 'utf8' as const, state: 'active' as const, createdAt: '2026-02-01T00:00:00Z' },
    { id: 'k1', secret: 'web-keyring-secret-k1', encoding: 'utf8' as const, state: 'decrypt-only' as const, createdAt: '2026-01-01T00:00:00Z' },
  ];

  it('writes the same text envelopes as Keyring for the same salts', async () => {
    const salts = () => {
      let n = 0;
      return (length: number) => new Uint8Array(length).fill(++n);
    };
    const node = Keyring.create({ keys, [SALT_SOURCE]: salts() } as never);
    const web = WebKeyring.create({ keys, [SALT_SOURCE]: salts() } as never);
    for (const [plaintext, ctx] of [['', undefined], ['héllo', { table: 't', id: '1' }], ['bytes', new Uint8Array([1, 2])]] as const) {
      const options = ctx === undefined ? undefined : { context: ctx };
      expect(await web.encrypt(plaintext, options)).toBe(node.encrypt(plaintext, options));
      expect(Buffer.from(await web.encryptToBytes(plaintext, options)).equals(Buffer.from(node.encryptToBytes(plaintext, options)))).toBe(true);
    }
  });

  it('fails with the Node edition\'s codes, as rejected promises', async () => {
    const web = WebKeyring.create({ keys });
    const node = Keyring.create({ keys });
    const stored = await web.encrypt('x', { context: { id: '1' } });
    const cases: [string, (ring: Keyring | WebKeyring) => unknown][] = [
      ['wrong context', (r) => r.decrypt(stored, { context: { id: '2' } })],
      ['malformed', (r) => r.decrypt('kr1.k2.@@')],
      ['unknown key', (r) => r.decrypt(stored.replace('kr1.k2.', 'kr1.k9.'))],
      ['bad option', (r) => r.encrypt('x', { contxt: {} } as never)],
      ['bad plaintext', (r) => r.encrypt(42 as never)],
      ['version', (r) => r.decrypt('kr7.k2.AAAA')],
    ];
    for (const [name, fn] of cases) {
      const webCode = await codeOf(async () => fn(web));
      expect(webCode, name).not.toBe('no error');
      expect(webCode, name).toBe(await codeOf(async () => fn(node)));
    }
    const disabled = WebKeyring.create({ keys: [{ ...keys[0]!, state: 'disabled' }, { id: 'k3', secret: 'web-keyring-secret-k3', state: 'active' }] });
    expect(await codeOf(() => disabled.decrypt(stored, { context: { id: '1' } }))).toBe('ERR_KEY_DISABLED');
    expect(await codeOf(async () => WebKeyring.create({ keys: [{ id: 'a', secret: 'x' }] }))).toBe('ERR_INVALID_KEY');
  });

  it('activates pending keys by its clock and reports staleness as Keyring does', async () => {
    let now = Date.parse('2026-03-01T00:00:00Z');
    const doc = { format: 'keyroll.keyring', version: 1, keys: [...keys, { id: 'k3', secret: 'web-keyring-secret-k3', encoding: 'utf8', state: 'pending', activatesAt: '2026-04-01T00:00:00Z', createdAt: '2026-03-01T00:00:00Z' }] };
    const web = WebKeyring.fromJSON(doc, { clock: () => now });
    const node = Keyring.fromJSON(doc, { clock: () => now });
    const before = await web.encrypt('v');
    expect(before.startsWith('kr1.k2.')).toBe(true);
    now = Date.parse('2026-04-02T00:00:00Z');
    expect(web.activeKeyId).toBe('k3');
    expect(web.keys()).toEqual(node.keys());
    const opened = await web.open(before);
    expect(opened.stale).toBe(true);
    expect(web.isStale(before)).toBe(node.isStale(before));
  });

  it('never shows a secret in JSON, strings or inspection', async () => {
    const web = WebKeyring.create({ keys });
    const { inspect } = await import('node:util');
    for (const shown of [JSON.stringify(web), String(web), inspect(web)]) {
      expect(shown).not.toContain('web-keyring-secret');
      expect(shown).toContain('k2');
    }
  });
});

describe('WebKeyring on node:crypto', () => {
  it('runs on the Node edition\'s key state (shared with Keyring), never importing a WebCrypto key', async () => {
    const key = generateKey({ id: 'k1' });
    const ring = NodeWebKeyring.create({ keys: [key] });
    expect(ring).toBeInstanceOf(NodeWebKeyring);
    expect(ring).toBeInstanceOf(WebKeyring);
    expect(NodeWebKeyring.fromJSON(Keyring.create({ keys: [key] }).export())).toBeInstanceOf(NodeWebKeyring);
    const stored = await ring.encrypt('a', { context: { id: '1' } });
    expect(Keyring.create({ keys: [key] }).decryptString(stored, { context: { id: '1' } })).toBe('a');
    expect(materialOf(key).derived(1, () => undefined)).toBeDefined();
    expect(materialOf(key).derived(0x5701, () => undefined)).toBeUndefined();
    // A class extending it keeps its engine.
    class Mine extends NodeWebKeyring {}
    const other = generateKey({ id: 'k2' });
    const mine = Mine.fromJSON({ format: 'keyroll.keyring', version: 1, keys: [{ id: 'k2', secret: 'mine-secret-0123456789', encoding: 'utf8', state: 'active', createdAt: '2026-01-01T00:00:00Z' }] });
    expect(mine).toBeInstanceOf(Mine);
    const own = Mine.create({ keys: [other] });
    await own.decrypt(await own.encrypt('b'));
    expect(materialOf(other).derived(1, () => undefined)).toBeDefined();
    expect(materialOf(other).derived(0x5701, () => undefined)).toBeUndefined();
    // A detached static call still builds a working keyring (on WebCrypto, the base class).
    const { create } = NodeWebKeyring;
    expect(await create({ keys: [key] }).decryptString(stored, { context: { id: '1' } })).toBe('a');
  });
});
