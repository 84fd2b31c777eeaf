import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../src/index.js';
import { expectNoSecrets, fails, ok, run, secretsOf, snapshot, workdir } from './helpers.js';

const load = async (path: string): Promise<Keyring> => Keyring.fromFile(path);

describe('keyroll init', () => {
  it('creates a keyring with one generated active key, mode 0600', async () => {
    const dir = workdir();
    const out = ok(dir, ['init', '--keyring', 'keyring.json', '--id', 'first']);
    expect(out).toMatch(/created .*keyring\.json with active key "first"/);
    const ring = await load(join(dir, 'keyring.json'));
    expect(ring.activeKeyId).toBe('first');
    expect(secretsOf(join(dir, 'keyring.json'))[0]).toHaveLength(32);
    expectNoSecrets(out, secretsOf(join(dir, 'keyring.json')));
    expect(statSync(join(dir, 'keyring.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses to overwrite without --force (exit 2, file untouched); --force keeps a backup', async () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'keyring.json']);
    const before = snapshot(dir);
    fails(dir, ['init', '--keyring', 'keyring.json'], 2, /exists; pass --force/);
    expect(snapshot(dir)).toEqual(before);
    const old = readFileSync(join(dir, 'keyring.json'), 'utf8');
    ok(dir, ['init', '--keyring', 'keyring.json', '--force']);
    expect(readFileSync(join(dir, 'keyring.json.bak'), 'utf8')).toBe(old);
    expect(readFileSync(join(dir, 'keyring.json'), 'utf8')).not.toBe(old);
  });

  it('--platform makes a platform-layout keyring', async () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'p.json', '--platform', '--id', 'mykey']);
    const doc = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8'));
    expect(doc.policy.secretLengthMultipleOf).toBe(16);
    expect(doc.keys[0].secret).toMatch(/^[0-9A-F]{32}$/);
    expect(doc.keys[0].encoding).toBe('utf8');
  });

  it('refuses bad usage with exit 2 and writes nothing', () => {
    const dir = workdir();
    fails(dir, ['init'], 2, /--keyring FILE is required/);
    fails(dir, ['init', '--keyring', 'k.json', '--id', 'bad id'], 2, /--id: invalid key id/);
    fails(dir, ['init', '--keyring', 'k.json', '--bogus'], 2, /Unknown option '--bogus'/);
    fails(dir, ['init', '--keyring', 'k.json', '--scrypt-n', '32768'], 2, /--scrypt-n applies to --passphrase-env only/);
    fails(dir, ['init', '--keyring', 'k.json', '--passphrase-env', 'NOPE'], 2, /environment variable NOPE .* is not set/);
    expect(snapshot(dir).size).toBe(0);
  });
});

describe('keyroll add, promote, retire, disable, remove, list', () => {
  it('walks a key through its whole lifecycle, keeping a backup at each step', async () => {
    const dir = workdir();
    const file = join(dir, 'keyring.json');
    ok(dir, ['init', '--keyring', 'keyring.json', '--id', 'k1']);
    const stored = (await load(file)).encrypt('kept');

    ok(dir, ['add', 'k2', '--keyring', 'keyring.json', '--generate']);
    expect((await load(file)).get('k2')?.state).toBe('decrypt-only');
    const beforePromote = readFileSync(file, 'utf8');
    ok(dir, ['promote', 'k2', '--keyring', 'keyring.json']);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(beforePromote);
    let ring = await load(file);
    expect(ring.activeKeyId).toBe('k2');
    expect(ring.get('k1')?.state).toBe('decrypt-only');
    expect(ring.decryptString(stored)).toBe('kept');

    ok(dir, ['disable', 'k1', '--keyring', 'keyring.json', '--force']);
    ring = await load(file);
    expect(() => ring.decrypt(stored)).toThrow(/disabled/);
    ok(dir, ['retire', 'k1', '--keyring', 'keyring.json']);
    expect((await load(file)).decryptString(stored)).toBe('kept');

    const beforeRemove = snapshot(dir);
    fails(dir, ['remove', 'k1', '--keyring', 'keyring.json'], 2, /without a database keyroll cannot check .*can never be read again.* or --force/);
    expect(snapshot(dir)).toEqual(beforeRemove);
    ok(dir, ['remove', 'k1', '--keyring', 'keyring.json', '--force']);
    expect((await load(file)).has('k1')).toBe(false);
  });

  it('add --secret-stdin trims one newline; --activate and --activate-at', async () => {
    const dir = workdir();
    const file = join(dir, 'keyring.json');
    ok(dir, ['init', '--keyring', 'keyring.json']);
    ok(dir, ['add', 'typed', '--keyring', 'keyring.json', '--secret-stdin', '--activate'], { input: 'ASDFGHJKL1234567\n' });
    const ring = await load(file);
    expect(ring.activeKeyId).toBe('typed');
    const platformStyle = Keyring.create({ keys: [{ id: 'typed', secret: 'ASDFGHJKL1234567' }] });
    expect(ring.decryptString(platformStyle.encrypt('same key'))).toBe('same key');

    ok(dir, ['add', 'hexed', '--keyring', 'keyring.json', '--secret-stdin', '--encoding', 'hex'], { input: 'ab'.repeat(32) });
    expect((await load(file)).get('hexed')?.state).toBe('decrypt-only');

    const out = ok(dir, ['add', 'later', '--keyring', 'keyring.json', '--generate', '--activate-at', '2099-01-01T00:00:00Z']);
    expect(out).toMatch(/pending: activates at 2099-01-01T00:00:00.000Z \(in \d+d/);
    const info = (await load(file)).keys().find((k) => k.id === 'later');
    expect(info).toMatchObject({ state: 'pending', activatesAt: '2099-01-01T00:00:00.000Z' });
    fails(dir, ['add', 'past', '--keyring', 'keyring.json', '--generate', '--activate-at', '2001-01-01T00:00:00Z'], 2, /has already passed .* to activate now use --activate/);
    expect((await load(file)).has('past')).toBe(false);
  });

  it('refuses bad arguments with exit 2 and leaves every file untouched', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'keyring.json', '--id', 'k1']);
    ok(dir, ['add', 'k2', '--keyring', 'keyring.json', '--generate']);
    const before = snapshot(dir);
    const cases: Array<[string[], RegExp]> = [
      [['add', 'k3', '--keyring', 'keyring.json'], /exactly one of --generate and --secret-stdin/],
      [['add', 'k3', '--keyring', 'keyring.json', '--generate', '--secret-stdin'], /exactly one of --generate and --secret-stdin/],
      [['add', 'bad id!', '--keyring', 'keyring.json', '--generate'], /ID: invalid key id/],
      [['add', '--keyring', 'keyring.json', '--generate'], /exactly one key ID/],
      [['add', 'k3', '--keyring', 'keyring.json', '--generate', '--activate-at', 'tomorrow'], /--activate-at must be an RFC 3339 time/],
      [['add', 'k3', '--keyring', 'keyring.json', '--generate', '--activate', '--activate-at', '2030-01-01T00:00:00Z'], /one of --activate, --activate-in and --activate-at/],
      [['add', 'k3', '--keyring', 'keyring.json', '--generate', '--bytes', '8'], /--bytes must be an integer from 16/],
      [['add', 'k3', '--keyring', 'keyring.json', '--secret-stdin', '--encoding', 'rot13'], /--encoding must be/],
      [['add', 'k2', '--keyring', 'keyring.json', '--generate'], /key "k2" is already in/],
      [['add', 'k3', '--keyring', 'keyring.json', '--generate', '--master-key-env', 'MK'], /environment variable MK/],
      [['promote', '--keyring', 'keyring.json'], /exactly one key ID/],
      [['promote', 'a', 'b', '--keyring', 'keyring.json'], /exactly one key ID argument, got 2/],
      [['retire', 'k2'], /--keyring FILE is required/],
      [['list', '--keyring', 'keyring.json', '--verbose'], /Unknown option '--verbose'/],
    ];
    for (const [args, message] of cases) {
      fails(dir, args, 2, message);
      expect(snapshot(dir)).toEqual(before);
    }
    fails(dir, ['add', 'k3', '--keyring', 'keyring.json', '--secret-stdin'], 2, /the secret on stdin is empty/, { input: '\n' });
    expect(snapshot(dir)).toEqual(before);
  });

  it('a refused operation exits 1 and leaves the file untouched', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'keyring.json', '--id', 'k1']);
    const before = snapshot(dir);
    fails(dir, ['remove', 'k1', '--keyring', 'keyring.json', '--force'], 1, /ERR_INVALID_KEYRING: key "k1" is the active key and cannot be removed/);
    fails(dir, ['disable', 'k1', '--keyring', 'keyring.json', '--force'], 1, /cannot be disabled/);
    fails(dir, ['promote', 'nope', '--keyring', 'keyring.json'], 1, /ERR_UNKNOWN_KEY/);
    fails(dir, ['add', 'short', '--keyring', 'keyring.json', '--secret-stdin'], 1, /ERR_INVALID_KEY: key "short": secret material is 5 bytes/, { input: 'short' });
    fails(dir, ['list', '--keyring', 'missing.json'], 1, /ERR_IO: could not read .*missing\.json: ENOENT/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('list prints ids, states and dates, never secrets; --json for scripts', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'keyring.json', '--id', 'k1']);
    ok(dir, ['add', 'k2', '--keyring', 'keyring.json', '--secret-stdin'], { input: 'ASDFGHJKL1234567' });
    const secrets = secretsOf(join(dir, 'keyring.json'));
    const text = ok(dir, ['list', '--keyring', 'keyring.json']);
    expect(text.split('\n')[0]).toMatch(/^ID\s+STATE\s+CREATED\s+ACTIVATES$/);
    expect(text).toMatch(/k1\s+active/);
    expect(text).toMatch(/k2\s+decrypt-only/);
    const json = JSON.parse(ok(dir, ['list', '--keyring', 'keyring.json', '--json']));
    expect(json.activeKeyId).toBe('k1');
    expect(json.keys.map((k: { id: string; state: string }) => `${k.id}:${k.state}`)).toEqual(['k1:active', 'k2:decrypt-only']);
    expectNoSecrets(text + JSON.stringify(json), [...secrets, 'ASDFGHJKL1234567']);
  });

  it('refuses a keyring file that is not JSON without quoting it', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'keyring.json']);
    const text = readFileSync(join(dir, 'keyring.json'), 'utf8');
    const secrets = secretsOf(join(dir, 'keyring.json'));
    writeFileSync(join(dir, 'broken.json'), text.slice(0, -5), { mode: 0o600 });
    const r = fails(dir, ['list', '--keyring', 'broken.json'], 1, /ERR_INVALID_KEYRING: keyring file .*broken\.json is not valid JSON/);
    expectNoSecrets(r.stderr, secrets);
    expect(run(dir, ['list', '--keyring', 'keyring.json']).status).toBe(0);
  });
});
