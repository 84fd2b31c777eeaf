/**
 * Sealed keyring files on disk, and sealing a keyring.
 * @module
 */
import { fromUtf8 } from '../bytes.js';
import { fail } from '../errors.js';
import { checkOptions } from '../args.js';
import type { KeyringDocument } from '../document/index.js';
import { readFileChecked, readKeyringText } from './read.js';
import { checkGeneration, sealDocument, sealedHeader, unsealText, type UnsealOptions } from './sealed.js';
import type { UnlockOptions } from './wrapper.js';

/**
 * Reads and unseals a sealed keyring file into its document. A wrong master
 * key or passphrase, or a modified file -> `ERR_DECRYPT_FAILED` naming the
 * file; a generation below `minGeneration` -> `ERR_INVALID_KEYRING`.
 * @example
 * ```ts
 * const doc = await loadSealedKeyringFile('keyring.sealed', { masterKey: process.env.KEYROLL_MASTER_KEY! }, { minGeneration: 7 });
 * ```
 */
export async function loadSealedKeyringFile(path: string, unlock: UnlockOptions, options: UnsealOptions = {}): Promise<unknown> {
  const { bytes } = await readFileChecked(path);
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch {
    return fail('ERR_INVALID_KEYRING', `sealed keyring ${path} is not a sealed keyroll keyring (not UTF-8 text)`, { file: path });
  }
  return (await unsealText(text, unlock, path, options)).document;
}

/**
 * Options of {@link sealKeyring}.
 * @example
 * ```ts
 * const options: SealOptions = { generation: sealedGeneration(previousText) + 1 };
 * ```
 */
export interface SealOptions {
  /**
   * The file's generation, written into its authenticated header; readers
   * with a `minGeneration` refuse older files. Default 1. When you replace a
   * sealed file, pass the previous file's generation plus one.
   */
  readonly generation?: number;
}

/**
 * Seals a keyring: returns the text of a sealed file (write it with
 * `writeFileAtomic`). Each call uses a fresh data key and salt. Pass
 * `generation` (previous + 1) when the file replaces an older one, so
 * readers with a minimum generation can refuse a rolled-back copy.
 * @example
 * ```ts
 * import { sealKeyring, sealedGeneration } from 'keyroll';
 * const previous = fs.readFileSync('keyring.sealed', 'utf8');
 * const text = await sealKeyring(ring, { passphrase: process.env.KEYROLL_PASSPHRASE! }, { generation: sealedGeneration(previous) + 1 });
 * fs.writeFileSync('keyring.sealed', text, { mode: 0o600 });
 * ```
 */
export async function sealKeyring(ring: { export(): KeyringDocument }, unlock: UnlockOptions, options: SealOptions = {}): Promise<string> {
  if (typeof ring !== 'object' || ring === null || typeof ring.export !== 'function') fail('ERR_INVALID_ARGUMENT', 'sealKeyring needs a Keyring');
  checkOptions(options, ['generation'], 'sealKeyring options');
  const generation = options.generation === undefined ? 1 : checkGeneration(options.generation, 'sealKeyring: generation');
  return sealDocument(ring.export(), unlock, generation);
}

/**
 * The generation written in a sealed file's header (0 for a file sealed by
 * keyroll 0.1.0, which has none). Read without a key, so not authenticated:
 * use it to number the next file; to trust it, open the file with
 * `{ minGeneration }`.
 * @example
 * ```ts
 * const next = sealedGeneration(fs.readFileSync('keyring.sealed', 'utf8')) + 1;
 * ```
 */
export function sealedGeneration(text: string): number {
  if (typeof text !== 'string') fail('ERR_INVALID_ARGUMENT', 'sealedGeneration needs the text of a sealed file');
  return sealedHeader(text).generation;
}

/**
 * The generation for a sealed file about to be written at `path`: one more
 * than the sealed file it replaces (read from that file's header), else 1.
 * @example
 * ```ts
 * const text = await sealKeyring(ring, unlock, { generation: await nextGenerationAt('keyring.sealed') });
 * ```
 */
export async function nextGenerationAt(path: string): Promise<number> {
  try {
    const { text, sealed } = await readKeyringText(path);
    return sealed ? sealedHeader(text, path).generation + 1 : 1;
  } catch {
    return 1; // no file, or not one we can read: a new history starts
  }
}
