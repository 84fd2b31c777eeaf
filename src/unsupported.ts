/**
 * What the root entry `keyroll` resolves to under the `browser` and `worker`
 * export conditions (browsers, web workers, edge runtimes without
 * node:crypto): the root entry needs node:crypto and node:fs, so importing
 * it there throws a KeyrollError `ERR_UNSUPPORTED_RUNTIME` that names
 * `keyroll/web`, instead of failing later on a missing built-in. The names
 * below are the root entry's (a test keeps them equal), so a bundler
 * resolves every named import and the bundle fails only when it runs. The
 * `workerd` condition keeps the real root entry: it runs on Cloudflare
 * Workers with `nodejs_compat`, which no condition can tell apart.
 * @module
 */
import { KeyrollError } from './errors.js';

throw new KeyrollError(
  'ERR_UNSUPPORTED_RUNTIME',
  'the root entry `keyroll` needs node:crypto and node:fs, which this runtime does not have ' +
    '(it was resolved under the `browser` or `worker` export condition): import `keyroll/web` instead ' +
    '(WebKeyring: the same keyrings and envelopes, with promises)',
);

export { KeyrollError };
// Never assigned: the module throws before any of them is read.
export let CURRENT_VERSION: undefined, DEFAULT_POLICY: undefined, DOCUMENT_FORMAT: undefined, DOCUMENT_VERSION: undefined, ERROR_CODES: undefined;
export let KEY_STATES: undefined, Key: undefined, Keyring: undefined, KeyringWatcher: undefined, MIN_SECRET_BYTES: undefined, checkKeyId: undefined;
export let generateKey: undefined, inspect: undefined, masterKeyWrapper: undefined, parseDocument: undefined, passphraseWrapper: undefined;
export let readAndRefresh: undefined, refreshCounters: undefined, refreshOnRead: undefined, sealKeyring: undefined, sealedGeneration: undefined;
export let writeKeyringFile: undefined;
