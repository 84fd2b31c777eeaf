import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../src/index.js';
import { decryptFile } from '../../src/stream/index.js';
import { fails, ok, run, workdir } from './helpers.js';

describe('keyroll encrypt / decrypt with streaming envelopes', () => {
  it('--in/--out round trip with a context; the output is a stream the library opens; inspect --in reads it', async () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'kr.json', '--id', 'k1']);
    const data = randomBytes(300_000);
    writeFileSync(join(dir, 'plain'), data);
    ok(dir, ['encrypt', '--keyring', 'kr.json', '--in', 'plain', '--out', 'sealed', '--segment-size', '4096', '--context', 'file=plain']);
    expect(statSync(join(dir, 'sealed')).mode & 0o777).toBe(0o600);
    const ring = await Keyring.fromFile(join(dir, 'kr.json'));
    await decryptFile(ring, join(dir, 'sealed'), join(dir, 'lib-out'), { context: { file: 'plain' } });
    expect(readFileSync(join(dir, 'lib-out')).equals(data)).toBe(true);
    ok(dir, ['decrypt', '--keyring', 'kr.json', '--in', 'sealed', '--out', 'back', '--context', 'file=plain']);
    expect(readFileSync(join(dir, 'back')).equals(data)).toBe(true);
    const info = JSON.parse(ok(dir, ['inspect', '--in', 'sealed', '--json'])) as Record<string, unknown>;
    expect(info).toMatchObject({ keyId: 'k1', form: 'stream', segmentSize: 4096, plaintextLength: 300_000 });
  });

  it('stdin to stdout with --stream, and decrypt detects the format on stdin', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'kr.json']);
    const data = randomBytes(100_000);
    const sealed = run(dir, ['encrypt', '--keyring', 'kr.json', '--stream'], { input: data });
    expect(sealed.status, sealed.stderr).toBe(0);
    const back = run(dir, ['decrypt', '--keyring', 'kr.json'], { input: sealed.stdoutBytes });
    expect(back.status, back.stderr).toBe(0);
    expect(back.stdoutBytes.equals(data)).toBe(true);
    const empty = run(dir, ['encrypt', '--keyring', 'kr.json', '--stream'], { input: Buffer.alloc(0) });
    const emptyBack = run(dir, ['decrypt', '--keyring', 'kr.json'], { input: empty.stdoutBytes });
    expect([emptyBack.status, emptyBack.stdoutBytes.length]).toEqual([0, 0]);
    // Text envelopes still work as before, also through --in / --out.
    const text = ok(dir, ['encrypt', '--keyring', 'kr.json'], { input: 'small' });
    writeFileSync(join(dir, 'env.txt'), text);
    ok(dir, ['decrypt', '--keyring', 'kr.json', '--in', 'env.txt', '--out', 'small.out']);
    expect(readFileSync(join(dir, 'small.out'), 'utf8')).toBe('small');
  });

  it('a failing decryption (tampered segment, truncation, wrong context) exits 1 and leaves no --out file', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'kr.json', '--id', 'k1']);
    writeFileSync(join(dir, 'plain'), randomBytes(50_000));
    ok(dir, ['encrypt', '--keyring', 'kr.json', '--in', 'plain', '--out', 'sealed', '--segment-size', '1024']);
    const sealed = readFileSync(join(dir, 'sealed'));
    const flipped = Buffer.from(sealed);
    flipped[80 + 20 * 1040 + 3]! ^= 1;
    writeFileSync(join(dir, 'flipped'), flipped);
    writeFileSync(join(dir, 'cut'), sealed.subarray(0, 80 + 30 * 1040));
    fails(dir, ['decrypt', '--keyring', 'kr.json', '--in', 'flipped', '--out', 'o1'], 1, /ERR_DECRYPT_FAILED.*segment 20/);
    fails(dir, ['decrypt', '--keyring', 'kr.json', '--in', 'cut', '--out', 'o2'], 1, /ERR_DECRYPT_FAILED.*truncated/);
    fails(dir, ['decrypt', '--keyring', 'kr.json', '--in', 'sealed', '--out', 'o3', '--context', 'a=b'], 1, /ERR_DECRYPT_FAILED/);
    const stdout = run(dir, ['decrypt', '--keyring', 'kr.json', '--in', 'cut']);
    expect(stdout.status).toBe(1);
    for (const name of ['o1', 'o2', 'o3']) expect(existsSync(join(dir, name))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    fails(dir, ['encrypt', '--keyring', 'kr.json', '--segment-size', '4096'], 2, /--segment-size applies to streaming/, { input: 'x' });
    fails(dir, ['encrypt', '--keyring', 'kr.json', '--stream', '--segment-size', '8'], 1, /ERR_INVALID_ARGUMENT/, { input: 'x' });
    fails(dir, ['encrypt', '--keyring', 'kr.json', '--in', 'missing', '--out', 'x'], 1, /ERR_IO/);
  });

  it('reencrypt-file rewrites stream files under the active key in place, atomically', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'kr.json', '--id', 'old']);
    const data = randomBytes(20_000);
    writeFileSync(join(dir, 'plain'), data);
    ok(dir, ['encrypt', '--keyring', 'kr.json', '--in', 'plain', '--out', 'a.kr', '--context', 'f=a']);
    ok(dir, ['add', 'new', '--keyring', 'kr.json', '--generate', '--activate']);
    expect(ok(dir, ['reencrypt-file', '--keyring', 'kr.json', '--context', 'f=a', 'a.kr'])).toBe('a.kr: old -> new\n');
    expect(ok(dir, ['reencrypt-file', '--keyring', 'kr.json', '--context', 'f=a', 'a.kr'])).toBe('a.kr: already under new\n');
    expect(JSON.parse(ok(dir, ['inspect', '--in', 'a.kr', '--json']))).toMatchObject({ keyId: 'new' });
    const before = readFileSync(join(dir, 'a.kr'));
    fails(dir, ['reencrypt-file', '--keyring', 'kr.json', '--all', '--context', 'f=b', 'a.kr'], 1, /ERR_DECRYPT_FAILED/);
    expect(readFileSync(join(dir, 'a.kr')).equals(before)).toBe(true);
    ok(dir, ['decrypt', '--keyring', 'kr.json', '--in', 'a.kr', '--out', 'back', '--context', 'f=a']);
    expect(readFileSync(join(dir, 'back')).equals(data)).toBe(true);
  });
});
