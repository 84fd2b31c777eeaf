/**
 * Random access: decrypt plaintext bytes [start, end) of a stream file,
 * reading the header, the segments that hold the range, and the last
 * segment (which authenticates the stream's length).
 * @module
 */
import { open, type FileHandle } from 'node:fs/promises';
import { fail, KeyrollError } from '../errors.js';
import { describe } from '../bytes.js';
import { streamLength } from '../envelope/format.js';
import { MAX_HEADER_LENGTH, parseStreamHeader, STREAM_SUITE } from '../envelope/stream-header.js';
import type { Keyring } from '../keyring/keyring.js';
import { openSealed, wipeStream } from '../suites/stream.js';
import { checkRing, openingCipher } from './keys.js';
import { decryptOptions, type DecryptStreamOptions } from './options.js';

/**
 * Decrypts plaintext bytes `[start, end)` of a streaming envelope held in a
 * file (a path, or an open `FileHandle` that stays open). Every segment it
 * returns bytes from is authenticated, and so is the last segment, so a
 * truncated or extended file fails (`ERR_DECRYPT_FAILED`).
 * @example
 * ```ts
 * import { decryptRange } from 'keyroll/stream';
 * const page = await decryptRange(ring, 'video.kr', 1_048_576, 1_114_112);
 * ```
 */
export async function decryptRange(ring: Keyring, source: string | FileHandle, start: number, end: number, options?: DecryptStreamOptions): Promise<Buffer> {
  checkRing(ring);
  const { context } = decryptOptions(options, 'decryptRange');
  if (typeof source !== 'string' && (typeof source !== 'object' || source === null || typeof (source as FileHandle).read !== 'function')) {
    fail('ERR_INVALID_ARGUMENT', `source must be a path or a FileHandle, got ${describe(source)}`);
  }
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    fail('ERR_INVALID_ARGUMENT', 'start and end must be integers with 0 <= start <= end');
  }
  const handle = typeof source === 'string' ? await openFile(source) : source;
  try {
    return await readRange(ring, handle, start, end, context);
  } finally {
    if (typeof source === 'string') await handle.close();
  }
}

async function readRange(ring: Keyring, handle: FileHandle, start: number, end: number, context: Uint8Array): Promise<Buffer> {
  const { size } = await handle.stat();
  const head = await readAt(handle, 0, Math.min(size, MAX_HEADER_LENGTH));
  const header = parseStreamHeader(head) ?? fail('ERR_MALFORMED_ENVELOPE', 'not a keyroll streaming envelope: the file ends inside the header');
  let total: number;
  try {
    total = streamLength(header, size);
  } catch (err) {
    return fail('ERR_DECRYPT_FAILED', `decryption failed for a streaming envelope naming key "${header.keyId}": the file's length is not that of a complete stream (truncated or extended)`, { keyId: header.keyId, cause: err });
  }
  if (end > total) fail('ERR_INVALID_ARGUMENT', `the range ends at ${end}, past the plaintext's ${total} bytes`);
  const cipher = openingCipher(ring, header, context);
  try {
    const S = header.segmentSize;
    const sealedSize = S + STREAM_SUITE.tagLength;
    const lastIndex = Math.max(0, Math.ceil(total / S) - 1);
    const segment = async (index: number): Promise<Buffer> => {
      const offset = header.bytes.length + index * sealedSize;
      const sealed = await readAt(handle, offset, Math.min(sealedSize, size - offset));
      const plaintext = openSealed(cipher, index, index === lastIndex, sealed);
      if (plaintext === undefined) {
        fail('ERR_DECRYPT_FAILED', `decryption failed for a streaming envelope naming key "${header.keyId}": segment ${index} does not authenticate (tampered, truncated, or the context differs)`, { keyId: header.keyId });
      }
      return plaintext;
    };
    (await segment(lastIndex)).fill(0);
    const out = Buffer.alloc(end - start);
    if (end === start) return out;
    for (let index = Math.floor(start / S); index * S < end; index++) {
      const plaintext = await segment(index);
      const from = Math.max(start, index * S) - index * S;
      const to = Math.min(end, (index + 1) * S) - index * S;
      out.set(plaintext.subarray(from, to), index * S + from - start);
      plaintext.fill(0);
    }
    return out;
  } finally {
    wipeStream(cipher);
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, position + done);
    if (bytesRead === 0) fail('ERR_IO', 'the file shrank while it was read');
    done += bytesRead;
  }
  return out;
}

async function openFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (err) {
    if (err instanceof KeyrollError) throw err;
    return fail('ERR_IO', `could not read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { file: path, cause: err });
  }
}
