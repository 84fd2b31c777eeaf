/**
 * WHATWG TransformStreams over the sealer and opener (the global
 * `TransformStream` of Node 18+, browsers' API shape).
 * @module
 */
import type { Keyring } from '../keyring/keyring.js';
import { activeStreamKey, checkRing, openingCipher } from './keys.js';
import type { Machine } from './node.js';
import { StreamOpener } from './open.js';
import { decryptOptions, encryptOptions, type DecryptStreamOptions, type EncryptStreamOptions } from './options.js';
import { StreamSealer } from './seal.js';

function webOf(machine: Machine): TransformStream<Uint8Array, Uint8Array> {
  const run = (controller: TransformStreamDefaultController<Uint8Array>, step: (out: Uint8Array[]) => void): void => {
    const out: Uint8Array[] = [];
    try {
      step(out);
    } catch (err) {
      machine.destroy();
      throw err;
    }
    for (const part of out) controller.enqueue(part);
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      run(controller, (out) => machine.push(chunk, out));
    },
    flush(controller) {
      run(controller, (out) => machine.finish(out));
    },
  });
}

/**
 * A WHATWG TransformStream that encrypts into a streaming envelope.
 * @example
 * ```ts
 * import { encryptStreamWeb } from 'keyroll/stream';
 * const sealed = (await fetch(url)).body!.pipeThrough(encryptStreamWeb(ring));
 * ```
 */
export function encryptStreamWeb(ring: Keyring, options?: EncryptStreamOptions): TransformStream<Uint8Array, Uint8Array> {
  checkRing(ring);
  const { context, segmentSize, seed } = encryptOptions(options, 'encryptStreamWeb');
  const { keyId, prk } = activeStreamKey(ring);
  return webOf(new StreamSealer(keyId, prk, context, segmentSize, seed));
}

/**
 * A WHATWG TransformStream that decrypts a streaming envelope; segments are
 * released only once authenticated, and a truncated stream errors.
 * @example
 * ```ts
 * import { decryptStreamWeb } from 'keyroll/stream';
 * const plaintext = sealedBody.pipeThrough(decryptStreamWeb(ring));
 * ```
 */
export function decryptStreamWeb(ring: Keyring, options?: DecryptStreamOptions): TransformStream<Uint8Array, Uint8Array> {
  checkRing(ring);
  const { context } = decryptOptions(options, 'decryptStreamWeb');
  return webOf(new StreamOpener((header) => openingCipher(ring, header, context)));
}
