/**
 * The KeyWrapper extension point and the unlock options of sealed keyrings.
 * A wrapper protects the random data key of a sealed file: the built-in ones
 * use a master key or a passphrase; a cloud KMS (AWS KMS, GCP KMS, Vault
 * Transit) plugs in through the same interface (docs/cli.md shows how).
 * @module
 */
import { fail } from '../errors.js';
import { aesGcmOpen, aesGcmSealInto, randomBytes } from '../suites/primitives.js';

/**
 * Wraps and unwraps the data key of a sealed keyring.
 * @example
 * ```ts
 * const wrapper: KeyWrapper = {
 *   kind: 'aws-kms',
 *   params: { keyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234' },
 *   wrap: async (dataKey) => (await kms.send(new EncryptCommand({ KeyId: arn, Plaintext: dataKey }))).CiphertextBlob!,
 *   unwrap: async (blob) => (await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!,
 * };
 * await sealKeyring(ring, { wrapper });
 * ```
 */
export interface KeyWrapper {
  /** A short, stable name written in the sealed file (e.g. `master-key`, `passphrase`, `aws-kms`). */
  readonly kind: string;
  /** Public, non-secret parameters written into the sealed file's header (e.g. a KMS key name). */
  readonly params?: Readonly<Record<string, string | number>>;
  wrap(dataKey: Uint8Array): Promise<Uint8Array>;
  unwrap(wrapped: Uint8Array): Promise<Uint8Array>;
}

/**
 * scrypt cost parameters (RFC 7914), as in `UnlockOptions`' `scrypt`.
 * @example
 * ```ts
 * const cost: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
 * ```
 */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. Default 2^17. */
  readonly N?: number;
  /** Block size. Default 8. */
  readonly r?: number;
  /** Parallelism. Default 1. */
  readonly p?: number;
}

/**
 * How a sealed keyring is unlocked: a master key (at least 32 bytes, or a hex
 * or base64 string of them), a passphrase (scrypt; `scrypt` applies when
 * sealing only, reading uses the parameters stored in the file), or a wrapper.
 * @example
 * ```ts
 * const unlock: UnlockOptions = { masterKey: process.env.KEYROLL_MASTER_KEY! };
 * ```
 */
export type UnlockOptions =
  | { readonly masterKey: string | Uint8Array }
  | { readonly passphrase: string; readonly scrypt?: { readonly N?: number; readonly r?: number; readonly p?: number } }
  | { readonly wrapper: KeyWrapper };

/** The AES-GCM associated data of the data-key wrap, per sealed-file version. */
export const WRAP_AAD = {
  1: Buffer.from('keyroll.sealed-keyring/1 data key', 'utf8'),
  2: Buffer.from('keyroll.sealed-keyring/2 data key', 'utf8'),
} as const;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
/** The length of a data key wrapped by a built-in wrapper: iv (12) | ciphertext (32) | tag (16). */
export const WRAPPED_KEY_BYTES = IV_LENGTH + 32 + TAG_LENGTH;

/**
 * AES-256-GCM wrap of a data key under a 32-byte key-encryption key: iv | ciphertext | tag.
 * @example
 * ```ts
 * const wrapped = gcmWrap(kek, dataKey, WRAP_AAD[2]); // 60 bytes for a 32-byte data key
 * ```
 */
export function gcmWrap(kek: Uint8Array, dataKey: Uint8Array, aad: Uint8Array): Uint8Array {
  const iv = randomBytes(IV_LENGTH);
  const out = new Uint8Array(IV_LENGTH + dataKey.length + TAG_LENGTH);
  out.set(iv, 0);
  aesGcmSealInto(kek, iv, aad, dataKey, out, IV_LENGTH);
  return out;
}

/**
 * Opens {@link gcmWrap}'s output; `undefined` when the key-encryption key is
 * wrong or `wrapped` is not {@link WRAPPED_KEY_BYTES} long. AES-GCM runs in
 * every case (over zeros when the length is wrong), so a wrong length costs
 * the same time as a wrong key.
 * @example
 * ```ts
 * const dataKey = gcmUnwrap(kek, wrapped, WRAP_AAD[2]) ?? fail('ERR_DECRYPT_FAILED', 'wrong key');
 * ```
 */
export function gcmUnwrap(kek: Uint8Array, wrapped: Uint8Array, aad: Uint8Array): Uint8Array | undefined {
  const lengthOk = wrapped.length === WRAPPED_KEY_BYTES;
  const input = lengthOk ? wrapped : new Uint8Array(WRAPPED_KEY_BYTES);
  const iv = input.subarray(0, IV_LENGTH);
  const body = input.subarray(IV_LENGTH, input.length - TAG_LENGTH);
  const tag = input.subarray(input.length - TAG_LENGTH);
  const out = aesGcmOpen(kek, iv, aad, body, tag);
  if (lengthOk) return out;
  out?.fill(0);
  return undefined;
}

const PARAM_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * Checks a custom wrapper's kind and params before they go into a header.
 * @example
 * ```ts
 * checkWrapper({ kind: 'aws-kms', params: { keyId: arn }, wrap, unwrap });
 * ```
 */
export function checkWrapper(wrapper: KeyWrapper): KeyWrapper {
  if (typeof wrapper !== 'object' || wrapper === null || typeof wrapper.wrap !== 'function' || typeof wrapper.unwrap !== 'function') {
    fail('ERR_INVALID_ARGUMENT', 'a KeyWrapper needs kind, wrap() and unwrap()');
  }
  if (typeof wrapper.kind !== 'string' || !/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(wrapper.kind)) {
    fail('ERR_INVALID_ARGUMENT', 'KeyWrapper.kind must be 1 to 64 characters of a-z 0-9 _ . - (e.g. "aws-kms")');
  }
  for (const [name, value] of Object.entries(wrapper.params ?? {})) {
    if (!PARAM_NAME.test(name) || name === 'kind') fail('ERR_INVALID_ARGUMENT', 'KeyWrapper.params names must be 1 to 64 characters of A-Z a-z 0-9 _ . - starting with a letter, and not "kind"');
    const ok = (typeof value === 'string' && value.length <= 1024) || (typeof value === 'number' && Number.isSafeInteger(value));
    if (!ok) fail('ERR_INVALID_ARGUMENT', `KeyWrapper.params.${name} must be a string of at most 1024 characters or a safe integer`);
  }
  return wrapper;
}
