import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring, generateKey, writeKeyringFile } from '../../src/index.js';
import { expectKeyrollError, tempDir } from './helpers.js';

const MASTER = 'a'.repeat(64);

describe('writeKeyringFile', () => {
  it('writes a plain keyring that loads back, mode 0600, keeping the replaced file as .bak', async () => {
    const dir = tempDir();
    const path = join(dir, 'keyring.json');
    const one = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
    expect(await writeKeyringFile(path, one)).toBeUndefined();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const loaded = await Keyring.fromFile(path);
    expect(loaded.fingerprint()).toBe(one.fingerprint());
    const two = loaded.add(generateKey({ id: 'k2' }), { activate: true });
    expect(await writeKeyringFile(path, two)).toBe(`${path}.bak`);
    expect((await Keyring.fromFile(path)).activeKeyId).toBe('k2');
    expect((await Keyring.fromFile(`${path}.bak`)).activeKeyId).toBe('k1');
  });

  it('seals when asked; the sealed file opens with the same master key only', async () => {
    const dir = tempDir();
    const path = join(dir, 'keyring.sealed');
    const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
    await writeKeyringFile(path, ring, { seal: { masterKey: MASTER }, backup: false });
    expect(readFileSync(path, 'utf8')).toMatch(/^\{"format":"keyroll\.sealed-keyring"/);
    const back = await Keyring.fromSealedFile(path, { masterKey: MASTER });
    expect(back.decryptString(ring.encrypt('x'))).toBe('x');
    await expectKeyrollError(() => Keyring.fromSealedFile(path, { masterKey: 'b'.repeat(64) }), 'ERR_DECRYPT_FAILED');
  });

  it('refuses bad arguments and unknown options without touching the file', async () => {
    const dir = tempDir();
    const path = join(dir, 'keyring.json');
    writeFileSync(path, 'untouched');
    const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
    await expectKeyrollError(() => writeKeyringFile(path, ring, { sael: { masterKey: MASTER } } as never), 'ERR_INVALID_ARGUMENT');
    await expectKeyrollError(() => writeKeyringFile('', ring), 'ERR_INVALID_ARGUMENT');
    await expectKeyrollError(() => writeKeyringFile(path, {} as never), 'ERR_INVALID_ARGUMENT');
    expect(readFileSync(path, 'utf8')).toBe('untouched');
  });
});
