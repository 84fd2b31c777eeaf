import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring, generateKey, sealKeyring } from '../../src/index.js';
import { loadKeyringFromDirectory } from '../../src/sources/index.js';
import { expectKeyrollError, expectNoSecretIn, tempDir } from './helpers.js';

/** Lays out fields as Kubernetes mounts a secret: files in a timestamped dir, reached through ..data symlinks. */
function k8sMount(fields: Record<string, string>): string {
  const dir = tempDir();
  const stamp = '..2026_11_22_03_00_00.123456789';
  mkdirSync(join(dir, stamp));
  for (const [name, value] of Object.entries(fields)) writeFileSync(join(dir, stamp, name), value);
  symlinkSync(stamp, join(dir, '..data'));
  for (const name of Object.keys(fields)) symlinkSync(join('..data', name), join(dir, name));
  return dir;
}

describe('Keyring.fromDirectory', () => {
  it('the exact platform rotation case, from Kubernetes-style mounts', async () => {
    const before = await Keyring.fromDirectory(k8sMount({ ENCRYPTION_KEY: 'ASDFGHJKL1234567', ACTIVE_ENCRYPTION_KEY_NAME: 'mykey', 'oldEncKeys.json': '{}' }));
    const stored = before.encrypt('hello');
    expect(stored.startsWith('kr1.mykey.')).toBe(true);
    const after = await Keyring.fromDirectory(
      k8sMount({ ENCRYPTION_KEY: '0EE0D33AC67E4389AB2B46123729B875\n', ACTIVE_ENCRYPTION_KEY_NAME: 'newkey\n', 'oldEncKeys.json': '{"mykey":"ASDFGHJKL1234567"}\n' }),
    );
    expect(after.decryptString(stored)).toBe('hello');
    expect(after.encrypt('x').startsWith('kr1.newkey.')).toBe(true);
    expect(after.get('mykey')?.state).toBe('decrypt-only');
  });

  it('trims exactly one trailing newline', async () => {
    // 16 characters plus "\n\n": after one trim a newline is left, which the platform rule refuses.
    const err = await expectKeyrollError(() => loadKeyringFromDirectory(k8sMount({ ENCRYPTION_KEY: 'ASDFGHJKL1234567\n\n', ACTIVE_ENCRYPTION_KEY_NAME: 'k' })), 'ERR_INVALID_KEY');
    expect(err.message).toMatch(/printable ASCII/);
    const crlf = await Keyring.fromDirectory(k8sMount({ ENCRYPTION_KEY: 'ASDFGHJKL1234567\r\n', ACTIVE_ENCRYPTION_KEY_NAME: 'k\r\n' }));
    expect(crlf.activeKeyId).toBe('k');
  });

  it('refuses a length-20 secret naming the rule, the key id and the file', async () => {
    const secret = 'ABCDEFGHIJ0123456789';
    const dir = k8sMount({ ENCRYPTION_KEY: secret, ACTIVE_ENCRYPTION_KEY_NAME: 'k20' });
    const err = await expectKeyrollError(() => loadKeyringFromDirectory(dir), 'ERR_INVALID_KEY');
    expect(err.message).toMatch(/multiple of 16/);
    expect(err.message).toContain('k20');
    expect(err.message).toContain(join(dir, 'ENCRYPTION_KEY'));
    expectNoSecretIn(err, [secret]);
  });

  it('reads the keyroll layout (keyring.json), ignoring dotfiles and other fields', async () => {
    const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
    const dir = k8sMount({ 'keyring.json': JSON.stringify(ring.export()), 'unrelated.txt': 'x' });
    writeFileSync(join(dir, '.ENCRYPTION_KEY'), 'ASDFGHJKL1234567');
    const loaded = await Keyring.fromDirectory(dir);
    expect(loaded.decryptString(ring.encrypt('y'))).toBe('y');
  });

  it('names what is missing, and refuses both layouts at once', async () => {
    expect((await expectKeyrollError(() => loadKeyringFromDirectory(tempDir()), 'ERR_INVALID_KEYRING')).message).toMatch(/holds no keyring/);
    const both = k8sMount({ 'keyring.json': '{}', ENCRYPTION_KEY: 'ASDFGHJKL1234567', ACTIVE_ENCRYPTION_KEY_NAME: 'k' });
    expect((await expectKeyrollError(() => loadKeyringFromDirectory(both), 'ERR_INVALID_KEYRING')).message).toMatch(/both the keyroll layout/);
    const twoDocs = k8sMount({ 'keyring.json': '{}', KEYROLL_KEYRING: '{}' });
    expect((await expectKeyrollError(() => loadKeyringFromDirectory(twoDocs), 'ERR_INVALID_KEYRING')).message).toMatch(/keyring.json and KEYROLL_KEYRING/);
    const sealed = k8sMount({ 'keyring.json': await sealKeyring(Keyring.create({ keys: [generateKey({ id: 'k' })] }), { masterKey: 'ab'.repeat(32) }) });
    expect((await expectKeyrollError(() => loadKeyringFromDirectory(sealed), 'ERR_INVALID_KEYRING')).message).toMatch(/holds a sealed keyring; load the file with Keyring.fromSealedFile/);
    const missing = await expectKeyrollError(() => loadKeyringFromDirectory(join(tempDir(), 'nope')), 'ERR_IO');
    expect(missing.message).toContain('ENOENT');
  });
});
