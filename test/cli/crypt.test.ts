import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../src/index.js';
import { expectNoSecrets, fails, ok, run, secretsOf, snapshot, workdir } from './helpers.js';

describe('keyroll encrypt and decrypt', () => {
  it('round trips stdin to stdout, bytes exactly, with a context whose values contain =', async () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'kr.json', '--id', 'k1']);
    const plaintext = Buffer.from([0, 1, 2, 255, 10, 13, 10]);
    const envelope = ok(dir, ['encrypt', '--keyring', 'kr.json', '--context', 'table=users', '--context', 'note=a=b'], { input: plaintext });
    expect(envelope).toMatch(/^kr1\.k1\.[A-Za-z0-9_-]+\n$/);
    const r = run(dir, ['decrypt', '--keyring', 'kr.json', '--context', 'note=a=b', '--context', 'table=users'], { input: envelope });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdoutBytes.equals(plaintext)).toBe(true);
    const ring = await Keyring.fromFile(join(dir, 'kr.json'));
    expect(Buffer.from(ring.decrypt(envelope.trim(), { context: { table: 'users', note: 'a=b' } })).equals(plaintext)).toBe(true);
    expectNoSecrets(envelope, secretsOf(join(dir, 'kr.json')));
  });

  it('a wrong or missing context is ERR_DECRYPT_FAILED with exit 1; bad context syntax is exit 2', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'kr.json']);
    const envelope = ok(dir, ['encrypt', '--keyring', 'kr.json', '--context', 'id=1'], { input: 'secret plaintext' });
    const r = fails(dir, ['decrypt', '--keyring', 'kr.json', '--context', 'id=2'], 1, /ERR_DECRYPT_FAILED/, { input: envelope });
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('secret plaintext');
    fails(dir, ['decrypt', '--keyring', 'kr.json'], 1, /ERR_DECRYPT_FAILED/, { input: envelope });
    fails(dir, ['decrypt', '--keyring', 'kr.json'], 1, /ERR_MALFORMED_ENVELOPE/, { input: 'kr1.k1.garbage' });
    fails(dir, ['encrypt', '--keyring', 'kr.json', '--context', 'noequals'], 2, /--context expects KEY=VALUE/);
    fails(dir, ['encrypt', '--keyring', 'kr.json', '--context', '=v'], 2, /--context expects KEY=VALUE/);
    fails(dir, ['encrypt', '--keyring', 'kr.json', '--context', 'a=1', '--context', 'a=2'], 2, /names "a" twice/);
    fails(dir, ['decrypt', '--keyring', 'kr.json'], 2, /no envelope on stdin/, { input: '  \n' });
  });

  it('old envelopes still decrypt after a rotation; inspect needs no key', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'kr.json', '--id', 'old']);
    const envelope = ok(dir, ['encrypt', '--keyring', 'kr.json'], { input: 'v1' });
    ok(dir, ['add', 'new', '--keyring', 'kr.json', '--generate', '--activate']);
    expect(ok(dir, ['decrypt', '--keyring', 'kr.json'], { input: envelope })).toBe('v1');
    expect(ok(dir, ['encrypt', '--keyring', 'kr.json'], { input: 'v2' })).toMatch(/^kr1\.new\./);
    expect(JSON.parse(ok(dir, ['inspect', envelope.trim(), '--json'])).keyId).toBe('old');
  });
});

describe('keyroll keygen', () => {
  it('prints 32 random bytes as hex by default, like openssl rand -hex 32', () => {
    const dir = workdir();
    const a = ok(dir, ['keygen']);
    const b = ok(dir, ['keygen']);
    expect(a).toMatch(/^[0-9a-f]{64}\n$/);
    expect(a).not.toBe(b);
    expect(Buffer.from(ok(dir, ['keygen', '--bytes', '48', '--encoding', 'base64']).trim(), 'base64')).toHaveLength(48);
    expect(ok(dir, ['keygen', '--encoding', 'base64url'])).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(ok(dir, ['keygen', '--platform'])).toMatch(/^[0-9A-F]{32}\n$/);
  });

  it('refuses bad options with exit 2', () => {
    const dir = workdir();
    fails(dir, ['keygen', '--bytes', '8'], 2, /--bytes must be an integer from 16 to 1024/);
    fails(dir, ['keygen', '--bytes', '1e3'], 2, /--bytes must be an integer/);
    fails(dir, ['keygen', '--encoding', 'binary'], 2, /--encoding must be hex, base64 or base64url/);
    fails(dir, ['keygen', '--platform', '--bytes', '32'], 2, /--platform fixes the length/);
    fails(dir, ['keygen', 'extra'], 2, /Unexpected argument 'extra'/);
  });
});

describe('every command', () => {
  const names = ['keygen', 'init', 'add', 'promote', 'retire', 'disable', 'remove', 'list', 'seal', 'unseal', 'k8s-secret', 'encrypt', 'decrypt', 'inspect'];
  it('has --help (exit 0, a usage line and an example) and is listed by keyroll --help', () => {
    const dir = workdir();
    const general = ok(dir, ['--help']);
    for (const name of names) {
      expect(general).toMatch(new RegExp(`\\n  ${name} `));
      const help = ok(dir, [name, '--help']);
      expect(help.startsWith(`Usage: keyroll ${name}`)).toBe(true);
      expect(help).toMatch(/Example/);
    }
    expect(snapshot(dir).size).toBe(0);
  });

  it('an unknown command is exit 2', () => {
    fails(workdir(), ['rotate-everything'], 2, /unknown command/);
  });
});
