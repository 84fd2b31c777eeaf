/**
 * The master-key wrapper: HKDF-SHA256 (RFC 5869) turns the master key and a
 * per-file random salt into a key-encryption key (and, in version 2 files, a
 * key commitment) that wraps the data key with AES-256-GCM.
 * @module
 */
import { fail } from '../errors.js';
import { fromBase64Strict, fromBase64urlStrict, fromHexStrict, toBase64url } from '../bytes.js';
import { hkdf, randomBytes } from '../suites/primitives.js';
import { builtinWrapper, splitKek, type KekDerivation } from './builtin.js';
import type { KeyWrapper } from './wrapper.js';

/** The smallest master key, in bytes. */
export const MIN_MASTER_KEY_BYTES = 32;
const INFO_V1 = Buffer.from('keyroll.sealed-keyring/1 master-key KEK', 'utf8');
const INFO_V2 = 'keyroll.sealed-keyring/2 master-key';
const SALT_BYTES = 16;
const BASE64_PREFIX = 'base64:';

const FORMS = `hex (e.g. \`openssl rand -hex 32\` or \`keyroll keygen\`) or base64 with a "${BASE64_PREFIX}" prefix (e.g. "${BASE64_PREFIX}$(openssl rand -base64 32)"), at least ${MIN_MASTER_KEY_BYTES} bytes`;

/**
 * Decodes a master key: bytes (at least 32) as given; a string is trimmed,
 * then read as hex (only hex digits, even length), or as base64/base64url
 * after an explicit `base64:` prefix, and must decode to at least 32 bytes.
 * Anything else (a typed passphrase, unprefixed base64, a short key) is
 * refused with `ERR_INVALID_ARGUMENT` and a hint; the value is never echoed.
 * `what` names the value in messages; `asPassphrase` is the hint for a value
 * that looks like a passphrase (where to pass it instead).
 * @example
 * ```ts
 * const bytes = parseMasterKey(process.env.KEYROLL_MASTER_KEY!); // 'a3f1...' or 'base64:o/E...'
 * ```
 */
export function parseMasterKey(value: string | Uint8Array, what = 'master key', asPassphrase = 'pass it with --passphrase-env, KEYROLL_PASSPHRASE or { passphrase } instead'): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length < MIN_MASTER_KEY_BYTES) fail('ERR_INVALID_ARGUMENT', `${what} must be at least ${MIN_MASTER_KEY_BYTES} bytes`);
    return value;
  }
  if (typeof value !== 'string') return fail('ERR_INVALID_ARGUMENT', `${what} must be a string or a Uint8Array`);
  const text = value.trim();
  if (text.startsWith(BASE64_PREFIX)) {
    const body = text.slice(BASE64_PREFIX.length);
    const bytes = fromBase64Strict(body) ?? fromBase64urlStrict(body);
    if (bytes === undefined || bytes.length < MIN_MASTER_KEY_BYTES) fail('ERR_INVALID_ARGUMENT', `${what}: the text after "${BASE64_PREFIX}" is not base64 of at least ${MIN_MASTER_KEY_BYTES} bytes`);
    return bytes;
  }
  if (/^[0-9a-fA-F]+$/.test(text)) {
    const bytes = text.length % 2 === 0 ? fromHexStrict(text) : undefined;
    if (bytes === undefined || bytes.length < MIN_MASTER_KEY_BYTES) fail('ERR_INVALID_ARGUMENT', `${what}: a hex master key needs an even number of digits, at least ${2 * MIN_MASTER_KEY_BYTES} (${MIN_MASTER_KEY_BYTES} bytes)`);
    return bytes;
  }
  const unprefixed = fromBase64Strict(text) ?? fromBase64urlStrict(text);
  if (unprefixed !== undefined && unprefixed.length >= MIN_MASTER_KEY_BYTES) {
    unprefixed.fill(0);
    fail('ERR_INVALID_ARGUMENT', `${what} looks like base64 without the "${BASE64_PREFIX}" prefix, which keyroll no longer guesses: write it as "${BASE64_PREFIX}<the value>"`);
  }
  return fail('ERR_INVALID_ARGUMENT', `${what} is not a master key (${FORMS}); it looks like a passphrase: ${asPassphrase}`);
}

/**
 * The key-encryption-key derivation of a master key for one file's salt.
 * @example
 * ```ts
 * const { kek, commitment } = await masterKeyDerivation(parseMasterKey(hex), salt)(2);
 * ```
 */
export function masterKeyDerivation(key: Uint8Array, salt: Uint8Array): KekDerivation {
  return async (version) => (version === 1 ? { kek: hkdf(key, salt, INFO_V1, 32), commitment: undefined } : splitKek(key, salt, INFO_V2));
}

/**
 * A wrapper for a master key, with a fresh random salt (or `salt`, as read
 * from a file). Pass the master key itself (`{ masterKey }`) to
 * `sealKeyring` and `Keyring.fromSealedFile`; this wrapper is for code that
 * wraps data keys of its own.
 * @example
 * ```ts
 * const wrapper = masterKeyWrapper(process.env.KEYROLL_MASTER_KEY!);
 * ```
 */
export function masterKeyWrapper(masterKey: string | Uint8Array, salt?: Uint8Array): KeyWrapper {
  const key = parseMasterKey(masterKey);
  const saltBytes = salt ?? randomBytes(SALT_BYTES);
  return builtinWrapper('master-key', { kdf: 'hkdf-sha256', salt: toBase64url(saltBytes) }, masterKeyDerivation(key, saltBytes));
}
