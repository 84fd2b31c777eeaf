/**
 * Removed keys: what a keyring remembers of a key after `remove`, so that
 * its id is not silently given to a different secret. A removed key leaves
 * its id, the time and a fingerprint: a salted HKDF-SHA256 commitment to its
 * secret (docs/security.md, "Removed-key fingerprints"), never the secret.
 * @module
 */
import { fail } from '../errors.js';
import { fromBase64urlStrict, toBase64url, utf8 } from '../bytes.js';
import { hkdf } from '../suites/hmac.js';
import { randomBytes, timingSafeEqual } from '../suites/primitives.js';
import { FINGERPRINT_PATTERN, type RemovedKey } from '../document/removed.js';

const INFO_PREFIX = 'keyroll removed-key fingerprint v1\0';
const SALT_BYTES = 16;
const TAG_BYTES = 32;

function tag(secret: Uint8Array, salt: Uint8Array, id: string): Buffer {
  return hkdf(secret, salt, utf8(INFO_PREFIX + id), TAG_BYTES);
}

/** A fresh fingerprint of `secret` for key `id` (random salt: two removals of one secret do not match each other). */
export function fingerprintSecret(secret: Uint8Array, id: string, salt: Uint8Array = randomBytes(SALT_BYTES)): string {
  return `v1.${toBase64url(salt)}.${toBase64url(tag(secret, salt, id))}`;
}

/** True when `secret` is the secret the removed key `entry` had. */
export function matchesRemoved(entry: RemovedKey, secret: Uint8Array): boolean {
  const m = FINGERPRINT_PATTERN.exec(entry.secretFingerprint);
  if (m === null) return false;
  const salt = fromBase64urlStrict(m[1]!);
  const expected = fromBase64urlStrict(m[2]!);
  if (salt === undefined || expected === undefined) return false;
  return timingSafeEqual(tag(secret, salt, entry.id), expected);
}

/**
 * The removed list after `key` is added: unchanged when its id was never
 * removed; without the entry when the same secret comes back (undoing a
 * removal); refused when the id comes back with another secret, unless
 * `reuse` says no value under the old secret can remain.
 */
export function afterReAdd(removed: readonly RemovedKey[], id: string, secret: Uint8Array, reuse: boolean): RemovedKey[] {
  const entry = removed.find((r) => r.id === id);
  if (entry === undefined) return [...removed];
  if (!reuse && !matchesRemoved(entry, secret)) {
    fail(
      'ERR_INVALID_KEYRING',
      `key id "${id}" was removed at ${entry.removedAt} with a different secret: values written under the old "${id}" would then fail to decrypt as if tampered with. Choose a new id, or reuse it deliberately (reuseRemovedId, CLI --reuse-removed-id) once no value under the old "${id}" can remain`,
      { keyId: id },
    );
  }
  return removed.filter((r) => r !== entry);
}

/** The removed list after key `id` with `secret` is removed at `now`. */
export function afterRemove(removed: readonly RemovedKey[], id: string, secret: Uint8Array, now: Date): RemovedKey[] {
  return [...removed.filter((r) => r.id !== id), { id, removedAt: now.toISOString(), secretFingerprint: fingerprintSecret(secret, id) }];
}
