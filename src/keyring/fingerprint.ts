/**
 * The keyring fingerprint: a short digest of a keyring's public facts, so an
 * operator can see that every instance of a service loaded the same keyring.
 * docs/format.md ("Keyring fingerprint") specifies the input.
 * @module
 */
import { utf8 } from '../bytes.js';
import { sha256 } from '../suites/primitives.js';
import type { Key } from './key.js';
import type { Policy } from './policy.js';

/** The version tag of the fingerprint's input and text form. */
export const FINGERPRINT_VERSION = 1;

/**
 * The canonical input: a JSON array with a fixed member order, keys sorted
 * by id (UTF-16 code unit order), times in UTC ISO 8601 with milliseconds.
 * Only public facts: never a secret or anything derived from one.
 */
export function fingerprintInput(keys: Iterable<Key>, policy: Policy, generation: number | undefined): string {
  const rows = [...keys]
    .map((k) => [k.id, k.state, k.activatesAt === undefined ? null : k.activatesAt.toISOString()] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const policyRow = [policy.minVersion, policy.maxSecretLength, policy.secretLengthMultipleOf ?? null];
  return JSON.stringify(['keyroll.fingerprint', FINGERPRINT_VERSION, policyRow, rows, generation ?? null]);
}

/** `fp1.` followed by the first 8 bytes of SHA-256 over the input, as 16 lowercase hex digits. */
export function fingerprintOf(keys: Iterable<Key>, policy: Policy, generation: number | undefined): string {
  const digest = sha256(utf8(fingerprintInput(keys, policy, generation), 'fingerprint input'));
  return `fp${FINGERPRINT_VERSION}.${digest.subarray(0, 8).toString('hex')}`;
}
