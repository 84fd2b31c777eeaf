/**
 * Keyrings from environment variables (see fields.ts for both layouts).
 * Messages name the variables to set, never an API call: whoever reads them
 * is configuring a deployment.
 * @module
 */
import { fail, KeyrollError } from '../errors.js';
import { documentFromFields, type FieldSource } from './fields.js';
import { parseSecretJson, readKeyringText } from './read.js';
import { loadSealedKeyringFile } from './sealed-file.js';

const own = (env: Readonly<Record<string, string | undefined>>, name: string): string | undefined =>
  // Own properties only: process.env-like objects, never their prototype.
  Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined;

/**
 * Reads the keyroll or the platform layout from `env` into a keyring document.
 * A sealed `KEYROLL_KEYRING_FILE` older than the larger of `minGeneration`
 * and `KEYROLL_MIN_GENERATION` is refused (`ERR_INVALID_KEYRING`).
 * @example
 * ```ts
 * const ring = Keyring.fromJSON(await loadKeyringFromEnv(process.env));
 * ```
 */
export async function loadKeyringFromEnv(env: Readonly<Record<string, string | undefined>>, options: { readonly minGeneration?: number | undefined } = {}): Promise<unknown> {
  const source: FieldSource = {
    get: (name) => own(env, name),
    describe: (name) => `environment variable ${name}`,
    label: 'the environment',
    documentFields: ['KEYROLL_KEYRING'],
    loadFile: async (path, unlock, minGeneration) => {
      if (unlock !== undefined) return loadSealedKeyringFile(path, unlock, minGeneration === undefined ? {} : { minGeneration });
      const { text, sealed } = await readKeyringText(path);
      if (sealed) {
        fail('ERR_INVALID_KEYRING', `KEYROLL_KEYRING_FILE names a sealed keyring (${path}): set KEYROLL_MASTER_KEY or KEYROLL_PASSPHRASE to unlock it`, { file: path });
      }
      return parseSecretJson(text, `keyring file ${path} (KEYROLL_KEYRING_FILE)`, path);
    },
    minGeneration: options.minGeneration,
  };
  return documentFromFields(source);
}

/**
 * Runs `build` over a document read from `env`; a document or key error is
 * prefixed with where the document came from (`environment variable
 * KEYROLL_KEYRING: ...`), so the message says which variable to fix.
 * @example
 * ```ts
 * const ring = withEnvOrigin(process.env, () => Keyring.fromJSON(doc));
 * ```
 */
export function withEnvOrigin<T>(env: Readonly<Record<string, string | undefined>>, build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (!KeyrollError.is(err, 'ERR_INVALID_KEYRING') && !KeyrollError.is(err, 'ERR_INVALID_KEY')) throw err;
    const file = own(env, 'KEYROLL_KEYRING_FILE');
    const origin =
      (own(env, 'KEYROLL_KEYRING') ?? '') !== ''
        ? 'environment variable KEYROLL_KEYRING'
        : file !== undefined && file !== ''
          ? `keyring file ${file} (KEYROLL_KEYRING_FILE)`
          : 'the environment';
    throw new KeyrollError(err.code, `${origin}: ${err.message}`, {
      cause: err,
      ...(err.keyId === undefined ? {} : { keyId: err.keyId }),
      ...(err.file === undefined ? {} : { file: err.file }),
    });
  }
}
