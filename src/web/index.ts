/**
 * keyroll/web: the WebCrypto edition, for runtimes without node:crypto
 * (browsers, Cloudflare Workers without `nodejs_compat`, other edge
 * runtimes) and any runtime with `globalThis.crypto.subtle`. The same
 * keyring rules, envelopes (byte for byte) and error codes as `keyroll`;
 * `encrypt`, `decrypt` and `open` return promises. It never imports
 * node:crypto, node:fs or a database driver. Tokens: `keyroll/tokens`
 * runs on the same runtimes and takes a {@link WebKeyring}.
 *
 * @example
 * ```ts
 * import { WebKeyring, generateKey } from 'keyroll/web';
 * const ring = WebKeyring.create({ keys: [generateKey({ id: 'k1' })] });
 * const stored = await ring.encrypt('secret', { context: { table: 'notes', id: '1' } });
 * await ring.decryptString(stored, { context: { table: 'notes', id: '1' } }); // 'secret'
 * ```
 * @module keyroll/web
 */
import { generateKeyWith, type GenerateKeyOptions } from '../keyring/generate-with.js';
import type { Key } from '../keyring/key.js';
import { webBackend } from '../suites/webcrypto.js';

export { WebKeyring, type WebKeyringOptions, type WebKeyringRuntimeOptions } from './keyring.js';
export { KeyrollError, ERROR_CODES, type KeyrollErrorCode, type KeyrollErrorDetails } from '../errors.js';
export { inspect, CURRENT_VERSION, type EnvelopeInfo, type EnvelopeForm } from '../envelope/format.js';
export type { Context } from '../envelope/context.js';
export { Key, type KeyInfo, type KeySpec, type TimeInput } from '../keyring/key.js';
export { KEY_STATES, type KeyState, type SecretEncoding, type KeyringDocument } from '../document/index.js';
export type { Policy, PolicyInput } from '../keyring/policy.js';
export type { Clock, CryptOptions, DecryptEvent, OpenResult } from '../keyring/keyring.js';
export type { GenerateKeyOptions } from '../keyring/generate-with.js';

/**
 * A new key with `bytes` (default 32) random bytes of secret material from
 * WebCrypto's CSPRNG (`crypto.getRandomValues`).
 * @example
 * ```ts
 * import { WebKeyring, generateKey } from 'keyroll/web';
 * const ring = WebKeyring.create({ keys: [generateKey({ id: 'k1' })] });
 * ```
 */
export function generateKey(options: GenerateKeyOptions): Key {
  return generateKeyWith(options, (length) => {
    const out = new Uint8Array(length);
    webBackend.randomFill(out);
    return out;
  });
}
