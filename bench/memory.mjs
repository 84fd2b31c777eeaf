/**
 * The memory check of issue 5, run in its own process so the figure is
 * clean: encrypt then decrypt one payload (64 MiB by default, binary form)
 * and report peak RSS. Prints one JSON line.
 *
 *   node bench/memory.mjs [sizeInMiB] [binary|text]
 *
 * Three payload-sized buffers are alive at the peak by necessity: the
 * plaintext the caller holds, the envelope, and the decrypted copy. Peak
 * RSS is reported both as an absolute figure and net of the RSS the
 * process had before the payload existed (Node itself, the library).
 * @module
 */
import { randomFillSync } from 'node:crypto';
import { Keyring, generateKey } from '../dist/index.js';

const MiB = 1 << 20;
const sizeMiB = Number(process.argv[2] ?? 64);
const form = process.argv[3] ?? 'binary';
const size = sizeMiB * MiB;

const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
// Warm the code paths on a small payload so the baseline includes them.
ring.decrypt(ring.encryptToBytes(new Uint8Array(1024)));
ring.decrypt(ring.encrypt(new Uint8Array(1024)));
const rssBefore = process.memoryUsage().rss;
const peakBefore = process.resourceUsage().maxRSS * 1024;

const plaintext = randomFillSync(Buffer.allocUnsafe(size));
const envelope = form === 'text' ? ring.encrypt(plaintext) : ring.encryptToBytes(plaintext);
const decrypted = ring.decrypt(envelope);
if (decrypted.length !== size || !Buffer.from(decrypted.buffer, decrypted.byteOffset, decrypted.length).equals(plaintext)) {
  throw new Error('round trip mismatch');
}
const peak = process.resourceUsage().maxRSS * 1024;
console.log(
  JSON.stringify({
    form,
    payloadBytes: size,
    rssBeforeBytes: rssBefore,
    peakBeforeBytes: peakBefore,
    peakRssBytes: peak,
    peakOverPayload: peak / size,
    netPeakOverPayload: (peak - rssBefore) / size,
  }),
);
