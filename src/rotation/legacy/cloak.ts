/**
 * `@47ng/cloak` ciphertexts (also written by prisma-field-encryption):
 *
 *   v1.aesgcm256.<fingerprint>.<iv>.<ciphertext || tag>
 *
 * fingerprint: the first 8 hex characters of SHA-256 over the serialised key
 * text (`k1.aesgcm256.<base64url of 32 bytes>`); iv: 12 bytes, base64url
 * (16 characters); then the AES-256-GCM ciphertext followed by its 16-byte
 * tag, base64url, optionally `=`-padded. No associated data. The plaintext is
 * a UTF-8 string.
 * @module
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { fail, KeyrollError } from '../../errors.js';
import { checkOptions } from '../../args.js';
import { legacyDecryptFailed, legacyText, rememberConfig, type LegacyDecoder } from './decoder.js';

const KEY_PATTERN = /^k1\.aesgcm256\.([A-Za-z0-9_-]{43})=?$/;
const VALUE_PATTERN = /^v1\.aesgcm256\.([0-9a-fA-F]{8})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,})(={0,2})$/;

/**
 * Options of {@link cloakDecoder}.
 * @example
 * ```ts
 * cloakDecoder({ keys: 'k1.aesgcm256.2yvS...=, k1.aesgcm256.Qx0...=' });
 * ```
 */
export interface CloakDecoderOptions {
  /** Cloak keys (`k1.aesgcm256.…`): an array, or one string separated by commas, spaces or newlines. */
  readonly keys: string | readonly string[];
}

/**
 * A decoder of cloak / prisma-field-encryption values, with the keys of the old keychain.
 * @example
 * ```ts
 * const legacy = cloakDecoder({ keys: process.env.PRISMA_FIELD_DECRYPTION_KEYS! });
 * await reencryptAll({ keyring, store, legacy: [legacy] });
 * ```
 */
export function cloakDecoder(options: CloakDecoderOptions): LegacyDecoder {
  if (typeof options !== 'object' || options === null) fail('ERR_INVALID_ARGUMENT', 'cloakDecoder takes { keys }');
  checkOptions(options, ['keys'], 'cloakDecoder options');
  const list = typeof options.keys === 'string' ? options.keys.split(/[\s,]+/).filter(Boolean) : options.keys;
  if (!Array.isArray(list) || list.length === 0) fail('ERR_INVALID_ARGUMENT', 'cloakDecoder needs at least one cloak key (k1.aesgcm256.…)');
  const keys = new Map<string, Buffer>();
  const texts: string[] = [];
  list.forEach((text, i) => {
    const match = typeof text === 'string' ? KEY_PATTERN.exec(text.trim()) : null;
    if (match === null) fail('ERR_INVALID_KEY', `cloak key ${i + 1} is not of the form k1.aesgcm256.<43 base64url characters>`);
    const raw = Buffer.alloc(32);
    raw.set(Buffer.from(match[1]!, 'base64url'));
    keys.set(createHash('sha256').update(text.trim(), 'utf8').digest('hex').slice(0, 8), raw);
    texts.push(text.trim());
  });
  return rememberConfig({
    kind: 'cloak',
    recognizes: (value) => VALUE_PATTERN.test(legacyText(value)),
    decode(value) {
      const match = VALUE_PATTERN.exec(legacyText(value));
      if (match === null) return fail('ERR_MALFORMED_ENVELOPE', 'not a cloak value (v1.aesgcm256.<fingerprint>.<iv>.<ciphertext>)');
      const fingerprint = match[1]!.toLowerCase();
      const key = keys.get(fingerprint);
      if (key === undefined) throw new KeyrollError('ERR_UNKNOWN_KEY', `a cloak value names key fingerprint ${fingerprint}, which is not among the cloak keys given`, { keyId: fingerprint });
      const iv = Buffer.from(match[2]!, 'base64url');
      const body = Buffer.from(match[3]!, 'base64url');
      if (iv.length !== 12 || body.length < 16) legacyDecryptFailed('cloak');
      return gcmOpen(key, iv, body.subarray(0, body.length - 16), body.subarray(body.length - 16)) ?? legacyDecryptFailed('cloak');
    },
  }, { type: 'cloak', keys: texts });
}

/** AES-256-GCM open without associated data; `undefined` when the tag does not verify. */
export function gcmOpen(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, aad?: Uint8Array): Uint8Array | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    if (aad !== undefined) decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const head = decipher.update(ciphertext);
    const tail = decipher.final();
    return tail.length === 0 ? new Uint8Array(head) : new Uint8Array(Buffer.concat([head, tail]));
  } catch {
    return undefined;
  }
}
