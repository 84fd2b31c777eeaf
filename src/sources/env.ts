/**
 * Keyrings from environment variables (see fields.ts for both layouts).
 * Messages name the variables to set, never an API call: whoever reads them
 * is configuring a deployment.
 * @module
 */
import { fail, KeyrollError } from '../errors.js';
import { documentFromFields, type FieldSource } from './fields.js';
import { parseMasterKey } from './master-key.js';
import { parseSecretJson, readKeyringText } from './read.js';
import { sealedHeader, unsealText } from './sealed.js';

const MASTER = 'KEYROLL_MASTER_KEY';
const PASSPHRASE = 'KEYROLL_PASSPHRASE';
type EnvUnlock = { masterKey: string } | { passphrase: string };

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
      const { text, sealed } = await readKeyringText(path);
      const label = `keyring file ${path} (KEYROLL_KEYRING_FILE)`;
      if (sealed && unlock === undefined) {
        fail('ERR_INVALID_KEYRING', `KEYROLL_KEYRING_FILE names a sealed keyring (${path}): set ${MASTER} or ${PASSPHRASE} to unlock it`, { file: path });
      }
      if (unlock === undefined) return parseSecretJson(text, label, path);
      const given = 'masterKey' in unlock ? MASTER : PASSPHRASE;
      if (!sealed) fail('ERR_INVALID_KEYRING', `${label} is not a sealed keyring: ${given} unlocks a sealed file only; unset it to load a plain keyring file`, { file: path });
      return (await unsealText(text, envUnlock(unlock, sealedHeader(text, path).wrapper.kind, label, path), path, minGeneration === undefined ? {} : { minGeneration })).document;
    },
    minGeneration: options.minGeneration,
  };
  return documentFromFields(source);
}

/**
 * The unlock options for a sealed file's wrapper kind, or an error naming the
 * variable to set: the file's header says how it was sealed, with no key.
 */
function envUnlock(unlock: EnvUnlock, kind: string, label: string, path: string): { masterKey: Uint8Array } | { passphrase: string } {
  const given = 'masterKey' in unlock ? MASTER : PASSPHRASE;
  const wanted = kind === 'master-key' ? MASTER : kind === 'passphrase' ? PASSPHRASE : undefined;
  if (wanted === undefined) {
    fail('ERR_INVALID_ARGUMENT', `${label} was sealed with a "${kind.slice(0, 64)}" key wrapper, which ${MASTER} and ${PASSPHRASE} cannot unlock: load it with that wrapper in code`, { file: path });
  }
  if (wanted !== given) {
    fail('ERR_INVALID_ARGUMENT', `${label} was sealed with ${kind === 'master-key' ? 'a master key' : 'a passphrase'}: set ${wanted} instead of ${given}`, { file: path });
  }
  if ('passphrase' in unlock) return unlock;
  return { masterKey: parseMasterKey(unlock.masterKey, `environment variable ${MASTER}`, `the file was sealed with a master key, so set ${MASTER} to that key`) };
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
