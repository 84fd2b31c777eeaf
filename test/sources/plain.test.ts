import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring, generateKey } from '../../src/index.js';
import { loadKeyringFile } from '../../src/sources/index.js';
import { expectKeyrollError, expectNoSecretIn, tempDir } from './helpers.js';

describe('Keyring.fromFile', () => {
  const ring = Keyring.create({ keys: [generateKey({ id: 'k1' }), { id: 'typed', secret: 'ASDFGHJKL1234567', state: 'decrypt-only' }] });
  const text = JSON.stringify(ring.export(), null, 2);

  it('loads a plain keyring document', async () => {
    const path = join(tempDir(), 'keyring.json');
    writeFileSync(path, text);
    const loaded = await Keyring.fromFile(path);
    expect(loaded.export()).toEqual(ring.export());
  });

  it('a missing file is ERR_IO naming it; broken JSON is ERR_INVALID_KEYRING without quoting it', async () => {
    const missing = join(tempDir(), 'none.json');
    const io = await expectKeyrollError(() => loadKeyringFile(missing), 'ERR_IO');
    expect(io.file).toBe(missing);
    expect(io.message).toMatch(/ENOENT/);
    const path = join(tempDir(), 'broken.json');
    writeFileSync(path, text.replace('"typed"', '"typed",,'));
    const err = await expectKeyrollError(() => Keyring.fromFile(path), 'ERR_INVALID_KEYRING');
    expect(err.file).toBe(path);
    expect(err.cause).toBeUndefined();
    expectNoSecretIn(err, ['ASDFGHJKL1234567', Buffer.from(ring.export().keys[0]!.secret, 'base64url')]);
    writeFileSync(path, Buffer.from([0xff, 0xfe, 0x00]));
    expect((await expectKeyrollError(() => loadKeyringFile(path), 'ERR_INVALID_KEYRING')).message).toMatch(/not UTF-8/);
  });
});
