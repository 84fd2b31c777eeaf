/**
 * Keyrings from environment variables (see fields.ts for both layouts).
 * @module
 */
import { documentFromFields, type FieldSource } from './fields.js';
import { loadKeyringFile } from './plain.js';
import { loadSealedKeyringFile } from './sealed-file.js';

/**
 * Reads the keyroll or the platform layout from `env` into a keyring document.
 * @example
 * ```ts
 * const ring = Keyring.fromJSON(await loadKeyringFromEnv(process.env));
 * ```
 */
export async function loadKeyringFromEnv(env: Readonly<Record<string, string | undefined>>): Promise<unknown> {
  const source: FieldSource = {
    // Own properties only: process.env-like objects, never their prototype.
    get: (name) => (Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined),
    describe: (name) => `environment variable ${name}`,
    label: 'the environment',
    documentFields: ['KEYROLL_KEYRING'],
    loadFile: (path, unlock) => (unlock === undefined ? loadKeyringFile(path) : loadSealedKeyringFile(path, unlock)),
  };
  return documentFromFields(source);
}
