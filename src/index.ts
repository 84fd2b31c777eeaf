/**
 * keyroll: multi-key encryption with rotation. A {@link Keyring} holds one
 * active key plus retired (`decrypt-only`), pending and disabled keys; every
 * ciphertext is a versioned envelope that names its key.
 *
 * @example
 * ```ts
 * import { Keyring, generateKey } from 'keyroll';
 * let ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
 * const stored = ring.encrypt('secret');
 * ring = ring.add(generateKey({ id: 'k2', state: 'decrypt-only' }), { activate: true });
 * ring.decryptString(stored); // 'secret' (k1 still decrypts)
 * ```
 * @module keyroll
 */
export { KeyrollError, ERROR_CODES, type KeyrollErrorCode, type KeyrollErrorDetails } from './errors.js';
export { inspect, CURRENT_VERSION, type EnvelopeInfo, type EnvelopeForm } from './envelope/format.js';
export type { Context } from './envelope/context.js';
export * from './keyring/index.js';
export { sealKeyring, sealedGeneration, masterKeyWrapper, passphraseWrapper, writeKeyringFile, type KeyWrapper, type UnlockOptions, type ScryptParams, type SealOptions, type WriteKeyringFileOptions } from './sources/index.js';
export { readAndRefresh, refreshOnRead, refreshCounters, type StoredValue, type RefreshOptions, type RefreshResult, type RefreshOnReadOptions, type RefreshOnReadResult, type RefreshCounters } from './rotation/lazy.js';
export type { BlindIndexOptions, BlindIndexValue, Normalization, SlowIndexCost } from './lookup/index.js';
