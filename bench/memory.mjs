/**
 * The memory check of issue 5, run in its own process so the figure is
 * clean: encrypt then decrypt one payload (64 MiB by default) and report
 * peak RSS. Prints one JSON line.
 *
 *   node --expose-gc bench/memory.mjs [sizeInMiB] [binary|text] [hold|drop]
 *
 * `hold`: the caller keeps the plaintext, the envelope and the decrypted
 * copy alive to the end, so three payload-sized buffers are live at the
 * peak by construction (3.0x net is the floor). `drop`: the caller lets go
 * of the plaintext once it is encrypted (a digest is kept to check the
 * result) and a GC runs before decrypting, as a service that stores the
 * envelope would; the floor is then 2.0x net (input and output of one call).
 * Peak RSS is reported both as an absolute figure and net of the RSS the
 * process had before the payload existed (Node itself, the library).
 * @module
 */
import { createHash, randomFillSync } from 'node:crypto';
import { Keyring, generateKey } from '../dist/index.js';

const MiB = 1 << 20;
const sizeMiB = Number(process.argv[2] ?? 64);
const form = process.argv[3] ?? 'binary';
const mode = process.argv[4] ?? 'hold';
const size = sizeMiB * MiB;

const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
// Warm the code paths on a small payload so the baseline includes them.
ring.decrypt(ring.encryptToBytes(new Uint8Array(1024)));
ring.decrypt(ring.encrypt(new Uint8Array(1024)));
createHash('sha256').update(new Uint8Array(1024)).digest('hex');
const rssBefore = process.memoryUsage().rss;
const peakBefore = process.resourceUsage().maxRSS * 1024;

let plaintext = randomFillSync(Buffer.allocUnsafe(size));
const digest = createHash('sha256').update(plaintext).digest('hex');
const envelope = form === 'text' ? ring.encrypt(plaintext) : ring.encryptToBytes(plaintext);
if (mode === 'drop') {
  plaintext = undefined;
  globalThis.gc?.();
}
const decrypted = ring.decrypt(envelope);
if (decrypted.length !== size || createHash('sha256').update(decrypted).digest('hex') !== digest) {
  throw new Error('round trip mismatch');
}
const peak = process.resourceUsage().maxRSS * 1024;
console.log(
  JSON.stringify({
    form,
    mode,
    payloadBytes: size,
    rssBeforeBytes: rssBefore,
    peakBeforeBytes: peakBefore,
    peakRssBytes: peak,
    peakOverPayload: peak / size,
    netPeakOverPayload: (peak - rssBefore) / size,
  }),
);
