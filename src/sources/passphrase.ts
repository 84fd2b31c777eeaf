/**
 * The passphrase wrapper: scrypt (RFC 7914) turns the passphrase and a
 * per-file salt into a key-encryption key that wraps the data key with
 * AES-256-GCM. The cost parameters are stored in the file and bounded, so a
 * crafted file cannot ask for unbounded memory.
 * @module
 */
import { scrypt } from 'node:crypto';
import { fail } from '../errors.js';
import { checkOptions } from '../args.js';
import { toBase64url, utf8 } from '../bytes.js';
import { randomBytes } from '../suites/primitives.js';
import { gcmUnwrap, gcmWrap, type KeyWrapper, type ScryptParams } from './wrapper.js';

/** Default scrypt parameters: N = 2^17, r = 8, p = 1 (128 MiB, OWASP's recommendation). */
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
/** Memory scrypt may use, at most (1 GiB): N * r * 128 bytes must stay below it. */
export const MAX_SCRYPT_MEMORY = 1024 * 1024 * 1024;
const SALT_BYTES = 16;

/** Complete, checked scrypt parameters. */
export interface CheckedScrypt {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * Fills in defaults and checks bounds: N a power of two from 2 to 2^20, r from
 * 1 to 32, p from 1 to 16, and 128 * N * r at most 1 GiB.
 * @example
 * ```ts
 * checkScrypt({ N: 2 ** 15 }); // { N: 32768, r: 8, p: 1 }
 * ```
 */
export function checkScrypt(input: ScryptParams = {}, where = 'scrypt parameters'): CheckedScrypt {
  checkOptions(input, ['N', 'r', 'p'], where);
  const N = input.N ?? DEFAULT_SCRYPT.N;
  const r = input.r ?? DEFAULT_SCRYPT.r;
  const p = input.p ?? DEFAULT_SCRYPT.p;
  if (!Number.isInteger(N) || N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0) fail('ERR_INVALID_ARGUMENT', `${where}: N must be a power of two from 2 to 2^20`);
  if (!Number.isInteger(r) || r < 1 || r > 32) fail('ERR_INVALID_ARGUMENT', `${where}: r must be an integer from 1 to 32`);
  if (!Number.isInteger(p) || p < 1 || p > 16) fail('ERR_INVALID_ARGUMENT', `${where}: p must be an integer from 1 to 16`);
  if (128 * N * r > MAX_SCRYPT_MEMORY) fail('ERR_INVALID_ARGUMENT', `${where}: 128 * N * r exceeds the 1 GiB memory bound`);
  return { N, r, p };
}

function deriveKek(passphrase: string, salt: Uint8Array, params: CheckedScrypt): Promise<Buffer> {
  const maxmem = 128 * params.N * params.r + 128 * params.r * params.p + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(utf8(passphrase, 'passphrase'), salt, 32, { N: params.N, r: params.r, p: params.p, maxmem }, (err, key) => {
      if (err) reject(new Error(`scrypt failed: ${err.message}`));
      else resolve(key);
    });
  });
}

/**
 * A wrapper for a passphrase. `salt` and `params` come from the file when
 * unsealing; when sealing the salt is fresh and the params default to
 * N = 2^17, r = 8, p = 1.
 * @example
 * ```ts
 * const wrapper = passphraseWrapper(process.env.KEYROLL_PASSPHRASE!, { N: 2 ** 17 });
 * ```
 */
export function passphraseWrapper(passphrase: string, params?: ScryptParams, salt?: Uint8Array): KeyWrapper {
  if (typeof passphrase !== 'string' || passphrase.length === 0) fail('ERR_INVALID_ARGUMENT', 'the passphrase must be a non-empty string');
  const cost = checkScrypt(params);
  const saltBytes = salt ?? randomBytes(SALT_BYTES);
  return {
    kind: 'passphrase',
    params: { kdf: 'scrypt', N: cost.N, r: cost.r, p: cost.p, salt: toBase64url(saltBytes) },
    async wrap(dataKey) {
      const kek = await deriveKek(passphrase, saltBytes, cost);
      try {
        return gcmWrap(kek, dataKey);
      } finally {
        kek.fill(0);
      }
    },
    async unwrap(wrapped) {
      const kek = await deriveKek(passphrase, saltBytes, cost);
      try {
        return gcmUnwrap(kek, wrapped) ?? fail('ERR_DECRYPT_FAILED', 'the passphrase does not open this sealed keyring');
      } finally {
        kek.fill(0);
      }
    },
  };
}
