/**
 * The fingerprint covers a sealed file's generation: separate processes (on
 * the built package) that loaded the same generation of a keyring report the
 * same fingerprint, whichever loader they used and however the file was
 * sealed; a process that loaded another generation of the same keys reports
 * a different one.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Keyring, sealKeyring } from '../../src/index.js';
import { loadSealedKeyringFile, sealedGenerationOf } from '../../src/sources/index.js';
import { ok, workdir } from '../cli/helpers.js';

const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const MASTER = `base64:${Buffer.alloc(32, 7).toString('base64')}`;

/** The fingerprint a fresh process reports after loading `path` with `loader`. */
function fingerprintIn(loader: 'fromSealedFile' | 'fromEnv' | 'watch', path: string): string {
  const load = {
    fromSealedFile: `Keyring.fromSealedFile(${JSON.stringify(path)}, { masterKey: process.env.MK })`,
    fromEnv: 'Keyring.fromEnv({ KEYROLL_KEYRING_FILE: process.env.FILE, KEYROLL_MASTER_KEY: process.env.MK })',
    watch: `Keyring.watch(${JSON.stringify(path)}, { unlock: { masterKey: process.env.MK }, persistent: false })`,
  }[loader];
  const code = `import { Keyring } from ${JSON.stringify(DIST)};\nconst r = await ${load};\nconsole.log(r.fingerprint ? r.fingerprint() : r.current.fingerprint());\nif (r.close) await r.close();`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', code], { env: { PATH: process.env['PATH'] ?? '', MK: MASTER, FILE: path }, encoding: 'utf8', timeout: 20_000 });
  if (out.status !== 0) throw new Error(out.stderr);
  return out.stdout.trim();
}

describe('fingerprint and sealed generations', () => {
  it('equal generations give equal fingerprints across processes and loaders; another generation differs', async () => {
    const dir = workdir();
    const ring = Keyring.create({ keys: [{ id: 'k1', secret: 'a'.repeat(32) }] });
    const files = { g3: join(dir, 'g3.sealed'), g3b: join(dir, 'g3b.sealed'), g4: join(dir, 'g4.sealed') };
    writeFileSync(files.g3, await sealKeyring(ring, { masterKey: MASTER }, { generation: 3 }), { mode: 0o600 });
    writeFileSync(files.g3b, await sealKeyring(ring, { masterKey: MASTER }, { generation: 3 }), { mode: 0o600 });
    writeFileSync(files.g4, await sealKeyring(ring, { masterKey: MASTER }, { generation: 4 }), { mode: 0o600 });

    const g3 = ['fromSealedFile', 'fromEnv', 'watch'].map((l) => fingerprintIn(l as 'watch', files.g3));
    expect(new Set(g3).size).toBe(1);
    expect(g3[0]).toMatch(/^fp1\.[0-9a-f]{16}$/);
    expect(fingerprintIn('watch', files.g3b)).toBe(g3[0]); // sealed again (new salt and nonce), same generation
    const g4 = fingerprintIn('fromSealedFile', files.g4);
    expect(g4).not.toBe(g3[0]);
    expect(fingerprintIn('watch', files.g4)).toBe(g4);
    // The CLI reports what the service reports.
    expect(ok(dir, ['status', '--keyring', files.g4, '--master-key-env', 'MK'], { env: { MK: MASTER } })).toContain(g4);
    // The plain keyring (no generation) differs from both.
    expect([g3[0], g4]).not.toContain(ring.fingerprint());
    // In process, as documented: the generation follows the unsealed document.
    const doc = await loadSealedKeyringFile(files.g4, { masterKey: MASTER });
    expect(sealedGenerationOf(doc)).toBe(4);
    expect(Keyring.fromJSON(doc as object).fingerprint()).toBe(g4);
    expect(Keyring.fromJSON(JSON.stringify(doc)).fingerprint()).toBe(ring.fingerprint());
  }, 30_000);
});
