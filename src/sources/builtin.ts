/**
 * What the built-in wrappers (master key, passphrase) share: a derivation of
 * a key-encryption key and, from sealed-file version 2 on, a 32-byte key
 * commitment, both from one 64-byte HKDF output. The commitment is stored in
 * the file and compared in constant time before AES-GCM runs, so a file opens
 * under one master key or passphrase only (docs/format.md).
 * @module
 */
import { fail } from '../errors.js';
import { hkdf, timingSafeEqual } from '../suites/primitives.js';
import { gcmUnwrap, gcmWrap, WRAP_AAD, type KeyWrapper } from './wrapper.js';

/** The sealed-file versions this build reads. */
export type SealedVersion = 1 | 2;

/** A derived key-encryption key and (version 2) its commitment. */
export interface DerivedKek {
  readonly kek: Uint8Array;
  readonly commitment: Uint8Array | undefined;
}

/** Derives the key-encryption key of one file for a sealed-file version. */
export type KekDerivation = (version: SealedVersion) => Promise<DerivedKek>;

const DERIVATIONS = new WeakMap<KeyWrapper, KekDerivation>();
/** Wrapper kinds only the built-in wrappers may write. */
export const BUILTIN_KINDS: ReadonlySet<string> = new Set(['master-key', 'passphrase']);

/**
 * Splits 64 bytes of HKDF-SHA256 output into the key-encryption key (first
 * 32 bytes) and the commitment (last 32 bytes).
 * @example
 * ```ts
 * const { kek, commitment } = splitKek(masterKeyBytes, salt, 'keyroll.sealed-keyring/2 master-key');
 * ```
 */
export function splitKek(ikm: Uint8Array, salt: Uint8Array, info: string): DerivedKek {
  const okm = hkdf(ikm, salt, Buffer.from(info, 'utf8'), 64);
  try {
    // Copies with their own backing store: never in Node's shared Buffer pool.
    return { kek: new Uint8Array(okm.subarray(0, 32)), commitment: new Uint8Array(okm.subarray(32, 64)) };
  } finally {
    okm.fill(0);
  }
}

/**
 * A built-in {@link KeyWrapper} over a derivation: `wrap`/`unwrap` use the
 * version 2 construction; sealing a file also stores the commitment.
 * @example
 * ```ts
 * const wrapper = builtinWrapper('master-key', { kdf: 'hkdf-sha256', salt }, derive);
 * ```
 */
export function builtinWrapper(kind: string, params: Readonly<Record<string, string | number>>, derive: KekDerivation): KeyWrapper {
  const wrapper: KeyWrapper = Object.freeze({
    kind,
    params: Object.freeze({ ...params }),
    async wrap(dataKey: Uint8Array): Promise<Uint8Array> {
      const { kek, commitment } = await derive(2);
      try {
        return gcmWrap(kek, dataKey, WRAP_AAD[2]);
      } finally {
        kek.fill(0);
        commitment?.fill(0);
      }
    },
    async unwrap(wrapped: Uint8Array): Promise<Uint8Array> {
      const { kek, commitment } = await derive(2);
      try {
        return gcmUnwrap(kek, wrapped, WRAP_AAD[2]) ?? fail('ERR_DECRYPT_FAILED', `the ${kind} does not open this wrapped key`);
      } finally {
        kek.fill(0);
        commitment?.fill(0);
      }
    },
  });
  DERIVATIONS.set(wrapper, derive);
  return wrapper;
}

/**
 * The derivation behind a built-in wrapper, `undefined` for a custom one.
 * @example
 * ```ts
 * const derive = derivationOf(wrapper); // set for masterKeyWrapper(...) and passphraseWrapper(...)
 * ```
 */
export function derivationOf(wrapper: KeyWrapper): KekDerivation | undefined {
  return DERIVATIONS.get(wrapper);
}

/**
 * Recovers a data key with a built-in derivation, always doing the same work:
 * derive, compare the commitment in constant time (version 2), run AES-GCM
 * (over zeros when the wrapped key has the wrong length). `ok` is false for
 * every kind of failure alike; `dataKey` is then 32 zero bytes.
 * @example
 * ```ts
 * const { dataKey, ok } = await openWithDerivation(derive, 2, header.wrappedKey, storedCommitment);
 * ```
 */
export async function openWithDerivation(derive: KekDerivation, version: SealedVersion, wrapped: Uint8Array, stored: Uint8Array | undefined): Promise<{ dataKey: Uint8Array; ok: boolean }> {
  const { kek, commitment } = await derive(version);
  try {
    const committed = version === 1 || (commitment !== undefined && stored !== undefined && timingSafeEqual(commitment, stored));
    const dataKey = gcmUnwrap(kek, wrapped, WRAP_AAD[version]);
    if (committed && dataKey !== undefined) return { dataKey, ok: true };
    dataKey?.fill(0);
    return { dataKey: new Uint8Array(32), ok: false };
  } finally {
    kek.fill(0);
    commitment?.fill(0);
  }
}
