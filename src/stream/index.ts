/**
 * `keyroll/stream`: streaming envelopes for payloads of any size (files,
 * backups, blobs). The STREAM construction over AES-256-GCM, as Tink's
 * streaming AEAD lays it out, with suite 1's key commitment: fixed-size
 * segments, each authenticated before its plaintext is released, and a
 * last-segment flag so truncation is an error. Node streams, WHATWG
 * streams, atomic file helpers and random-access range decryption.
 *
 * @example
 * ```ts
 * import { encryptFile, decryptFile, decryptRange } from 'keyroll/stream';
 * await encryptFile(ring, 'db.dump', 'db.dump.kr', { context: { name: 'db.dump' } });
 * await decryptFile(ring, 'db.dump.kr', 'restored.dump', { context: { name: 'db.dump' } });
 * const bytes = await decryptRange(ring, 'db.dump.kr', 0, 4096, { context: { name: 'db.dump' } });
 * ```
 * @module keyroll/stream
 */
export { encryptStream, decryptStream } from './node.js';
export { encryptStreamWeb, decryptStreamWeb } from './web.js';
export { encryptFile, decryptFile, reencryptFile, inspectFile, type FileOptions, type ReencryptFileOptions, type ReencryptFileResult } from './files.js';
export { decryptRange } from './range.js';
export type { EncryptStreamOptions, DecryptStreamOptions } from './options.js';
export { DEFAULT_SEGMENT_SIZE, MIN_SEGMENT_SIZE, MAX_SEGMENT_SIZE } from '../envelope/stream-header.js';
