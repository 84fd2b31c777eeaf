import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sealedHeader } from '../../src/sources/index.js';
import { CHEAP_SCRYPT, fails, ok, snapshot, workdir } from './helpers.js';

const MASTER = { KR_MASTER: '4f'.repeat(32) };
const FIXTURES = fileURLToPath(new URL('../fixtures/sealed/', import.meta.url));
const generationOf = (dir: string, name = 'ring.sealed'): number => sealedHeader(readFileSync(join(dir, name), 'utf8')).generation;

describe('keyroll and sealed-file generations', () => {
  it('every write bumps the generation; list prints it; --min-generation refuses an older file on every reading command', () => {
    const dir = workdir();
    const unlock = ['--keyring', 'ring.sealed', '--master-key-env', 'KR_MASTER'];
    ok(dir, ['init', ...unlock], { env: MASTER });
    expect(generationOf(dir)).toBe(1);
    ok(dir, ['add', 'k2', ...unlock, '--generate'], { env: MASTER });
    expect(generationOf(dir)).toBe(2);
    ok(dir, ['promote', 'k2', ...unlock, '--min-generation', '2'], { env: MASTER });
    expect(generationOf(dir)).toBe(3);
    expect(ok(dir, ['list', ...unlock], { env: MASTER })).toMatch(/\nsealed keyring, generation 3\n$/);
    expect(JSON.parse(ok(dir, ['list', ...unlock, '--json'], { env: MASTER })).generation).toBe(3);
    // An attacker puts the generation-2 backup back in place: readers that keep the minimum refuse it.
    copyFileSync(join(dir, 'ring.sealed.bak'), join(dir, 'ring.sealed'));
    const before = snapshot(dir);
    for (const args of [['list'], ['add', 'k3', '--generate'], ['retire', 'k1'], ['unseal'], ['encrypt'], ['decrypt'], ['k8s-secret', '--name', 'app']]) {
      fails(dir, [...args, ...unlock, '--min-generation', '3'], 1, /ERR_INVALID_KEYRING: sealed keyring .*ring\.sealed is generation 2, older than the minimum 3/, { env: MASTER });
    }
    expect(snapshot(dir)).toEqual(before);
    fails(dir, ['list', ...unlock, '--min-generation=-1'], 2, /--min-generation must be an integer from 0/, { env: MASTER });
    fails(dir, ['list', ...unlock, '--min-generation', '1.5'], 2, /--min-generation must be an integer from 0/, { env: MASTER });
  });

  it('--keyring-env honours --min-generation and KEYROLL_MIN_GENERATION; a directory has no generation', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'ring.sealed', '--master-key-env', 'KR_MASTER'], { env: MASTER });
    ok(dir, ['add', 'k2', '--keyring', 'ring.sealed', '--master-key-env', 'KR_MASTER', '--generate'], { env: MASTER });
    const env = { KEYROLL_KEYRING_FILE: join(dir, 'ring.sealed'), KEYROLL_MASTER_KEY: MASTER.KR_MASTER };
    ok(dir, ['list', '--keyring-env', '--min-generation', '2'], { env });
    fails(dir, ['list', '--keyring-env', '--min-generation', '3'], 1, /ERR_INVALID_KEYRING: .*generation 2, older than the minimum 3/, { env });
    fails(dir, ['list', '--keyring-env'], 1, /ERR_INVALID_KEYRING: .*generation 2, older than the minimum 3/, { env: { ...env, KEYROLL_MIN_GENERATION: '3' } });
    mkdirSync(join(dir, 'mounted'));
    ok(dir, ['unseal', '--keyring', 'ring.sealed', '--master-key-env', 'KR_MASTER', '--out', join('mounted', 'keyring.json')], { env: MASTER });
    ok(dir, ['list', '--keyring', 'mounted']);
    fails(dir, ['list', '--keyring', 'mounted', '--min-generation', '1'], 1, /ERR_INVALID_KEYRING: directory .*mounted has no generation/);
  });

  it('--min-generation on a plain keyring is refused: it has no generation', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'k.json']);
    fails(dir, ['list', '--keyring', 'k.json', '--min-generation', '1'], 1, /ERR_INVALID_KEYRING: keyring file .*k\.json is a plain keyring, which has no generation/);
    fails(dir, ['init', '--keyring', 'x.json', '--min-generation', '1'], 2, /Unknown option '--min-generation'/);
  });

  it('seal --force and init --force over a sealed file continue its generation', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'plain.json']);
    ok(dir, ['init', '--keyring', 'ring.sealed', '--master-key-env', 'KR_MASTER'], { env: MASTER });
    ok(dir, ['add', 'k2', '--keyring', 'ring.sealed', '--master-key-env', 'KR_MASTER', '--generate'], { env: MASTER });
    ok(dir, ['seal', '--keyring', 'plain.json', '--out', 'ring.sealed', '--master-key-env', 'KR_MASTER', '--force'], { env: MASTER });
    expect(generationOf(dir)).toBe(3);
    ok(dir, ['init', '--keyring', 'ring.sealed', '--master-key-env', 'KR_MASTER', '--force'], { env: MASTER });
    expect(generationOf(dir)).toBe(4);
  });

  it('a file sealed by 0.1.0 opens, and the next write upgrades it to version 2, generation 1', () => {
    const dir = workdir();
    copyFileSync(join(FIXTURES, 'v1-master-key.sealed'), join(dir, 'ring.sealed'));
    const env = { KR_MASTER: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f' };
    const unlock = ['--keyring', 'ring.sealed', '--master-key-env', 'KR_MASTER'];
    expect(ok(dir, ['list', ...unlock], { env })).toMatch(/sealed keyring, generation 0/);
    ok(dir, ['retire', 'k1', ...unlock], { env });
    const header = sealedHeader(readFileSync(join(dir, 'ring.sealed'), 'utf8'));
    expect([header.version, header.generation]).toEqual([2, 1]);
    expect(readFileSync(join(dir, 'ring.sealed.bak'), 'utf8')).toBe(readFileSync(join(FIXTURES, 'v1-master-key.sealed'), 'utf8'));
  });
});

describe('keyroll and the scrypt cost floor and cap', () => {
  it('--scrypt-n below the floor or above the cap is bad usage naming the bounds', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'plain.json']);
    const env = { KR_PASS: 'correct horse battery staple' };
    for (const n of ['16384', '1024', '1048576', '1000']) {
      fails(dir, ['seal', '--keyring', 'plain.json', '--out', 'z.sealed', '--passphrase-env', 'KR_PASS', '--scrypt-n', n], 2, /--scrypt-n must be a power of two from 32768 \(2\^15, the cost floor\) to 524288/, { env });
      fails(dir, ['init', '--keyring', 'y.sealed', '--passphrase-env', 'KR_PASS', '--scrypt-n', n], 2, /--scrypt-n must be a power of two from 32768/, { env });
    }
  });

  it('a file whose header asks for less than the floor (or more than the cap) is refused on read', () => {
    const dir = workdir();
    const env = { KR_PASS: 'correct horse battery staple' };
    ok(dir, ['init', '--keyring', 'ring.sealed', '--passphrase-env', 'KR_PASS', ...CHEAP_SCRYPT], { env });
    const text = readFileSync(join(dir, 'ring.sealed'), 'utf8');
    writeFileSync(join(dir, 'weak.sealed'), text.replace('"N":32768', '"N":1024'), { mode: 0o600 });
    writeFileSync(join(dir, 'greedy.sealed'), text.replace('"N":32768', '"N":2097152'), { mode: 0o600 });
    fails(dir, ['list', '--keyring', 'weak.sealed', '--passphrase-env', 'KR_PASS'], 1, /ERR_INVALID_KEYRING: .*weak\.sealed: the stored scrypt parameters: the cost is below the floor/, { env });
    fails(dir, ['list', '--keyring', 'greedy.sealed', '--passphrase-env', 'KR_PASS'], 1, /ERR_INVALID_KEYRING: .*greedy\.sealed: the stored scrypt parameters: the cost is above the cap/, { env });
    copyFileSync(join(FIXTURES, 'v1-weak-passphrase.sealed'), join(dir, 'old-weak.sealed'));
    chmodSync(join(dir, 'old-weak.sealed'), 0o600); // else the group/other-readable warning is a second stderr line
    fails(dir, ['list', '--keyring', 'old-weak.sealed', '--passphrase-env', 'KR_PASS'], 1, /ERR_INVALID_KEYRING: .*the cost is below the floor/, { env });
  });
});

describe('keyroll and master keys', () => {
  it('refuses unprefixed base64 and typed passphrases in --master-key-env, with a hint, never echoing them', () => {
    const dir = workdir();
    const b64 = Buffer.alloc(32, 3).toString('base64');
    const r = fails(dir, ['init', '--keyring', 'a.sealed', '--master-key-env', 'KR_MASTER'], 2, /environment variable KR_MASTER looks like base64 without the "base64:" prefix/, { env: { KR_MASTER: b64 } });
    expect(r.stderr).not.toContain(b64);
    const typed = 'my secret words for the keyring';
    const t = fails(dir, ['init', '--keyring', 'a.sealed', '--master-key-env', 'KR_MASTER'], 2, /environment variable KR_MASTER is not a master key .* looks like a passphrase: pass it with --passphrase-env/, { env: { KR_MASTER: typed } });
    expect(t.stderr).not.toContain(typed);
    ok(dir, ['init', '--keyring', 'a.sealed', '--master-key-env', 'KR_MASTER'], { env: { KR_MASTER: `base64:${b64}` } });
  });
});
