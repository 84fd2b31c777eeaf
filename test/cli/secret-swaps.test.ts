import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, workdir } from './helpers.js';

const HEX64 = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const B64 = 'q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=';
const PLATFORM16 = 'ASDFGHJKL1234567';

function expectHidden(result: { stdout: string; stderr: string; status: number | null }, secret: string): void {
  expect(result.status).not.toBe(0);
  expect(result.stdout).not.toContain(secret);
  expect(result.stderr).not.toContain(secret);
}

describe('keyroll never prints a secret passed in the wrong place', () => {
  it('a secret given to --master-key-env or --passphrase-env instead of a variable name', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'k.json'), JSON.stringify({ format: 'keyroll.keyring', version: 1, keys: [{ id: 'k1', state: 'active', secret: 'a'.repeat(32), encoding: 'utf8' }] }));
    for (const secret of [HEX64, B64, PLATFORM16]) {
      for (const option of ['--master-key-env', '--passphrase-env']) {
        const r = run(dir, ['seal', '--keyring', 'k.json', '--out', 'k.sealed', option, secret], { env: { KEYROLL_MASTER_KEY: HEX64 } });
        expectHidden(r, secret);
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(secret === PLATFORM16 ? /<redacted 16-char value> \(not shown/ : /NAME of an environment variable/);
      }
    }
  });

  it('a database URL or a key given to --db-env, --legacy-key-env or --legacy-keys-env instead of a variable name', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'k.json'), JSON.stringify({ format: 'keyroll.keyring', version: 1, keys: [{ id: 'k1', state: 'active', secret: 'a'.repeat(32), encoding: 'utf8' }] }));
    const url = 'postgres://app:S3cretPassw0rd@db.internal/app';
    const data = ['--keyring', 'k.json', '--table', 'users', '--column', 'token'];
    const viaDbEnv = run(dir, ['reencrypt', ...data, '--db-env', url]);
    expectHidden(viaDbEnv, 'S3cretPassw0rd');
    expect(viaDbEnv.status).toBe(2);
    expect(viaDbEnv.stderr).toMatch(/--db-env takes the NAME of an environment variable/);
    // A hex key that starts with a letter reads like a variable name to a plain pattern.
    const hexKey = `a${HEX64.slice(1)}`;
    const layout = ['--legacy', 'layout', '--legacy-algorithm', 'aes-256-gcm', '--legacy-encoding', 'hex', '--legacy-order', 'iv,tag,ciphertext'];
    for (const args of [[...layout, '--legacy-key-env', hexKey], ['--legacy', 'cloak', '--legacy-keys-env', hexKey]]) {
      const r = run(dir, ['reencrypt', ...data, '--db', 'sqlite:app.db', ...args]);
      expectHidden(r, hexKey);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--legacy-keys?-env takes the NAME of an environment variable/);
    }
  });

  it('id and secret swapped in a keyring file', () => {
    const dir = workdir();
    for (const secret of [HEX64, PLATFORM16]) {
      writeFileSync(join(dir, 'k.json'), JSON.stringify({ format: 'keyroll.keyring', version: 1, keys: [{ id: secret, state: 'active', secret: 'k1', encoding: 'utf8' }] }));
      expectHidden(run(dir, ['list', '--keyring', 'k.json']), secret);
      expectHidden(run(dir, ['list', '--keyring', 'k.json', '--json']), secret);
    }
  });

  it('ENCRYPTION_KEY and ACTIVE_ENCRYPTION_KEY_NAME exchanged, read with --keyring-env', () => {
    const dir = workdir();
    for (const secret of [HEX64.slice(0, 32), PLATFORM16]) {
      const r = run(dir, ['list', '--keyring-env'], { env: { ENCRYPTION_KEY: 'newkey', ACTIVE_ENCRYPTION_KEY_NAME: secret } });
      expectHidden(r, secret);
      expect(r.stderr).toMatch(/look exchanged/);
    }
  });
});
