/**
 * Keyring documents from named fields: environment variables or the files of
 * a mounted directory. Both layouts (keyroll, platform) live here once.
 * @module
 */
import { fail } from '../errors.js';
import { checkKeyId } from '../document/index.js';
import { parseSecretJson } from './read.js';
import { isSealedText } from './sealed.js';
import { checkPlatformSecret, looksSwapped, parseOldKeys, platformDocument, PLATFORM } from './platform.js';

/** Where fields come from. */
export interface FieldSource {
  /** The field's value, `undefined` when absent. */
  get(name: string): string | undefined;
  /** How to name a field in an error, e.g. `environment variable ENCRYPTION_KEY`. */
  describe(name: string): string;
  /** The whole source, e.g. `the environment` or `directory /var/run/secrets/keyroll`. */
  readonly label: string;
  /** Names that hold the keyroll document (`KEYROLL_KEYRING`; a directory also `keyring.json`). */
  readonly documentFields: readonly string[];
  /** Loads a keyring file named by `KEYROLL_KEYRING_FILE` (environment only). */
  readonly loadFile?: (path: string, unlock: { masterKey: string } | { passphrase: string } | undefined, minGeneration: number | undefined) => Promise<unknown>;
  /** The caller's minimum generation of a sealed keyring file (environment only). */
  readonly minGeneration?: number | undefined;
}

const KEYROLL_FILE = 'KEYROLL_KEYRING_FILE';
const MASTER = 'KEYROLL_MASTER_KEY';
const PASSPHRASE = 'KEYROLL_PASSPHRASE';
const MIN_GENERATION = 'KEYROLL_MIN_GENERATION';
const PLATFORM_NAMES = [PLATFORM.key, PLATFORM.name, PLATFORM.old, PLATFORM.oldAlias];

/**
 * Resolves the keyroll or the platform layout into a keyring document.
 * @example
 * ```ts
 * const doc = await documentFromFields(envSource(process.env));
 * ```
 */
export async function documentFromFields(src: FieldSource): Promise<unknown> {
  const present = (name: string): boolean => (src.get(name) ?? '') !== '';
  const keyrollNames = [...src.documentFields, ...(src.loadFile ? [KEYROLL_FILE, MASTER, PASSPHRASE] : [])].filter(present);
  const platformNames = PLATFORM_NAMES.filter(present);
  if (keyrollNames.length > 0 && platformNames.length > 0) {
    fail('ERR_INVALID_KEYRING', `${src.label} holds both the keyroll layout (${keyrollNames.join(', ')}) and the platform layout (${platformNames.join(', ')}); keep one`);
  }
  const minGeneration = minGenerationOf(src);
  if (platformNames.length > 0) {
    if (minGeneration !== undefined) fail('ERR_INVALID_KEYRING', `${src.label}: a minimum generation (${MIN_GENERATION} or minGeneration) applies to a sealed ${KEYROLL_FILE} only; the platform layout has no generation`);
    return platformFromFields(src);
  }
  if (keyrollNames.length > 0) return keyrollFromFields(src, minGeneration);
  const names = [...src.documentFields, ...(src.loadFile ? [`${KEYROLL_FILE} (with ${MASTER} or ${PASSPHRASE} when it is sealed)`] : []), `${PLATFORM.key} with ${PLATFORM.name}`];
  return fail('ERR_INVALID_KEYRING', `${src.label} holds no keyring: set ${names.join(', or ')}`);
}

/** The larger of the caller's `minGeneration` and `KEYROLL_MIN_GENERATION`, or undefined when neither is set. */
function minGenerationOf(src: FieldSource): number | undefined {
  const text = src.loadFile ? src.get(MIN_GENERATION) : undefined;
  if (text === undefined || text === '') return src.minGeneration;
  const value = /^(0|[1-9][0-9]{0,15})$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value)) fail('ERR_INVALID_KEYRING', `${src.describe(MIN_GENERATION)} must be an integer from 0 to 2^53 - 1`);
  return Math.max(value, src.minGeneration ?? 0);
}

async function keyrollFromFields(src: FieldSource, minGeneration: number | undefined): Promise<unknown> {
  const docs = src.documentFields.filter((n) => src.get(n) !== undefined && src.get(n) !== '');
  const file = src.loadFile ? src.get(KEYROLL_FILE) : undefined;
  const given = [...docs, ...(file ? [KEYROLL_FILE] : [])];
  if (given.length > 1) fail('ERR_INVALID_KEYRING', `${src.label}: ${given.join(' and ')} are both set; keep one`);
  const master = src.loadFile ? src.get(MASTER) : undefined;
  const passphrase = src.loadFile ? src.get(PASSPHRASE) : undefined;
  if (master !== undefined && passphrase !== undefined) fail('ERR_INVALID_KEYRING', `${src.label}: ${MASTER} and ${PASSPHRASE} are both set; keep one`);
  if (given.length === 0) {
    const unlockName = master !== undefined ? MASTER : PASSPHRASE;
    return fail('ERR_INVALID_KEYRING', `${src.label}: ${unlockName} is set but ${KEYROLL_FILE}, which names the sealed file it unlocks, is not`);
  }
  if (file) {
    if (master === '' || passphrase === '') fail('ERR_INVALID_KEYRING', `${src.describe(master === '' ? MASTER : PASSPHRASE)} is empty`);
    const unlock = master !== undefined ? { masterKey: master } : passphrase !== undefined ? { passphrase } : undefined;
    if (unlock === undefined && minGeneration !== undefined) noGeneration(src, `${KEYROLL_FILE} names a plain keyring file`);
    return src.loadFile!(file, unlock, minGeneration);
  }
  if (master !== undefined || passphrase !== undefined) {
    fail('ERR_INVALID_KEYRING', `${src.label}: ${master !== undefined ? MASTER : PASSPHRASE} applies to ${KEYROLL_FILE} only; ${docs[0]} holds a plain keyring document`);
  }
  if (minGeneration !== undefined) noGeneration(src, `${docs[0]} holds a plain keyring document`);
  const text = src.get(docs[0]!)!;
  if (isSealedText(text)) {
    fail(
      'ERR_INVALID_KEYRING',
      src.loadFile
        ? `${src.describe(docs[0]!)} holds a sealed keyring: write it to a file, name the file in ${KEYROLL_FILE} and set ${MASTER} or ${PASSPHRASE}`
        : `${src.describe(docs[0]!)} holds a sealed keyring; load the file with Keyring.fromSealedFile(path, unlock)`,
    );
  }
  const hint = notADocument(text, src);
  if (hint !== undefined) fail('ERR_INVALID_KEYRING', `${src.describe(docs[0]!)} is not a keyring document: ${hint}`);
  return parseSecretJson(text, src.describe(docs[0]!));
}

/**
 * Why a field meant to hold a keyring document (JSON) plainly does not: a file
 * path, a lone secret, or a value wrapped in quotes. Says what it looks like,
 * never what it is; undefined when the JSON parser should have its say.
 */
function notADocument(text: string, src: FieldSource): string | undefined {
  const value = text.trim();
  if (value.startsWith('{') || value.startsWith('[')) return undefined;
  if (/^(['"]).*\1$/s.test(value) && value.length >= 2) {
    return 'the value is wrapped in quotes, which are part of it (remove them)';
  }
  if (/^(\/|\.{1,2}\/|~\/)|\.(json|sealed)$/.test(value)) {
    return src.loadFile ? `it looks like a file path; name the file in ${KEYROLL_FILE} instead` : 'it looks like a file path, not a keyring document (JSON)';
  }
  if (/^[A-Za-z0-9+/_=-]{16,}$/.test(value)) {
    return (
      'it looks like a single secret; it should hold a whole keyring document (JSON, as `keyroll init` writes)' +
      `, or use ${PLATFORM.key} with ${PLATFORM.name} for one secret and its key id`
    );
  }
  return undefined;
}

function noGeneration(src: FieldSource, why: string): never {
  return fail('ERR_INVALID_KEYRING', `${src.label}: a minimum generation (${MIN_GENERATION} or minGeneration) is set but ${why}, which has no generation; seal it or drop the minimum`);
}

function platformFromFields(src: FieldSource): unknown {
  const secret = src.get(PLATFORM.key);
  const name = src.get(PLATFORM.name);
  if (secret === undefined || secret === '') fail('ERR_INVALID_KEYRING', `${src.label}: ${src.describe(PLATFORM.key)} is ${secret === undefined ? 'not set' : 'empty'} (the platform layout needs ${PLATFORM.key} and ${PLATFORM.name})`);
  if (name === undefined || name === '') fail('ERR_INVALID_KEYRING', `${src.label}: ${src.describe(PLATFORM.name)} is ${name === undefined ? 'not set' : 'empty'} (the platform layout needs ${PLATFORM.key} and ${PLATFORM.name})`);
  if (looksSwapped(name, secret) || name === secret) {
    fail('ERR_INVALID_KEYRING', `${src.label}: ${src.describe(PLATFORM.key)} and ${src.describe(PLATFORM.name)} look exchanged (or hold the same value): ${PLATFORM.key} must hold the secret and ${PLATFORM.name} its key id (neither value is shown)`);
  }
  let activeId: string;
  try {
    activeId = checkKeyId(name);
  } catch (err) {
    return fail('ERR_INVALID_KEYRING', `${src.describe(PLATFORM.name)}: ${(err as Error).message}`);
  }
  checkPlatformSecret(secret, activeId, src.describe(PLATFORM.key));
  const oldText = src.get(PLATFORM.old);
  const aliasText = src.get(PLATFORM.oldAlias);
  if (oldText !== undefined && aliasText !== undefined) fail('ERR_INVALID_KEYRING', `${src.label}: ${PLATFORM.old} and ${PLATFORM.oldAlias} are both set; keep one`);
  const oldName = oldText !== undefined ? PLATFORM.old : PLATFORM.oldAlias;
  const text = oldText ?? aliasText;
  const old = text === undefined || text.trim() === '' ? new Map<string, string>() : parseOldKeys(text, src.describe(oldName));
  return platformDocument({ activeId, secret, old });
}
