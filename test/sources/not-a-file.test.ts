import { execFileSync } from 'node:child_process';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../src/index.js';
import { MAX_KEYRING_FILE_BYTES } from '../../src/sources/read.js';
import { loadKeyringPath, pathSignature } from '../../src/sources/load-path.js';
import { expectKeyrollError, tempDir } from './helpers.js';

const MASTER = { masterKey: '4f'.repeat(32) };

/** Every library loader that reads a file, pointed at `path`. */
function loaders(path: string): Array<[string, () => Promise<unknown>]> {
  return [
    ['fromFile', () => Keyring.fromFile(path)],
    ['fromSealedFile', () => Keyring.fromSealedFile(path, MASTER)],
    ['fromEnv KEYROLL_KEYRING_FILE', () => Keyring.fromEnv({ KEYROLL_KEYRING_FILE: path })],
    ['fromEnv KEYROLL_KEYRING_FILE sealed', () => Keyring.fromEnv({ KEYROLL_KEYRING_FILE: path, KEYROLL_MASTER_KEY: MASTER.masterKey })],
    ['the watcher\'s loader', () => loadKeyringPath(path, undefined)],
  ];
}

/** A directory whose keyring field (or platform field) is `make(path)`. */
function directoryWith(field: string, make: (path: string) => void): string {
  const dir = tempDir();
  make(join(dir, field));
  return dir;
}

describe('loaders refuse what is not a regular keyring-sized file, before reading it', () => {
  const cases: Array<[string, (path: string) => void, RegExp]> = [
    ['a FIFO (which would block a plain read forever)', (p) => execFileSync('mkfifo', [p]), /not a regular file \(a FIFO\)/],
    ['a directory', (p) => mkdirSync(p), /not a regular file \(a directory\)/],
    ['a 17 MiB file', (p) => { writeFileSync(p, ''); truncateSync(p, 17 * 1024 * 1024); }, /17825792 bytes, more than the 16777216/],
  ];
  for (const [what, make, message] of cases) {
    it(`${what}: ERR_INVALID_KEYRING from every loader`, async () => {
      const path = join(tempDir(), 'keyring.json');
      make(path);
      for (const [name, load] of loaders(path)) {
        if (what === 'a directory' && name === 'the watcher\'s loader') continue; // a directory of key files is its other input
        const err = await expectKeyrollError(load, 'ERR_INVALID_KEYRING');
        expect(err.message, name).toMatch(message);
        expect(err.file, name).toBe(path);
      }
      for (const field of ['keyring.json', 'ENCRYPTION_KEY', 'oldEncKeys.json']) {
        const dir = directoryWith(field, make);
        expect((await expectKeyrollError(() => Keyring.fromDirectory(dir), 'ERR_INVALID_KEYRING')).message, field).toMatch(message);
      }
    });
  }

  it('the watcher\'s change signature never reads a FIFO or a device', async () => {
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(await pathSignature(join(dir, 'fifo'))).toMatch(/^[0-9a-f]{64}$/);
    expect(await pathSignature('/dev/zero')).toMatch(/^[0-9a-f]{64}$/);
    expect(await pathSignature(dir)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a character device such as /dev/zero is refused without reading it', async () => {
    for (const [name, load] of loaders('/dev/zero')) {
      expect((await expectKeyrollError(load, 'ERR_INVALID_KEYRING')).message, name).toMatch(/\/dev\/zero is not a regular file \(a device\)/);
    }
  });

  it('a file of exactly the cap is read; someone else\'s FIFO in a mounted directory is skipped', async () => {
    expect(MAX_KEYRING_FILE_BYTES).toBe(16 * 1024 * 1024);
    const path = join(tempDir(), 'keyring.json');
    writeFileSync(path, '');
    truncateSync(path, MAX_KEYRING_FILE_BYTES); // NUL bytes: read whole, then refused as JSON, not as too large
    expect((await expectKeyrollError(() => Keyring.fromFile(path), 'ERR_INVALID_KEYRING')).message).toMatch(/not valid JSON/);
    const dir = directoryWith('keyring.json', (p) => writeFileSync(p, JSON.stringify(Keyring.create({ keys: [{ id: 'k1', secret: '4f'.repeat(32), encoding: 'hex', state: 'active' }] }).export())));
    execFileSync('mkfifo', [join(dir, 'unrelated')]);
    expect((await Keyring.fromDirectory(dir)).activeKeyId).toBe('k1');
  });
});
