/**
 * The encrypting side of a streaming envelope, as a push state machine that
 * the Node and WHATWG adapters wrap: bytes in, header and sealed segments out.
 * @module
 */
import { fail } from '../errors.js';
import { encodeStreamHeader, MAX_SEGMENTS, NONCE_PREFIX_LENGTH, STREAM_SUITE } from '../envelope/stream-header.js';
import { randomBytes } from '../suites/primitives.js';
import { sealSegment, streamCipher, wipeStream, type StreamCipher } from '../suites/stream.js';
import type { HmacKey } from '../suites/hmac.js';
import { ByteQueue } from './queue.js';

/** Fixed salt and nonce prefix, for known-answer vectors only. */
export interface StreamSeed {
  readonly salt: Uint8Array;
  readonly noncePrefix: Uint8Array;
}

/**
 * Holds back up to one segment: a full segment is sealed as "not last" only
 * once a byte after it has arrived; `finish` seals what is left as the last
 * segment (empty only for an empty stream).
 */
export class StreamSealer {
  readonly header: Uint8Array;
  readonly #cipher: StreamCipher;
  readonly #segmentSize: number;
  readonly #queue = new ByteQueue();
  #index = 0;
  #headerSent = false;
  #done = false;

  constructor(keyId: string, prk: HmacKey, context: Uint8Array, segmentSize: number, seed?: StreamSeed) {
    const salt = seed?.salt ?? randomBytes(STREAM_SUITE.saltLength);
    const prefix = seed?.noncePrefix ?? randomBytes(NONCE_PREFIX_LENGTH);
    const header = encodeStreamHeader(keyId, segmentSize, salt, prefix);
    this.#cipher = streamCipher(prk, header, context, true);
    this.header = header.bytes;
    this.#segmentSize = segmentSize;
  }

  /** Queues `chunk`; appends the bytes now ready to `out`. */
  push(chunk: Uint8Array, out: Uint8Array[]): void {
    if (this.#done) fail('ERR_INVALID_ARGUMENT', 'the stream is already finished');
    this.#sendHeader(out);
    this.#queue.push(chunk);
    while (this.#queue.length > this.#segmentSize) this.#seal(false, out);
  }

  /** Seals the last segment; appends it (and the header if not yet sent). */
  finish(out: Uint8Array[]): void {
    if (this.#done) return;
    this.#sendHeader(out);
    this.#seal(true, out);
    this.#done = true;
    wipeStream(this.#cipher);
  }

  /** Wipes the stream key (after an error). */
  destroy(): void {
    this.#done = true;
    wipeStream(this.#cipher);
  }

  #sendHeader(out: Uint8Array[]): void {
    if (this.#headerSent) return;
    this.#headerSent = true;
    out.push(this.header);
  }

  #seal(last: boolean, out: Uint8Array[]): void {
    if (this.#index >= MAX_SEGMENTS) fail('ERR_INVALID_ARGUMENT', `a streaming envelope holds at most 2^32 segments; use a larger segmentSize`);
    const parts = this.#queue.takeParts(last ? this.#queue.length : this.#segmentSize);
    sealSegment(this.#cipher, this.#index, last, parts, out);
    this.#index++;
  }
}
