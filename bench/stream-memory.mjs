/**
 * The streaming memory check: N MiB (default 1024) of generated plaintext
 * through encryptStream and straight into decryptStream, the output hashed
 * and compared. Reports the process RSS before the stream started and its
 * peak (sampled every 20 ms, and the kernel's high-water mark). One JSON line.
 *
 *   node bench/stream-memory.mjs [sizeInMiB]
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Keyring, generateKey } from '../dist/index.js';
import { decryptStream, encryptStream } from '../dist/stream.js';

const MiB = 1 << 20;
const sizeMiB = Number(process.argv[2] ?? 1024);
const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
const block = randomBytes(MiB);

function* source() {
  for (let i = 0; i < sizeMiB; i++) {
    const chunk = Buffer.from(block);
    chunk.writeUInt32BE(i, 0); // every MiB differs
    yield chunk;
  }
}
const expected = createHash('sha256');
for (const chunk of source()) expected.update(chunk);
const want = expected.digest('hex');

// Warm up, then measure from here.
await pipeline(Readable.from([block]), encryptStream(ring), decryptStream(ring), new Writable({ write: (_c, _e, cb) => cb() }));
globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
let peak = rssBefore;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const hash = createHash('sha256');
const started = performance.now();
await pipeline(Readable.from(source()), encryptStream(ring), decryptStream(ring), new Writable({ write: (c, _e, cb) => (hash.update(c), cb()) }));
const seconds = (performance.now() - started) / 1000;
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
if (hash.digest('hex') !== want) throw new Error('round trip mismatch');
console.log(JSON.stringify({ sizeMiB, rssBeforeMiB: rssBefore / MiB, peakRssMiB: peak / MiB, growthMiB: (peak - rssBefore) / MiB, mibPerSecond: sizeMiB / seconds }));
