/**
 * Atomic file replacement: write a temp file beside the target, fsync it,
 * keep a backup of the file being replaced, rename over the target, fsync
 * the directory. A crash at any point leaves either the old or the new file.
 * @module
 */
import { constants } from 'node:fs';
import { copyFile, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fail, KeyrollError } from '../errors.js';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** File mode of the new file, default 0o600 (keyrings hold secrets). */
  readonly mode?: number;
  /**
   * Keep a copy of the file being replaced. `true` (default) writes
   * `<file>.bak` (overwriting an older backup); a string names the backup path.
   */
  readonly backup?: boolean | string;
  /** Test hook: called after the temp file is durable and before the rename. */
  readonly beforeRename?: (tempPath: string) => void | Promise<void>;
}

/**
 * Writes `data` to `path` atomically; returns the backup path when one was made.
 * @example
 * ```ts
 * const backup = await writeFileAtomic('keyring.json', text); // 'keyring.json.bak' when it replaced a file
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<string | undefined> {
  return replaceAtomic(path, options, (handle) => handle.writeFile(data));
}

/**
 * Writes every chunk of `source` to `path` atomically: the target appears
 * only when the whole source was read without error (a failing stream
 * leaves no file and no temp file behind). Returns the backup path, if any.
 * @example
 * ```ts
 * await writeStreamAtomic('db.dump.kr', createReadStream('db.dump').pipe(encryptStream(ring)), { backup: false });
 * ```
 */
export async function writeStreamAtomic(path: string, source: AsyncIterable<Uint8Array>, options: AtomicWriteOptions = {}): Promise<string | undefined> {
  return replaceAtomic(path, options, async (handle) => {
    // Small chunks (a stream's 16-byte tags) are gathered into one writev.
    let batch: Uint8Array[] = [];
    let size = 0;
    const flush = async (): Promise<void> => {
      if (batch.length > 0) await writeAll(handle, batch, size);
      batch = [];
      size = 0;
    };
    for await (const chunk of source) {
      batch.push(chunk);
      size += chunk.length;
      if (size >= WRITE_BATCH || batch.length >= 64) await flush();
    }
    await flush();
  });
}

const WRITE_BATCH = 1024 * 1024;

async function writeAll(handle: FileHandle, chunks: Uint8Array[], size: number): Promise<void> {
  let written = (await handle.writev(chunks)).bytesWritten;
  if (written === size) return;
  // A short writev (rare): write the rest chunk by chunk.
  for (const chunk of chunks) {
    if (written >= chunk.length) {
      written -= chunk.length;
      continue;
    }
    let done = written;
    written = 0;
    while (done < chunk.length) done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
  }
}

async function replaceAtomic(path: string, options: AtomicWriteOptions, write: (handle: FileHandle) => Promise<void>): Promise<string | undefined> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let backupPath: string | undefined;
  try {
    const handle = await open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, options.mode ?? 0o600);
    try {
      await write(handle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.backup !== false) {
      backupPath = typeof options.backup === 'string' ? options.backup : `${path}.bak`;
      // The backup is itself copied to a temp file and renamed, so a crash
      // mid-copy never leaves a truncated backup in place of a good one.
      const backupTemp = `${temp}.bak`;
      try {
        await copyFile(path, backupTemp, constants.COPYFILE_EXCL);
        await fsyncPath(backupTemp);
        await rename(backupTemp, backupPath);
      } catch (err) {
        await unlink(backupTemp).catch(() => undefined);
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        backupPath = undefined; // nothing to back up: a new file
      }
    }
    await options.beforeRename?.(temp);
    await rename(temp, path);
    await fsyncPath(dir);
    return backupPath;
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    if (!(err instanceof KeyrollError) && err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string') {
      fail('ERR_IO', `could not write ${path}: ${(err as NodeJS.ErrnoException).code}`, { file: path, cause: err });
    }
    throw err;
  }
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY);
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await handle.close();
  }
}
