/**
 * Plain (unsealed) keyring files: a keyring document as JSON text.
 * @module
 */
import { fail } from '../errors.js';
import { parseSecretJson, readKeyringText } from './read.js';

/**
 * Reads a plain keyring document from `path` (validated later by `Keyring.fromJSON`).
 * A sealed file is refused with a hint to use `fromSealedFile`.
 * @example
 * ```ts
 * const doc = await loadKeyringFile('keyring.json');
 * const ring = Keyring.fromJSON(doc);
 * ```
 */
export async function loadKeyringFile(path: string): Promise<unknown> {
  const { text, sealed } = await readKeyringText(path);
  if (sealed) {
    fail('ERR_INVALID_KEYRING', `keyring file ${path} is sealed; load it with Keyring.fromSealedFile and a master key or passphrase`, { file: path });
  }
  return parseSecretJson(text, `keyring file ${path}`, path);
}
