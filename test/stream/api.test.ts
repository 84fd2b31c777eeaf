import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { Keyring, KeyrollError, generateKey, inspect } from '../../src/index.js';
import {
  decryptFile,
  decryptRange,
  decryptStream,
  decryptStreamWeb,
  encryptFile,
  encryptStream,
  encryptStreamWeb,
  inspectFile,
  reencryptFile,
} from '../../src/stream/index.js';
import { expectKeyrollError, tempDir } from '../sources/helpers.js';
import { ring } from './helpers.js';

const chunked = (data: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size)));
const seal = (data: Buffer, options = {}) => buffer(chunked(data, 10_000).pipe(encryptStream(ring, options)));

describe('Node streams', () => {
  it('round trip with a context; the context binds', async () => {
    const data = randomBytes(250_000);
    const sealed = await seal(data, { context: { name: 'a' }, segmentSize: 4096 });
    expect(sealed.length).toBe(80 + 250_000 + 16 * Math.ceil(250_000 / 4096));
    expect((await buffer(chunked(sealed, 777).pipe(decryptStream(ring, { context: { name: 'a' } })))).equals(data)).toBe(true);
    await expectKeyrollError(() => pipeline(Readable.from([sealed]), decryptStream(ring, { context: { name: 'b' } }), new Writable({ write: (_c, _e, cb) => cb() })), 'ERR_DECRYPT_FAILED');
  });

  it('a truncated stream ends in an error, not a short success, and releases nothing past the last good segment', async () => {
    const data = randomBytes(10 * 1024);
    const sealed = await seal(data, { segmentSize: 1024 });
    const received: Buffer[] = [];
    const sink = new Writable({ write: (c: Buffer, _e, cb) => (received.push(c), cb()) });
    const err = await expectKeyrollError(() => pipeline(Readable.from([sealed.subarray(0, 80 + 5 * 1040)]), decryptStream(ring), sink), 'ERR_DECRYPT_FAILED');
    expect(err.message).toMatch(/truncated/);
    expect(Buffer.concat(received).equals(data.subarray(0, Buffer.concat(received).length))).toBe(true);
    expect(Buffer.concat(received).length).toBeLessThanOrEqual(4 * 1024);
  });

  it('refuses an ordinary envelope, and ring.decrypt refuses a stream, each with a clear ERR_UNSUPPORTED_SUITE', async () => {
    const sealed = await seal(Buffer.from('hello'));
    const refused = await expectKeyrollError(() => ring.decrypt(sealed), 'ERR_UNSUPPORTED_SUITE');
    expect(refused.message).toMatch(/streaming envelope/);
    for (const envelope of [Buffer.from(ring.encrypt('x')), ring.encryptToBytes('x')]) {
      const err = await expectKeyrollError(() => buffer(Readable.from([envelope]).pipe(decryptStream(ring))), 'ERR_UNSUPPORTED_SUITE');
      expect(err.message).toMatch(/ring\.decrypt/);
    }
    expect(inspect(sealed)).toMatchObject({ form: 'stream', keyId: 's1', plaintextLength: 5 });
    expect(inspect(ring.encrypt('x'))).toMatchObject({ form: 'text', plaintextLength: 1 });
  });

  it('an empty or header-only input, an unknown and a disabled key are KeyrollErrors', async () => {
    const sealed = await seal(Buffer.alloc(0));
    expect(sealed.length).toBe(80 + 16);
    await expectKeyrollError(() => buffer(Readable.from([]).pipe(decryptStream(ring))), 'ERR_MALFORMED_ENVELOPE');
    await expectKeyrollError(() => buffer(Readable.from([sealed.subarray(0, 40)]).pipe(decryptStream(ring))), 'ERR_MALFORMED_ENVELOPE');
    await expectKeyrollError(() => buffer(Readable.from([sealed.subarray(0, 80)]).pipe(decryptStream(ring))), 'ERR_DECRYPT_FAILED');
    const other = Keyring.create({ keys: [generateKey({ id: 'x1' })] });
    await expectKeyrollError(() => buffer(Readable.from([sealed]).pipe(decryptStream(other))), 'ERR_UNKNOWN_KEY');
    const disabled = Keyring.create({ keys: [{ ...ring.export().keys[0]!, state: 'disabled' }, generateKey({ id: 'x2' })] });
    await expectKeyrollError(() => buffer(Readable.from([sealed]).pipe(decryptStream(disabled))), 'ERR_KEY_DISABLED');
  });

  it('checks options at the entry point', async () => {
    await expectKeyrollError(() => encryptStream(ring, { segmentSize: 8 }), 'ERR_INVALID_ARGUMENT');
    await expectKeyrollError(() => encryptStream(ring, { segmentSize: 2 ** 25 }), 'ERR_INVALID_ARGUMENT');
    await expectKeyrollError(() => encryptStream(ring, { segmentsize: 4096 } as never), 'ERR_INVALID_ARGUMENT');
    await expectKeyrollError(() => decryptStream(ring, { context: { a: 'b' }, segmentSize: 4096 } as never), 'ERR_INVALID_ARGUMENT');
    await expectKeyrollError(() => encryptStream({} as never), 'ERR_INVALID_ARGUMENT');
  });
});

describe('WHATWG streams', () => {
  it('round trip, and interoperate with the Node streams', async () => {
    const data = randomBytes(100_000);
    const web = await new Response(new Blob([data]).stream().pipeThrough(encryptStreamWeb(ring, { segmentSize: 1000 }))).arrayBuffer();
    expect((await buffer(Readable.from([Buffer.from(web)]).pipe(decryptStream(ring)))).equals(data)).toBe(true);
    const sealed = await seal(data);
    const back = await new Response(new Blob([sealed]).stream().pipeThrough(decryptStreamWeb(ring))).arrayBuffer();
    expect(Buffer.from(back).equals(data)).toBe(true);
  });

  it('a tampered stream errors the readable side', async () => {
    const sealed = await seal(randomBytes(5000), { segmentSize: 1024 });
    sealed[sealed.length - 1]! ^= 1;
    await expect(new Response(new Blob([sealed]).stream().pipeThrough(decryptStreamWeb(ring))).arrayBuffer()).rejects.toSatisfy((e) => KeyrollError.is(e, 'ERR_DECRYPT_FAILED'));
  });
});

describe('files', () => {
  it('encryptFile / decryptFile round trip; inspectFile reads the header and size only', async () => {
    const dir = tempDir();
    const data = randomBytes(300_000);
    writeFileSync(join(dir, 'plain'), data);
    await encryptFile(ring, join(dir, 'plain'), join(dir, 'sealed'), { context: { name: 'plain' }, segmentSize: 65536 });
    expect(statSync(join(dir, 'sealed')).mode & 0o777).toBe(0o600);
    expect(await inspectFile(join(dir, 'sealed'))).toMatchObject({ keyId: 's1', form: 'stream', segmentSize: 65536, plaintextLength: 300_000 });
    await decryptFile(ring, join(dir, 'sealed'), join(dir, 'back'), { context: { name: 'plain' } });
    expect(readFileSync(join(dir, 'back')).equals(data)).toBe(true);
  });

  it('a failing decryption (bad segment or truncation) leaves no output file and keeps an existing one', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plain'), randomBytes(200_000));
    await encryptFile(ring, join(dir, 'plain'), join(dir, 'sealed'), { segmentSize: 16384 });
    const sealed = readFileSync(join(dir, 'sealed'));
    const flipped = Buffer.from(sealed);
    flipped[80 + 3 * 16400 + 5]! ^= 0x40;
    writeFileSync(join(dir, 'flipped'), flipped);
    writeFileSync(join(dir, 'cut'), sealed.subarray(0, 80 + 6 * 16400));
    for (const name of ['flipped', 'cut']) {
      await expectKeyrollError(() => decryptFile(ring, join(dir, name), join(dir, `${name}.out`)), 'ERR_DECRYPT_FAILED');
      expect(existsSync(join(dir, `${name}.out`))).toBe(false);
    }
    writeFileSync(join(dir, 'existing'), 'keep me');
    await expectKeyrollError(() => decryptFile(ring, join(dir, 'cut'), join(dir, 'existing')), 'ERR_DECRYPT_FAILED');
    expect(readFileSync(join(dir, 'existing'), 'utf8')).toBe('keep me');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await expectKeyrollError(() => decryptFile(ring, join(dir, 'missing'), join(dir, 'x')), 'ERR_IO');
  });

  it('reencryptFile rewrites a stream under the active key in place, keeping its mode and segment size', async () => {
    const dir = tempDir();
    const data = randomBytes(70_000);
    writeFileSync(join(dir, 'plain'), data);
    const old = Keyring.create({ keys: [generateKey({ id: 'old' })] });
    await encryptFile(old, join(dir, 'plain'), join(dir, 'sealed'), { context: { n: '1' }, segmentSize: 4096, mode: 0o640 });
    const next = old.add(generateKey({ id: 'new', state: 'decrypt-only' }), { activate: true });
    expect(await reencryptFile(next, join(dir, 'sealed'), { context: { n: '1' } })).toEqual({ previousKeyId: 'old', keyId: 'new' });
    expect(await inspectFile(join(dir, 'sealed'))).toMatchObject({ keyId: 'new', segmentSize: 4096 });
    expect(statSync(join(dir, 'sealed')).mode & 0o777).toBe(0o640);
    await decryptFile(next, join(dir, 'sealed'), join(dir, 'back'), { context: { n: '1' } });
    expect(readFileSync(join(dir, 'back')).equals(data)).toBe(true);
    const before = readFileSync(join(dir, 'sealed'));
    await expectKeyrollError(() => reencryptFile(next, join(dir, 'sealed'), { context: { n: '2' } }), 'ERR_DECRYPT_FAILED');
    expect(readFileSync(join(dir, 'sealed')).equals(before)).toBe(true);
  });
});

describe('decryptRange', () => {
  it('returns exactly the bytes asked for, from a path or a FileHandle, for ranges across segment boundaries', async () => {
    const dir = tempDir();
    const data = randomBytes(20_000);
    writeFileSync(join(dir, 'plain'), data);
    await encryptFile(ring, join(dir, 'plain'), join(dir, 'sealed'), { segmentSize: 1000, context: { r: '1' } });
    const handle = await open(join(dir, 'sealed'), 'r');
    try {
      for (const [start, end] of [[0, 0], [0, 1], [999, 1001], [1000, 2000], [12_345, 19_999], [0, 20_000], [19_999, 20_000]] as const) {
        expect((await decryptRange(ring, handle, start, end, { context: { r: '1' } })).equals(data.subarray(start, end))).toBe(true);
      }
    } finally {
      await handle.close();
    }
    expect((await decryptRange(ring, join(dir, 'sealed'), 5, 50, { context: { r: '1' } })).equals(data.subarray(5, 50))).toBe(true);
    await expectKeyrollError(() => decryptRange(ring, join(dir, 'sealed'), 5, 50), 'ERR_DECRYPT_FAILED');
    await expectKeyrollError(() => decryptRange(ring, join(dir, 'sealed'), 0, 20_001, { context: { r: '1' } }), 'ERR_INVALID_ARGUMENT');
    await expectKeyrollError(() => decryptRange(ring, join(dir, 'sealed'), 10, 5, { context: { r: '1' } }), 'ERR_INVALID_ARGUMENT');
  });

  it('reads only the segments it needs plus the last, and detects truncation at a segment boundary', async () => {
    const dir = tempDir();
    await encryptFile(ring, (writeFileSync(join(dir, 'p'), randomBytes(10_000)), join(dir, 'p')), join(dir, 's'), { segmentSize: 1000 });
    const sealed = readFileSync(join(dir, 's'));
    const handle = await open(join(dir, 's'), 'r');
    const reads: Array<[number, number]> = [];
    const spy = { stat: () => handle.stat(), read: (b: Uint8Array, o: number, l: number, p: number) => (reads.push([p, l]), handle.read(b, o, l, p)) };
    try {
      await decryptRange(ring, spy as never, 4500, 4600);
    } finally {
      await handle.close();
    }
    expect(reads.map(([p]) => p).sort((a, b) => a - b)).toEqual([0, 80 + 4 * 1016, 80 + 9 * 1016]);
    writeFileSync(join(dir, 'cut'), sealed.subarray(0, 80 + 7 * 1016));
    await expectKeyrollError(() => decryptRange(ring, join(dir, 'cut'), 0, 10), 'ERR_DECRYPT_FAILED');
  });
});
