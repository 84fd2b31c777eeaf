import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Keyring, KeyrollError, sealKeyring, writeKeyringFile, type KeyWrapper } from '../../src/index.js';
import { loadSealedKeyringFile, parseMasterKey, unsealText } from '../../src/sources/index.js';
import { expectKeyrollError, expectNoSecretIn, tempDir } from './helpers.js';

const MASTER = 'f'.repeat(10) + '0123456789abcdef'.repeat(4).slice(10);
const FLOOR = { N: 2 ** 15, r: 8, p: 1 };
const ring = Keyring.create({ keys: [{ id: 'k1', secret: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', encoding: 'hex', state: 'active' }] });
const ONE_MESSAGE = 'could not unseal sealed keyring f.sealed: wrong master key, passphrase or key wrapper, or the file was modified';

type Header = Record<string, unknown> & { wrapper: Record<string, unknown> };
/** Rewrites a sealed file's header (the payload is kept, so its authentication now fails). */
function editHeader(text: string, edit: (h: Header) => void): string {
  const [line, payload] = text.split('\n') as [string, string];
  const h = JSON.parse(line) as Header;
  edit(h);
  return `${JSON.stringify(h)}\n${payload}\n`;
}
const flipB64 = (s: unknown, at = 5): string => {
  const b = Buffer.from(String(s), 'base64url');
  b[at]! ^= 0x01;
  return b.toString('base64url');
};
const resize = (s: unknown, delta: number): string => {
  const b = Buffer.from(String(s), 'base64url');
  return (delta < 0 ? b.subarray(0, b.length + delta) : Buffer.concat([b, Buffer.alloc(delta, 7)])).toString('base64url');
};
function flipPayload(text: string): string {
  const [line, payload] = text.split('\n') as [string, string];
  return `${line}\n${flipB64(payload, 20)}\n`;
}

async function messageOf(text: string, unlock: Parameters<typeof unsealText>[1]): Promise<string> {
  const err = await expectKeyrollError(() => unsealText(text, unlock, 'f.sealed'), 'ERR_DECRYPT_FAILED');
  expect(err.file).toBe('f.sealed');
  return err.message;
}

describe('one failure, one message (no partitioning oracle)', () => {
  it('every unlock failure of a master-key file gives ERR_DECRYPT_FAILED with the same message', async () => {
    const text = await sealKeyring(ring, { masterKey: MASTER });
    const right = { masterKey: MASTER };
    const messages = [
      await messageOf(text, { masterKey: 'e'.repeat(64) }), // wrong master key
      await messageOf(editHeader(text, (h) => void (h['generation'] = 2)), right), // modified header
      await messageOf(editHeader(text, (h) => void (h.wrapper['salt'] = flipB64(h.wrapper['salt']))), right),
      await messageOf(editHeader(text, (h) => void (h.wrapper['commitment'] = flipB64(h.wrapper['commitment']))), right),
      await messageOf(editHeader(text, (h) => void (h['keyCommitment'] = flipB64(h['keyCommitment']))), right),
      await messageOf(editHeader(text, (h) => void (h['wrappedKey'] = flipB64(h['wrappedKey'], 20))), right), // modified wrapped key
      await messageOf(editHeader(text, (h) => void (h['wrappedKey'] = resize(h['wrappedKey'], -1))), right), // wrong wrapped-key length
      await messageOf(editHeader(text, (h) => void (h['wrappedKey'] = resize(h['wrappedKey'], 16))), right),
      await messageOf(flipPayload(text), right), // modified payload
    ];
    expect(new Set(messages)).toEqual(new Set([ONE_MESSAGE]));
  });

  it('every unlock failure of a passphrase file gives the same message as well', async () => {
    const text = await sealKeyring(ring, { passphrase: 'right', scrypt: FLOOR });
    const right = { passphrase: 'right' };
    const messages = [
      await messageOf(text, { passphrase: 'wrong' }),
      await messageOf(editHeader(text, (h) => void (h['generation'] = 5)), right),
      await messageOf(editHeader(text, (h) => void (h['wrappedKey'] = resize(h['wrappedKey'], -12))), right),
      await messageOf(flipPayload(text), right),
    ];
    expect(new Set(messages)).toEqual(new Set([ONE_MESSAGE]));
  });

  it('and so do a wrong key and a modified payload of a 0.1.0 file', async () => {
    const text = await (async () => {
      const { readFileSync } = await import('node:fs');
      return readFileSync(new URL('../fixtures/sealed/v1-master-key.sealed', import.meta.url), 'utf8');
    })();
    const right = { masterKey: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f' };
    const messages = [await messageOf(text, { masterKey: MASTER }), await messageOf(flipPayload(text), right), await messageOf(editHeader(text, (h) => void (h['wrappedKey'] = resize(h['wrappedKey'], 4))), right)];
    expect(new Set(messages)).toEqual(new Set([ONE_MESSAGE]));
  });

  it('a custom wrapper: a throwing unwrap (kept as cause), a wrong length or a wrong key give the same message', async () => {
    const xor = (k: number): KeyWrapper => ({ kind: 'test-kms', wrap: async (dk) => dk.map((b) => b ^ k), unwrap: async (w) => w.map((b) => b ^ k) });
    const text = await sealKeyring(ring, { wrapper: xor(7) });
    const denied: KeyWrapper = { ...xor(7), unwrap: async () => Promise.reject(new Error('AccessDenied')) };
    const short: KeyWrapper = { ...xor(7), unwrap: async () => new Uint8Array(16) };
    const err = await expectKeyrollError(() => unsealText(text, { wrapper: denied }, 'f.sealed'), 'ERR_DECRYPT_FAILED');
    expect((err.cause as Error).message).toBe('AccessDenied');
    const messages = [err.message, await messageOf(text, { wrapper: short }), await messageOf(text, { wrapper: xor(8) }), await messageOf(flipPayload(text), { wrapper: xor(7) })];
    expect(new Set(messages)).toEqual(new Set([ONE_MESSAGE]));
    // A wrapper that resolves to something else than bytes is a programming error, named as such.
    const stringy = { ...xor(7), unwrap: async () => 'key' } as unknown as KeyWrapper;
    await expectKeyrollError(() => unsealText(text, { wrapper: stringy }), 'ERR_INVALID_ARGUMENT');
    await expectKeyrollError(() => sealKeyring(ring, { wrapper: { ...xor(7), wrap: async () => 'key' } as unknown as KeyWrapper }), 'ERR_INVALID_ARGUMENT');
    // The built-in kinds are reserved: a look-alike cannot write a file without a commitment.
    await expectKeyrollError(() => sealKeyring(ring, { wrapper: { ...xor(7), kind: 'master-key' } }), 'ERR_INVALID_ARGUMENT');
  });

  it('property: any single-byte change of a sealed file is refused with the one message or as not a keyring', async () => {
    const text = await sealKeyring(ring, { masterKey: MASTER });
    const bytes = Buffer.from(text, 'utf8');
    const path = join(tempDir(), 'f.sealed');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), async (index, xor) => {
        const changed = Buffer.from(bytes);
        changed[index]! ^= xor;
        writeFileSync(path, changed);
        let caught: unknown;
        try {
          const document = await loadSealedKeyringFile(path, { masterKey: MASTER });
          // Only the final newline may become a carriage return (read as a CRLF line end): same document.
          expect(index).toBe(bytes.length - 1);
          expect(document).toEqual(ring.export());
          return;
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(KeyrollError);
        const err = caught as KeyrollError;
        if (err.code === 'ERR_DECRYPT_FAILED') expect(err.message).toBe(ONE_MESSAGE.replace('f.sealed', path));
        else if (err.code === 'ERR_INVALID_ARGUMENT') expect(err.message).toMatch(/was sealed with a "/); // the wrapper kind was changed
        else expect(err.code).toBe('ERR_INVALID_KEYRING');
      }),
      { numRuns: 250 },
    );
  });

  it('property: seal then unseal gives back any keyring and generation', async () => {
    const keySpec = fc.record({ id: fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), secret: fc.uint8Array({ minLength: 16, maxLength: 64 }) });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(keySpec, { selector: (k) => k.id.toLowerCase(), minLength: 1, maxLength: 4 }), fc.maxSafeNat(), async (specs, generation) => {
        const original = Keyring.create({ keys: specs.map((s, i) => ({ ...s, state: i === 0 ? 'active' : 'decrypt-only' })) });
        const back = await unsealText(await sealKeyring(original, { masterKey: MASTER }, { generation }), { masterKey: MASTER }, undefined, { minGeneration: generation });
        expect(back.generation).toBe(generation);
        expect(Keyring.fromJSON(back.document as object).export()).toEqual(original.export());
      }),
      { numRuns: 40 },
    );
  });
});

describe('scrypt cost floor and cap', () => {
  it('sealing below the floor or above the cap is ERR_INVALID_ARGUMENT naming the bound', async () => {
    for (const [scrypt, bound] of [
      [{ N: 2 ** 14 }, /N must be at least 2\^15/],
      [{ N: 2 ** 15, r: 4 }, /N \* r at least 2\^18/],
      [{ N: 1024, r: 32 }, /N must be at least 2\^15/],
      [{ N: 2 ** 20 }, /N \* r \* p must be at most 2\^22/],
      [{ N: 2 ** 19, p: 2 }, /N \* r \* p must be at most 2\^22/],
    ] as const) {
      const err = await expectKeyrollError(() => sealKeyring(ring, { passphrase: 'p', scrypt }), 'ERR_INVALID_ARGUMENT');
      expect(err.message).toMatch(bound);
    }
    expect((await sealKeyring(ring, { passphrase: 'p', scrypt: { N: 2 ** 16, r: 4 } })).length).toBeGreaterThan(0);
  });

  it('reading a header below the floor or above the cap is ERR_INVALID_KEYRING naming the bound', async () => {
    const text = await sealKeyring(ring, { passphrase: 'p', scrypt: FLOOR });
    for (const [edit, bound] of [
      [{ N: 2 ** 14 }, /N must be at least 2\^15/],
      [{ r: 1 }, /N \* r at least 2\^18/],
      [{ N: 2 ** 20 }, /N \* r \* p must be at most 2\^22/],
      [{ N: 2 ** 16, p: 16 }, /N \* r \* p must be at most 2\^22/],
    ] as const) {
      const crafted = editHeader(text, (h) => Object.assign(h.wrapper, edit));
      const err = await expectKeyrollError(() => unsealText(crafted, { passphrase: 'p' }, 'f.sealed'), 'ERR_INVALID_KEYRING');
      expect(err.message).toMatch(bound);
    }
  });
});

describe('rollback: generation and minimum generation', () => {
  it('Keyring.fromSealedFile refuses a file older than minGeneration', async () => {
    const path = join(tempDir(), 'k.sealed');
    writeFileSync(path, await sealKeyring(ring, { masterKey: MASTER }, { generation: 3 }));
    expect((await Keyring.fromSealedFile(path, { masterKey: MASTER }, { minGeneration: 3 })).activeKeyId).toBe('k1');
    const err = await expectKeyrollError(() => Keyring.fromSealedFile(path, { masterKey: MASTER }, { minGeneration: 4 }), 'ERR_INVALID_KEYRING');
    expect(err.message).toMatch(/generation 3, older than the minimum 4/);
    expect(err.file).toBe(path);
    for (const bad of [-1, 1.5, '3', Number.MAX_SAFE_INTEGER + 1]) {
      await expectKeyrollError(() => Keyring.fromSealedFile(path, { masterKey: MASTER }, { minGeneration: bad as number }), 'ERR_INVALID_ARGUMENT');
    }
  });

  it('sealKeyring takes an explicit generation (default 1) and refuses a bad one or an unknown option', async () => {
    const back = async (text: string): Promise<number> => (await unsealText(text, { masterKey: MASTER })).generation;
    expect(await back(await sealKeyring(ring, { masterKey: MASTER }))).toBe(1);
    expect(await back(await sealKeyring(ring, { masterKey: MASTER }, { generation: 0 }))).toBe(0);
    for (const generation of [-1, 2.5, '2', NaN]) await expectKeyrollError(() => sealKeyring(ring, { masterKey: MASTER }, { generation: generation as number }), 'ERR_INVALID_ARGUMENT');
    await expectKeyrollError(() => sealKeyring(ring, { masterKey: MASTER }, { generaton: 2 } as never), 'ERR_INVALID_ARGUMENT');
  });

  it('writeKeyringFile increments the generation of the sealed file it replaces (or takes one)', async () => {
    const path = join(tempDir(), 'w.sealed');
    const generation = async (): Promise<number> => (await unsealText(readFileSync(path, 'utf8'), { masterKey: MASTER })).generation;
    await writeKeyringFile(path, ring, { seal: { masterKey: MASTER } });
    expect(await generation()).toBe(1);
    await writeKeyringFile(path, ring, { seal: { masterKey: MASTER } });
    expect(await generation()).toBe(2);
    await writeKeyringFile(path, ring, { seal: { masterKey: MASTER }, generation: 10 });
    expect(await generation()).toBe(10);
    await expectKeyrollError(() => writeKeyringFile(path, ring, { generation: 11 }), 'ERR_INVALID_ARGUMENT');
  });

  it('Keyring.fromEnv honours KEYROLL_MIN_GENERATION and minGeneration (the larger wins), and refuses them for a keyring without a generation', async () => {
    const dir = tempDir();
    const path = join(dir, 'k.sealed');
    writeFileSync(path, await sealKeyring(ring, { masterKey: MASTER }, { generation: 3 }));
    const env = { KEYROLL_KEYRING_FILE: path, KEYROLL_MASTER_KEY: MASTER };
    expect((await Keyring.fromEnv({ ...env, KEYROLL_MIN_GENERATION: '3' })).activeKeyId).toBe('k1');
    await expectKeyrollError(() => Keyring.fromEnv({ ...env, KEYROLL_MIN_GENERATION: '4' }), 'ERR_INVALID_KEYRING');
    await expectKeyrollError(() => Keyring.fromEnv(env, { minGeneration: 4 }), 'ERR_INVALID_KEYRING');
    await expectKeyrollError(() => Keyring.fromEnv({ ...env, KEYROLL_MIN_GENERATION: '2' }, { minGeneration: 4 }), 'ERR_INVALID_KEYRING');
    for (const bad of ['-1', 'three', '1e3', '01']) await expectKeyrollError(() => Keyring.fromEnv({ ...env, KEYROLL_MIN_GENERATION: bad }), 'ERR_INVALID_KEYRING');
    const plainPath = join(dir, 'k.json');
    writeFileSync(plainPath, JSON.stringify(ring.export()));
    for (const plain of [
      { KEYROLL_KEYRING_FILE: plainPath, KEYROLL_MIN_GENERATION: '1' },
      { KEYROLL_KEYRING: JSON.stringify(ring.export()), KEYROLL_MIN_GENERATION: '1' },
      { ENCRYPTION_KEY: '0EE0D33AC67E4389AB2B46123729B875', ACTIVE_ENCRYPTION_KEY_NAME: 'k', KEYROLL_MIN_GENERATION: '1' },
    ]) {
      const err = await expectKeyrollError(() => Keyring.fromEnv(plain), 'ERR_INVALID_KEYRING');
      expect(err.message).toMatch(/minimum generation/);
      expectNoSecretIn(err, ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', '0EE0D33AC67E4389AB2B46123729B875']);
    }
  });
});

describe('master keys: hex or base64: with a prefix', () => {
  it('refuses unprefixed base64 (accepted by 0.1.0) with a hint to add the prefix, never echoing it', async () => {
    const b64 = Buffer.alloc(32, 9).toString('base64');
    const err = await expectKeyrollError(() => parseMasterKey(b64), 'ERR_INVALID_ARGUMENT');
    expect(err.message).toMatch(/without the "base64:" prefix/);
    expect(err.message).not.toContain(b64);
    expect(parseMasterKey(`base64:${b64}`)).toEqual(Buffer.alloc(32, 9));
    const path = join(tempDir(), 'k.sealed');
    writeFileSync(path, await sealKeyring(ring, { masterKey: `base64:${b64}` }));
    await expectKeyrollError(() => Keyring.fromEnv({ KEYROLL_KEYRING_FILE: path, KEYROLL_MASTER_KEY: b64 }), 'ERR_INVALID_ARGUMENT');
    expect((await Keyring.fromEnv({ KEYROLL_KEYRING_FILE: path, KEYROLL_MASTER_KEY: `base64:${b64}` })).activeKeyId).toBe('k1');
  });

  it('refuses a value that looks like a typed passphrase, pointing at the passphrase options', async () => {
    for (const typed of ['correct horse battery staple, with commas and spaces', 'Tr0ub4dor&3', 'hunter2hunter2hunter2hunter2hunter2hunter2hunter2']) {
      const err = await expectKeyrollError(() => sealKeyring(ring, { masterKey: typed }), 'ERR_INVALID_ARGUMENT');
      expect(err.message).toMatch(/looks like a passphrase: pass it with --passphrase-env, KEYROLL_PASSPHRASE or \{ passphrase \}/);
      expectNoSecretIn(err, [typed]);
    }
  });
});
