/**
 * Atomic file replacement: write a temp file beside the target, fsync it,
 * keep a backup of the file being replaced, rename over the target, fsync
 * the directory. A crash at any point leaves either the old or the new file.
 * The new file and the backup are created with O_EXCL and O_NOFOLLOW, mode
 * 0600 (or `mode`), whatever the mode of the file they replace; run as root,
 * both keep the replaced file's owner and group.
 * @module
 */
import { constants, type Stats } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fail, KeyrollError } from '../errors.js';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** File mode of the new file, default 0o600 (keyrings hold secrets). */
  readonly mode?: number;
  /**
   * Keep a copy of the file being replaced. `true` (default) writes
   * `<file>.bak` (replacing an older backup); a string names the backup path.
   * The backup is always mode 0600.
   */
  readonly backup?: boolean | string;
  /**
   * The content of the file being replaced as the caller read it: the backup
   * is written from these bytes instead of reading the file again.
   */
  readonly previous?: Uint8Array;
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
    const original = await stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    await writeDurable(temp, options.mode ?? 0o600, original, write);
    if (options.backup !== false && original !== undefined) {
      backupPath = typeof options.backup === 'string' ? options.backup : `${path}.bak`;
      // From the bytes already read, or streamed from the file into a new 0600
      // file: a copyFile would carry the original's mode (0644 stays 0644).
      const previous = options.previous;
      const backupTemp = `${temp}.bak`;
      try {
        await writeDurable(backupTemp, 0o600, original, (handle) => (previous === undefined ? copyInto(handle, path) : handle.writeFile(previous)));
        await rename(backupTemp, backupPath);
      } catch (err) {
        await unlink(backupTemp).catch(() => undefined);
        throw err;
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

const CREATE = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW;

/** Creates `file` (never through a symlink, never over an existing file), writes, fixes owner and mode, fsyncs. */
async function writeDurable(file: string, mode: number, owner: Stats | undefined, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const handle = await open(file, CREATE, mode);
  try {
    await write(handle);
    // Root replacing someone else's file must not hand it to root (the service could no longer read it).
    if (owner !== undefined && process.getuid?.() === 0) await handle.chown(owner.uid, owner.gid);
    await handle.chmod(mode); // the umask may only have removed bits; say exactly what we mean
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function copyInto(handle: FileHandle, path: string): Promise<void> {
  const source = await open(path, constants.O_RDONLY);
  try {
    for await (const chunk of source.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>) await writeAll(handle, [chunk], chunk.length);
  } finally {
    await source.close();
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
