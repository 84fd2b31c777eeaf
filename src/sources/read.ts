/**
 * Reading files for the key sources: every failure becomes `ERR_IO` naming
 * the file and the system error code, never the content. A keyring file is
 * opened first and checked on its descriptor (a regular file, at most
 * {@link MAX_KEYRING_FILE_BYTES}) before a byte is read, so a FIFO, a device
 * such as `/dev/zero` or a huge file is refused instead of hanging or
 * filling memory.
 * @module
 */
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { fromUtf8 } from '../bytes.js';
import { fail, KeyrollError } from '../errors.js';
import { isSealedText } from './sealed.js';

/** The largest keyring file any loader reads: 16 MiB. */
export const MAX_KEYRING_FILE_BYTES = 16 * 1024 * 1024;

/** A file read by {@link readFileChecked}: its bytes and what `fstat` said of it. */
export interface CheckedFile {
  readonly bytes: Buffer;
  /** Permission bits and owner, from the descriptor the bytes were read through. */
  readonly stats: Pick<Stats, 'mode' | 'uid' | 'gid'>;
}

/**
 * Reads a whole regular file of at most `maxBytes` (default 16 MiB).
 * `ERR_IO` (with `file`) when it cannot be opened or read;
 * `ERR_INVALID_KEYRING` when it is not a regular file or is too large,
 * decided on the open descriptor before reading (opened non-blocking, so a
 * FIFO without a writer does not block).
 * @example
 * ```ts
 * const { bytes } = await readFileChecked('/etc/myapp/keyring.json');
 * ```
 */
export async function readFileChecked(path: string, maxBytes = MAX_KEYRING_FILE_BYTES): Promise<CheckedFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return ioFailure('read', path, err);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      fail('ERR_INVALID_KEYRING', `${path} is not a regular file (${kindOf(stats)}); a keyring file must be one`, { file: path });
    }
    if (stats.size > maxBytes) fail('ERR_INVALID_KEYRING', `${path} is ${stats.size} bytes, more than the ${maxBytes} a keyring file may hold`, { file: path });
    return { bytes: await readAtMost(handle, path, maxBytes), stats: { mode: stats.mode, uid: stats.uid, gid: stats.gid } };
  } catch (err) {
    if (KeyrollError.is(err)) throw err;
    return ioFailure('read', path, err);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Reads up to `max + 1` bytes, so a file that grew past the cap since fstat is refused, not truncated. */
async function readAtMost(handle: FileHandle, path: string, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(Math.min(64 * 1024, max + 1 - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > max) fail('ERR_INVALID_KEYRING', `${path} holds more than the ${max} bytes a keyring file may hold`, { file: path });
  }
  return Buffer.concat(chunks, total);
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

function ioFailure(what: string, path: string, err: unknown): never {
  const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
  return fail('ERR_IO', `could not ${what} ${path}: ${code}`, { file: path, cause: err });
}

/** A keyring file's text, whether it is sealed, and the file as read. */
export interface KeyringText extends CheckedFile {
  readonly text: string;
  readonly sealed: boolean;
}

/**
 * Reads a keyring file as UTF-8 text and tells whether it is sealed;
 * `ERR_INVALID_KEYRING` (with `file`) when it is not UTF-8.
 * @example
 * ```ts
 * const { text, sealed } = await readKeyringText('/etc/app/keyring.json');
 * ```
 */
export async function readKeyringText(path: string): Promise<KeyringText> {
  const file = await readFileChecked(path);
  let text: string;
  try {
    text = fromUtf8(file.bytes);
  } catch {
    return fail('ERR_INVALID_KEYRING', `keyring file ${path} is not UTF-8 text`, { file: path });
  }
  return { ...file, text, sealed: isSealedText(text) };
}

/**
 * Parses JSON that may hold secrets. The parser's own message quotes the
 * input, so it is never passed on: the error says only what and where.
 * @example
 * ```ts
 * const doc = parseSecretJson(text, 'keyring file keyring.json', 'keyring.json');
 * ```
 */
export function parseSecretJson(text: string, what: string, file?: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    return fail('ERR_INVALID_KEYRING', `${what} is not valid JSON${jsonErrorPlace(text, err)}`, file === undefined ? {} : { file });
  }
}

/** Where JSON.parse stopped, as line and column: only numbers from its message, never the text it quotes. */
function jsonErrorPlace(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  if (text.trim() === '') return ' (it is blank)';
  if (/Unexpected end of JSON input/.test(message)) return ' (it ends too early: truncated?)';
  const at = /at position (\d+)/.exec(message);
  if (at === null) return '';
  const before = text.slice(0, Number(at[1]));
  return ` (at line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')})`;
}
