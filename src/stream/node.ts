/**
 * Node.js Transform streams over the sealer and opener.
 * @module
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { Keyring } from '../keyring/keyring.js';
import { activeStreamKey, checkRing, openingCipher } from './keys.js';
import { StreamOpener } from './open.js';
import { decryptOptions, encryptOptions, type DecryptStreamOptions, type EncryptStreamOptions } from './options.js';
import { StreamSealer } from './seal.js';

interface Machine {
  push(chunk: Uint8Array, out: Uint8Array[]): void;
  finish(out: Uint8Array[]): void;
  destroy(): void;
}

function transformOf(machine: Machine): Transform {
  const step = (stream: Transform, run: (out: Uint8Array[]) => void, callback: TransformCallback): void => {
    const out: Uint8Array[] = [];
    try {
      run(out);
    } catch (err) {
      machine.destroy();
      callback(err as Error);
      return;
    }
    for (const part of out) stream.push(part);
    callback();
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      step(this, (out) => machine.push(chunk, out), callback);
    },
    flush(callback) {
      step(this, (out) => machine.finish(out), callback);
    },
    destroy(err, callback) {
      machine.destroy();
      callback(err);
    },
  });
}

/**
 * A Transform that encrypts its input into a streaming envelope under the
 * keyring's active key. Write plaintext, read the envelope.
 * @example
 * ```ts
 * import { pipeline } from 'node:stream/promises';
 * import { encryptStream } from 'keyroll/stream';
 * await pipeline(createReadStream('db.dump'), encryptStream(ring, { context: { name: 'db.dump' } }), createWriteStream('db.dump.kr'));
 * ```
 */
export function encryptStream(ring: Keyring, options?: EncryptStreamOptions): Transform {
  checkRing(ring);
  const { context, segmentSize, seed } = encryptOptions(options, 'encryptStream');
  const { keyId, prk } = activeStreamKey(ring);
  return transformOf(new StreamSealer(keyId, prk, context, segmentSize, seed));
}

/**
 * A Transform that decrypts a streaming envelope. Each segment's plaintext
 * is released only after it authenticates; a stream cut short (or any
 * failing segment) ends in an error, never in a short success (see
 * docs/streaming.md for what a consumer acting before the end must accept).
 * @example
 * ```ts
 * await pipeline(createReadStream('db.dump.kr'), decryptStream(ring, { context: { name: 'db.dump' } }), createWriteStream('db.dump'));
 * ```
 */
export function decryptStream(ring: Keyring, options?: DecryptStreamOptions): Transform {
  checkRing(ring);
  const { context } = decryptOptions(options, 'decryptStream');
  return transformOf(new StreamOpener((header) => openingCipher(ring, header, context)));
}

export { transformOf, type Machine };
