/**
 * The platform layout: `ENCRYPTION_KEY` (the active secret),
 * `ACTIVE_ENCRYPTION_KEY_NAME` (its id) and `oldEncKeys.json` (also
 * `OLD_ENC_KEYS`: a JSON map of old id -> secret, those keys decrypt-only).
 * Secrets are raw printable-ASCII strings whose length is a multiple of 16.
 * @module
 */
import { fail } from '../errors.js';
import { checkKeyId, keyLabel, KEY_ID_PATTERN, DOCUMENT_FORMAT, type KeyringDocument, type KeyringDocumentKey } from '../document/index.js';
import { parseSecretJson } from './read.js';

/** The field names of the platform layout. */
export const PLATFORM = {
  key: 'ENCRYPTION_KEY',
  name: 'ACTIVE_ENCRYPTION_KEY_NAME',
  old: 'oldEncKeys.json',
  oldAlias: 'OLD_ENC_KEYS',
} as const;
/** Secrets' length must be a multiple of this. */
export const PLATFORM_MULTIPLE = 16;
const MAX_LENGTH = 250;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Checks a secret against the platform rules; the error names the key id,
 * where the secret came from and the rule, never the secret.
 * @example
 * ```ts
 * checkPlatformSecret('0EE0D33AC67E4389AB2B46123729B875', 'newkey', 'ENCRYPTION_KEY');
 * ```
 */
export function checkPlatformSecret(secret: string, keyId: string, where: string): string {
  if (isPlatformSecret(secret)) return secret;
  const rule = `the platform layout needs a printable-ASCII secret whose length is a non-zero multiple of ${PLATFORM_MULTIPLE} (at most ${MAX_LENGTH})`;
  // A failing secret shaped as an id, under an id shaped as a secret: swapped values. Show neither.
  const { label, details } = keyLabel(keyId, isPlatformSecret(keyId) && KEY_ID_PATTERN.test(secret));
  if (!PRINTABLE_ASCII.test(secret)) fail('ERR_INVALID_KEY', `${label} (${where}): the secret holds a character outside printable ASCII; ${rule}`, details);
  return fail('ERR_INVALID_KEY', `${label} (${where}): the secret is ${secret.length} characters; ${rule}`, details);
}

/**
 * True when `value` meets the platform layout's secret rule.
 * @example
 * ```ts
 * isPlatformSecret('ASDFGHJKL1234567'); // true
 * isPlatformSecret('newkey');           // false
 * ```
 */
export function isPlatformSecret(value: string): boolean {
  return PRINTABLE_ASCII.test(value) && value.length > 0 && value.length % PLATFORM_MULTIPLE === 0 && value.length <= MAX_LENGTH;
}

/**
 * True when an id and a secret look exchanged: the secret fails the rule
 * and is shaped as a key id, while the id meets the secret rule.
 */
export function looksSwapped(id: string, secret: string): boolean {
  return !isPlatformSecret(secret) && KEY_ID_PATTERN.test(secret) && isPlatformSecret(id);
}

/**
 * Parses an `oldEncKeys.json` value into a Map (ids such as `__proto__` work).
 * @example
 * ```ts
 * parseOldKeys('{"mykey":"ASDFGHJKL1234567"}', 'oldEncKeys.json').get('mykey');
 * ```
 */
export function parseOldKeys(text: string, where: string): Map<string, string> {
  const value = parseSecretJson(text, where);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('ERR_INVALID_KEYRING', `${where} must be a JSON object mapping old key ids to secrets`);
  const duplicate = firstDuplicateTopLevelName(text);
  if (duplicate !== undefined) {
    fail('ERR_INVALID_KEYRING', `${where} names ${keyLabel(duplicate.slice(0, 64), isPlatformSecret(duplicate)).label} more than once; JSON would silently keep the last`);
  }
  const map = new Map<string, string>();
  // JSON.parse defines "__proto__" as an own property, so Object.entries sees it.
  for (const [id, secret] of Object.entries(value as Record<string, unknown>)) {
    try {
      checkKeyId(id);
    } catch (err) {
      fail('ERR_INVALID_KEYRING', `${where}: ${(err as Error).message}`);
    }
    const { label, details } = keyLabel(id);
    if (typeof secret !== 'string') fail('ERR_INVALID_KEYRING', `${where}: the secret of ${label} must be a string`, details);
    if (looksSwapped(id, secret)) {
      fail('ERR_INVALID_KEYRING', `${where} looks inverted: it must map each key id to its secret ({"id": "secret"}), and one entry maps a secret-shaped name to an id-shaped value (neither is shown)`);
    }
    map.set(id, checkPlatformSecret(secret, id, where));
  }
  return map;
}

/**
 * The first member name that appears twice in the top-level object of
 * `text` (valid JSON, already parsed), or undefined. JSON.parse keeps the
 * last of duplicate names without a word; for a map of keys that would hide
 * an operator's mistake.
 */
function firstDuplicateTopLevelName(text: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1) {
        let k = j + 1;
        while (k < text.length && /\s/.test(text[k]!)) k++;
        if (text[k] === ':') {
          const name = JSON.parse(text.slice(i, j + 1)) as string;
          if (seen.has(name)) return name;
          seen.add(name);
        }
      }
      i = j;
    }
  }
  return undefined;
}

/**
 * JSON text of an old-keys map, in Map order (safe for any id, `__proto__` included).
 * @example
 * ```ts
 * serializeOldKeys(new Map([['mykey', 'ASDFGHJKL1234567']])); // '{"mykey":"ASDFGHJKL1234567"}'
 * ```
 */
export function serializeOldKeys(old: ReadonlyMap<string, string>): string {
  return `{${[...old].map(([id, secret]) => `${JSON.stringify(id)}:${JSON.stringify(secret)}`).join(',')}}`;
}

/** The platform layout's content, parsed. */
export interface PlatformKeys {
  readonly activeId: string;
  readonly secret: string;
  readonly old: ReadonlyMap<string, string>;
}

/**
 * A keyring document from the platform layout: the active key plus the old
 * keys as `decrypt-only`, with policy `secretLengthMultipleOf: 16`.
 * @example
 * ```ts
 * Keyring.fromJSON(platformDocument({ activeId: 'newkey', secret, old }));
 * ```
 */
export function platformDocument(keys: PlatformKeys): KeyringDocument {
  const list: KeyringDocumentKey[] = [{ id: keys.activeId, state: 'active', secret: keys.secret, encoding: 'utf8' }];
  for (const [id, secret] of keys.old) {
    if (id === keys.activeId) {
      // The same key listed twice is harmless; two secrets under one id are not.
      const { label, details } = keyLabel(id);
      if (secret !== keys.secret) fail('ERR_INVALID_KEYRING', `${label} is the active key and also in ${PLATFORM.old} with a different secret`, details);
      continue;
    }
    list.push({ id, state: 'decrypt-only', secret, encoding: 'utf8' });
  }
  return { format: DOCUMENT_FORMAT, version: 1, policy: { secretLengthMultipleOf: PLATFORM_MULTIPLE }, keys: list };
}

/**
 * The platform layout of a keyring document, refused clearly when the layout
 * cannot express it (a non-utf8 or non-ASCII secret, a pending or disabled key).
 * @example
 * ```ts
 * const { activeId, secret, old } = platformKeysOf(ring.export());
 * ```
 */
export function platformKeysOf(document: KeyringDocument): PlatformKeys {
  let active: KeyringDocumentKey | undefined;
  const old = new Map<string, string>();
  for (const key of document.keys) {
    if (key.state === 'pending' || key.state === 'disabled') {
      fail('ERR_INVALID_KEYRING', `key "${key.id}" is ${key.state}; the platform layout holds only the active key and decrypt-only keys (remove or retire it first)`, { keyId: key.id });
    }
    if (key.encoding !== 'utf8') {
      fail('ERR_INVALID_KEY', `key "${key.id}" has a ${key.encoding} secret; the platform layout holds raw ASCII strings only (add a key with a platform secret, e.g. keyroll add ID --generate --platform)`, { keyId: key.id });
    }
    checkPlatformSecret(key.secret, key.id, 'platform layout');
    if (key.state === 'active') active = key;
    else old.set(key.id, key.secret);
  }
  if (active === undefined) fail('ERR_INVALID_KEYRING', 'the keyring has no active key');
  return { activeId: active.id, secret: active.secret, old };
}
