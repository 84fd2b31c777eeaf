/**
 * The keyring room: keys, the rules, policy, lifecycle and usage stats.
 * @module
 */
export { Keyring, type Clock, type CryptOptions, type DecryptEvent, type KeyringOptions, type KeyringRuntimeOptions, type OpenResult, type SealedLoadOptions } from './keyring.js';
export { Key, type KeyInfo, type KeySpec, type TimeInput } from './key.js';
export { KEY_STATES, checkKeyId, type KeyState, type SecretEncoding } from '../document/index.js';
export { generateKey, type GenerateKeyOptions } from './generate.js';
export { DEFAULT_POLICY, MIN_SECRET_BYTES, type Policy, type PolicyInput } from './policy.js';
export { DOCUMENT_FORMAT, DOCUMENT_VERSION, parseDocument, type DocumentPolicy, type KeyringDocument, type KeyringDocumentKey, type RemovedKey } from '../document/index.js';
export type { AddOptions, PostponeOptions } from './lifecycle.js';
export type { Duration } from './duration.js';
export type { KeyUsage } from './stats.js';
export { KeyringWatcher, type WatchOptions } from './watcher.js';
