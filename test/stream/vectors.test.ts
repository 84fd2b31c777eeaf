/**
 * Frozen streaming-envelope vectors: keyroll reproduces them byte for byte,
 * opens them, and a second decoder written from docs/format.md with
 * node:crypto's own HKDF and AES-GCM opens them too.
 */
import { createDecipheriv, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { Keyring, inspect, type Context } from '../../src/index.js';
import { decryptStream } from '../../src/stream/index.js';
import { sealSync } from './helpers.js';

interface Vector {
  name: string;
  key: { id: string; secret: string; encoding: 'hex' | 'utf8' | 'base64url' };
  segmentSize: number;
  context: Record<string, string> | { bytes: string } | null;
  canonicalContext: string;
  plaintext: string;
  salt: string;
  noncePrefix: string;
  headerLength: number;
  stream: string;
}
const { vectors } = JSON.parse(readFileSync(new URL('../fixtures/stream-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] };

function contextOf(v: Vector): Context | undefined {
  if (v.context === null) return undefined;
  if ('bytes' in v.context && typeof v.context.bytes === 'string' && Object.keys(v.context).length === 1) return new Uint8Array(Buffer.from(v.context.bytes, 'hex'));
  return v.context as Record<string, string>;
}
const ringOf = (v: Vector) => Keyring.create({ keys: [{ ...v.key, state: 'active' }] });

/** A decoder written from docs/format.md alone. */
function independentOpen(v: Vector): Buffer {
  const stream = Buffer.from(v.stream, 'hex');
  const secret = v.key.encoding === 'utf8' ? Buffer.from(v.key.secret, 'utf8') : Buffer.from(v.key.secret, v.key.encoding);
  const idLen = stream[2]!;
  const headerLength = 78 + idLen;
  const segmentSize = stream.readUInt32BE(3 + idLen);
  const header = stream.subarray(0, headerLength);
  const header0 = header.subarray(0, headerLength - 32);
  const info = Buffer.concat([Buffer.from('keyroll/v1 stream key and commitment\0'), header0]);
  const okm = Buffer.from(hkdfSync('sha256', secret, Buffer.from('keyroll/v1 suite 1 AES-256-GCM-HKDF-SHA256-COMMIT'), info, 64));
  expect(okm.subarray(32).equals(header.subarray(headerLength - 32))).toBe(true);
  const aad = Buffer.concat([header, Buffer.from(v.canonicalContext, 'hex')]);
  const prefix = header.subarray(3 + idLen + 4 + 32, 3 + idLen + 4 + 32 + 7);
  const body = stream.subarray(headerLength);
  const sealed = segmentSize + 16;
  const count = Math.max(1, Math.ceil(body.length / sealed));
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const segment = body.subarray(i * sealed, Math.min((i + 1) * sealed, body.length));
    const nonce = Buffer.concat([prefix, Buffer.from([i >>> 24, (i >>> 16) & 255, (i >>> 8) & 255, i & 255]), Buffer.from([i === count - 1 ? 1 : 0])]);
    const decipher = createDecipheriv('aes-256-gcm', okm.subarray(0, 32), nonce);
    decipher.setAAD(aad);
    decipher.setAuthTag(segment.subarray(segment.length - 16));
    parts.push(decipher.update(segment.subarray(0, segment.length - 16)), decipher.final());
  }
  return Buffer.concat(parts);
}

describe('frozen streaming-envelope vectors', () => {
  it('cover a multi-segment stream, an exact multiple of the segment size and an empty stream', () => {
    const lengths = vectors.map((v) => v.plaintext.length / 2);
    expect(lengths).toContain(0);
    expect(vectors.some((v) => lengths[vectors.indexOf(v)]! > 2 * v.segmentSize)).toBe(true);
    expect(vectors.some((v) => lengths[vectors.indexOf(v)]! % v.segmentSize === 0 && lengths[vectors.indexOf(v)]! > 0)).toBe(true);
  });

  it.each(vectors)('$name: reproduced byte for byte from its salt and nonce prefix', (v) => {
    const context = contextOf(v);
    const { stream, headerLength } = sealSync(Buffer.from(v.plaintext, 'hex'), v.segmentSize, {
      keyring: ringOf(v),
      ...(context === undefined ? {} : { context }),
      seed: { salt: Buffer.from(v.salt, 'hex'), noncePrefix: Buffer.from(v.noncePrefix, 'hex') },
      chunk: 3,
    });
    expect(headerLength).toBe(v.headerLength);
    expect(stream.toString('hex')).toBe(v.stream);
  });

  it.each(vectors)('$name: opened by decryptStream and by an independent decoder; inspect reads it', async (v) => {
    const context = contextOf(v);
    const out = await buffer(Readable.from([Buffer.from(v.stream, 'hex')]).pipe(decryptStream(ringOf(v), context === undefined ? {} : { context })));
    expect(out.toString('hex')).toBe(v.plaintext);
    expect(independentOpen(v).toString('hex')).toBe(v.plaintext);
    const info = inspect(Buffer.from(v.stream, 'hex'));
    expect(info).toMatchObject({ version: 1, suite: { id: 2 }, keyId: v.key.id, form: 'stream', segmentSize: v.segmentSize, plaintextLength: v.plaintext.length / 2 });
  });
});
