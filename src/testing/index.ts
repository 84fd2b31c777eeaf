/**
 * In-memory keyrings for the tests of applications that use keyroll.
 * TEST ONLY: seeded keys are derived from a public seed and protect nothing.
 * @module keyroll/testing
 */
import { createHash } from 'node:crypto';
import { fail } from '../errors.js';
import { checkOptions } from '../args.js';
import { Keyring, generateKey, type Clock, type KeySpec, type PolicyInput, type DecryptEvent } from '../keyring/index.js';
import { SALT_SOURCE } from '../keyring/keyring.js';
import { materialOf } from '../keyring/key.js';

/**
 * Options of {@link testKeyring}.
 * @example
 * ```ts
 * const ring = testKeyring({ keys: 2, retired: 1, seed: 'snapshots', deterministicEnvelopes: true });
 * ```
 */
export interface TestKeyringOptions {
  /** How many keys in all, default 1. The newest is active. */
  readonly keys?: number;
  /** How many of the older keys are `decrypt-only` (the rest of the older ones are `disabled`); default: all of them. */
  readonly retired?: number;
  /** Derive the secrets from this seed, so envelopes and snapshots repeat across runs. Default: random keys. */
  readonly seed?: string | number;
  /** Key id prefix, default `test-key-`: ids are `test-key-1`, `test-key-2`, ... */
  readonly idPrefix?: string;
  /** Keyring policy. */
  readonly policy?: PolicyInput;
  /**
   * With a seed, also make envelopes repeat (salts from the seed instead of
   * the CSPRNG), for snapshot tests of stored values. This reuses per-message
   * keys and destroys confidentiality: TEST ONLY. Default false.
   */
  readonly deterministicEnvelopes?: boolean;
  /** Injected clock. */
  readonly clock?: Clock;
  /** Decrypt hook. */
  readonly onDecrypt?: (event: DecryptEvent) => void;
}

/**
 * A ready-to-use keyring for tests: TEST ONLY, never for real data.
 *
 * @example
 * ```ts
 * import { testKeyring } from 'keyroll/testing';
 * const ring = testKeyring({ keys: 3, retired: 2, seed: 'snapshots' });
 * ring.activeKeyId; // 'test-key-3'
 * ```
 */
export function testKeyring(options: TestKeyringOptions = {}): Keyring {
  checkOptions(options, ['keys', 'retired', 'seed', 'idPrefix', 'policy', 'deterministicEnvelopes', 'clock', 'onDecrypt'], 'testKeyring options');
  if (options.seed !== undefined && typeof options.seed !== 'string' && typeof options.seed !== 'number') fail('ERR_INVALID_ARGUMENT', 'testKeyring: seed must be a string or a number');
  if (options.idPrefix !== undefined && typeof options.idPrefix !== 'string') fail('ERR_INVALID_ARGUMENT', 'testKeyring: idPrefix must be a string');
  const count = options.keys ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 1000) fail('ERR_INVALID_ARGUMENT', 'testKeyring: keys must be an integer from 1 to 1000');
  const retired = options.retired ?? count - 1;
  if (!Number.isInteger(retired) || retired < 0 || retired > count - 1) fail('ERR_INVALID_ARGUMENT', `testKeyring: retired must be an integer from 0 to ${count - 1}`);
  const prefix = options.idPrefix ?? 'test-key-';
  const epoch = new Date('2020-01-01T00:00:00.000Z').getTime();
  const keys: KeySpec[] = [];
  for (let i = 1; i <= count; i++) {
    const id = `${prefix}${i}`;
    // The newest key is active; the `retired` keys just before it are decrypt-only; the oldest are disabled.
    const state = i === count ? 'active' : i > count - 1 - retired ? 'decrypt-only' : 'disabled';
    const secret =
      options.seed === undefined
        ? new Uint8Array(generateKeyBytes(id))
        : createHash('sha256').update(`keyroll test-only seed\u0000${String(options.seed)}\u0000${id}`).digest();
    keys.push({ id, secret, state, createdAt: options.seed === undefined ? new Date() : new Date(epoch + i * 86_400_000) });
  }
  return Keyring.create({
    keys,
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.onDecrypt ? { onDecrypt: options.onDecrypt } : {}),
    ...(options.deterministicEnvelopes === true ? { [SALT_SOURCE]: seededSalts(options.seed) } : {}),
  });
}

function seededSalts(seed: string | number | undefined): (length: number) => Uint8Array {
  if (seed === undefined) fail('ERR_INVALID_ARGUMENT', 'testKeyring: deterministicEnvelopes needs a seed');
  let counter = 0;
  return (length) => createHash('sha256').update(`keyroll test-only salt\u0000${String(seed)}\u0000${counter++}`).digest().subarray(0, length);
}

function generateKeyBytes(id: string): Uint8Array {
  return materialOf(generateKey({ id })).bytes();
}
