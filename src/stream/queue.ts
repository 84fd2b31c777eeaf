/**
 * A FIFO of byte chunks from which a stream takes exact-size pieces, without
 * copying when a piece lies within one chunk.
 * @module
 */

/** Queued bytes; `take` hands out views or, across chunks, one fresh copy. */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  #head = 0;
  #length = 0;

  /** Bytes queued. */
  get length(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /**
   * The next `n` bytes (`n <= length`). `copied` tells whether they were
   * copied into a fresh buffer (which the caller may then wipe).
   */
  take(n: number): { bytes: Uint8Array; copied: boolean } {
    const first = this.#chunks[0];
    if (first !== undefined && first.length - this.#head >= n) {
      const bytes = first.subarray(this.#head, this.#head + n);
      this.#head += n;
      this.#length -= n;
      if (this.#head === first.length) {
        this.#chunks.shift();
        this.#head = 0;
      }
      return { bytes, copied: false };
    }
    return { bytes: this.#copyInto(Buffer.allocUnsafe(n), n), copied: true };
  }

  /**
   * The next `n` bytes in one piece: a view when they lie within one chunk,
   * else copied into `scratch` (at least `n` long, reused by the caller) and
   * a view of it. For ciphertext only: nothing secret lingers in `scratch`.
   */
  takeContiguous(n: number, scratch: Uint8Array): Uint8Array {
    const first = this.#chunks[0];
    if (first !== undefined && first.length - this.#head >= n) return this.take(n).bytes;
    return this.#copyInto(scratch, n).subarray(0, n);
  }

  /** Moves the next `n` bytes, across chunks, into the start of `out`; returns `out`. */
  #copyInto<T extends Uint8Array>(out: T, n: number): T {
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0]!;
      const part = Math.min(n - filled, chunk.length - this.#head);
      out.set(chunk.subarray(this.#head, this.#head + part), filled);
      filled += part;
      this.#head += part;
      if (this.#head === chunk.length) {
        this.#chunks.shift();
        this.#head = 0;
      }
    }
    this.#length -= n;
    return out;
  }

  /** The next `n` bytes as views of the queued chunks (no copy). */
  takeParts(n: number): Uint8Array[] {
    const parts: Uint8Array[] = [];
    let left = n;
    while (left > 0) {
      const chunk = this.#chunks[0]!;
      const part = Math.min(left, chunk.length - this.#head);
      parts.push(chunk.subarray(this.#head, this.#head + part));
      left -= part;
      this.#head += part;
      if (this.#head === chunk.length) {
        this.#chunks.shift();
        this.#head = 0;
      }
    }
    this.#length -= n;
    return parts;
  }

  /** Everything queued. */
  takeAll(): { bytes: Uint8Array; copied: boolean } {
    return this.take(this.#length);
  }

  /** The first `n` bytes (or fewer), without taking them. */
  peek(n: number): Uint8Array {
    const first = this.#chunks[0];
    if (first !== undefined && first.length - this.#head >= n) return first.subarray(this.#head, this.#head + n);
    const out = new Uint8Array(Math.min(n, this.#length));
    let filled = 0;
    let head = this.#head;
    for (const chunk of this.#chunks) {
      const part = Math.min(out.length - filled, chunk.length - head);
      out.set(chunk.subarray(head, head + part), filled);
      filled += part;
      head = 0;
      if (filled === out.length) break;
    }
    return out;
  }
}
