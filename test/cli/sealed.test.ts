import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../src/index.js';
import { sealedHeader } from '../../src/sources/index.js';
import { CHEAP_SCRYPT, CLI, expectNoSecrets, fails, ok, run, secretsOf, snapshot, workdir } from './helpers.js';

const PASS = { KR_PASS: 'correct horse battery staple' };
const MASTER = { KR_MASTER: '4f'.repeat(32) };
const CRASH_HOOK = join(import.meta.dirname, 'fixtures', 'crash-before-rename.mjs');

describe('keyroll seal and unseal', () => {
  it('seals with a passphrase, keeps the stored scrypt cost, and unseals to stdout or a file', async () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'plain.json', '--id', 'k1']);
    const plain = readFileSync(join(dir, 'plain.json'), 'utf8');
    ok(dir, ['seal', '--keyring', 'plain.json', '--out', 'ring.sealed', '--passphrase-env', 'KR_PASS', ...CHEAP_SCRYPT], { env: PASS });
    const sealed = readFileSync(join(dir, 'ring.sealed'), 'utf8');
    expectNoSecrets(sealed, secretsOf(join(dir, 'plain.json')));
    expect(sealedHeader(sealed).wrapper.params.get('N')).toBe(32768);
    expect(ok(dir, ['unseal', '--keyring', 'ring.sealed', '--passphrase-env', 'KR_PASS'], { env: PASS })).toBe(plain);
    ok(dir, ['unseal', '--keyring', 'ring.sealed', '--passphrase-env', 'KR_PASS', '--out', 'back.json'], { env: PASS });
    expect(readFileSync(join(dir, 'back.json'), 'utf8')).toBe(plain);
    const ring = await Keyring.fromSealedFile(join(dir, 'ring.sealed'), { passphrase: PASS.KR_PASS });
    expect(ring.activeKeyId).toBe('k1');
  });

  it('seals with a master key from `openssl rand -hex 32`-style hex', async () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'ring.sealed', '--master-key-env', 'KR_MASTER'], { env: MASTER });
    expect(sealedHeader(readFileSync(join(dir, 'ring.sealed'), 'utf8')).wrapper.kind).toBe('master-key');
    expect((await Keyring.fromSealedFile(join(dir, 'ring.sealed'), { masterKey: MASTER.KR_MASTER })).activeKeyId).toBe('k1');
    fails(dir, ['list', '--keyring', 'ring.sealed', '--master-key-env', 'SHORT'], 2, /environment variable SHORT: a hex master key needs an even number of digits, at least 64/, { env: { SHORT: 'abcd' } });
  });

  it('a sealed keyring stays sealed, with the same unlock and cost, when a command changes it', async () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'ring.sealed', '--passphrase-env', 'KR_PASS', ...CHEAP_SCRYPT], { env: PASS });
    const first = readFileSync(join(dir, 'ring.sealed'), 'utf8');
    ok(dir, ['add', 'k2', '--keyring', 'ring.sealed', '--passphrase-env', 'KR_PASS', '--generate', '--activate'], { env: PASS });
    const second = readFileSync(join(dir, 'ring.sealed'), 'utf8');
    expect(readFileSync(join(dir, 'ring.sealed.bak'), 'utf8')).toBe(first);
    const header = sealedHeader(second);
    expect(header.wrapper.kind).toBe('passphrase');
    expect(header.wrapper.params.get('N')).toBe(32768);
    expect(header.wrapper.params.get('salt')).not.toBe(sealedHeader(first).wrapper.params.get('salt'));
    const ring = await Keyring.fromSealedFile(join(dir, 'ring.sealed'), { passphrase: PASS.KR_PASS });
    expect(ring.activeKeyId).toBe('k2');
    const listed = JSON.parse(ok(dir, ['list', '--keyring', 'ring.sealed', '--passphrase-env', 'KR_PASS', '--json'], { env: PASS }));
    expect(listed.activeKeyId).toBe('k2');
  });

  it('a wrong passphrase or master key: exit 1, ERR_DECRYPT_FAILED naming the file, nothing changed', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'ring.sealed', '--passphrase-env', 'KR_PASS', ...CHEAP_SCRYPT], { env: PASS });
    const before = snapshot(dir);
    const r = fails(dir, ['add', 'k2', '--keyring', 'ring.sealed', '--passphrase-env', 'KR_PASS', '--generate'], 1, /ERR_DECRYPT_FAILED: could not unseal sealed keyring .*ring\.sealed: wrong master key, passphrase or key wrapper, or the file was modified/, { env: { KR_PASS: 'guess' } });
    expect(r.stderr).not.toContain('guess');
    fails(dir, ['unseal', '--keyring', 'ring.sealed', '--passphrase-env', 'KR_PASS'], 1, /ERR_DECRYPT_FAILED/, { env: { KR_PASS: 'guess' } });
    fails(dir, ['list', '--keyring', 'ring.sealed', '--master-key-env', 'KR_MASTER'], 1, /ERR_INVALID_ARGUMENT: .*was sealed with a passphrase/, { env: MASTER });
    fails(dir, ['list', '--keyring', 'ring.sealed'], 2, /is sealed; pass --master-key-env NAME or --passphrase-env NAME/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('a corrupted or truncated sealed file: exit 1 with a clear error, nothing changed', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'ring.sealed', '--master-key-env', 'KR_MASTER'], { env: MASTER });
    const text = readFileSync(join(dir, 'ring.sealed'), 'utf8');
    const [header, payload] = text.split('\n') as [string, string];
    const flipped = payload.slice(0, 10) + (payload[10] === 'A' ? 'B' : 'A') + payload.slice(11);
    const variants: Array<[string, RegExp]> = [
      [`${header}\n${flipped}\n`, /ERR_DECRYPT_FAILED: could not unseal .*bad\.sealed/],
      [`${header}\n`, /ERR_INVALID_KEYRING: .*bad\.sealed is not a sealed keyroll keyring/],
      [text.slice(0, 60), /ERR_INVALID_KEYRING/],
      [`${header.replace('"iv":"', '"iv":"AA')}\n${payload}\n`, /ERR_INVALID_KEYRING: .*iv/],
    ];
    for (const [content, message] of variants) {
      writeFileSync(join(dir, 'bad.sealed'), content, { mode: 0o600 });
      const before = snapshot(dir);
      fails(dir, ['add', 'k2', '--keyring', 'bad.sealed', '--master-key-env', 'KR_MASTER', '--generate'], 1, message, { env: MASTER });
      expect(snapshot(dir)).toEqual(before);
    }
  });

  it('bad seal/unseal usage is exit 2 and writes nothing', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'plain.json']);
    ok(dir, ['seal', '--keyring', 'plain.json', '--out', 'ring.sealed', '--master-key-env', 'KR_MASTER'], { env: MASTER });
    const before = snapshot(dir);
    fails(dir, ['seal', '--keyring', 'plain.json', '--out', 'x.sealed'], 2, /pass --master-key-env NAME or --passphrase-env NAME/);
    fails(dir, ['seal', '--keyring', 'plain.json', '--out', 'ring.sealed', '--master-key-env', 'KR_MASTER'], 2, /exists; pass --force/, { env: MASTER });
    fails(dir, ['seal', '--keyring', 'ring.sealed', '--out', 'y.sealed', '--master-key-env', 'KR_MASTER'], 2, /is already sealed/, { env: MASTER });
    fails(dir, ['seal', '--keyring', 'plain.json', '--out', 'z.sealed', '--passphrase-env', 'KR_PASS', '--scrypt-n', '1000'], 2, /--scrypt-n must be a power of two/, { env: PASS });
    fails(dir, ['seal', '--keyring', 'plain.json', '--out', 'z.sealed', '--master-key-env', 'KR_MASTER', '--passphrase-env', 'KR_PASS'], 2, /not both/, { env: { ...MASTER, ...PASS } });
    fails(dir, ['unseal', '--keyring', 'ring.sealed'], 2, /pass --master-key-env NAME or --passphrase-env NAME/);
    fails(dir, ['unseal', '--keyring', 'plain.json', '--master-key-env', 'KR_MASTER'], 2, /is a plain keyring/, { env: MASTER });
    fails(dir, ['unseal', '--keyring', 'ring.sealed', '--master-key-env', 'KR_MASTER', '--out', 'plain.json'], 2, /exists; pass --force/, { env: MASTER });
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('a crash between writing the temp file and the rename', () => {
  for (const sealed of [false, true]) {
    it(`leaves the old ${sealed ? 'sealed' : 'plain'} file intact and loadable`, async () => {
      const dir = workdir();
      const unlock = sealed ? ['--master-key-env', 'KR_MASTER'] : [];
      ok(dir, ['init', '--keyring', 'keyring.file', '--id', 'k1', ...unlock], { env: MASTER });
      const before = readFileSync(join(dir, 'keyring.file'));
      const r = spawnSync(process.execPath, ['--import', CRASH_HOOK, CLI, 'add', 'k2', '--keyring', 'keyring.file', '--generate', '--activate', ...unlock], {
        cwd: dir,
        env: { PATH: process.env['PATH'] ?? '', ...MASTER },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(r.signal).toBe('SIGKILL');
      expect(r.stdout).toBe('');
      expect(readFileSync(join(dir, 'keyring.file')).equals(before)).toBe(true);
      const ring = sealed ? await Keyring.fromSealedFile(join(dir, 'keyring.file'), { masterKey: MASTER.KR_MASTER }) : await Keyring.fromFile(join(dir, 'keyring.file'));
      expect(ring.activeKeyId).toBe('k1');
      expect(ring.has('k2')).toBe(false);
      // The only other files are the backup, the lock of the killed process and the complete, fsynced temp file the crash left behind.
      const others = readdirSync(dir).filter((n) => n !== 'keyring.file');
      expect(others).toContain('keyring.file.lock');
      expect(others.filter((n) => n !== 'keyring.file.bak' && n !== 'keyring.file.lock').every((n) => /^\.keyring\.file\.[0-9a-f]{12}\.tmp$/.test(n))).toBe(true);
      // The next run works normally: the lock of a process that is gone is stale.
      ok(dir, ['add', 'k2', '--keyring', 'keyring.file', '--generate', '--activate', ...unlock], { env: MASTER });
      const after = sealed ? await Keyring.fromSealedFile(join(dir, 'keyring.file'), { masterKey: MASTER.KR_MASTER }) : await Keyring.fromFile(join(dir, 'keyring.file'));
      expect(after.activeKeyId).toBe('k2');
      expect(readdirSync(dir)).not.toContain('keyring.file.lock');
    });
  }

  it('the shipped CLI has no crash switch: the old test variable does nothing', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'keyring.file', '--id', 'k1']);
    const r = run(dir, ['add', 'k2', '--keyring', 'keyring.file', '--generate'], { env: { KEYROLL_TEST_CRASH_BEFORE_RENAME: '1' } });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'keyring.file'), 'utf8')).toContain('"k2"');
    expect(readFileSync(CLI, 'utf8')).not.toContain('KEYROLL_TEST_CRASH');
  });
});
