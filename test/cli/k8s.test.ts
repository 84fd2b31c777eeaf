import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../src/index.js';
import { readSecret } from '../../src/cli/k8s-manifest.js';
import { fails, ok, run, snapshot, workdir } from './helpers.js';

/** Mounts a manifest's fields as files, as Kubernetes does, and loads the keyring from there. */
async function mount(manifest: string): Promise<Keyring> {
  const dir = join(workdir(), 'mount');
  mkdirSync(dir);
  for (const [field, value] of readSecret(manifest).fields) writeFileSync(join(dir, field), value);
  return Keyring.fromDirectory(dir);
}

const HAND_WRITTEN = `# the manual procedure's starting point
apiVersion: v1
kind: Secret
metadata:
  name: app-keys   # used by the web deployment
  namespace: prod
  labels:
    app: web
type: Opaque
stringData:
  ENCRYPTION_KEY: "ASDFGHJKL1234567"
  ACTIVE_ENCRYPTION_KEY_NAME: 'mykey'
  oldEncKeys.json: |
    {}
`;

describe('keyroll k8s-secret', () => {
  it('--rotate performs the platform rotation of the issue in one step', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'current.yaml'), HAND_WRITTEN);
    const before = await mount(HAND_WRITTEN);
    const stored = before.encrypt('row 1');
    expect(stored.startsWith('kr1.mykey.')).toBe(true);

    const r = run(dir, ['k8s-secret', '--rotate', '--from', 'current.yaml', '--new-id', 'newkey', '--secret-stdin'], { input: '0EE0D33AC67E4389AB2B46123729B875\n' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/new active key "newkey"; "mykey" moved to oldEncKeys.json/);
    const manifest = r.stdout;
    expect(manifest).toMatch(/^apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-keys\n  namespace: prod\ntype: Opaque\ndata:\n/);
    const fields = readSecret(manifest).fields;
    expect([...fields.keys()].sort()).toEqual(['ACTIVE_ENCRYPTION_KEY_NAME', 'ENCRYPTION_KEY', 'oldEncKeys.json']);
    expect(fields.get('ENCRYPTION_KEY')).toBe('0EE0D33AC67E4389AB2B46123729B875');
    expect(fields.get('ACTIVE_ENCRYPTION_KEY_NAME')).toBe('newkey');
    expect(JSON.parse(fields.get('oldEncKeys.json')!)).toEqual({ mykey: 'ASDFGHJKL1234567' });
    expect(manifest).toContain(`ENCRYPTION_KEY: ${Buffer.from('0EE0D33AC67E4389AB2B46123729B875').toString('base64')}`);

    const after = await mount(manifest);
    expect(after.decryptString(stored)).toBe('row 1');
    expect(after.encrypt('row 2').startsWith('kr1.newkey.')).toBe(true);

    // And again, from the manifest keyroll printed, with a generated secret.
    writeFileSync(join(dir, 'next.yaml'), manifest);
    const third = ok(dir, ['k8s-secret', '--rotate', '--from', 'next.yaml', '--new-id', 'k3', '--generate', '--namespace', 'staging']);
    const thirdFields = readSecret(third).fields;
    expect(thirdFields.get('ENCRYPTION_KEY')).toMatch(/^[0-9A-F]{32}$/);
    expect(JSON.parse(thirdFields.get('oldEncKeys.json')!)).toEqual({ mykey: 'ASDFGHJKL1234567', newkey: '0EE0D33AC67E4389AB2B46123729B875' });
    expect(third).toContain('namespace: staging');
    expect((await mount(third)).decryptString(stored)).toBe('row 1');
  });

  it('--rotate refuses what it cannot do, with exit 2 for usage and 1 for a bad manifest', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'current.yaml'), HAND_WRITTEN);
    writeFileSync(join(dir, 'short.yaml'), HAND_WRITTEN.replace('ASDFGHJKL1234567', 'ABCDEFGHIJ0123456789'));
    const before = snapshot(dir);
    fails(dir, ['k8s-secret', '--rotate', '--from', 'current.yaml', '--new-id', 'mykey', '--generate'], 2, /key id "mykey" is already in/);
    fails(dir, ['k8s-secret', '--rotate', '--from', 'current.yaml', '--generate'], 2, /--new-id is required/);
    fails(dir, ['k8s-secret', '--rotate', '--from', 'current.yaml', '--new-id', 'n'], 2, /exactly one of --generate and --secret-stdin/);
    fails(dir, ['k8s-secret', '--rotate', '--new-id', 'n', '--generate'], 2, /needs --from MANIFEST/);
    fails(dir, ['k8s-secret', '--rotate', '--from', '-', '--new-id', 'n', '--secret-stdin'], 2, /both want stdin/);
    const short = fails(dir, ['k8s-secret', '--rotate', '--from', 'short.yaml', '--new-id', 'n', '--generate'], 1, /ERR_INVALID_KEY: key "mykey".*20 characters.*multiple of 16/);
    expect(short.stderr).not.toContain('ABCDEFGHIJ0123456789');
    fails(dir, ['k8s-secret', '--rotate', '--from', 'current.yaml', '--new-id', 'n', '--secret-stdin'], 1, /ERR_INVALID_KEY: key "n".*multiple of 16/, { input: 'twenty-characters-xx' });
    expect(snapshot(dir)).toEqual(before);
  });

  it('prints both layouts from a keyring file, and they load back', async () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'kr.json', '--id', 'k1']);
    const ring = await Keyring.fromFile(join(dir, 'kr.json'));
    const keyroll = ok(dir, ['k8s-secret', '--keyring', 'kr.json', '--name', 'app-keys', '--namespace', 'prod']);
    expect([...readSecret(keyroll).fields.keys()]).toEqual(['keyring.json']);
    expect((await mount(keyroll)).decryptString(ring.encrypt('x'))).toBe('x');

    ok(dir, ['init', '--keyring', 'p.json', '--id', 'p1', '--platform']);
    ok(dir, ['add', 'p2', '--keyring', 'p.json', '--generate', '--activate']);
    const platform = ok(dir, ['k8s-secret', '--keyring', 'p.json', '--name', 'app-keys', '--layout', 'platform']);
    const fields = readSecret(platform).fields;
    expect(fields.get('ACTIVE_ENCRYPTION_KEY_NAME')).toBe('p2');
    expect(Object.keys(JSON.parse(fields.get('oldEncKeys.json')!))).toEqual(['p1']);
    const pRing = await Keyring.fromFile(join(dir, 'p.json'));
    expect((await mount(platform)).decryptString(pRing.encrypt('y'))).toBe('y');
  });

  it('a platform keyring file built from current values, rotated in two deploys', async () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'p.json', '--platform', '--id', 'mykey', '--secret-stdin'], { input: 'ASDFGHJKL1234567\n' });
    ok(dir, ['add', 'newkey', '--keyring', 'p.json', '--secret-stdin'], { input: '0EE0D33AC67E4389AB2B46123729B875' });
    const first = readSecret(ok(dir, ['k8s-secret', '--keyring', 'p.json', '--name', 'app-keys', '--layout', 'platform'])).fields;
    expect(first.get('ACTIVE_ENCRYPTION_KEY_NAME')).toBe('mykey');
    expect(JSON.parse(first.get('oldEncKeys.json')!)).toEqual({ newkey: '0EE0D33AC67E4389AB2B46123729B875' });
    ok(dir, ['promote', 'newkey', '--keyring', 'p.json']);
    const second = readSecret(ok(dir, ['k8s-secret', '--keyring', 'p.json', '--name', 'app-keys', '--layout', 'platform'])).fields;
    expect(Object.fromEntries(second)).toEqual({ ACTIVE_ENCRYPTION_KEY_NAME: 'newkey', ENCRYPTION_KEY: '0EE0D33AC67E4389AB2B46123729B875', 'oldEncKeys.json': '{"mykey":"ASDFGHJKL1234567"}' });
    fails(dir, ['add', 'bad', '--keyring', 'p.json', '--secret-stdin'], 1, /multiple of 16/, { input: 'ABCDEFGHIJ0123456789' });
    fails(dir, ['add', 'bad', '--keyring', 'p.json', '--secret-stdin'], 1, /printable ASCII/, { input: 'ÄSDFGHJKL123456' });
    fails(dir, ['init', '--keyring', 'q.json', '--platform', '--secret-stdin'], 1, /printable ASCII/, { input: 'ÄSDFGHJKL123456' });
    fails(dir, ['init', '--keyring', 'q.json', '--encoding', 'hex'], 2, /--encoding applies to --secret-stdin only/);
    fails(dir, ['add', 'gen', '--keyring', 'p.json', '--generate', '--bytes', '32'], 2, /drop --bytes/);
    ok(dir, ['add', 'gen', '--keyring', 'p.json', '--generate']);
    expect((JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8')) as { keys: Array<{ id: string; secret: string }> }).keys.find((k) => k.id === 'gen')?.secret).toMatch(/^[0-9A-F]{32}$/);
  });

  it('refuses the platform layout for keys it cannot express, and bad names', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'kr.json', '--id', 'k1']);
    fails(dir, ['k8s-secret', '--keyring', 'kr.json', '--name', 'x', '--layout', 'platform'], 1, /key "k1" has a base64url secret; the platform layout holds raw ASCII strings only/);
    ok(dir, ['init', '--keyring', 'p.json', '--id', 'p1', '--platform']);
    ok(dir, ['add', 'p2', '--keyring', 'p.json', '--generate', '--activate-at', '2099-01-01T00:00:00Z']);
    fails(dir, ['k8s-secret', '--keyring', 'p.json', '--name', 'x', '--layout', 'platform'], 1, /key "p2" is pending/);
    fails(dir, ['k8s-secret', '--keyring', 'kr.json'], 2, /--name NAME is required/);
    fails(dir, ['k8s-secret', '--keyring', 'kr.json', '--name', 'Bad_Name'], 2, /--name must be a DNS subdomain/);
    fails(dir, ['k8s-secret', '--keyring', 'kr.json', '--name', 'x', '--layout', 'vault'], 2, /--layout must be keyroll or platform/);
    fails(dir, ['k8s-secret', '--keyring', 'kr.json', '--name', 'x', '--new-id', 'y'], 2, /--new-id applies to --rotate only/);
  });
});
