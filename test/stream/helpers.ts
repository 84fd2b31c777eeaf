import { Keyring, KeyrollError, generateKey, type Context } from '../../src/index.js';
import { canonicalContext } from '../../src/envelope/context.js';
import { STREAM_SUITE } from '../../src/envelope/stream-header.js';
import { activeStreamKey, openingCipher } from '../../src/stream/keys.js';
import { StreamOpener } from '../../src/stream/open.js';
import { StreamSealer, type StreamSeed } from '../../src/stream/seal.js';

export const ring = Keyring.create({ keys: [generateKey({ id: 's1' })] });

/** Seals `plaintext` fed in `chunks` pieces: the whole stream and where each segment starts. */
export function sealSync(plaintext: Uint8Array, segmentSize: number, options: { context?: Context; chunk?: number; seed?: StreamSeed; keyring?: Keyring } = {}): { stream: Buffer; headerLength: number } {
  const { keyId, prk } = activeStreamKey(options.keyring ?? ring);
  const sealer = new StreamSealer(keyId, prk, canonicalContext(options.context), segmentSize, options.seed);
  const out: Uint8Array[] = [];
  const step = options.chunk ?? Math.max(1, plaintext.length);
  for (let i = 0; i < plaintext.length; i += step) sealer.push(plaintext.subarray(i, i + step), out);
  sealer.finish(out);
  return { stream: Buffer.concat(out), headerLength: sealer.header.length };
}

/** Opens a stream fed in `chunk`-byte pieces: what was released, and the error if any. */
export function openSync(stream: Uint8Array, options: { context?: Context; chunk?: number; keyring?: Keyring } = {}): { released: Buffer; error: unknown } {
  const keyring = options.keyring ?? ring;
  const context = canonicalContext(options.context);
  const opener = new StreamOpener((header) => openingCipher(keyring, header, context));
  const released: Uint8Array[] = [];
  const step = options.chunk ?? Math.max(1, stream.length);
  try {
    for (let i = 0; i < stream.length; i += step) opener.push(stream.subarray(i, i + step), released);
    opener.finish(released);
    return { released: Buffer.concat(released), error: undefined };
  } catch (error) {
    return { released: Buffer.concat(released), error };
  }
}

/** The sealed segments of a stream (header excluded). */
export function segmentsOf(stream: Buffer, headerLength: number, segmentSize: number): Buffer[] {
  const sealed = segmentSize + STREAM_SUITE.tagLength;
  const out: Buffer[] = [];
  for (let at = headerLength; at < stream.length; at += sealed) out.push(stream.subarray(at, Math.min(at + sealed, stream.length)));
  return out;
}

export function isKeyrollError(err: unknown): err is KeyrollError {
  return err instanceof KeyrollError;
}
