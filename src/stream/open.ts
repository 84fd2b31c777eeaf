/**
 * The decrypting side of a streaming envelope, as a push state machine.
 * A segment's plaintext is handed out only after its tag verifies; the end
 * of the input must be the end of a segment sealed as the last one, else
 * the stream was truncated (or extended) and `finish` throws.
 * @module
 */
import { fail } from '../errors.js';
import { MAX_HEADER_LENGTH, MAX_SEGMENTS, parseStreamHeader, STREAM_SUITE, type StreamHeader } from '../envelope/stream-header.js';
import { openSegment, wipeStream, type StreamCipher } from '../suites/stream.js';
import { ByteQueue } from './queue.js';

/** Sealed segments up to this size are gathered into one piece (see #open). */
const GATHER_MAX = 64 * 1024 + STREAM_SUITE.tagLength;

/** Builds the opening state from a parsed header (key lookup, commitment). */
export type ResolveCipher = (header: StreamHeader) => StreamCipher;

export class StreamOpener {
  readonly #resolve: ResolveCipher;
  readonly #queue = new ByteQueue();
  #header: StreamHeader | undefined;
  #cipher: StreamCipher | undefined;
  #sealedSize = 0;
  #index = 0;
  #done = false;
  #seen = 0;
  /** A sealed segment that straddles input chunks is gathered here (ciphertext only). */
  #scratch: Uint8Array | undefined;

  constructor(resolve: ResolveCipher) {
    this.#resolve = resolve;
  }

  /** The parsed header, once enough bytes have arrived. */
  get header(): StreamHeader | undefined {
    return this.#header;
  }

  /** Queues `chunk`; appends the plaintext of every segment that authenticated. */
  push(chunk: Uint8Array, out: Uint8Array[]): void {
    if (this.#done) fail('ERR_INVALID_ARGUMENT', 'the stream is already finished');
    this.#seen += chunk.length;
    this.#queue.push(chunk);
    if (this.#cipher === undefined && !this.#readHeader()) return;
    // Hold back one whole segment: only the end of the input says it is the last.
    while (this.#queue.length > this.#sealedSize) this.#open(false, out);
  }

  /** At the end of the input: opens the last segment, or throws if the stream is cut short. */
  finish(out: Uint8Array[]): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#cipher === undefined && !this.#readHeader()) {
      if (this.#seen === 0) fail('ERR_MALFORMED_ENVELOPE', 'not a keyroll streaming envelope: the input is empty');
      fail('ERR_MALFORMED_ENVELOPE', 'not a keyroll streaming envelope: the input ends inside the header (truncated?)');
    }
    try {
      if (this.#queue.length < STREAM_SUITE.tagLength) this.#truncated();
      this.#open(true, out);
    } finally {
      wipeStream(this.#cipher!);
    }
  }

  /** Wipes the stream key (after an error). */
  destroy(): void {
    this.#done = true;
    if (this.#cipher !== undefined) wipeStream(this.#cipher);
  }

  #readHeader(): boolean {
    const header = parseStreamHeader(this.#queue.peek(MAX_HEADER_LENGTH));
    if (header === undefined) return false;
    this.#queue.take(header.bytes.length);
    this.#cipher = this.#resolve(header);
    this.#header = header;
    this.#sealedSize = header.segmentSize + STREAM_SUITE.tagLength;
    return true;
  }

  #open(last: boolean, out: Uint8Array[]): void {
    const cipher = this.#cipher!;
    if (this.#index >= MAX_SEGMENTS) this.#failed('it has more than 2^32 segments');
    const length = last ? this.#queue.length : this.#sealedSize;
    let parts: Uint8Array[];
    let tag: Uint8Array;
    if (this.#sealedSize <= GATHER_MAX) {
      // Up to 64 KiB a segment is gathered into one piece when it straddles
      // input chunks: one cipher call and one plaintext buffer cost less than
      // a call and a buffer per piece. Larger segments go piece by piece (a
      // copy of the whole segment would cost more than the calls it saves).
      this.#scratch ??= Buffer.allocUnsafeSlow(this.#sealedSize);
      const sealed = this.#queue.takeContiguous(length, this.#scratch);
      parts = [sealed.subarray(0, length - STREAM_SUITE.tagLength)];
      tag = sealed.subarray(length - STREAM_SUITE.tagLength);
    } else {
      parts = this.#queue.takeParts(length - STREAM_SUITE.tagLength);
      tag = this.#queue.take(STREAM_SUITE.tagLength).bytes;
    }
    // An empty last segment is only ever written for an empty stream.
    const plaintext = last && this.#index > 0 && length === STREAM_SUITE.tagLength ? undefined : openSegment(cipher, this.#index, last, parts, tag);
    if (plaintext === undefined) {
      // Sealed as "not last": the input stops at a segment boundary before the end.
      if (last && length === this.#sealedSize) {
        const probe = openSegment(cipher, this.#index, false, parts, tag);
        if (probe !== undefined) {
          for (const part of probe) part.fill(0);
          this.#truncated();
        }
      }
      this.#failed(`segment ${this.#index} does not authenticate: the stream was tampered with, reordered or truncated, or the context differs`);
    }
    this.#index++;
    for (const part of plaintext) out.push(part);
  }

  #truncated(): never {
    return this.#failed('the stream ends before its last segment (truncated)');
  }

  #failed(why: string): never {
    const keyId = this.#header!.keyId;
    this.destroy();
    return fail('ERR_DECRYPT_FAILED', `decryption failed for a streaming envelope naming key "${keyId}": ${why}`, { keyId });
  }
}
