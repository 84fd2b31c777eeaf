/**
 * The passphrase wrapper: scrypt (RFC 7914) turns the passphrase and a
 * per-file salt into 32 bytes; in version 2 files HKDF-SHA256 expands them
 * into a key-encryption key and a key commitment. The cost parameters are
 * stored in the file and bounded both ways: a floor, so no file is sealed or
 * read with a cost an attacker could brute-force cheaply, and a cap, so a
 * crafted file cannot make a reader burn memory and time.
 * @module
 */
import { scrypt } from 'node:crypto';
import { fail } from '../errors.js';
import { checkOptions } from '../args.js';
import { toBase64url, utf8 } from '../bytes.js';
import { randomBytes } from '../suites/primitives.js';
import { builtinWrapper, splitKek, type KekDerivation } from './builtin.js';
import type { KeyWrapper, ScryptParams } from './wrapper.js';

/** Default scrypt parameters: N = 2^17, r = 8, p = 1 (128 MiB, OWASP's recommendation). */
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
/** The cost floor: N at least 2^15, and N * r at least 2^18 (the memory of N = 2^15 with r = 8, 32 MiB). */
export const SCRYPT_FLOOR = { N: 2 ** 15, Nr: 2 ** 18 } as const;
/** The cost cap: N * r * p at most 2^22, 4 times the default's 2^20 (at most 512 MiB of memory). */
export const SCRYPT_MAX_NRP = 2 ** 22;
const SALT_BYTES = 16;
const INFO_V2 = 'keyroll.sealed-keyring/2 passphrase';

/** Complete, checked scrypt parameters. */
export interface CheckedScrypt {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * Fills in defaults and checks bounds (`ERR_INVALID_ARGUMENT`, naming the
 * bound): N a power of two, at least 2^15; r from 1 to 32; p from 1 to 16;
 * N * r at least 2^18; N * r * p at most 2^22.
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
  const bad = (why: string): never => fail('ERR_INVALID_ARGUMENT', `${where}: ${why}`);
  if (!Number.isSafeInteger(N) || N < 2 || (N & (N - 1)) !== 0 || N > SCRYPT_MAX_NRP) bad('N must be a power of two');
  if (!Number.isSafeInteger(r) || r < 1 || r > 32) bad('r must be an integer from 1 to 32');
  if (!Number.isSafeInteger(p) || p < 1 || p > 16) bad('p must be an integer from 1 to 16');
  if (N < SCRYPT_FLOOR.N || N * r < SCRYPT_FLOOR.Nr) bad('the cost is below the floor: N must be at least 2^15 (32768) and N * r at least 2^18 (N = 2^15 with r = 8)');
  if (N * r * p > SCRYPT_MAX_NRP) bad('the cost is above the cap: N * r * p must be at most 2^22 (4 times the default N = 2^17, r = 8, p = 1)');
  return { N, r, p };
}

function scryptBytes(passphrase: string, salt: Uint8Array, params: CheckedScrypt): Promise<Buffer> {
  const maxmem = 128 * params.N * params.r + 128 * params.r * params.p + 1024 * 1024;
  const password = utf8(passphrase, 'passphrase');
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 32, { N: params.N, r: params.r, p: params.p, maxmem }, (err, key) => {
      password.fill(0);
      if (err) reject(new Error(`scrypt failed: ${err.message}`));
      else resolve(key);
    });
  });
}

/**
 * The key-encryption-key derivation of a passphrase for one file's salt and cost.
 * @example
 * ```ts
 * const { kek, commitment } = await passphraseDerivation('pw', salt, checkScrypt())(2);
 * ```
 */
export function passphraseDerivation(passphrase: string, salt: Uint8Array, cost: CheckedScrypt): KekDerivation {
  return async (version) => {
    const stretched = await scryptBytes(passphrase, salt, cost);
    if (version === 1) return { kek: stretched, commitment: undefined };
    try {
      return splitKek(stretched, new Uint8Array(0), INFO_V2);
    } finally {
      stretched.fill(0);
    }
  };
}

/**
 * A wrapper for a passphrase with a fresh salt (or `salt`, as read from a
 * file) and the given cost (default N = 2^17, r = 8, p = 1; at least the
 * floor N >= 2^15 and N * r >= 2^18, at most the cap N * r * p <= 2^22).
 * Pass the passphrase itself (`{ passphrase }`) to `sealKeyring` and
 * `Keyring.fromSealedFile`; this wrapper is for code that wraps data keys of
 * its own.
 * @example
 * ```ts
 * const wrapper = passphraseWrapper(process.env.KEYROLL_PASSPHRASE!, { N: 2 ** 17 });
 * ```
 */
export function passphraseWrapper(passphrase: string, params?: ScryptParams, salt?: Uint8Array): KeyWrapper {
  if (typeof passphrase !== 'string' || passphrase.length === 0) fail('ERR_INVALID_ARGUMENT', 'the passphrase must be a non-empty string');
  const cost = checkScrypt(params);
  const saltBytes = salt ?? randomBytes(SALT_BYTES);
  return builtinWrapper('passphrase', { kdf: 'scrypt', N: cost.N, r: cost.r, p: cost.p, salt: toBase64url(saltBytes) }, passphraseDerivation(passphrase, saltBytes, cost));
}
