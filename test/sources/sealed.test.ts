import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Keyring, generateKey, sealKeyring, type KeyWrapper } from '../../src/index.js';
import { loadSealedKeyringFile, parseMasterKey, sealedHeader, unsealText, isSealedText, loadKeyringFile, checkScrypt } from '../../src/sources/index.js';
import { expectKeyrollError, expectNoSecretIn, tempDir } from './helpers.js';

/** The cheapest cost the floor allows (N * r = 2^18). */
const FLOOR = { N: 2 ** 15, r: 8, p: 1 };
const masterHex = 'f'.repeat(10) + '0123456789abcdef'.repeat(4).slice(10);
const ring = Keyring.create({
  keys: [
    { id: 'k2', secret: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', encoding: 'hex', state: 'active' },
    { id: 'k1', secret: 'ASDFGHJKL1234567', state: 'decrypt-only' },
  ],
});
const secrets = ['ASDFGHJKL1234567', Buffer.from('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'hex')];

async function sealedFile(text: string): Promise<string> {
  const path = join(tempDir(), 'keyring.sealed');
  writeFileSync(path, text);
  return path;
}

describe('sealed keyring files', () => {
  it('round trips with a master key given as hex, base64 or bytes', async () => {
    const bytes = Buffer.from(masterHex, 'hex');
    for (const masterKey of [masterHex, masterHex.toUpperCase(), `base64:${bytes.toString('base64')}`, `base64:${bytes.toString('base64url')}`, new Uint8Array(bytes), `${masterHex}\n`]) {
      const path = await sealedFile(await sealKeyring(ring, { masterKey }));
      const back = await Keyring.fromSealedFile(path, { masterKey: masterHex });
      expect(back.export()).toEqual(ring.export());
    }
  });

  it('round trips with a passphrase and honours the stored scrypt parameters', async () => {
    const text = await sealKeyring(ring, { passphrase: 'correct horse', scrypt: { N: 2 ** 16, r: 4, p: 2 } });
    const header = sealedHeader(text);
    expect(header.wrapper.kind).toBe('passphrase');
    expect(Object.fromEntries(header.wrapper.params)).toMatchObject({ kdf: 'scrypt', N: 2 ** 16, r: 4, p: 2 });
    // Reading with other "sealing" parameters changes nothing: the file's own are used.
    const path = await sealedFile(text);
    const back = await Keyring.fromSealedFile(path, { passphrase: 'correct horse', scrypt: { N: 2 ** 18 } });
    expect(back.export()).toEqual(ring.export());
    // Changing the stored N breaks the derived key: the header is authenticated too.
    const lowered = text.replace('"N":65536', '"N":131072');
    await expectKeyrollError(() => unsealText(lowered, { passphrase: 'correct horse' }), 'ERR_DECRYPT_FAILED');
  });

  it('uses N = 2^17, r = 8, p = 1 by default', async () => {
    const text = await sealKeyring(ring, { passphrase: 'pw' });
    expect(Object.fromEntries(sealedHeader(text).wrapper.params)).toMatchObject({ N: 131072, r: 8, p: 1 });
  });

  it('a wrong master key or passphrase is ERR_DECRYPT_FAILED naming the file, and leaks nothing', async () => {
    const path = await sealedFile(await sealKeyring(ring, { masterKey: masterHex }));
    const err = await expectKeyrollError(() => Keyring.fromSealedFile(path, { masterKey: 'e'.repeat(64) }), 'ERR_DECRYPT_FAILED');
    expect(err.file).toBe(path);
    expect(err.message).toContain(path);
    expectNoSecretIn(err, [...secrets, Buffer.from(masterHex, 'hex')]);
    const pwPath = await sealedFile(await sealKeyring(ring, { passphrase: 'right one', scrypt: FLOOR }));
    const pwErr = await expectKeyrollError(() => Keyring.fromSealedFile(pwPath, { passphrase: 'wrong one' }), 'ERR_DECRYPT_FAILED');
    expect(pwErr.file).toBe(pwPath);
    expect(pwErr.message).toMatch(/wrong master key, passphrase or key wrapper, or the file was modified/);
    expectNoSecretIn(pwErr, [...secrets, 'right one', 'wrong one']);
  });

  it('unlocking with the wrong kind says which kind the file needs', async () => {
    const path = await sealedFile(await sealKeyring(ring, { masterKey: masterHex }));
    const err = await expectKeyrollError(() => loadSealedKeyringFile(path, { passphrase: 'x' }), 'ERR_INVALID_ARGUMENT');
    expect(err.message).toMatch(/sealed with a master key/);
  });

  it('refuses truncated, bit-flipped and foreign files with a clear error, never partial state', async () => {
    const text = await sealKeyring(ring, { masterKey: masterHex });
    const [header, payload] = text.split('\n') as [string, string];
    const cases: Array<[string, 'ERR_INVALID_KEYRING' | 'ERR_DECRYPT_FAILED']> = [
      [`${header}\n${payload.slice(0, 40)}\n`, 'ERR_DECRYPT_FAILED'], // payload truncated but still base64url
      [`${header}\n${payload.slice(0, 9)}\n`, 'ERR_INVALID_KEYRING'], // truncated mid-character
      [header, 'ERR_INVALID_KEYRING'],
      [text.slice(0, 40), 'ERR_INVALID_KEYRING'],
      ['', 'ERR_INVALID_KEYRING'],
      ['{"format":"keyroll.keyring","version":1,"keys":[]}', 'ERR_INVALID_KEYRING'],
      [`${header}\n${payload}\nextra\n`, 'ERR_INVALID_KEYRING'],
      [`${header}\n${payload}!\n`, 'ERR_INVALID_KEYRING'],
      [`${header.replace('"cipher":"aes-256-gcm"', '"cipher":"aes-128-gcm"')}\n${payload}\n`, 'ERR_INVALID_KEYRING'],
      [`${header.replace('"version":2', '"version":3')}\n${payload}\n`, 'ERR_INVALID_KEYRING'],
      [`${header.replace(/,"generation":\d+/, '')}\n${payload}\n`, 'ERR_INVALID_KEYRING'],
      [`${header.replace(/"generation":\d+/, '"generation":-1')}\n${payload}\n`, 'ERR_INVALID_KEYRING'],
      [`${header.replace('{', '{"extra":1,')}\n${payload}\n`, 'ERR_INVALID_KEYRING'],
    ];
    for (const [bad, code] of cases) {
      const err = await expectKeyrollError(() => unsealText(bad, { masterKey: masterHex }, 'f.sealed'), code);
      expect(err.file).toBe('f.sealed');
      expectNoSecretIn(err, secrets);
    }
  });

  it('any single-bit flip in a sealed file is refused', async () => {
    const text = await sealKeyring(ring, { masterKey: masterHex });
    const bytes = Buffer.from(text, 'utf8');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: bytes.length - 2 }), fc.integer({ min: 0, max: 7 }), async (index, bit) => {
        const flipped = Buffer.from(bytes);
        flipped[index]! ^= 1 << bit;
        let failed = false;
        try {
          await unsealText(flipped.toString('utf8'), { masterKey: masterHex });
        } catch (err) {
          failed = (err as { code?: string }).code !== undefined;
        }
        // A flip in base64url can land on an unused bit of the last character; strict decoding refuses that too.
        expect(failed).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('property: seal then unseal gives back any keyring', async () => {
    const keySpec = fc.record({ id: fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), secret: fc.uint8Array({ minLength: 16, maxLength: 64 }) });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(keySpec, { selector: (k) => k.id, minLength: 1, maxLength: 5 }), fc.boolean(), async (specs, usePassphrase) => {
        const original = Keyring.create({ keys: specs.map((s, i) => ({ ...s, state: i === 0 ? 'active' : 'decrypt-only' })) });
        const unlock = usePassphrase ? { passphrase: 'p', scrypt: FLOOR } : { masterKey: masterHex };
        const text = await sealKeyring(original, unlock);
        expect(isSealedText(text)).toBe(true);
        const back = Keyring.fromJSON((await unsealText(text, usePassphrase ? { passphrase: 'p' } : unlock)).document as object);
        expect(back.export()).toEqual(original.export());
      }),
      { numRuns: 12 },
    );
  });

  it('uses a fresh data key and salt each time', async () => {
    const a = await sealKeyring(ring, { masterKey: masterHex });
    const b = await sealKeyring(ring, { masterKey: masterHex });
    expect(a).not.toBe(b);
    expect(sealedHeader(a).wrapper.params.get('salt')).not.toBe(sealedHeader(b).wrapper.params.get('salt'));
  });

  it('a custom KeyWrapper (the KMS extension point) seals and unseals, with its params in the header', async () => {
    const kek = Buffer.alloc(32, 7);
    const wrapper: KeyWrapper = {
      kind: 'test-kms',
      params: { keyName: 'projects/p/keys/k', keyVersion: 3 },
      wrap: async (dk) => Uint8Array.from(dk, (b, i) => b ^ kek[i]!),
      unwrap: async (w) => Uint8Array.from(w, (b, i) => b ^ kek[i]!),
    };
    const text = await sealKeyring(ring, { wrapper });
    const header = sealedHeader(text);
    expect(header.wrapper.kind).toBe('test-kms');
    expect(header.wrapper.params.get('keyVersion')).toBe(3);
    expect(Keyring.fromJSON((await unsealText(text, { wrapper })).document as object).export()).toEqual(ring.export());
    const failing: KeyWrapper = { ...wrapper, unwrap: async () => { throw new Error('AccessDenied'); } };
    const err = await expectKeyrollError(() => unsealText(text, { wrapper: failing }, 'x.sealed'), 'ERR_DECRYPT_FAILED');
    expect((err.cause as Error).message).toBe('AccessDenied');
    await expectKeyrollError(() => sealKeyring(ring, { wrapper: { ...wrapper, kind: 'Bad Kind' } }), 'ERR_INVALID_ARGUMENT');
    await expectKeyrollError(() => sealKeyring(ring, { wrapper: { ...wrapper, params: { kind: 'x' } } }), 'ERR_INVALID_ARGUMENT');
  });

  it('plain loading refuses a sealed file, with a hint', async () => {
    const path = await sealedFile(await sealKeyring(ring, { masterKey: masterHex }));
    const err = await expectKeyrollError(() => loadKeyringFile(path), 'ERR_INVALID_KEYRING');
    expect(err.message).toMatch(/fromSealedFile/);
  });
});

describe('master keys and scrypt bounds', () => {
  it('accepts 32+ bytes as hex (openssl rand -hex 32) or prefixed base64; refuses short or odd input without echoing it', async () => {
    expect(parseMasterKey('ab'.repeat(32))).toHaveLength(32);
    expect(parseMasterKey(`base64:${Buffer.alloc(32, 1).toString('base64')}`)).toHaveLength(32);
    expect(parseMasterKey('ab'.repeat(48))).toHaveLength(48);
    for (const bad of ['ab'.repeat(31), 'not a key at all, just words here!!', `base64:${Buffer.alloc(31).toString('base64')}`, '', new Uint8Array(31)]) {
      const err = await expectKeyrollError(() => parseMasterKey(bad), 'ERR_INVALID_ARGUMENT');
      if (typeof bad === 'string' && bad.length > 8) expect(err.message).not.toContain(bad);
      expect(err.message).toMatch(/32 bytes/);
    }
  });

  it('bounds scrypt parameters, both when sealing and when reading a file', async () => {
    for (const bad of [{ N: 3 }, { N: 2 ** 23 }, { r: 0 }, { p: 17 }, { N: 2 ** 20, r: 16 }]) {
      await expectKeyrollError(() => checkScrypt(bad), 'ERR_INVALID_ARGUMENT');
    }
    const text = await sealKeyring(ring, { passphrase: 'p', scrypt: FLOOR });
    const greedy = text.replace('"N":32768', `"N":${2 ** 24}`);
    const err = await expectKeyrollError(() => unsealText(greedy, { passphrase: 'p' }, 'g.sealed'), 'ERR_INVALID_KEYRING');
    expect(err.message).toMatch(/stored scrypt parameters/);
  });

  it('a file on disk can be unsealed after a round trip through the filesystem', async () => {
    const path = await sealedFile(await sealKeyring(ring, { passphrase: 'p', scrypt: FLOOR }));
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
    expect((await Keyring.fromSealedFile(path, { passphrase: 'p' })).activeKeyId).toBe('k2');
    expect(generateKey({ id: 'z' }).id).toBe('z');
  });
});
