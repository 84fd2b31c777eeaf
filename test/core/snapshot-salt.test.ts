import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../../dist/index.cjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'keyroll-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A snapshot entry must be one script (Node 20 loads no user modules while
// building one), so the built CJS package is bundled into it.
const ENTRY = `
const v8 = require('node:v8');
const { Keyring } = require(${JSON.stringify(dist)});
const ring = Keyring.create({ keys: [{ id: 'k', secret: 'snapshot-test-secret-0123456789' }] });
ring.encryptToBytes('drawn before the snapshot: the salt pool is full now');
v8.startupSnapshot.setDeserializeMainFunction(() => {
  const envelope = ring.encryptToBytes('x');
  // Binary layout: version, suite, idLen (1), key id 'k', then the 16-byte salt.
  process.stdout.write(Buffer.from(envelope.subarray(4, 20)).toString('hex'));
});
`;

describe('the CSPRNG salt pool does not survive a V8 startup snapshot', () => {
  it('two processes started from one snapshot draw different salts', () => {
    const entry = join(dir, 'entry.js');
    writeFileSync(join(dir, 'src.js'), ENTRY);
    buildSync({ entryPoints: [join(dir, 'src.js')], bundle: true, platform: 'node', format: 'cjs', outfile: entry, logLevel: 'silent' });
    const blob = join(dir, 'snap.blob');
    execFileSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', entry], { cwd: dir, stdio: 'pipe' });
    const run = () => execFileSync(process.execPath, ['--snapshot-blob', blob], { cwd: dir, encoding: 'utf8' });
    const [a, b, c] = [run(), run(), run()];
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set([a, b, c]).size).toBe(3);
  }, 60_000);
});
