/**
 * Sealed keyring files on disk, and sealing a keyring.
 * @module
 */
import { fromUtf8 } from '../bytes.js';
import { fail } from '../errors.js';
import type { KeyringDocument } from '../document/index.js';
import { readFileChecked } from './read.js';
import { sealDocument, unsealText } from './sealed.js';
import type { UnlockOptions } from './wrapper.js';

/**
 * Reads and unseals a sealed keyring file into its document. A wrong master
 * key or passphrase -> `ERR_DECRYPT_FAILED` naming the file.
 * @example
 * ```ts
 * const doc = await loadSealedKeyringFile('keyring.sealed', { masterKey: process.env.KEYROLL_MASTER_KEY! });
 * ```
 */
export async function loadSealedKeyringFile(path: string, unlock: UnlockOptions): Promise<unknown> {
  const bytes = await readFileChecked(path);
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch {
    return fail('ERR_INVALID_KEYRING', `sealed keyring ${path} is not a sealed keyroll keyring (not UTF-8 text)`, { file: path });
  }
  return unsealText(text, unlock, path);
}

/**
 * Seals a keyring: returns the text of a sealed file (write it with
 * `writeFileAtomic`). Each call uses a fresh data key and salt.
 * @example
 * ```ts
 * import { sealKeyring } from 'keyroll';
 * fs.writeFileSync('keyring.sealed', await sealKeyring(ring, { passphrase: process.env.KEYROLL_PASSPHRASE! }), { mode: 0o600 });
 * ```
 */
export async function sealKeyring(ring: { export(): KeyringDocument }, unlock: UnlockOptions): Promise<string> {
  if (typeof ring !== 'object' || ring === null || typeof ring.export !== 'function') fail('ERR_INVALID_ARGUMENT', 'sealKeyring needs a Keyring');
  return sealDocument(ring.export(), unlock);
}
