/**
 * The keyring's rules, in one place (as Tink's keyset manager). Every
 * keyring that is built, loaded or changed passes through {@link validateKeys}.
 * @module
 */
import { fail } from '../errors.js';
import { materialOf, type Key } from './key.js';
import type { Policy } from './policy.js';

/**
 * Checks the rules: unique ids, exactly one active key, pending keys carry
 * distinct activation times and only they do, and every string secret meets
 * the policy. A violation names the key id and the rule, never the secret.
 */
export function validateKeys(keys: readonly Key[], policy: Policy): Map<string, Key> {
  const byId = new Map<string, Key>();
  const active: string[] = [];
  const pendingTimes = new Map<number, string>();
  for (const key of keys) {
    if (byId.has(key.id)) fail('ERR_INVALID_KEYRING', `key id "${key.id}" appears more than once; ids must be unique`, { keyId: key.id });
    byId.set(key.id, key);
    if (key.state === 'active') active.push(key.id);
    if (key.state === 'pending') {
      if (key.activatesAt === undefined) fail('ERR_INVALID_KEYRING', `key "${key.id}" is pending but has no activatesAt`, { keyId: key.id });
      const at = key.activatesAt.getTime();
      const other = pendingTimes.get(at);
      if (other !== undefined) fail('ERR_INVALID_KEYRING', `keys "${other}" and "${key.id}" activate at the same time; pending keys need distinct activatesAt`, { keyId: key.id });
      pendingTimes.set(at, key.id);
    } else if (key.activatesAt !== undefined) {
      fail('ERR_INVALID_KEYRING', `key "${key.id}" has activatesAt but is ${key.state}; only pending keys activate later`, { keyId: key.id });
    }
    checkSecretPolicy(key, policy);
  }
  if (active.length === 0) fail('ERR_INVALID_KEYRING', 'the keyring has no active key; exactly one key must be active');
  if (active.length > 1) {
    fail('ERR_INVALID_KEYRING', `keys ${active.map((id) => `"${id}"`).join(', ')} are all active; exactly one key may be active`, { keyId: active[1]! });
  }
  return byId;
}

function checkSecretPolicy(key: Key, policy: Policy): void {
  const length = materialOf(key).typedLength();
  if (length === undefined) return;
  if (length > policy.maxSecretLength) {
    fail('ERR_INVALID_KEY', `key "${key.id}": secret is ${length} characters; the policy allows at most ${policy.maxSecretLength}`, { keyId: key.id });
  }
  const multiple = policy.secretLengthMultipleOf;
  if (multiple !== undefined && length % multiple !== 0) {
    fail('ERR_INVALID_KEY', `key "${key.id}": secret is ${length} characters; the policy requires a length that is a multiple of ${multiple}`, { keyId: key.id });
  }
}
