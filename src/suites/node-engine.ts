/**
 * The node:crypto engine of `WebKeyring`: the Node edition's own suite 1
 * (seal1/open1 over primitives.ts and hmac.ts), behind the asynchronous
 * keyring API. `keyroll/web` resolves to the build that uses it under the
 * `node` export condition (Node, Bun, Deno), where node:crypto exists and is
 * several times faster than WebCrypto for small messages. Nothing here is
 * new crypto: it is the same code path as `Keyring`, so the envelopes are the
 * same bytes by construction.
 * @module
 */
import type { SuiteEngine } from './backend.js';
import { randomFillInto } from './primitives.js';
import { open1, seal1, suite1Key, type Suite1Key } from './suite1.js';

/**
 * Suite 1 over node:crypto. Its key state is cached in the same slot as the
 * Node edition's (`Keyring` uses slot 1 for `suite1Key`), so a `Key` used by
 * both editions derives it once.
 */
export const nodeEngine: SuiteEngine<Suite1Key> = {
  slot: 1,
  importKey: suite1Key,
  seal: seal1,
  open: open1,
  randomFill: (out) => randomFillInto(out, 0, out.length),
};
