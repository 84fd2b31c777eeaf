/**
 * Lifecycle operations as pure functions over key lists. The Keyring calls
 * them and validates the result with the same rules as any other keyring.
 * @module
 */
import { fail } from '../errors.js';
import { checkOptions, printable } from '../args.js';
import { Key, toDate, type KeySpec, type TimeInput } from './key.js';
import { parseDuration, type Duration } from './duration.js';

/**
 * Options of `ring.add`.
 * @example
 * ```ts
 * ring = ring.add(generateKey({ id: 'k3' }), { activatesAt: new Date('2026-12-01T00:00:00Z') }); // pending until then
 * ring = ring.add(generateKey({ id: 'k4' }), { activate: true }); // active now
 * ring = ring.add(generateKey({ id: 'k5' }), { activatesIn: '2h' }); // pending for two hours from the keyring's clock
 * ```
 */
export interface AddOptions {
  /** The key becomes the active key at this time; until then it is `pending` (it decrypts but does not encrypt). */
  readonly activatesAt?: TimeInput;
  /** Like `activatesAt`, relative to the keyring's clock: `'90s'`, `'30m'`, `'1h30m'`, `'2d'` or milliseconds. */
  readonly activatesIn?: Duration;
  /** Make the new key active now (the previous active key becomes `decrypt-only`). */
  readonly activate?: boolean;
  /**
   * Allow an id this keyring removed to come back with a different secret.
   * Only when no value under the old secret can remain: such values would
   * otherwise fail to decrypt as if tampered with.
   */
  readonly reuseRemovedId?: boolean;
}

/**
 * Options of `ring.postpone`: a new activation time, absolute (`to`) or
 * relative to the current one (`by`).
 * @example
 * ```ts
 * ring = ring.postpone('k2', { by: '30m' });
 * ring = ring.postpone('k2', { to: '2026-12-01T06:00:00Z' });
 * ```
 */
export interface PostponeOptions {
  readonly to?: TimeInput;
  readonly by?: Duration;
}

/** The activation time `options` ask for, or undefined; refuses more than one way of asking. */
export function requestedActivation(options: AddOptions, now: Date, keyId: string): Date | undefined {
  const given = [options.activate === true, options.activatesAt !== undefined, options.activatesIn !== undefined].filter(Boolean).length;
  if (given > 1) fail('ERR_INVALID_ARGUMENT', 'pass one of activate, activatesAt and activatesIn');
  if (options.activatesIn !== undefined) return new Date(now.getTime() + parseDuration(options.activatesIn, `key "${keyId}": activatesIn`));
  return options.activatesAt === undefined ? undefined : toDate(options.activatesAt, `key "${keyId}": activatesAt`, keyId);
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
  if (key === undefined) fail('ERR_UNKNOWN_KEY', `key "${printable(String(keyId))}" is not in the keyring`, { keyId });
  return key;
}

function refuseActive(key: Key, action: string): void {
  if (key.state === 'active') {
    fail('ERR_INVALID_KEYRING', `key "${key.id}" is the active key and cannot be ${action}; promote another key first`, { keyId: key.id });
  }
}

/**
 * Adds a key; see {@link AddOptions}. The new key's state comes from the
 * options (default `decrypt-only`), not from the key: a key made by
 * `generateKey()` (state `active`) is not activated by merely adding it. A key
 * that is `disabled` stays disabled.
 */
export function addKey(keys: readonly Key[], spec: KeySpec | Key, options: AddOptions, now: Date): Key[] {
  const given = Key.from(spec, { state: 'decrypt-only', now });
  const at = requestedActivation(options, now, given.id);
  if (keys.some((k) => k.id === given.id)) fail('ERR_INVALID_KEYRING', `key id "${given.id}" is already in the keyring`, { keyId: given.id });
  let key = given.withState(given.state === 'disabled' ? 'disabled' : 'decrypt-only');
  if (at !== undefined) {
    if (key.state === 'disabled') fail('ERR_INVALID_ARGUMENT', `key "${key.id}" is disabled and cannot be scheduled to activate`, { keyId: key.id });
    key = key.withState('pending', at);
  }
  const next = [...keys, key];
  return resolvePending(options.activate === true ? promoteKey(next, key.id) : next, now);
}

/**
 * Moves a pending key's activation time. The key must still be pending and
 * the new time must lie ahead (a time already passed would activate it now:
 * that is `promote`).
 */
export function postponeKey(keys: readonly Key[], keyId: string, options: PostponeOptions, now: Date): Key[] {
  checkOptions(options, ['to', 'by'], 'ring.postpone options');
  if ((options.to === undefined) === (options.by === undefined)) fail('ERR_INVALID_ARGUMENT', 'postpone: pass exactly one of to and by');
  const key = find(keys, keyId);
  if (key.state !== 'pending') {
    fail('ERR_INVALID_KEYRING', `key "${keyId}" is ${key.state}, not pending; only a key that has not activated yet can be postponed`, { keyId });
  }
  const at = options.to !== undefined ? toDate(options.to, `key "${keyId}": new activation time`, keyId) : new Date(key.activatesAt!.getTime() + parseDuration(options.by, 'by'));
  if (at.getTime() <= now.getTime()) {
    fail('ERR_INVALID_ARGUMENT', `key "${keyId}": the new activation time ${at.toISOString()} has already passed; use promote to activate it now`, { keyId });
  }
  return keys.map((k) => (k === key ? k.withState('pending', at) : k));
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
