/**
 * Keyring.fromEnv's messages speak to whoever configures the deployment: they
 * name the environment variables to set (never an API call), say what is
 * wrong with a bad KEYROLL_KEYRING, and catch a key id written with `echo`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring, checkKeyId, generateKey, sealKeyring } from '../../src/index.js';
import { expectKeyrollError, expectNoSecretIn, tempDir } from './helpers.js';

const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
const doc = JSON.stringify(ring.export());
const NO_API = /Keyring\.|fromSealedFile|fromEnv|\(path/;
const NO_API_OR_FLAG = /Keyring\.|fromSealedFile|fromEnv|\{ (masterKey|passphrase) \}|--(master-key|passphrase)-env/;

async function message(env: Record<string, string>): Promise<string> {
  const err = await expectKeyrollError(() => Keyring.fromEnv(env), 'ERR_INVALID_KEYRING');
  expect(err.message).not.toMatch(NO_API);
  return err.message;
}

describe('Keyring.fromEnv, sealed keyrings', () => {
  it('a sealed KEYROLL_KEYRING_FILE without an unlock variable names KEYROLL_MASTER_KEY and KEYROLL_PASSPHRASE', async () => {
    const file = join(tempDir(), 'keyring.sealed');
    writeFileSync(file, await sealKeyring(ring, { masterKey: 'a'.repeat(64) }));
    const text = await message({ KEYROLL_KEYRING_FILE: file });
    expect(text).toContain(file);
    expect(text).toMatch(/set KEYROLL_MASTER_KEY or KEYROLL_PASSPHRASE/);
  });

  it('a sealed keyring pasted into KEYROLL_KEYRING says to use KEYROLL_KEYRING_FILE with an unlock variable', async () => {
    const sealed = await sealKeyring(ring, { masterKey: 'a'.repeat(64) });
    const text = await message({ KEYROLL_KEYRING: sealed });
    expect(text).toMatch(/KEYROLL_KEYRING_FILE and set KEYROLL_MASTER_KEY or KEYROLL_PASSPHRASE/);
  });

  it('the wrong unlock variable for the file names the one to set, never an API call', async () => {
    const byPassphrase = join(tempDir(), 'keyring.sealed');
    writeFileSync(byPassphrase, await sealKeyring(ring, { passphrase: 'correct horse battery staple' }));
    const master = await expectKeyrollError(() => Keyring.fromEnv({ KEYROLL_KEYRING_FILE: byPassphrase, KEYROLL_MASTER_KEY: 'a'.repeat(64) }), 'ERR_INVALID_ARGUMENT');
    expect(master.message).toMatch(/\(KEYROLL_KEYRING_FILE\) was sealed with a passphrase: set KEYROLL_PASSPHRASE instead of KEYROLL_MASTER_KEY$/);
    expect(master.message).not.toMatch(NO_API_OR_FLAG);
    const byMaster = join(tempDir(), 'keyring.sealed');
    writeFileSync(byMaster, await sealKeyring(ring, { masterKey: 'a'.repeat(64) }));
    const pass = await expectKeyrollError(() => Keyring.fromEnv({ KEYROLL_KEYRING_FILE: byMaster, KEYROLL_PASSPHRASE: 'hunter22' }), 'ERR_INVALID_ARGUMENT');
    expect(pass.message).toMatch(/was sealed with a master key: set KEYROLL_MASTER_KEY instead of KEYROLL_PASSPHRASE$/);
    expect(pass.message).not.toMatch(NO_API_OR_FLAG);
  });

  it('a KEYROLL_MASTER_KEY that is not a master key is named as that variable, never echoed', async () => {
    const file = join(tempDir(), 'keyring.sealed');
    writeFileSync(file, await sealKeyring(ring, { masterKey: 'a'.repeat(64) }));
    const short = await expectKeyrollError(() => Keyring.fromEnv({ KEYROLL_KEYRING_FILE: file, KEYROLL_MASTER_KEY: 'abcd' }), 'ERR_INVALID_ARGUMENT');
    expect(short.message).toMatch(/^environment variable KEYROLL_MASTER_KEY: a hex master key needs an even number of digits, at least 64/);
    const typed = await expectKeyrollError(() => Keyring.fromEnv({ KEYROLL_KEYRING_FILE: file, KEYROLL_MASTER_KEY: 'my secret words' }), 'ERR_INVALID_ARGUMENT');
    expect(typed.message).toMatch(/^environment variable KEYROLL_MASTER_KEY is not a master key .* set KEYROLL_MASTER_KEY to that key$/);
    expect(typed.message).not.toMatch(NO_API_OR_FLAG);
    expectNoSecretIn(typed, ['my secret words']);
  });

  it('an unlock variable with a plain KEYROLL_KEYRING_FILE says to unset it', async () => {
    const file = join(tempDir(), 'keyring.json');
    writeFileSync(file, doc);
    const text = await message({ KEYROLL_KEYRING_FILE: file, KEYROLL_PASSPHRASE: 'hunter22' });
    expect(text).toMatch(/\(KEYROLL_KEYRING_FILE\) is not a sealed keyring: KEYROLL_PASSPHRASE unlocks a sealed file only; unset it/);
  });

  it('an empty environment lists every variable, including the unlock ones', async () => {
    expect(await message({})).toMatch(/KEYROLL_KEYRING, or KEYROLL_KEYRING_FILE \(with KEYROLL_MASTER_KEY or KEYROLL_PASSPHRASE when it is sealed\), or ENCRYPTION_KEY/);
  });
});

describe('Keyring.fromEnv, a bad KEYROLL_KEYRING says what is wrong', () => {
  it('a file path', async () => {
    expect(await message({ KEYROLL_KEYRING: '/etc/app/keyring.json' })).toMatch(/KEYROLL_KEYRING is not a keyring document: it looks like a file path; name the file in KEYROLL_KEYRING_FILE/);
    expect(await message({ KEYROLL_KEYRING: './keyring.sealed' })).toMatch(/looks like a file path/);
  });

  it('a lone secret, never echoed', async () => {
    const secret = '8f14e45fceea167a5a36dedd4bea2543a2f0e4cf5e4a4e1e1c3d4f0f5e6a7b8c';
    const err = await expectKeyrollError(() => Keyring.fromEnv({ KEYROLL_KEYRING: secret }), 'ERR_INVALID_KEYRING');
    expect(err.message).toMatch(/looks like a single secret.*ENCRYPTION_KEY with ACTIVE_ENCRYPTION_KEY_NAME/);
    expectNoSecretIn(err, [secret]);
  });

  it('a document wrapped in quotes', async () => {
    expect(await message({ KEYROLL_KEYRING: `'${doc}'` })).toMatch(/wrapped in quotes/);
  });

  it('broken JSON: where it breaks, never the text', async () => {
    const broken = doc.replace(/}$/, ',}'); // a trailing comma
    const err = await expectKeyrollError(() => Keyring.fromEnv({ KEYROLL_KEYRING: broken }), 'ERR_INVALID_KEYRING');
    expect(err.message).toMatch(/^environment variable KEYROLL_KEYRING is not valid JSON \(at line 1, column \d+\)$/);
    expect(await message({ KEYROLL_KEYRING: '{"format":' })).toMatch(/is not valid JSON \(it ends too early: truncated\?\)/);
    const secret = (ring.export().keys[0] as { secret: string }).secret;
    expectNoSecretIn(err, [secret]);
  });

  it('valid JSON that is not a keyring document names the variable it came from', async () => {
    expect(await message({ KEYROLL_KEYRING: '{"keys":[]}' })).toMatch(/^environment variable KEYROLL_KEYRING: keyring document: /);
    const file = join(tempDir(), 'keyring.json');
    writeFileSync(file, '[]');
    expect(await message({ KEYROLL_KEYRING_FILE: file })).toMatch(new RegExp(`^keyring file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(KEYROLL_KEYRING_FILE\\): keyring document`));
  });
});

describe('key ids written with echo', () => {
  it('a key id ending in a newline says so', async () => {
    const err = await expectKeyrollError(() => Keyring.fromEnv({ ENCRYPTION_KEY: 'ASDFGHJKL1234567', ACTIVE_ENCRYPTION_KEY_NAME: 'mykey\n' }), 'ERR_INVALID_KEYRING');
    expect(err.message).toMatch(/ACTIVE_ENCRYPTION_KEY_NAME: invalid key id: it ends in a newline \(written with `echo`\? use `echo -n` or `printf %s`\)/);
    expect(() => checkKeyId('k2\r\n')).toThrow(/ends in a newline/);
  });

  it('another bad character is named, with its position', () => {
    expect(() => checkKeyId('my key')).toThrow(/character 3 \(" "\) is not allowed/);
    expect(() => checkKeyId('k\n2')).toThrow(/character 2 \("\\n"\) is not allowed/);
  });
});
