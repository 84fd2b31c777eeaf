/**
 * Keyring lookups for streams: the active key's state for sealing, and for
 * opening the key a header names, with the same refusals as `ring.decrypt`
 * (unknown, disabled, version below policy) and the commitment check.
 * @module
 */
import { fail } from '../errors.js';
import type { Keyring } from '../keyring/keyring.js';
import { materialOf } from '../keyring/key.js';
import { checkEnvelopeVersion } from '../keyring/policy.js';
import type { StreamHeader } from '../envelope/stream-header.js';
import { suite1Key } from '../suites/suite1.js';
import { commitmentMatches, streamCipher, wipeStream, type StreamCipher } from '../suites/stream.js';
import type { HmacKey } from '../suites/hmac.js';

/** The active key's id and PRK (suite 1's, derived once per key). */
export function activeStreamKey(ring: Keyring): { keyId: string; prk: HmacKey } {
  checkRing(ring);
  const keyId = ring.activeKeyId;
  return { keyId, prk: materialOf(ring.get(keyId)!).derived(1, suite1Key).prk };
}

/** The opening state for a stream's header; a KeyrollError when it cannot be opened. */
export function openingCipher(ring: Keyring, header: StreamHeader, context: Uint8Array): StreamCipher {
  const { keyId } = header;
  const key = ring.get(keyId);
  if (key === undefined) fail('ERR_UNKNOWN_KEY', `streaming envelope names key "${keyId}", which is not in this keyring`, { keyId });
  if (key.state === 'disabled') fail('ERR_KEY_DISABLED', `streaming envelope names key "${keyId}", which is disabled`, { keyId });
  checkEnvelopeVersion(ring.policy, header.version, keyId);
  const cipher = streamCipher(materialOf(key).derived(1, suite1Key).prk, header, context, false);
  if (!commitmentMatches(header, cipher)) {
    wipeStream(cipher);
    fail('ERR_DECRYPT_FAILED', `decryption failed for a streaming envelope naming key "${keyId}": its header was tampered with, or the key's secret is not the one that made it`, { keyId });
  }
  return cipher;
}

/** Refuses anything but a keyring, before any byte is read. */
export function checkRing(ring: unknown): asserts ring is Keyring {
  if (typeof ring !== 'object' || ring === null || typeof (ring as Keyring).get !== 'function' || typeof (ring as Keyring).activeKeyId !== 'string') {
    fail('ERR_INVALID_ARGUMENT', 'expected a Keyring as the first argument');
  }
}
