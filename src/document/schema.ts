/**
 * The keyring document: the JSON form of a keyring, secrets included, with
 * its own schema version. docs/format.md ("Keyring document") describes it.
 * @module
 */
import { fail } from '../errors.js';
import { printable } from '../args.js';
import { describe } from '../bytes.js';
import { KEY_ID_PATTERN } from './key-id.js';
import { keyLabel } from './redact.js';

/**
 * A key's state. `active`: encrypts and decrypts (exactly one per keyring).
 * `decrypt-only`: retired, still decrypts. `disabled`: never decrypts.
 * `pending`: decrypts now and becomes the active key at `activatesAt`.
 * @example
 * ```ts
 * const retired = ring.keys().filter((k) => k.state === 'decrypt-only');
 * ```
 */
export type KeyState = 'active' | 'decrypt-only' | 'disabled' | 'pending';
/**
 * The states, in lifecycle order.
 * @example
 * ```ts
 * import { KEY_STATES } from 'keyroll';
 * KEY_STATES; // ['pending', 'active', 'decrypt-only', 'disabled']
 * ```
 */
export const KEY_STATES: readonly KeyState[] = ['pending', 'active', 'decrypt-only', 'disabled'];

/**
 * How a string secret is written. `utf8` (the default) takes the string as typed.
 * @example
 * ```ts
 * Keyring.create({ keys: [{ id: 'k1', secret: process.env.KEY_HEX!, encoding: 'hex' }] });
 * ```
 */
export type SecretEncoding = 'utf8' | 'hex' | 'base64' | 'base64url';

/**
 * The policy fields a keyring document may carry (all optional).
 * @example
 * ```ts
 * const policy: DocumentPolicy = { secretLengthMultipleOf: 16 };
 * ```
 */
export interface DocumentPolicy {
  readonly minVersion?: number;
  readonly maxSecretLength?: number;
  readonly secretLengthMultipleOf?: number;
}
import { parseRemoved, type RemovedKey } from './removed.js';

/**
 * The `format` field of every keyring document.
 * @example
 * ```ts
 * const doc = { format: DOCUMENT_FORMAT, version: DOCUMENT_VERSION, keys: [] };
 * ```
 */
export const DOCUMENT_FORMAT = 'keyroll.keyring';
/**
 * The newest schema version this build reads and writes. A keyring is
 * written with the oldest version that holds it: version 1 unless it
 * remembers removed keys (`removed`, version 2), so older readers keep
 * loading the files they can understand.
 * @example
 * ```ts
 * ring.export().version <= DOCUMENT_VERSION; // true
 * ```
 */
export const DOCUMENT_VERSION = 2;

/**
 * One key in a keyring document.
 * @example
 * ```ts
 * const key: KeyringDocumentKey = { id: 'k1', state: 'active', secret: 'ASDFGHJKL1234567', encoding: 'utf8' };
 * ```
 */
export interface KeyringDocumentKey {
  id: string;
  state: KeyState;
  createdAt?: string;
  activatesAt?: string;
  secret: string;
  encoding: SecretEncoding;
}

/**
 * A keyring document (schema version 1, or 2 when it lists removed keys).
 * @example
 * ```ts
 * const doc: KeyringDocument = ring.export(); // secrets included: store it like a password
 * const same = Keyring.fromJSON(doc);
 * ```
 */
export interface KeyringDocument {
  format: typeof DOCUMENT_FORMAT;
  version: 1 | typeof DOCUMENT_VERSION;
  policy?: DocumentPolicy;
  keys: KeyringDocumentKey[];
  /** Version 2: keys removed from this keyring, remembered so their ids are not reused with another secret. */
  removed?: RemovedKey[];
}

const TOP_FIELDS = new Set(['format', 'version', 'policy', 'keys', 'removed']);
const KEY_FIELDS = new Set(['id', 'state', 'createdAt', 'activatesAt', 'secret', 'encoding']);

/**
 * Parses a document (text or already-parsed object) into key specs and a policy.
 * @example
 * ```ts
 * const { keys, policy } = parseDocument(readFileSync('keyring.json', 'utf8'));
 * const ring = Keyring.create({ keys, ...(policy ? { policy } : {}) });
 * ```
 */
export function parseDocument(input: unknown, source = 'keyring document'): { keys: KeyringDocumentKey[]; policy: DocumentPolicy | undefined; removed: RemovedKey[] } {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch {
      // The parser's message may quote the input, which holds secrets: never pass it on.
      fail('ERR_INVALID_KEYRING', `${source} is not valid JSON`);
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('ERR_INVALID_KEYRING', `${source} must be a JSON object, got ${describe(doc)}`);
  const record = doc as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    if (!TOP_FIELDS.has(name)) fail('ERR_INVALID_KEYRING', `${source} has an unknown field "${printable(name, 40)}"`);
  }
  if (record['format'] !== DOCUMENT_FORMAT) fail('ERR_INVALID_KEYRING', `${source}: "format" must be "${DOCUMENT_FORMAT}"`);
  const version = record['version'];
  if (version !== 1 && version !== DOCUMENT_VERSION) {
    fail('ERR_INVALID_KEYRING', `${source}: schema version ${String(version).slice(0, 10)} is not supported (this build reads versions 1 to ${DOCUMENT_VERSION})`);
  }
  if (version === 1 && record['removed'] !== undefined) fail('ERR_INVALID_KEYRING', `${source}: "removed" needs schema version 2`);
  const policy = record['policy'];
  if (policy !== undefined && (typeof policy !== 'object' || policy === null || Array.isArray(policy))) {
    fail('ERR_INVALID_KEYRING', `${source}: "policy" must be an object`);
  }
  const keys = record['keys'];
  if (!Array.isArray(keys)) fail('ERR_INVALID_KEYRING', `${source}: "keys" must be an array`);
  const specs = keys.map((entry: unknown, index) => parseKey(entry, index, source));
  const removed = record['removed'] === undefined ? [] : parseRemoved(record['removed'], source, new Set(specs.map((k) => k.id)));
  return { keys: specs, policy: policy as DocumentPolicy | undefined, removed };
}

function parseKey(entry: unknown, index: number, source: string): KeyringDocumentKey {
  const where = `${source}: keys[${index}]`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail('ERR_INVALID_KEYRING', `${where} must be an object`);
  const key = entry as Record<string, unknown>;
  let id = typeof key['id'] === 'string' && KEY_ID_PATTERN.test(key['id']) ? key['id'] : undefined;
  const shown = id === undefined ? undefined : keyLabel(id);
  const label = shown === undefined ? where : `${where} (${shown.label})`;
  if (shown?.details.keyId === undefined) id = undefined;
  for (const name of Object.keys(key)) {
    if (!KEY_FIELDS.has(name)) fail('ERR_INVALID_KEYRING', `${label} has an unknown field "${printable(name, 40)}"`, id === undefined ? {} : { keyId: id });
  }
  for (const name of ['id', 'state', 'secret', 'encoding'] as const) {
    if (typeof key[name] !== 'string') fail('ERR_INVALID_KEYRING', `${label}: "${name}" must be a string`, id === undefined ? {} : { keyId: id });
  }
  for (const name of ['createdAt', 'activatesAt'] as const) {
    if (key[name] !== undefined && typeof key[name] !== 'string') {
      fail('ERR_INVALID_KEYRING', `${label}: "${name}" must be a string`, id === undefined ? {} : { keyId: id });
    }
  }
  return key as unknown as KeyringDocumentKey;
}
