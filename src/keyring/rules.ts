/**
 * The keyring's rules, in one place (as Tink's keyset manager). Every
 * keyring that is built, loaded or changed passes through {@link validateKeys}.
 * @module
 */
import { fail } from '../errors.js';
import { KEY_ID_PATTERN } from '../document/index.js';
import { materialOf, type Key } from './key.js';
import { keyLabel } from '../document/index.js';
import type { Policy } from './policy.js';

/**
 * Checks the rules: unique ids (also when letter case is ignored), exactly one active key, pending keys carry
 * distinct activation times and only they do, and every string secret meets
 * the policy. A violation names the key id and the rule, never the secret.
 */
export function validateKeys(keys: readonly Key[], policy: Policy): Map<string, Key> {
  const byId = new Map<string, Key>();
  const byFolded = new Map<string, Key>();
  const active: string[] = [];
  const pendingTimes = new Map<number, string>();
  for (const key of keys) {
    const { label, details } = keyLabel(key.id);
    if (byId.has(key.id)) fail('ERR_INVALID_KEYRING', `${label} appears more than once; ids must be unique`, details);
    const folded = key.id.toLowerCase();
    const twin = byFolded.get(folded);
    if (twin !== undefined) {
      const other = keyLabel(twin.id).label;
      fail('ERR_INVALID_KEYRING', `${other} and ${label} differ only in letter case; ids must differ in more than case (SQL LIKE and case-insensitive collations cannot tell them apart)`, details);
    }
    byFolded.set(folded, key);
    byId.set(key.id, key);
    if (key.state === 'active') active.push(key.id);
    if (key.state === 'pending') {
      if (key.activatesAt === undefined) fail('ERR_INVALID_KEYRING', `${label} is pending but has no activatesAt`, details);
      const at = key.activatesAt.getTime();
      const other = pendingTimes.get(at);
      if (other !== undefined) fail('ERR_INVALID_KEYRING', `${keyLabel(other).label} and ${label} activate at the same time; pending keys need distinct activatesAt`, details);
      pendingTimes.set(at, key.id);
    } else if (key.activatesAt !== undefined) {
      fail('ERR_INVALID_KEYRING', `${label} has activatesAt but is ${key.state}; only pending keys activate later`, details);
    }
    checkSecretPolicy(key, policy);
  }
  if (active.length === 0) fail('ERR_INVALID_KEYRING', 'the keyring has no active key; exactly one key must be active');
  if (active.length > 1) {
    const labels = active.map((id) => keyLabel(id));
    fail('ERR_INVALID_KEYRING', `${labels.map((l) => l.label).join(', ')} are all active; exactly one key may be active`, labels[1]!.details);
  }
  return byId;
}

function checkSecretPolicy(key: Key, policy: Policy): void {
  const material = materialOf(key);
  const length = material.typedLength();
  if (length === undefined) return;
  const multiple = policy.secretLengthMultipleOf;
  if (length <= policy.maxSecretLength && (multiple === undefined || length % multiple === 0)) return;
  // A failing secret shaped as an id hints that id and secret are swapped: then the id is not shown.
  const swapped = key.id.length >= 16 && KEY_ID_PATTERN.test(material.exportForm().secret);
  const { label, details } = keyLabel(key.id, swapped);
  if (length > policy.maxSecretLength) {
    fail('ERR_INVALID_KEY', `${label}: secret is ${length} characters; the policy allows at most ${policy.maxSecretLength}`, details);
  }
  fail('ERR_INVALID_KEY', `${label}: secret is ${length} characters; the policy requires a length that is a multiple of ${multiple}`, details);
}
