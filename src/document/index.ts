/**
 * The document room: plain data shared by the keyring and the sources (the
 * keyring document's schema, the key id rule, strict RFC 3339 times and the
 * masking of ids that look like secrets). It imports only `errors`
 * and `bytes`.
 * @module
 */
export { checkKeyId, KEY_ID_PATTERN } from './key-id.js';
export { keyLabel, looksLikeSecret, redacted, REDACTED_NOTE } from './redact.js';
export {
  DOCUMENT_FORMAT,
  DOCUMENT_VERSION,
  KEY_STATES,
  parseDocument,
  type DocumentPolicy,
  type KeyringDocument,
  type KeyringDocumentKey,
  type KeyState,
  type SecretEncoding,
} from './schema.js';
export { parseTime, timeValue, daysInMonth } from './time.js';
export { FINGERPRINT_PATTERN, parseRemoved, type RemovedKey } from './removed.js';
