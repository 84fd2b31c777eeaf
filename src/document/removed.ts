/**
 * The `removed` list of a keyring document (schema version 2): what a
 * keyring remembers of each key it removed. Plain data; the fingerprint is
 * computed and matched by the keyring (docs/security.md, "Removed-key fingerprints").
 * @module
 */
import { fail } from '../errors.js';
import { KEY_ID_PATTERN } from './key-id.js';
import { parseTime } from './time.js';

/**
 * A removed key as the keyring remembers it. No secret: `secretFingerprint`
 * is `v1.<salt>.<tag>`, tag = HKDF-SHA256(secret, salt, info naming the id).
 * @example
 * ```ts
 * ring.remove('k1').removed(); // [{ id: 'k1', removedAt: '2026-12-02T01:00:00.000Z', secretFingerprint: 'v1.…' }]
 * ```
 */
export interface RemovedKey {
  readonly id: string;
  /** ISO 8601 (UTC) time of the removal. */
  readonly removedAt: string;
  readonly secretFingerprint: string;
}

/** `v1.<salt: 16 bytes>.<tag: 32 bytes>`, both base64url. */
export const FINGERPRINT_PATTERN = /^v1\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/**
 * Checks a document's `removed` list: objects with a key id, an ISO time and
 * a well-formed fingerprint, each id once and never also a live key.
 */
export function parseRemoved(value: unknown, source: string, liveIds: ReadonlySet<string>): RemovedKey[] {
  if (!Array.isArray(value)) fail('ERR_INVALID_KEYRING', `${source}: "removed" must be an array`);
  const seen = new Set<string>();
  return value.map((entry: unknown, index) => {
    const where = `${source}: removed[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail('ERR_INVALID_KEYRING', `${where} must be an object`);
    const e = entry as Record<string, unknown>;
    for (const name of Object.keys(e)) {
      if (name !== 'id' && name !== 'removedAt' && name !== 'secretFingerprint') fail('ERR_INVALID_KEYRING', `${where} has an unknown field "${name.slice(0, 40)}"`);
    }
    const { id, removedAt, secretFingerprint } = e;
    if (typeof id !== 'string' || !KEY_ID_PATTERN.test(id)) fail('ERR_INVALID_KEYRING', `${where}: "id" must be a key id`);
    const removedMs = parseTime(removedAt);
    if (removedMs === undefined) fail('ERR_INVALID_KEYRING', `${where} (key "${id}"): "removedAt" must be an RFC 3339 time with an offset`, { keyId: id });
    if (typeof secretFingerprint !== 'string' || !FINGERPRINT_PATTERN.test(secretFingerprint)) {
      fail('ERR_INVALID_KEYRING', `${where} (key "${id}"): "secretFingerprint" must be v1.<salt>.<tag>`, { keyId: id });
    }
    if (seen.has(id)) fail('ERR_INVALID_KEYRING', `${where}: key "${id}" is listed as removed twice`, { keyId: id });
    if (liveIds.has(id)) fail('ERR_INVALID_KEYRING', `${where}: key "${id}" is both in the keyring and listed as removed`, { keyId: id });
    seen.add(id);
    return { id, removedAt: new Date(removedMs).toISOString(), secretFingerprint };
  });
}
