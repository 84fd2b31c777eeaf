/**
 * Keyrings from a directory with one file per field, as Kubernetes mounts a
 * secret (values already decoded). Dotfiles are ignored: Kubernetes keeps its
 * `..data` symlink and timestamped folders there.
 * @module
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fail } from '../errors.js';
import { fromUtf8 } from '../bytes.js';
import { documentFromFields } from './fields.js';
import { MAX_KEYRING_FILE_BYTES, readFileChecked } from './read.js';

const MAX_FIELD_BYTES = 1024 * 1024;
const KNOWN = new Set(['keyring.json', 'KEYROLL_KEYRING', 'ENCRYPTION_KEY', 'ACTIVE_ENCRYPTION_KEY_NAME', 'oldEncKeys.json', 'OLD_ENC_KEYS']);

/**
 * Reads the keyroll layout (`keyring.json` or `KEYROLL_KEYRING`) or the
 * platform layout (`ENCRYPTION_KEY`, `ACTIVE_ENCRYPTION_KEY_NAME`,
 * `oldEncKeys.json` or `OLD_ENC_KEYS`) from `dir`. One trailing newline of
 * each file is trimmed.
 * @example
 * ```ts
 * const ring = Keyring.fromJSON(await loadKeyringFromDirectory('/var/run/secrets/keyroll'));
 * ```
 */
export async function loadKeyringFromDirectory(dir: string): Promise<unknown> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    return fail('ERR_IO', `could not read directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? 'unknown error'}`, { file: dir, cause: err });
  }
  const fields = new Map<string, string>();
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (!KNOWN.has(name)) {
      // Someone else's file: skipped when it is not a small regular file.
      const info = await stat(path).catch(() => undefined); // follows the ..data symlinks
      if (info === undefined || !info.isFile() || info.size > MAX_FIELD_BYTES) continue;
    }
    // Ours: a FIFO, a device, a directory or a huge file under a keyring field name is refused, not skipped.
    const { bytes } = await readFileChecked(path, KNOWN.has(name) ? MAX_KEYRING_FILE_BYTES : MAX_FIELD_BYTES);
    let text: string;
    try {
      text = fromUtf8(bytes);
    } catch {
      if (KNOWN.has(name)) fail('ERR_INVALID_KEYRING', `file ${path} is not UTF-8 text`, { file: path });
      continue; // a binary field of someone else's is not ours to read
    }
    fields.set(name, text.replace(/\r?\n$/, ''));
  }
  return documentFromFields({
    get: (name) => fields.get(name),
    describe: (name) => `file ${join(dir, name)}`,
    label: `directory ${dir}`,
    documentFields: ['keyring.json', 'KEYROLL_KEYRING'],
  });
}
