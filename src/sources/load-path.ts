/**
 * One loader for whatever a path holds: a plain or sealed keyring file, or a
 * directory of key files (keyroll or platform layout, as Kubernetes mounts a
 * secret). Also a cheap signature of the path's content, so a watcher can
 * tell whether anything changed without unsealing.
 * @module
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fail } from '../errors.js';
import { loadKeyringFromDirectory } from './directory.js';
import { parseSecretJson, readFileChecked, readKeyringText } from './read.js';
import { unsealText } from './sealed.js';
import type { UnlockOptions } from './wrapper.js';

/**
 * Loads the keyring document at `path`: a directory of key files, or a
 * keyring file (sealed ones need `unlock`). With `minGeneration`, only a
 * sealed file of at least that generation loads (`ERR_INVALID_KEYRING`
 * otherwise, and for a plain file or a directory, which have none).
 * @example
 * ```ts
 * const doc = await loadKeyringPath('/var/run/secrets/keyroll', undefined);
 * ```
 */
export async function loadKeyringPath(path: string, unlock: UnlockOptions | undefined, minGeneration?: number): Promise<unknown> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => fail('ERR_IO', `could not read ${path}: ${err.code ?? 'unknown error'}`, { file: path, cause: err }));
  const noGeneration = (what: string): never => fail('ERR_INVALID_KEYRING', `${what} has no generation; minGeneration applies to sealed keyring files`, { file: path });
  if (info.isDirectory()) return minGeneration === undefined ? loadKeyringFromDirectory(path) : noGeneration(`directory ${path}`);
  const { text, sealed } = await readKeyringText(path);
  if (!sealed) return minGeneration === undefined ? parseSecretJson(text, `keyring file ${path}`, path) : noGeneration(`plain keyring file ${path}`);
  if (unlock === undefined) fail('ERR_INVALID_KEYRING', `keyring file ${path} is sealed; pass unlock (a master key, passphrase or key wrapper)`, { file: path });
  return (await unsealText(text, unlock, path, minGeneration === undefined ? {} : { minGeneration })).document;
}

/**
 * A digest of everything a load of `path` would read (file bytes; for a
 * directory, the names and bytes of its non-dot entries, symlinks followed).
 * Kept in memory only, to skip reloads that would change nothing.
 * @example
 * ```ts
 * if ((await pathSignature(path)) !== last) await reload();
 * ```
 */
export async function pathSignature(path: string): Promise<string> {
  const hash = createHash('sha256');
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return 'missing';
  if (!info.isDirectory()) {
    hash.update('file\0').update(await readBounded(path));
    return hash.digest('hex');
  }
  const names = (await readdir(path).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();
  for (const name of names) {
    const file = join(path, name);
    const entry = await stat(file).catch(() => undefined);
    if (entry === undefined || !entry.isFile()) continue;
    const bytes = await readBounded(file);
    hash.update(`${name}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex');
}

/** A file's bytes for the signature; a FIFO, a device or a huge file is never read (the load refuses it). */
function readBounded(path: string): Promise<Buffer> {
  return readFileChecked(path).then(
    (f) => f.bytes,
    () => Buffer.from('unreadable'),
  );
}
