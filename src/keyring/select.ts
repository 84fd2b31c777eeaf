/**
 * Choosing keys, shared by the Node keyring and the WebCrypto keyring: which
 * key encrypts now (pending keys by the clock), a key's state now, the key
 * an envelope names (unknown, disabled, below the policy's version), and
 * staleness. Pure over keys, the parsed header and a time.
 * @module
 */
import { fail } from '../errors.js';
import { describe } from '../bytes.js';
import { checkOptions } from '../args.js';
import { canonicalContext, type Context } from '../envelope/context.js';
import { CURRENT_VERSION, DEFAULT_SUITE, type ParsedEnvelope } from '../envelope/format.js';
import type { KeyState } from '../document/schema.js';
import { Key, type KeySpec } from './key.js';
import { checkEnvelopeVersion, type Policy } from './policy.js';

const CRYPT_OPTIONS = ['context'] as const;

/**
 * @internal Runtime option holding a replacement salt source. Only
 * `keyroll/testing` and tests set it (seeded, deterministic envelopes); it
 * is not exported from any entry point.
 */
export const SALT_SOURCE: unique symbol = Symbol('keyroll.saltSource');

/** Pending keys, by activation time. */
export function pendingKeys(keys: readonly Key[]): Key[] {
  return keys.filter((k) => k.state === 'pending').sort((a, b) => a.activatesAt!.getTime() - b.activatesAt!.getTime());
}

/** The key that encrypts at `now`: the last pending key whose time has come, else the active one. */
export function activeAt(base: Key, pending: readonly Key[], now: number): Key {
  let active = base;
  for (const key of pending) {
    if (key.activatesAt!.getTime() <= now) active = key;
    else break;
  }
  return active;
}

/** A key's state at `now`, given the key that encrypts then. */
export function stateAt(key: Key, active: Key, now: number): KeyState {
  if (key === active) return 'active';
  if (key.state === 'active') return 'decrypt-only';
  if (key.state === 'pending' && key.activatesAt!.getTime() <= now) return 'decrypt-only';
  return key.state;
}

/** The key an envelope names, after the checks that need no secret. */
export function keyFor(keys: ReadonlyMap<string, Key>, policy: Policy, parsed: ParsedEnvelope): Key {
  const key = keys.get(parsed.keyId);
  if (key === undefined) fail('ERR_UNKNOWN_KEY', `envelope names key "${parsed.keyId}", which is not in this keyring`, { keyId: parsed.keyId });
  if (key.state === 'disabled') fail('ERR_KEY_DISABLED', `envelope names key "${parsed.keyId}", which is disabled`, { keyId: parsed.keyId });
  checkEnvelopeVersion(policy, parsed.version, parsed.keyId);
  return key;
}

/** The one failure for forgeries, wrong contexts and wrong secrets. */
export function decryptFailed(keyId: string): never {
  return fail('ERR_DECRYPT_FAILED', `decryption failed for an envelope naming key "${keyId}": it was tampered with, the context differs, or the key's secret is not the one that made it`, { keyId });
}

/** Staleness by the header alone (see `Keyring#isStale`). */
export function isStaleUnder(parsed: ParsedEnvelope, key: Key | undefined, active: Key, now: number): boolean {
  if (key === active) return parsed.suite.id !== DEFAULT_SUITE.id || parsed.version !== CURRENT_VERSION;
  if (key === undefined) return false;
  if (key.state === 'pending' && key.activatesAt!.getTime() > now) return false;
  // On equal dates (layouts without dates, such as the platform layout,
  // whose keys all take the load time) the active key counts as the newest.
  return key.createdAt.getTime() <= active.createdAt.getTime();
}

/** The canonical context of encrypt/decrypt options (checked: `context` is the only option). */
export function contextOf(options: { readonly context?: Context } | undefined, label: string): Uint8Array {
  return options === undefined ? canonicalContext(undefined) : canonicalContext(checkOptions(options, CRYPT_OPTIONS, label).context);
}

/** A clock's reading in milliseconds, refused when it is not a valid time. */
export function clockMs(value: Date | number): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Number.NaN;
  if (!Number.isFinite(ms)) fail('ERR_INVALID_ARGUMENT', `the keyring's clock must return a valid Date or milliseconds since the epoch, got ${describe(value)}`);
  return ms;
}

/**
 * Keys from `Keyring.create`'s specs: a single key without a state is
 * active; `activeKeyId` names the active key (it must not contradict a
 * stated state); the others default to `decrypt-only`.
 */
export function keysFromSpecs(specs: readonly (KeySpec | Key)[], activeId: string | undefined, now: Date): Key[] {
  const single = specs.length === 1;
  const keys = specs.map((spec) => {
    const isNamed = activeId !== undefined && (spec as { id?: unknown }).id === activeId;
    const key = Key.from(spec, { state: isNamed || (single && activeId === undefined) ? 'active' : 'decrypt-only', now });
    if (isNamed && key.state !== 'active') {
      if ((spec as KeySpec).state !== undefined && (spec as KeySpec).state !== 'active') {
        fail('ERR_INVALID_KEYRING', `activeKeyId names key "${key.id}", whose state is ${key.state}`, { keyId: key.id });
      }
      return key.withState('active');
    }
    return key;
  });
  if (activeId !== undefined && !keys.some((k) => k.id === activeId)) {
    fail('ERR_INVALID_KEYRING', `activeKeyId names key "${activeId}", which is not in the keyring`, { keyId: activeId });
  }
  return keys;
}
