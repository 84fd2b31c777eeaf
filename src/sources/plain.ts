/**
 * Plain (unsealed) keyring files: a keyring document as JSON text.
 * @module
 */
import { fromUtf8 } from '../bytes.js';
import { fail } from '../errors.js';
import { parseSecretJson, readFileChecked } from './read.js';
import { isSealedText } from './sealed.js';

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
  const bytes = await readFileChecked(path);
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch {
    return fail('ERR_INVALID_KEYRING', `keyring file ${path} is not UTF-8 text`, { file: path });
  }
  if (isSealedText(text)) {
    fail('ERR_INVALID_KEYRING', `keyring file ${path} is sealed; load it with Keyring.fromSealedFile and a master key or passphrase`, { file: path });
  }
  return parseSecretJson(text, `keyring file ${path}`, path);
}
