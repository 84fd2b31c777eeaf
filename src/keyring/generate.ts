/**
 * Fresh keys from the CSPRNG.
 * @module
 */
import { fail } from '../errors.js';
import { randomBytes } from '../suites/index.js';
import { Key, checkKeyId, type KeyState } from './key.js';

/**
 * Options of {@link generateKey}.
 * @example
 * ```ts
 * const key = generateKey({ id: 'k2', bytes: 32, state: 'decrypt-only' });
 * ```
 */
export interface GenerateKeyOptions {
  /** The key id. */
  readonly id: string;
  /** Secret length in bytes: 16 to 1024, default 32. */
  readonly bytes?: number;
  /** Default `active`. */
  readonly state?: KeyState;
  /** Default now. */
  readonly createdAt?: Date;
}

/**
 * A new key with `bytes` (default 32) random bytes of secret material.
 * @example
 * ```ts
 * import { Keyring, generateKey } from 'keyroll';
 * const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
 * ```
 */
export function generateKey(options: GenerateKeyOptions): Key {
  if (typeof options !== 'object' || options === null) fail('ERR_INVALID_ARGUMENT', 'generateKey needs an options object with an id');
  const id = checkKeyId(options.id);
  const bytes = options.bytes ?? 32;
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 1024) fail('ERR_INVALID_ARGUMENT', 'generateKey: bytes must be an integer from 16 to 1024');
  return Key.from({ id, secret: randomBytes(bytes) }, { state: options.state ?? 'active', now: options.createdAt ?? new Date() });
}
