/**
 * `keyroll/web` under the `node` export condition (Node, Bun, Deno): the
 * same API, types, envelopes and errors as the WebCrypto build (web/index.ts),
 * with suite 1 run by the Node edition's node:crypto code instead of
 * WebCrypto (suites/node-engine.ts), which is several times faster there.
 * The package's `types` condition points every build of `keyroll/web` at
 * the declarations of web/index.ts: this file exports exactly its names.
 * Never bundled for a browser: `browser`, `worker` and `workerd` resolve to
 * the WebCrypto build.
 * @module
 */
import { nodeEngine } from '../suites/node-engine.js';
import { useEngine, WebKeyring as WebCryptoKeyring } from './keyring.js';

export * from './index.js';
// The Node edition's generateKey: node:crypto's CSPRNG, the same checks.
export { generateKey } from '../keyring/generate.js';

/**
 * The keyring of `keyroll/web`, running suite 1 on node:crypto (see the
 * module comment); everything else is {@link WebCryptoKeyring}'s.
 * @example
 * ```ts
 * import { WebKeyring } from 'keyroll/web'; // this class under the `node` condition
 * const ring = WebKeyring.fromJSON(process.env.KEYROLL_KEYRING!);
 * await ring.decryptString(await ring.encrypt('secret'));
 * ```
 */
export class WebKeyring extends WebCryptoKeyring {
  static {
    useEngine(this, nodeEngine);
  }
}
