/**
 * The platform's key file: `{ "activeKeyName": "...", "keys": { "<id>": "<secret>" } }`,
 * one JSON object naming the active key and mapping every key id to its secret.
 * @module
 */
import { fail } from '../errors.js';
import { checkKeyId, type KeyringDocument } from '../document/index.js';
import { checkPlatformSecret, parseOldKeys, platformDocument } from './platform.js';
import { parseSecretJson } from './read.js';

const FIELDS = new Set(['activeKeyName', 'keys']);

/**
 * True when `value` (parsed JSON) has the platform key file's shape.
 * @example
 * ```ts
 * isPlatformKeyFile({ activeKeyName: 'k1', keys: { k1: 'ASDFGHJKL1234567' } }); // true
 * ```
 */
export function isPlatformKeyFile(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'activeKeyName' in value && 'keys' in value;
}

/**
 * A keyring document from the platform key file's text: the named key
 * active, every other key `decrypt-only`, with the platform's secret rules
 * (printable ASCII, a length that is a multiple of 16). Errors name the key
 * and the rule, never a secret.
 * @example
 * ```ts
 * const doc = platformKeyFileDocument(fs.readFileSync('keys.json', 'utf8'), 'keys.json');
 * const ring = Keyring.fromJSON(doc);
 * ```
 */
export function platformKeyFileDocument(text: string, where: string): KeyringDocument {
  const value = parseSecretJson(text, where);
  if (!isPlatformKeyFile(value)) fail('ERR_INVALID_KEYRING', `${where} must be a JSON object with "activeKeyName" and "keys"`);
  const record = value as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    if (!FIELDS.has(name)) fail('ERR_INVALID_KEYRING', `${where} has an unknown field "${name.slice(0, 40)}" (expected activeKeyName and keys)`);
  }
  let activeId: string;
  try {
    activeId = checkKeyId(record['activeKeyName']);
  } catch (err) {
    return fail('ERR_INVALID_KEYRING', `${where}: activeKeyName: ${(err as Error).message}`);
  }
  const keys = record['keys'];
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) fail('ERR_INVALID_KEYRING', `${where}: "keys" must be an object mapping key ids to secrets`);
  // The same checks as oldEncKeys.json (ids, string secrets, the platform rules), on the "keys" object alone.
  const all = parseOldKeys(JSON.stringify(keys), `${where} "keys"`);
  const secret = all.get(activeId);
  if (secret === undefined) fail('ERR_INVALID_KEYRING', `${where}: activeKeyName names key "${activeId}", which is not in "keys"`, { keyId: activeId });
  checkPlatformSecret(secret, activeId, where);
  all.delete(activeId);
  return platformDocument({ activeId, secret, old: all });
}
