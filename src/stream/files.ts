/**
 * Stream files: encrypt, decrypt and re-encrypt a file into another (or
 * itself), written atomically, so a failure at any segment, or a truncated
 * input, leaves no output file (and an existing one untouched).
 * @module
 */
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import type { Transform } from 'node:stream';
import { fail, KeyrollError } from '../errors.js';
import { describe } from '../bytes.js';
import { checkOptions } from '../args.js';
import { streamLength, type EnvelopeInfo } from '../envelope/format.js';
import { MAX_HEADER_LENGTH, parseStreamHeader, STREAM_SUITE } from '../envelope/stream-header.js';
import type { Keyring } from '../keyring/keyring.js';
import { writeStreamAtomic } from '../sources/atomic.js';
import { checkRing } from './keys.js';
import { decryptStream, encryptStream } from './node.js';
import type { DecryptStreamOptions, EncryptStreamOptions } from './options.js';

/**
 * Options of the file helpers: those of the streams, plus the new file's
 * mode (default 0o600).
 * @example
 * ```ts
 * await encryptFile(ring, 'db.dump', 'db.dump.kr', { context: { name: 'db.dump' }, mode: 0o640 });
 * ```
 */
export interface FileOptions extends EncryptStreamOptions {
  readonly mode?: number;
}

/**
 * Re-encryption of a stream file: its context, and where to write (default:
 * in place). The file keeps its mode unless `mode` is given.
 * @example
 * ```ts
 * await reencryptFile(ring, 'db.dump.kr', { output: 'db.dump.k3.kr' });
 * ```
 */
export interface ReencryptFileOptions extends FileOptions {
  /** Write here instead of replacing the input. */
  readonly output?: string;
}

/**
 * What {@link reencryptFile} did.
 * @example
 * ```ts
 * const { previousKeyId, keyId } = await reencryptFile(ring, 'db.dump.kr');
 * ```
 */
export interface ReencryptFileResult {
  readonly previousKeyId: string;
  readonly keyId: string;
}

/**
 * Encrypts the file `input` into `output` (atomically).
 * @example
 * ```ts
 * import { encryptFile } from 'keyroll/stream';
 * await encryptFile(ring, 'db.dump', 'db.dump.kr');
 * ```
 */
export async function encryptFile(ring: Keyring, input: string, output: string, options: FileOptions = {}): Promise<void> {
  const { mode, rest } = split(options, 'encryptFile');
  checkPaths(input, output);
  await writeThrough(input, output, mode, [encryptStream(ring, rest)]);
}

/**
 * Decrypts the stream file `input` into `output` (atomically): on any
 * failure no output file appears.
 * @example
 * ```ts
 * import { decryptFile } from 'keyroll/stream';
 * await decryptFile(ring, 'db.dump.kr', 'db.dump');
 * ```
 */
export async function decryptFile(ring: Keyring, input: string, output: string, options: DecryptStreamOptions & { readonly mode?: number } = {}): Promise<void> {
  const { mode, rest } = split(options, 'decryptFile', ['context', 'mode']);
  checkPaths(input, output);
  await writeThrough(input, output, mode, [decryptStream(ring, rest)]);
}

/**
 * Re-encrypts a stream file under the active key, replacing it atomically
 * (or writing `output`). The segment size is kept unless given.
 * @example
 * ```ts
 * import { reencryptFile } from 'keyroll/stream';
 * await reencryptFile(ring, 'db.dump.kr', { context: { name: 'db.dump' } });
 * ```
 */
export async function reencryptFile(ring: Keyring, path: string, options: ReencryptFileOptions = {}): Promise<ReencryptFileResult> {
  checkRing(ring);
  const { output, ...fileOptions } = checkOptions(options, ['context', 'segmentSize', 'mode', 'output'], 'reencryptFile options');
  if (output !== undefined && typeof output !== 'string') fail('ERR_INVALID_ARGUMENT', `reencryptFile: output must be a path, got ${describe(output)}`);
  const target = output ?? path;
  checkPaths(path, target, true);
  const info = await inspectFile(path);
  const { mode, rest } = split(fileOptions, 'reencryptFile');
  const decryptOptions = rest.context === undefined ? {} : { context: rest.context };
  const encryptOptions = { ...decryptOptions, segmentSize: rest.segmentSize ?? info.segmentSize };
  const keyId = ring.activeKeyId;
  const keptMode = mode ?? ((await stat(path)).mode & 0o777);
  await writeThrough(path, target, keptMode, [decryptStream(ring, decryptOptions), encryptStream(ring, encryptOptions)]);
  return { previousKeyId: info.keyId, keyId };
}

/**
 * The header facts of a stream file (key id, segment size, plaintext
 * length from the file's size), reading the header only. No key needed;
 * nothing is authenticated.
 * @example
 * ```ts
 * import { inspectFile } from 'keyroll/stream';
 * (await inspectFile('db.dump.kr')).keyId; // 'k2'
 * ```
 */
export async function inspectFile(path: string): Promise<EnvelopeInfo & { readonly segmentSize: number }> {
  checkPaths(path, path, true);
  const handle = await openRead(path);
  try {
    const { size } = await handle.stat();
    const head = new Uint8Array(Math.min(size, MAX_HEADER_LENGTH));
    await handle.read(head, 0, head.length, 0);
    const header = parseStreamHeader(head) ?? fail('ERR_MALFORMED_ENVELOPE', `${path} is not a keyroll streaming envelope: it ends inside the header`, { file: path });
    return {
      version: header.version,
      suite: { id: STREAM_SUITE.id, name: STREAM_SUITE.name },
      keyId: header.keyId,
      form: 'stream',
      plaintextLength: streamLength(header, size),
      segmentSize: header.segmentSize,
    };
  } finally {
    await handle.close();
  }
}

function split(options: unknown, label: string, allowed: readonly string[] = ['context', 'segmentSize', 'mode']): { mode: number | undefined; rest: EncryptStreamOptions } {
  const { mode, ...rest } = checkOptions(options as FileOptions | undefined, allowed, `${label} options`);
  if (mode !== undefined && (!Number.isInteger(mode) || mode < 0 || mode > 0o777)) fail('ERR_INVALID_ARGUMENT', `${label}: mode must be a file mode from 0 to 0o777`);
  return { mode, rest };
}

function checkPaths(input: unknown, output: unknown, sameAllowed = false): void {
  if (typeof input !== 'string' || input.length === 0) fail('ERR_INVALID_ARGUMENT', `the input path must be a non-empty string, got ${describe(input)}`);
  if (typeof output !== 'string' || output.length === 0) fail('ERR_INVALID_ARGUMENT', `the output path must be a non-empty string, got ${describe(output)}`);
  if (!sameAllowed && input === output) fail('ERR_INVALID_ARGUMENT', 'the input and output paths are the same file; use reencryptFile to rewrite a stream file in place');
}

async function openRead(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (err) {
    return fail('ERR_IO', `could not read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { file: path, cause: err });
  }
}

/**
 * input -> transforms -> output, atomically. The output is renamed into
 * place only when every stage ended without error.
 */
async function writeThrough(input: string, output: string, mode: number | undefined, transforms: Transform[]): Promise<void> {
  const handle = await openRead(input);
  const fileMode = mode ?? 0o600;
  let failure: unknown;
  const source = createReadStream('', { fd: handle, highWaterMark: 1024 * 1024 });
  const last = pipeline([source, ...transforms], (err) => {
    if (err) failure ??= err;
  }) as unknown as AsyncIterable<Uint8Array>;
  try {
    await writeStreamAtomic(output, last, {
      mode: fileMode,
      backup: false,
      beforeRename: () => {
        if (failure !== undefined) throw failure;
      },
    });
  } catch (err) {
    const cause = failure ?? err;
    if (cause instanceof KeyrollError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    fail('ERR_IO', `could not stream ${input} to ${output}: ${typeof code === 'string' ? code : 'error'}`, { file: input, cause });
  }
}
