/**
 * Where the ORM integrations get their keyring: a `Keyring`, anything with a
 * `current` keyring (a watcher that reloads the keyring file), or a function
 * returning one. Resolved on every value, so a reload takes effect at once.
 * @module
 */
import { fail } from '../errors.js';
import type { Keyring } from '../keyring/keyring.js';

/**
 * A keyring, a holder of the current keyring (such as `Keyring.watch`'s watcher), or a function returning one.
 * @example
 * ```ts
 * const source: KeyringSource = () => currentRing;
 * ```
 */
export type KeyringSource = Keyring | { readonly current: Keyring } | (() => Keyring);

/**
 * Resolves a keyring source to the keyring to use now.
 * @example
 * ```ts
 * resolveKeyring(watcher).encrypt('x');
 * ```
 */
export function resolveKeyring(source: KeyringSource): Keyring {
  const ring = typeof source === 'function' ? source() : 'current' in source ? source.current : source;
  if (typeof ring !== 'object' || ring === null || typeof (ring as Keyring).encrypt !== 'function') {
    fail('ERR_INVALID_ARGUMENT', 'the keyring option must be a Keyring, an object with a current Keyring, or a function returning one');
  }
  return ring;
}

/**
 * Checks a keyring source when an integration is configured (not per value).
 * @example
 * ```ts
 * checkKeyringSource(options.keyring);
 * ```
 */
export function checkKeyringSource(source: unknown): KeyringSource {
  const ok = typeof source === 'function' || (typeof source === 'object' && source !== null && ('current' in source || typeof (source as Keyring).encrypt === 'function'));
  if (!ok) fail('ERR_INVALID_ARGUMENT', 'the keyring option must be a Keyring, an object with a current Keyring, or a function returning one');
  return source as KeyringSource;
}
