/** --keyring with manifests and directories, --keyring-env, keyroll import and keyroll status, through the BUILT CLI. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../src/index.js';
import { readSecret } from '../../src/cli/k8s-manifest.js';
import { expectNoSecrets, fails, ok, run, snapshot, workdir } from './helpers.js';

const OLD = 'ASDFGHJKL1234567';
const NEW = '0EE0D33AC67E4389AB2B46123729B875';
const MANIFEST_YAML = `apiVersion: v1
kind: Secret
metadata:
  name: app-keys
  namespace: prod
type: Opaque
stringData:
  ENCRYPTION_KEY: "${OLD}"
  ACTIVE_ENCRYPTION_KEY_NAME: mykey
  oldEncKeys.json: "{}"
`;
const manifestJson = (fields: Record<string, string>): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'app-keys', namespace: 'prod' },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  });
const PLATFORM_ENV = { ENCRYPTION_KEY: NEW, ACTIVE_ENCRYPTION_KEY_NAME: 'newkey', OLD_ENC_KEYS: JSON.stringify({ mykey: OLD }) };

/** A ring holding exactly the platform keys mykey (active) or newkey (active, mykey old). */
const ringOld = (): Keyring => Keyring.create({ keys: [{ id: 'mykey', secret: OLD }] });
const ringNew = (): Keyring => Keyring.create({ keys: [{ id: 'newkey', secret: NEW, state: 'active' }, { id: 'mykey', secret: OLD, state: 'decrypt-only' }] });

describe('--keyring with the platform layout', () => {
  it('reads a YAML or JSON manifest and a directory of key files; list, status, decrypt work on each', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'secret.yaml'), MANIFEST_YAML);
    writeFileSync(join(dir, 'secret.json'), manifestJson({ ENCRYPTION_KEY: OLD, ACTIVE_ENCRYPTION_KEY_NAME: 'mykey' }));
    mkdirSync(join(dir, 'mount'));
    writeFileSync(join(dir, 'mount', 'ENCRYPTION_KEY'), `${OLD}\n`);
    writeFileSync(join(dir, 'mount', 'ACTIVE_ENCRYPTION_KEY_NAME'), 'mykey\n');
    const stored = ringOld().encrypt('hello');
    const fingerprints = new Set<string>();
    for (const source of ['secret.yaml', 'secret.json', 'mount']) {
      expect(ok(dir, ['list', '--keyring', source, '--json'])).toContain('"activeKeyId":"mykey"');
      expect(ok(dir, ['decrypt', '--keyring', source], { input: stored })).toBe('hello');
      const status = ok(dir, ['status', '--keyring', source]);
      expectNoSecrets(status, [OLD]);
      fingerprints.add(/fingerprint {2}(fp1\.[0-9a-f]{16})/.exec(status)![1]!);
    }
    expect(fingerprints.size).toBe(1);
    // The platform policy (multiple of 16) is part of the keyring, so the fingerprint is the one a service computes from the same files.
    expect([...fingerprints][0]).toBe(Keyring.fromJSON({ format: 'keyroll.keyring', version: 1, policy: { secretLengthMultipleOf: 16 }, keys: [{ id: 'mykey', state: 'active', secret: OLD, encoding: 'utf8' }] }).fingerprint());
  });

  it('a command that changes the keyring writes the manifest back in its layout and syntax; a directory is refused', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'secret.json'), manifestJson({ ENCRYPTION_KEY: OLD, ACTIVE_ENCRYPTION_KEY_NAME: 'mykey', 'oldEncKeys.json': '{}', OTHER: 'kept' }));
    ok(dir, ['add', 'newkey', '--keyring', 'secret.json', '--secret-stdin', '--activate'], { input: NEW });
    const text = readFileSync(join(dir, 'secret.json'), 'utf8');
    expect(JSON.parse(text).kind).toBe('Secret');
    const fields = readSecret(text).fields;
    expect(fields.get('ACTIVE_ENCRYPTION_KEY_NAME')).toBe('newkey');
    expect(fields.get('ENCRYPTION_KEY')).toBe(NEW);
    expect(JSON.parse(fields.get('oldEncKeys.json')!)).toEqual({ mykey: OLD });
    expect(fields.get('OTHER')).toBe('kept');
    expect(readSecret(readFileSync(join(dir, 'secret.json.bak'), 'utf8')).fields.get('ACTIVE_ENCRYPTION_KEY_NAME')).toBe('mykey');
    // A pending key has no place in the platform layout: refused, nothing written.
    const before = snapshot(dir);
    fails(dir, ['add', 'k3', '--keyring', 'secret.json', '--generate', '--activate-at', '2099-01-01T00:00:00Z'], 1, /platform layout holds only the active key and decrypt-only keys/);
    expect(snapshot(dir)).toEqual(before);

    mkdirSync(join(dir, 'mount'));
    writeFileSync(join(dir, 'mount', 'ENCRYPTION_KEY'), OLD);
    writeFileSync(join(dir, 'mount', 'ACTIVE_ENCRYPTION_KEY_NAME'), 'mykey');
    fails(dir, ['add', 'newkey', '--keyring', 'mount', '--secret-stdin', '--activate'], 1, /directory of key files, which cannot be replaced in one atomic step/, { input: NEW });
    expect(readFileSync(join(dir, 'mount', 'ACTIVE_ENCRYPTION_KEY_NAME'), 'utf8')).toBe('mykey');
  });
});

describe('--keyring-env', () => {
  it('reads the platform variables: reencrypt works right after k8s-secret --rotate', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'current.yaml'), MANIFEST_YAML);
    const db = new Database(join(dir, 'app.db'));
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, token TEXT)');
    const old = ringOld();
    for (let id = 1; id <= 20; id++) db.prepare('INSERT INTO users VALUES (?, ?)').run(id, old.encrypt(`t${id}`));
    db.close();
    const next = run(dir, ['k8s-secret', '--rotate', '--from', 'current.yaml', '--new-id', 'newkey', '--secret-stdin'], { input: NEW });
    expect(next.status, next.stderr).toBe(0);
    const fields = readSecret(next.stdout).fields;
    // What the pod sees once the new Secret is applied: the same three values as variables.
    const env = { ENCRYPTION_KEY: fields.get('ENCRYPTION_KEY')!, ACTIVE_ENCRYPTION_KEY_NAME: fields.get('ACTIVE_ENCRYPTION_KEY_NAME')!, OLD_ENC_KEYS: fields.get('oldEncKeys.json')! };
    const out = ok(dir, ['reencrypt', '--db', 'sqlite:app.db', '--table', 'users', '--column', 'token', '--id', 'id', '--keyring-env', '--json'], { env });
    expect(JSON.parse(out)).toMatchObject({ reencrypted: 20, failed: 0 });
    const check = new Database(join(dir, 'app.db'), { readonly: true });
    const tokens = check.prepare('SELECT token FROM users').all() as Array<{ token: string }>;
    check.close();
    expect(tokens.every((r) => r.token.startsWith('kr1.newkey.'))).toBe(true);
    expect(tokens.map((r) => ringNew().decryptString(r.token)).sort()).toContain('t7');
    // The same keyring, read as a manifest, has the same fingerprint.
    writeFileSync(join(dir, 'next.yaml'), next.stdout);
    const a = JSON.parse(ok(dir, ['status', '--keyring-env', '--json'], { env })) as { fingerprint: string };
    const b = JSON.parse(ok(dir, ['status', '--keyring', 'next.yaml', '--json'])) as { fingerprint: string };
    expect(a.fingerprint).toBe(b.fingerprint);
  });

  it('reads the keyroll variables; refuses to write the environment and a mix of options', () => {
    const dir = workdir();
    const env = { KEYROLL_KEYRING: JSON.stringify(ringNew().export()) };
    expect(ok(dir, ['list', '--keyring-env', '--json'], { env })).toContain('"activeKeyId":"newkey"');
    fails(dir, ['retire', 'mykey', '--keyring-env'], 1, /the environment cannot be written/, { env });
    fails(dir, ['list', '--keyring-env', '--keyring', 'x.json'], 2, /not both/, { env });
    fails(dir, ['list', '--keyring-env'], 1, /ERR_INVALID_KEYRING: the environment holds no keyring/);
  });
});

describe('keyroll import', () => {
  const cases: Array<[string, string, (dir: string) => string[]]> = [
    ['the platform key file', 'keys.json', (dir) => (writeFileSync(join(dir, 'keys.json'), JSON.stringify({ activeKeyName: 'newkey', keys: { mykey: OLD, newkey: NEW } })), ['--from', 'keys.json'])],
    ['a YAML manifest', 'secret.yaml', (dir) => (writeFileSync(join(dir, 'secret.yaml'), MANIFEST_YAML.replace(`"${OLD}"`, `"${NEW}"`).replace('ACTIVE_ENCRYPTION_KEY_NAME: mykey', 'ACTIVE_ENCRYPTION_KEY_NAME: newkey').replace('"{}"', `'{"mykey":"${OLD}"}'`)), ['--from', 'secret.yaml'])],
    ['a JSON manifest', 'secret.json', (dir) => (writeFileSync(join(dir, 'secret.json'), manifestJson({ ENCRYPTION_KEY: NEW, ACTIVE_ENCRYPTION_KEY_NAME: 'newkey', 'oldEncKeys.json': JSON.stringify({ mykey: OLD }) })), ['--from', 'secret.json'])],
    ['a directory of key files', 'mount', (dir) => {
      mkdirSync(join(dir, 'mount'));
      writeFileSync(join(dir, 'mount', 'ENCRYPTION_KEY'), NEW);
      writeFileSync(join(dir, 'mount', 'ACTIVE_ENCRYPTION_KEY_NAME'), 'newkey');
      writeFileSync(join(dir, 'mount', 'oldEncKeys.json'), JSON.stringify({ mykey: OLD }));
      return ['--from', 'mount'];
    }],
    ['the platform variables', '', () => ['--keyring-env']],
  ];
  for (const [what, , args] of cases) {
    it(`converts ${what} into a keyroll keyring: plain, or sealed when asked`, async () => {
      const dir = workdir();
      const from = args(dir);
      const env = { ...PLATFORM_ENV, MASTER: 'ab'.repeat(32) };
      const printed = ok(dir, ['import', ...from, '--out', 'keyring.json'], { env });
      expect(printed).toMatch(/imported 2 keys from .* into .*keyring\.json; active key "newkey"/);
      expectNoSecrets(printed, [OLD, NEW]);
      const ring = await Keyring.fromFile(join(dir, 'keyring.json'));
      expect(ring.keys().map((k) => [k.id, k.state])).toEqual([['newkey', 'active'], ['mykey', 'decrypt-only']]);
      expect(ring.decryptString(ringOld().encrypt('old row'))).toBe('old row');
      expect(ringNew().decryptString(ring.encrypt('new row'))).toBe('new row');
      ok(dir, ['import', ...from, '--out', 'keyring.sealed', '--master-key-env', 'MASTER'], { env });
      const sealed = await Keyring.fromSealedFile(join(dir, 'keyring.sealed'), { masterKey: 'ab'.repeat(32) });
      expect(Keyring.fromJSON(sealed.export()).fingerprint()).toBe(ring.fingerprint()); // the sealed one also covers its generation
    });
  }

  it('refuses bad input without writing, never quoting a secret', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ activeKeyName: 'gone', keys: { mykey: OLD } }));
    writeFileSync(join(dir, 'short.json'), JSON.stringify({ activeKeyName: 'mykey', keys: { mykey: 'too-short-secret-x' } }));
    writeFileSync(join(dir, 'ring.json'), JSON.stringify(ringOld().export()));
    writeFileSync(join(dir, 'junk.txt'), 'hello');
    const before = snapshot(dir);
    fails(dir, ['import', '--from', 'keys.json', '--out', 'out.json'], 1, /activeKeyName names key "gone", which is not in "keys"/);
    const short = fails(dir, ['import', '--from', 'short.json', '--out', 'out.json'], 1, /ERR_INVALID_KEY: key "mykey".*multiple of 16/);
    expect(short.stderr).not.toContain('too-short-secret-x');
    fails(dir, ['import', '--from', 'ring.json', '--out', 'out.json'], 2, /already a keyroll keyring/);
    fails(dir, ['import', '--from', 'junk.txt', '--out', 'out.json'], 2, /neither the platform key file/);
    fails(dir, ['import', '--out', 'out.json'], 2, /exactly one of --from FILE and --keyring-env/);
    fails(dir, ['import', '--from', 'keys.json', '--out', 'ring.json'], 2, /exists; pass --force/);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('keyroll k8s-secret', () => {
  it('--rotate reads a JSON manifest and prints JSON; rotates the keyroll layout too', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'platform.json'), manifestJson({ ENCRYPTION_KEY: OLD, ACTIVE_ENCRYPTION_KEY_NAME: 'mykey' }));
    const json = ok(dir, ['k8s-secret', '--rotate', '--from', 'platform.json', '--new-id', 'newkey', '--secret-stdin'], { input: NEW });
    expect(JSON.parse(json).metadata).toEqual({ name: 'app-keys', namespace: 'prod' });
    expect(readSecret(json).fields.get('ACTIVE_ENCRYPTION_KEY_NAME')).toBe('newkey');

    writeFileSync(join(dir, 'keyroll.yaml'), ok(dir, ['k8s-secret', '--keyring', 'platform.json', '--name', 'app-keys']));
    const rotated = ok(dir, ['k8s-secret', '--rotate', '--from', 'keyroll.yaml', '--new-id', 'k3', '--generate']);
    const fields = readSecret(rotated).fields;
    expect([...fields.keys()]).toEqual(['keyring.json']);
    const ring = Keyring.fromJSON(fields.get('keyring.json')!);
    expect(ring.activeKeyId).toBe('k3');
    expect(ring.get('mykey')?.state).toBe('decrypt-only');
    expect(ring.decryptString(ringOld().encrypt('x'))).toBe('x');
  });
});

describe('keyroll status', () => {
  it('prints the fingerprint, the active key and the time left before each pending key; --json for scripts', () => {
    const dir = workdir();
    const at = new Date(Date.now() + 2 * 3600_000 + 5 * 60_000);
    const ring = ringOld().add({ id: 'k2', secret: NEW }, { activatesAt: at });
    writeFileSync(join(dir, 'keyring.json'), JSON.stringify(ring.export()));
    const text = ok(dir, ['status', '--keyring', 'keyring.json']);
    expect(text).toContain(`fingerprint  ${ring.fingerprint()}\n`);
    expect(text).toContain('active       mykey\n');
    expect(text).toMatch(new RegExp(`pending {6}k2 activates at ${at.toISOString().replace(/\./g, '\\.')} \\(in 2h [45]m\\)`));
    expectNoSecrets(text, [OLD, NEW]);
    const json = JSON.parse(ok(dir, ['status', '--keyring', 'keyring.json', '--json'])) as { fingerprint: string; activeKeyId: string; pending: Array<{ id: string; inSeconds: number }> };
    expect(json.fingerprint).toBe(ring.fingerprint());
    expect(json.pending.map((p) => p.id)).toEqual(['k2']);
    expect(json.pending[0]!.inSeconds).toBeGreaterThan(2 * 3600);
    fails(dir, ['status'], 2, /--keyring FILE is required/);
  });
});
