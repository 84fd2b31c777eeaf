/**
 * Lifecycle operations as pure functions over key lists. The Keyring calls
 * them and validates the result with the same rules as any other keyring.
 * @module
 */
import { fail } from '../errors.js';
import { Key, type KeySpec, type TimeInput } from './key.js';

/** Options of `ring.add`. */
export interface AddOptions {
  /** The key becomes the active key at this time; until then it is `pending` (it decrypts but does not encrypt). */
  readonly activatesAt?: TimeInput;
  /** Make the new key active now (the previous active key becomes `decrypt-only`). */
  readonly activate?: boolean;
}

/**
 * Writes pending keys whose time has come as they now are: the latest becomes
 * `active`, the previous active key and earlier pending keys `decrypt-only`.
 */
export function resolvePending(keys: readonly Key[], now: Date): Key[] {
  const due = keys.filter((k) => k.state === 'pending' && k.activatesAt!.getTime() <= now.getTime());
  if (due.length === 0) return [...keys];
  const winner = due.reduce((a, b) => (b.activatesAt!.getTime() > a.activatesAt!.getTime() ? b : a));
  return keys.map((k) => {
    if (k === winner) return k.withState('active');
    if (k.state === 'active' || due.includes(k)) return k.withState('decrypt-only');
    return k;
  });
}

function find(keys: readonly Key[], keyId: string): Key {
  const key = keys.find((k) => k.id === keyId);
  if (key === undefined) fail('ERR_UNKNOWN_KEY', `key "${keyId}" is not in the keyring`, { keyId });
  return key;
}

function refuseActive(key: Key, action: string): void {
  if (key.state === 'active') {
    fail('ERR_INVALID_KEYRING', `key "${key.id}" is the active key and cannot be ${action}; promote another key first`, { keyId: key.id });
  }
}

/** Adds a key; see {@link AddOptions}. */
export function addKey(keys: readonly Key[], spec: KeySpec | Key, options: AddOptions, now: Date): Key[] {
  if (options.activate === true && options.activatesAt !== undefined) {
    fail('ERR_INVALID_ARGUMENT', 'pass either activate or activatesAt, not both');
  }
  let key = Key.from(spec, { state: 'decrypt-only', now });
  if (keys.some((k) => k.id === key.id)) fail('ERR_INVALID_KEYRING', `key id "${key.id}" is already in the keyring`, { keyId: key.id });
  if (options.activatesAt !== undefined) {
    const at = Key.from({ id: key.id, secret: new Uint8Array(16), activatesAt: options.activatesAt }, { state: 'pending', now }).activatesAt!;
    key = key.withState('pending', at);
  }
  const next = [...keys, key.state === 'active' ? key.withState('decrypt-only') : key];
  const added = key.state === 'active' || options.activate === true;
  return resolvePending(added ? promoteKey(next, key.id) : next, now);
}

/** Makes `keyId` active; the previous active key becomes `decrypt-only`. */
export function promoteKey(keys: readonly Key[], keyId: string): Key[] {
  const key = find(keys, keyId);
  if (key.state === 'disabled') {
    fail('ERR_INVALID_KEYRING', `key "${keyId}" is disabled and cannot be promoted; retire it first if it is safe to use again`, { keyId });
  }
  return keys.map((k) => (k === key ? k.withState('active') : k.state === 'active' ? k.withState('decrypt-only') : k));
}

/** Makes a key `decrypt-only` (a pending key stops being pending; a disabled key decrypts again). */
export function retireKey(keys: readonly Key[], keyId: string): Key[] {
  const key = find(keys, keyId);
  refuseActive(key, 'retired');
  return keys.map((k) => (k === key ? k.withState('decrypt-only') : k));
}

/** Disables a key: it never decrypts again until retired. */
export function disableKey(keys: readonly Key[], keyId: string): Key[] {
  const key = find(keys, keyId);
  refuseActive(key, 'disabled');
  return keys.map((k) => (k === key ? k.withState('disabled') : k));
}

/** Removes a key. */
export function removeKey(keys: readonly Key[], keyId: string): Key[] {
  const key = find(keys, keyId);
  refuseActive(key, 'removed');
  return keys.filter((k) => k !== key);
}
