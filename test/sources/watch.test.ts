/** Keyring.watch: reloads on rename, on a Kubernetes ..data swap, keeps the last good keyring, counts across reloads. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Keyring, KeyrollError, generateKey, writeKeyringFile, type KeyringWatcher } from '../../src/index.js';
import { expectKeyrollError, tempDir } from './helpers.js';

const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const MASTER = 'c'.repeat(64);
const open: KeyringWatcher[] = [];
afterEach(async () => {
  for (const w of open.splice(0)) await w.close();
});

/** Resolves with the next keyring `onReload` reports (or the next error, for `errors`). */
function events<T>(): { push: (value: T) => void; next: () => Promise<T> } {
  const queue: T[] = [];
  const waiting: Array<(value: T) => void> = [];
  return {
    push: (value) => (waiting.length > 0 ? waiting.shift()!(value) : queue.push(value)),
    next: () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiting.push(resolve))),
  };
}

async function watch(path: string, extra: Parameters<typeof Keyring.watch>[1] = {}) {
  const reloads = events<Keyring>();
  const errors = events<KeyrollError>();
  const watcher = await Keyring.watch(path, { debounceMs: 20, pollIntervalMs: false, onReload: reloads.push, onError: errors.push, ...extra });
  open.push(watcher);
  return { watcher, reloads, errors };
}

const ringOf = (...ids: string[]): Keyring => Keyring.create({ keys: ids.map((id, i) => ({ ...generateKeySpec(id), state: i === 0 ? 'active' : 'decrypt-only' })) });
const generateKeySpec = (id: string) => ({ id, secret: Buffer.from(id.padEnd(32, '*')) });

describe('Keyring.watch', () => {
  it('reloads when the file is replaced by rename (fs events alone)', async () => {
    const dir = tempDir();
    const path = join(dir, 'keyring.json');
    await writeKeyringFile(path, ringOf('k1'));
    const { watcher, reloads } = await watch(path);
    const before = watcher.encrypt('row');
    expect(watcher.activeKeyId).toBe('k1');
    await writeKeyringFile(path, ringOf('k2', 'k1')); // temp file + rename
    const ring = await reloads.next();
    expect(ring.activeKeyId).toBe('k2');
    expect(watcher.current).toBe(ring);
    expect(watcher.encrypt('x').startsWith('kr1.k2.')).toBe(true);
    expect(watcher.decryptString(before)).toBe('row');
  });

  it('reloads on a Kubernetes-style ..data symlink swap, as a directory and as a file in it', async () => {
    const dir = tempDir();
    const publish = (stamp: string, fields: Record<string, string>): void => {
      mkdirSync(join(dir, stamp));
      for (const [name, value] of Object.entries(fields)) writeFileSync(join(dir, stamp, name), value);
      symlinkSync(stamp, join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data')); // atomic, as the kubelet does
    };
    publish('..2026_12_01_00_00_00.000000001', { ENCRYPTION_KEY: 'ASDFGHJKL1234567', ACTIVE_ENCRYPTION_KEY_NAME: 'mykey', 'oldEncKeys.json': '{}', 'keyring.json.txt': 'x' });
    for (const name of ['ENCRYPTION_KEY', 'ACTIVE_ENCRYPTION_KEY_NAME', 'oldEncKeys.json']) symlinkSync(join('..data', name), join(dir, name));
    const { watcher, reloads } = await watch(dir);
    expect(watcher.activeKeyId).toBe('mykey');
    const stored = watcher.encrypt('row');
    publish('..2026_12_01_01_00_00.000000002', { ENCRYPTION_KEY: '0EE0D33AC67E4389AB2B46123729B875', ACTIVE_ENCRYPTION_KEY_NAME: 'newkey', 'oldEncKeys.json': '{"mykey":"ASDFGHJKL1234567"}' });
    expect((await reloads.next()).activeKeyId).toBe('newkey');
    expect(watcher.decryptString(stored)).toBe('row');

    // The keyroll layout's single file, watched through its symlink.
    const dir2 = tempDir();
    const doc = (ring: Keyring) => JSON.stringify(ring.export());
    mkdirSync(join(dir2, '..v1'));
    writeFileSync(join(dir2, '..v1', 'keyring.json'), doc(ringOf('k1')));
    symlinkSync('..v1', join(dir2, '..data'));
    symlinkSync(join('..data', 'keyring.json'), join(dir2, 'keyring.json'));
    const file = await watch(join(dir2, 'keyring.json'));
    mkdirSync(join(dir2, '..v2'));
    writeFileSync(join(dir2, '..v2', 'keyring.json'), doc(ringOf('k2', 'k1')));
    symlinkSync('..v2', join(dir2, '..data_tmp'));
    renameSync(join(dir2, '..data_tmp'), join(dir2, '..data'));
    expect((await file.reloads.next()).activeKeyId).toBe('k2');
  });

  it('a torn write, a bad document or the wrong master key keeps the last good keyring and reports once', async () => {
    const dir = tempDir();
    const path = join(dir, 'keyring.json');
    const good = ringOf('k2', 'k1');
    await writeKeyringFile(path, ringOf('k1'));
    const { watcher, reloads, errors } = await watch(path);
    const text = `${JSON.stringify(good.export(), null, 2)}\n`;
    writeFileSync(path, text.slice(0, text.length / 2)); // a writer that does not rename, caught mid-write
    const torn = await errors.next();
    expect(torn.code).toBe('ERR_INVALID_KEYRING');
    expect(torn.message).not.toContain(text.slice(40, 80));
    expect(watcher.activeKeyId).toBe('k1');
    writeFileSync(path, text);
    expect((await reloads.next()).activeKeyId).toBe('k2');

    writeFileSync(path, JSON.stringify({ ...good.export(), keys: [] }));
    expect((await errors.next()).code).toBe('ERR_INVALID_KEYRING');
    expect(await watcher.reload()).toBe(false); // the same bad content: not reported again, not swapped
    expect(watcher.activeKeyId).toBe('k2');

    const sealedPath = join(dir, 'keyring.sealed');
    await writeKeyringFile(sealedPath, ringOf('s1'), { seal: { masterKey: MASTER } });
    const sealed = await watch(sealedPath, { unlock: { masterKey: MASTER } });
    await writeKeyringFile(sealedPath, ringOf('s2', 's1'), { seal: { masterKey: 'd'.repeat(64) } });
    expect((await sealed.errors.next()).code).toBe('ERR_DECRYPT_FAILED');
    expect(sealed.watcher.activeKeyId).toBe('s1');
    await writeKeyringFile(sealedPath, ringOf('s2', 's1'), { seal: { masterKey: MASTER } });
    expect((await sealed.reloads.next()).activeKeyId).toBe('s2');
  });

  it('usage counts and onDecrypt continue across reloads', async () => {
    const dir = tempDir();
    const path = join(dir, 'keyring.json');
    await writeKeyringFile(path, ringOf('k1'));
    const seen: string[] = [];
    const { watcher, reloads } = await watch(path, { onDecrypt: (e) => seen.push(`${e.keyId}:${e.stale}`) });
    const a = watcher.encrypt('a');
    watcher.decrypt(a);
    await writeKeyringFile(path, ringOf('k2', 'k1'));
    await reloads.next();
    watcher.decrypt(a);
    watcher.decrypt(watcher.encrypt('b'));
    const byId = new Map(watcher.stats().map((s) => [s.keyId, s]));
    expect(byId.get('k1')).toMatchObject({ encryptions: 1, decryptions: 2, staleDecryptions: 1 });
    expect(byId.get('k2')).toMatchObject({ encryptions: 1, decryptions: 1, staleDecryptions: 0 });
    expect(seen).toEqual(['k1:false', 'k1:true', 'k2:false']);
  });

  it('polling alone picks up a change (filesystems without events)', async () => {
    const dir = tempDir();
    const path = join(dir, 'keyring.json');
    await writeKeyringFile(path, ringOf('k1'));
    const { reloads } = await watch(path, { pollIntervalMs: 20 });
    // Replace the file through a symlink in another directory, which a watch of this directory cannot see.
    const elsewhere = tempDir();
    await writeKeyringFile(join(elsewhere, 'real.json'), ringOf('k2', 'k1'));
    const link = join(dir, 'link.json');
    symlinkSync(join(elsewhere, 'real.json'), link);
    const viaLink = await watch(link, { pollIntervalMs: 20 });
    await writeKeyringFile(join(elsewhere, 'real.json'), ringOf('k3', 'k2', 'k1'));
    expect((await viaLink.reloads.next()).activeKeyId).toBe('k3');
    void reloads;
  });

  it('refuses bad arguments; the first load fails loudly', async () => {
    const dir = tempDir();
    await expectKeyrollError(() => Keyring.watch(join(dir, 'missing.json')), 'ERR_IO');
    await writeKeyringFile(join(dir, 'k.json'), ringOf('k1'));
    await expectKeyrollError(() => Keyring.watch(join(dir, 'k.json'), { onReloads: () => undefined } as never), 'ERR_INVALID_ARGUMENT');
    await expectKeyrollError(() => Keyring.watch(join(dir, 'k.json'), { pollIntervalMs: -1 }), 'ERR_INVALID_ARGUMENT');
    await expectKeyrollError(() => Keyring.watch('' as string), 'ERR_INVALID_ARGUMENT');
    await writeKeyringFile(join(dir, 's.sealed'), ringOf('k1'), { seal: { masterKey: MASTER } });
    await expectKeyrollError(() => Keyring.watch(join(dir, 's.sealed')), 'ERR_INVALID_KEYRING');
  });
});

describe('Keyring.watch across processes (built dist)', () => {
  const node = (script: string, env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env['PATH'] ?? '', ...env } });

  it('close() releases everything: a persistent watcher lets the process exit once closed', async () => {
    const dir = tempDir();
    await writeKeyringFile(join(dir, 'k.json'), ringOf('k1'));
    const script = `
      import { Keyring } from ${JSON.stringify(DIST)};
      const w = await Keyring.watch(${JSON.stringify(join(dir, 'k.json'))}, { persistent: true, pollIntervalMs: 50 });
      await w.reload();
      await w.close();
      await new Promise((resolve) => setTimeout(resolve, 10)); // let the handles' close callbacks run
      const left = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
      console.log(JSON.stringify(left));`;
    const r = node(script);
    expect(r.signal, 'the process did not exit by itself').toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('two processes that load the same keyring report the same fingerprint, whatever their clocks and time zones', async () => {
    const dir = tempDir();
    const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] }).add(generateKey({ id: 'k2' }), { activatesAt: new Date(Date.now() + 3_600_000) });
    await writeKeyringFile(join(dir, 'k.json'), ring);
    await writeKeyringFile(join(dir, 'k.sealed'), ring, { seal: { masterKey: MASTER } });
    const script = (file: string, unlock: string, clock: string) => `
      import { Keyring } from ${JSON.stringify(DIST)};
      const w = await Keyring.watch(${JSON.stringify(join(dir, file))}, { ${unlock} clock: () => ${clock} });
      console.log(w.fingerprint() + ' ' + w.activeKeyId);
      await w.close();`;
    const a = node(script('k.sealed', `unlock: { masterKey: ${JSON.stringify(MASTER)} },`, 'Date.now()'), { TZ: 'Pacific/Auckland' });
    const b = node(script('k.sealed', `unlock: { masterKey: ${JSON.stringify(MASTER)} },`, 'Date.now() + 7_200_000'), { TZ: 'America/Los_Angeles' });
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    const [fa, activeA] = a.stdout.trim().split(' ');
    const [fb, activeB] = b.stdout.trim().split(' ');
    expect([activeA, activeB]).toEqual(['k1', 'k2']); // their clocks differ...
    expect(fa).toMatch(/^fp1\.[0-9a-f]{16}$/);
    expect(fb).toBe(fa); // ...the keyring they hold does not
    expect(fa).toBe((await Keyring.fromSealedFile(join(dir, 'k.sealed'), { masterKey: MASTER })).fingerprint());
    // The plain file holds the same keys but no generation: another fingerprint.
    expect((await Keyring.fromFile(join(dir, 'k.json'))).fingerprint()).not.toBe(fa);
  });
});

describe('Keyring.watch with minGeneration', () => {
  it('refuses a sealed file older than the minimum, at start and on reload (the last good keyring stays)', async () => {
    const dir = tempDir();
    const path = join(dir, 'keyring.sealed');
    await writeKeyringFile(path, ringOf('k1'), { seal: { masterKey: MASTER }, generation: 5 });
    await expectKeyrollError(() => Keyring.watch(path, { unlock: { masterKey: MASTER }, minGeneration: 6, pollIntervalMs: false }), 'ERR_INVALID_KEYRING');
    const { watcher, errors } = await watch(path, { unlock: { masterKey: MASTER }, minGeneration: 5 });
    expect(watcher.activeKeyId).toBe('k1');
    await writeKeyringFile(path, ringOf('k2', 'k1'), { seal: { masterKey: MASTER }, generation: 4 }); // a rolled-back copy
    const err = await errors.next();
    expect(err.code).toBe('ERR_INVALID_KEYRING');
    expect(err.message).toMatch(/generation 4, older than the minimum 5/);
    expect(watcher.activeKeyId).toBe('k1');
  });
});
