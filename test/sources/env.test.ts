import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring, generateKey, sealKeyring } from '../../src/index.js';
import fc from 'fast-check';
import { loadKeyringFromEnv, parseOldKeys, serializeOldKeys } from '../../src/sources/index.js';
import { expectKeyrollError, expectNoSecretIn, tempDir } from './helpers.js';

const OLD = 'ASDFGHJKL1234567';
const NEW = '0EE0D33AC67E4389AB2B46123729B875';

describe('Keyring.fromEnv, platform layout', () => {
  it('the exact rotation case: mykey -> newkey, old data still decrypts, new data names newkey', async () => {
    const before = await Keyring.fromEnv({ ENCRYPTION_KEY: OLD, ACTIVE_ENCRYPTION_KEY_NAME: 'mykey', 'oldEncKeys.json': '{}' });
    expect(before.activeKeyId).toBe('mykey');
    const stored = before.encrypt('card 4111', { context: { table: 'cards', id: '7' } });
    expect(stored.startsWith('kr1.mykey.')).toBe(true);

    const after = await Keyring.fromEnv({ ENCRYPTION_KEY: NEW, ACTIVE_ENCRYPTION_KEY_NAME: 'newkey', 'oldEncKeys.json': '{"mykey":"ASDFGHJKL1234567"}' });
    expect(after.activeKeyId).toBe('newkey');
    expect(after.decryptString(stored, { context: { table: 'cards', id: '7' } })).toBe('card 4111');
    expect(after.open(stored, { context: { table: 'cards', id: '7' } }).stale).toBe(true);
    expect(after.keys().map((k) => [k.id, k.state])).toEqual([['newkey', 'active'], ['mykey', 'decrypt-only']]);
    const fresh = after.encrypt('new data');
    expect(fresh.startsWith('kr1.newkey.')).toBe(true);
    expect(after.policy.secretLengthMultipleOf).toBe(16);
  });

  it('accepts OLD_ENC_KEYS as the old-keys map, and no old keys at all', async () => {
    const ring = await Keyring.fromEnv({ ENCRYPTION_KEY: NEW, ACTIVE_ENCRYPTION_KEY_NAME: 'newkey', OLD_ENC_KEYS: JSON.stringify({ mykey: OLD }) });
    expect(ring.has('mykey')).toBe(true);
    const alone = await Keyring.fromEnv({ ENCRYPTION_KEY: NEW, ACTIVE_ENCRYPTION_KEY_NAME: 'newkey' });
    expect(alone.keys()).toHaveLength(1);
  });

  it('refuses a secret of length 20, naming the rule and the key id but never the secret', async () => {
    const secret = 'ABCDEFGHIJ0123456789';
    const err = await expectKeyrollError(() => loadKeyringFromEnv({ ENCRYPTION_KEY: secret, ACTIVE_ENCRYPTION_KEY_NAME: 'k20' }), 'ERR_INVALID_KEY');
    expect(err.message).toMatch(/multiple of 16/);
    expect(err.message).toContain('k20');
    expect(err.message).toContain('20 characters');
    expect(err.keyId).toBe('k20');
    expectNoSecretIn(err, [secret]);
    const old = await expectKeyrollError(() => loadKeyringFromEnv({ ENCRYPTION_KEY: NEW, ACTIVE_ENCRYPTION_KEY_NAME: 'a', OLD_ENC_KEYS: JSON.stringify({ b: secret }) }), 'ERR_INVALID_KEY');
    expect(old.message).toMatch(/key "b".*multiple of 16/);
    expectNoSecretIn(old, [secret, NEW]);
  });

  it('refuses non-ASCII secrets without echoing them', async () => {
    const secret = 'ÄSDFGHJKL123456';
    const err = await expectKeyrollError(() => loadKeyringFromEnv({ ENCRYPTION_KEY: secret, ACTIVE_ENCRYPTION_KEY_NAME: 'k' }), 'ERR_INVALID_KEY');
    expect(err.message).toMatch(/printable ASCII/);
    expectNoSecretIn(err, [secret]);
  });

  it('handles an old key named __proto__ and constructor like any other', async () => {
    const ring = await Keyring.fromEnv({ ENCRYPTION_KEY: NEW, ACTIVE_ENCRYPTION_KEY_NAME: 'newkey', 'oldEncKeys.json': `{"__proto__":"${OLD}","constructor":"${OLD}${OLD}"}` });
    expect(ring.has('__proto__')).toBe(true);
    expect(ring.get('__proto__')?.state).toBe('decrypt-only');
    expect(ring.has('constructor')).toBe(true);
    const proto = Keyring.create({ keys: [{ id: '__proto__', secret: OLD }] });
    expect(ring.decryptString(proto.encrypt('x'))).toBe('x');
    const active = await Keyring.fromEnv({ ENCRYPTION_KEY: NEW, ACTIVE_ENCRYPTION_KEY_NAME: '__proto__' });
    expect(active.activeKeyId).toBe('__proto__');
  });

  it('refuses an id that is active and old with a different secret; accepts the same secret', async () => {
    const err = await expectKeyrollError(() => loadKeyringFromEnv({ ENCRYPTION_KEY: NEW, ACTIVE_ENCRYPTION_KEY_NAME: 'k', OLD_ENC_KEYS: JSON.stringify({ k: OLD }) }), 'ERR_INVALID_KEYRING');
    expect(err.message).toMatch(/different secret/);
    expectNoSecretIn(err, [NEW, OLD]);
    const same = await Keyring.fromEnv({ ENCRYPTION_KEY: NEW, ACTIVE_ENCRYPTION_KEY_NAME: 'k', OLD_ENC_KEYS: JSON.stringify({ k: NEW }) });
    expect(same.keys()).toHaveLength(1);
  });

  it('names the missing or ambiguous variable', async () => {
    expect((await expectKeyrollError(() => loadKeyringFromEnv({ ENCRYPTION_KEY: NEW }), 'ERR_INVALID_KEYRING')).message).toContain('ACTIVE_ENCRYPTION_KEY_NAME');
    expect((await expectKeyrollError(() => loadKeyringFromEnv({ ACTIVE_ENCRYPTION_KEY_NAME: 'k' }), 'ERR_INVALID_KEYRING')).message).toContain('ENCRYPTION_KEY');
    expect((await expectKeyrollError(() => loadKeyringFromEnv({}), 'ERR_INVALID_KEYRING')).message).toMatch(/KEYROLL_KEYRING.*ENCRYPTION_KEY/);
    const both = await expectKeyrollError(() => loadKeyringFromEnv({ ENCRYPTION_KEY: NEW, ACTIVE_ENCRYPTION_KEY_NAME: 'k', OLD_ENC_KEYS: '{}', 'oldEncKeys.json': '{}' }), 'ERR_INVALID_KEYRING');
    expect(both.message).toMatch(/oldEncKeys\.json and OLD_ENC_KEYS/);
    const layouts = await expectKeyrollError(() => loadKeyringFromEnv({ ENCRYPTION_KEY: NEW, ACTIVE_ENCRYPTION_KEY_NAME: 'k', KEYROLL_KEYRING: '{}' }), 'ERR_INVALID_KEYRING');
    expect(layouts.message).toMatch(/both the keyroll layout \(KEYROLL_KEYRING\) and the platform layout/);
    const badId = await expectKeyrollError(() => loadKeyringFromEnv({ ENCRYPTION_KEY: NEW, ACTIVE_ENCRYPTION_KEY_NAME: 'bad id' }), 'ERR_INVALID_KEYRING');
    expect(badId.message).toContain('ACTIVE_ENCRYPTION_KEY_NAME');
  });

  it('refuses a malformed oldEncKeys.json without quoting it', async () => {
    const text = `{"mykey":"${OLD}",}`;
    const err = await expectKeyrollError(() => loadKeyringFromEnv({ ENCRYPTION_KEY: NEW, ACTIVE_ENCRYPTION_KEY_NAME: 'k', 'oldEncKeys.json': text }), 'ERR_INVALID_KEYRING');
    expect(err.message).toMatch(/oldEncKeys\.json is not valid JSON/);
    expect(err.cause).toBeUndefined();
    expectNoSecretIn(err, [OLD, NEW]);
    for (const bad of ['[]', '"x"', '{"a":1}', '{"bad id":"0123456789abcdef"}']) {
      await expectKeyrollError(() => loadKeyringFromEnv({ ENCRYPTION_KEY: NEW, ACTIVE_ENCRYPTION_KEY_NAME: 'k', OLD_ENC_KEYS: bad }), 'ERR_INVALID_KEYRING');
    }
  });
});

describe('Keyring.fromEnv, keyroll layout', () => {
  const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
  const doc = JSON.stringify(ring.export());

  it('reads KEYROLL_KEYRING', async () => {
    const loaded = await Keyring.fromEnv({ KEYROLL_KEYRING: doc });
    expect(loaded.decryptString(ring.encrypt('x'))).toBe('x');
  });

  it('reads KEYROLL_KEYRING_FILE plain, and sealed with KEYROLL_MASTER_KEY or KEYROLL_PASSPHRASE', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plain.json'), doc);
    const masterKey = 'a'.repeat(64);
    writeFileSync(join(dir, 'mk.sealed'), await sealKeyring(ring, { masterKey }));
    writeFileSync(join(dir, 'pw.sealed'), await sealKeyring(ring, { passphrase: 'pw', scrypt: { N: 2 ** 15 } }));
    const envelope = ring.encrypt('x');
    expect((await Keyring.fromEnv({ KEYROLL_KEYRING_FILE: join(dir, 'plain.json') })).decryptString(envelope)).toBe('x');
    expect((await Keyring.fromEnv({ KEYROLL_KEYRING_FILE: join(dir, 'mk.sealed'), KEYROLL_MASTER_KEY: masterKey })).decryptString(envelope)).toBe('x');
    expect((await Keyring.fromEnv({ KEYROLL_KEYRING_FILE: join(dir, 'pw.sealed'), KEYROLL_PASSPHRASE: 'pw' })).decryptString(envelope)).toBe('x');
    const wrong = await expectKeyrollError(() => Keyring.fromEnv({ KEYROLL_KEYRING_FILE: join(dir, 'pw.sealed'), KEYROLL_PASSPHRASE: 'nope' }), 'ERR_DECRYPT_FAILED');
    expect(wrong.file).toBe(join(dir, 'pw.sealed'));
    const sealedAsPlain = await expectKeyrollError(() => Keyring.fromEnv({ KEYROLL_KEYRING_FILE: join(dir, 'mk.sealed') }), 'ERR_INVALID_KEYRING');
    expect(sealedAsPlain.message).toMatch(/sealed/);
  });

  it('names ambiguous or orphan variables', async () => {
    expect((await expectKeyrollError(() => loadKeyringFromEnv({ KEYROLL_KEYRING: doc, KEYROLL_KEYRING_FILE: '/x' }), 'ERR_INVALID_KEYRING')).message).toMatch(/KEYROLL_KEYRING and KEYROLL_KEYRING_FILE/);
    expect((await expectKeyrollError(() => loadKeyringFromEnv({ KEYROLL_MASTER_KEY: 'a'.repeat(64) }), 'ERR_INVALID_KEYRING')).message).toMatch(/KEYROLL_MASTER_KEY is set but KEYROLL_KEYRING_FILE/);
    expect((await expectKeyrollError(() => loadKeyringFromEnv({ KEYROLL_KEYRING_FILE: '/x', KEYROLL_MASTER_KEY: 'a', KEYROLL_PASSPHRASE: 'b' }), 'ERR_INVALID_KEYRING')).message).toMatch(/both set/);
    expect((await expectKeyrollError(() => loadKeyringFromEnv({ KEYROLL_KEYRING: doc, KEYROLL_PASSPHRASE: 'b' }), 'ERR_INVALID_KEYRING')).message).toMatch(/applies to KEYROLL_KEYRING_FILE only/);
    const notJson = await expectKeyrollError(() => loadKeyringFromEnv({ KEYROLL_KEYRING: doc.slice(0, -1) }), 'ERR_INVALID_KEYRING');
    expect(notJson.message).toContain('KEYROLL_KEYRING');
    expectNoSecretIn(notJson, [ring.export().keys[0]!.secret]);
  });

  it('reads only own properties of the env object', async () => {
    const env = Object.create({ KEYROLL_KEYRING: doc }) as Record<string, string>;
    await expectKeyrollError(() => loadKeyringFromEnv(env), 'ERR_INVALID_KEYRING');
  });
});

describe('platform layout properties', () => {
  const id = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'), fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/));
  const secret = fc.integer({ min: 1, max: 3 }).chain((n) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{${16 * n}}$`)));

  it('property: oldEncKeys.json written by serializeOldKeys reads back to the same map, any id', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(id, secret), { selector: (t) => t[0], maxLength: 6 }), (entries) => {
        const map = new Map(entries);
        expect(parseOldKeys(serializeOldKeys(map), 'oldEncKeys.json')).toEqual(map);
      }),
    );
  });

  it('property: every old key decrypts what a keyring holding it made, and the active key encrypts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.tuple(id, secret), { selector: (t) => t[0], minLength: 2, maxLength: 5 }), async (entries) => {
        const [[activeId, activeSecret], ...old] = entries as [[string, string], ...Array<[string, string]>];
        const ring = await Keyring.fromEnv({ ENCRYPTION_KEY: activeSecret, ACTIVE_ENCRYPTION_KEY_NAME: activeId, OLD_ENC_KEYS: serializeOldKeys(new Map(old)) });
        expect(ring.activeKeyId).toBe(activeId);
        for (const [oldId, oldSecret] of old) {
          const single = Keyring.create({ keys: [{ id: oldId, secret: oldSecret }] });
          expect(ring.decryptString(single.encrypt('v'))).toBe('v');
          expect(ring.get(oldId)?.state).toBe('decrypt-only');
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('oldEncKeys.json with a key named twice', () => {
  it('is refused, naming the key, never the secrets', async () => {
    const { Keyring } = await import('../../src/index.js');
    const { KeyrollError } = await import('../../src/errors.js');
    const env = {
      ENCRYPTION_KEY: '0EE0D33AC67E4389AB2B46123729B875',
      ACTIVE_ENCRYPTION_KEY_NAME: 'newkey',
      'oldEncKeys.json': '{"mykey":"ASDFGHJKL1234567", "other":"QWERTYUIOP123456", "mykey" : "ZXCVBNMASDFGHJKL"}',
    };
    const err = await Keyring.fromEnv(env).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(KeyrollError);
    expect((err as InstanceType<typeof KeyrollError>).code).toBe('ERR_INVALID_KEYRING');
    expect((err as Error).message).toContain('"mykey"');
    expect((err as Error).message).not.toContain('ASDFGHJKL1234567');
    expect((err as Error).message).not.toContain('ZXCVBNMASDFGHJKL');
    // Names that only look alike, or repeat inside strings, are fine.
    const ok = await Keyring.fromEnv({ ...env, 'oldEncKeys.json': '{"mykey":"ASDFGHJKL1234567","mykey2":"\\"mykey\\":AAAAAAAAAAA"}' }).catch((e: unknown) => e);
    expect(ok).toBeInstanceOf(KeyrollError); // the second secret is not a multiple of 16 characters
    expect((ok as Error).message).not.toContain('more than once');
  });
});
