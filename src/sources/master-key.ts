/**
 * The master-key wrapper: the data key is wrapped with AES-256-GCM under a
 * key-encryption key derived by HKDF-SHA256 (RFC 5869) from the master key
 * and a per-file random salt.
 * @module
 */
import { fail } from '../errors.js';
import { fromBase64Strict, fromBase64urlStrict, fromHexStrict, toBase64url } from '../bytes.js';
import { hkdf, randomBytes } from '../suites/primitives.js';
import { gcmUnwrap, gcmWrap, type KeyWrapper } from './wrapper.js';

/** The smallest master key, in bytes. */
export const MIN_MASTER_KEY_BYTES = 32;
const INFO = Buffer.from('keyroll.sealed-keyring/1 master-key KEK', 'utf8');
const SALT_BYTES = 16;

/**
 * Decodes a master key: bytes (at least 32) as given; a string is trimmed and
 * read as hex when it is only hex digits (e.g. `openssl rand -hex 32`), else as
 * base64 or base64url (e.g. `openssl rand -base64 32`). Never echoes the key.
 * @example
 * ```ts
 * const bytes = parseMasterKey(process.env.KEYROLL_MASTER_KEY!);
 * ```
 */
export function parseMasterKey(value: string | Uint8Array, what = 'master key'): Uint8Array {
  let bytes: Uint8Array | undefined;
  if (value instanceof Uint8Array) bytes = value;
  else if (typeof value === 'string') {
    const text = value.trim();
    bytes = /^[0-9a-fA-F]+$/.test(text) ? fromHexStrict(text) : (fromBase64Strict(text) ?? fromBase64urlStrict(text));
  } else {
    fail('ERR_INVALID_ARGUMENT', `${what} must be a string or a Uint8Array`);
  }
  if (bytes === undefined || bytes.length < MIN_MASTER_KEY_BYTES) {
    fail('ERR_INVALID_ARGUMENT', `${what} must be at least ${MIN_MASTER_KEY_BYTES} bytes, given as bytes or as a hex (e.g. \`openssl rand -hex 32\`) or base64 (e.g. \`openssl rand -base64 32\`) string`);
  }
  return bytes;
}

/**
 * A wrapper for a master key. `salt` (base64url) is given when unsealing
 * (read from the file) and generated when sealing.
 * @example
 * ```ts
 * const wrapper = masterKeyWrapper(process.env.KEYROLL_MASTER_KEY!);
 * ```
 */
export function masterKeyWrapper(masterKey: string | Uint8Array, salt?: Uint8Array): KeyWrapper {
  const key = parseMasterKey(masterKey);
  const saltBytes = salt ?? randomBytes(SALT_BYTES);
  const kek = (): Uint8Array => hkdf(key, saltBytes, INFO, 32);
  return {
    kind: 'master-key',
    params: { kdf: 'hkdf-sha256', salt: toBase64url(saltBytes) },
    async wrap(dataKey) {
      const k = kek();
      try {
        return gcmWrap(k, dataKey);
      } finally {
        k.fill(0);
      }
    },
    async unwrap(wrapped) {
      const k = kek();
      try {
        return gcmUnwrap(k, wrapped) ?? fail('ERR_DECRYPT_FAILED', 'the master key does not open this sealed keyring');
      } finally {
        k.fill(0);
      }
    },
  };
}
