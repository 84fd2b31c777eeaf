/**
 * Keyring policy: the rules a keyring's owner sets on top of the fixed ones.
 * Pure.
 * @module
 */
import { fail } from '../errors.js';
import { CURRENT_VERSION } from '../envelope/format.js';
import { guarded, printable } from '../args.js';

/**
 * The policy a keyring enforces.
 * @example
 * ```ts
 * ring.policy; // { minVersion: 1, maxSecretLength: 250 }
 * ```
 */
export interface Policy {
  /** Envelopes of a lower format version are refused (`ERR_VERSION_BELOW_POLICY`). Default 1. */
  readonly minVersion: number;
  /** Secrets typed as raw UTF-8 strings longer than this many characters are refused. Default 250. */
  readonly maxSecretLength: number;
  /** When set, secrets typed as raw UTF-8 strings must have a length that is a multiple of this (16 in the platform layout). */
  readonly secretLengthMultipleOf?: number;
}

/**
 * What callers may pass: every field optional.
 * @example
 * ```ts
 * const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })], policy: { minVersion: 1 } });
 * ```
 */
export type PolicyInput = Partial<Policy>;

/**
 * The smallest secret keyroll accepts, in bytes. Not configurable.
 * @example
 * ```ts
 * generateKey({ id: 'k1', bytes: MIN_SECRET_BYTES }); // the shortest secret accepted: 16 bytes
 * ```
 */
export const MIN_SECRET_BYTES = 16;

/**
 * Defaults applied to a {@link PolicyInput}.
 * @example
 * ```ts
 * Keyring.create({ keys }).policy; // equals DEFAULT_POLICY when no policy is given
 * ```
 */
export const DEFAULT_POLICY: Policy = { minVersion: 1, maxSecretLength: 250 };

/** Fills in defaults and checks the values. */
export function normalizePolicy(input: PolicyInput | undefined): Policy {
  return guarded(() => readPolicy(input), 'policy', 'ERR_INVALID_KEYRING');
}

function readPolicy(input: PolicyInput | undefined): Policy {
  if (input === undefined) return DEFAULT_POLICY;
  if (typeof input !== 'object' || input === null) fail('ERR_INVALID_KEYRING', 'policy must be an object');
  for (const name of Object.keys(input)) {
    if (name !== 'minVersion' && name !== 'maxSecretLength' && name !== 'secretLengthMultipleOf') {
      fail('ERR_INVALID_KEYRING', `policy has an unknown field "${printable(name, 40)}" (known: minVersion, maxSecretLength, secretLengthMultipleOf)`);
    }
  }
  const minVersion = input.minVersion ?? DEFAULT_POLICY.minVersion;
  if (!Number.isInteger(minVersion) || minVersion < 1 || minVersion > CURRENT_VERSION) {
    fail('ERR_INVALID_KEYRING', `policy.minVersion must be an integer from 1 to ${CURRENT_VERSION} (the newest envelope version this build writes)`);
  }
  const maxSecretLength = input.maxSecretLength ?? DEFAULT_POLICY.maxSecretLength;
  if (!Number.isInteger(maxSecretLength) || maxSecretLength < MIN_SECRET_BYTES || maxSecretLength > 4096) {
    fail('ERR_INVALID_KEYRING', `policy.maxSecretLength must be an integer from ${MIN_SECRET_BYTES} to 4096`);
  }
  const multiple = input.secretLengthMultipleOf;
  if (multiple !== undefined && (!Number.isInteger(multiple) || multiple < 1 || multiple > 1024)) {
    fail('ERR_INVALID_KEYRING', 'policy.secretLengthMultipleOf must be an integer from 1 to 1024');
  }
  return multiple === undefined ? { minVersion, maxSecretLength } : { minVersion, maxSecretLength, secretLengthMultipleOf: multiple };
}

/** Refuses an envelope whose format version is below the policy's minimum. */
export function checkEnvelopeVersion(policy: Policy, version: number, keyId: string): void {
  if (version < policy.minVersion) {
    fail('ERR_VERSION_BELOW_POLICY', `envelope format version ${version} is below this keyring's minimum version ${policy.minVersion}`, { keyId });
  }
}
