/**
 * The seam between `WebKeyring` and the crypto under it. A {@link SuiteEngine}
 * seals and opens suite 1 envelopes for a key imported once; the keyring
 * calls nothing else. Two engines exist:
 *  - {@link asyncEngine} over an {@link AsyncBackend} (the primitives suite 1
 *    needs, asynchronously): WebCrypto (webcrypto.ts) in browsers, Workers
 *    and wherever `keyroll/web` resolves without the `node` condition;
 *  - node-engine.ts: the Node edition's own seal1/open1 over node:crypto
 *    (precomputed HMAC pads, no promise on the hot path), for `keyroll/web`
 *    under the `node` condition (Node, Bun, Deno).
 * Both produce the same bytes: suite1-layout.ts holds everything but the
 * primitives.
 * @module
 */
import { SUITE_1, type ParsedEnvelope } from '../envelope/format.js';
import { equalBytes } from '../bytes.js';
import { associatedData, expandInfo, startEnvelope, suite1Offsets, ZERO_IV } from './suite1-layout.js';

/** What suite 1 calls, asynchronously. `K` is a key's imported state. */
export interface AsyncBackend<K> {
  /** Imports a key's secret once (HKDF-Extract with suite 1's salt happens here or in `expand64`). */
  importKey(secret: Uint8Array): Promise<K>;
  /** HKDF-SHA256(salt = EXTRACT_SALT, IKM = secret, info, L = 64): K_msg || commitment. */
  expand64(key: K, info: Uint8Array): Promise<Uint8Array>;
  /** AES-256-GCM with a 16-byte tag: ciphertext || tag. */
  gcmSeal(messageKey: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /** AES-256-GCM decryption of ciphertext || tag; `undefined` when it does not authenticate. */
  gcmOpen(messageKey: Uint8Array, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Promise<Uint8Array | undefined>;
  /** Fills `out` from a CSPRNG. */
  randomFill(out: Uint8Array): void;
}

/**
 * What `WebKeyring` calls. `K` is a key's imported state, made once per key
 * by `importKey` and cached with the key under `slot`; results may be
 * promises or values (the keyring awaits them either way).
 */
export interface SuiteEngine<K> {
  /** The key's derived-state cache slot (see KeyMaterial.derived). */
  readonly slot: number;
  /** Imports a key's secret once. */
  importKey(secret: Uint8Array): K;
  /** Seals `plaintext` into a suite 1 binary envelope under `keyId`; `salt` for seeded tests only. */
  seal(keyId: string, key: K, plaintext: Uint8Array, context: Uint8Array, salt?: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** Opens a parsed suite 1 envelope; `undefined` when it does not authenticate. */
  open(envelope: ParsedEnvelope, key: K, context: Uint8Array): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /** Fills `out` from a CSPRNG. */
  randomFill(out: Uint8Array): void;
}

/** The engine over an asynchronous backend: suite 1 as {@link sealAsync} and {@link openAsync}, keys imported once per `slot`. */
export function asyncEngine<K>(backend: AsyncBackend<K>, slot: number): SuiteEngine<Promise<K>> {
  return {
    slot,
    importKey: (secret) => backend.importKey(secret),
    seal: async (keyId, key, plaintext, context, salt) => sealAsync(backend, keyId, await key, plaintext, context, salt),
    open: async (envelope, key, context) => openAsync(backend, envelope, await key, context),
    randomFill: (out) => backend.randomFill(out),
  };
}

/** Seals `plaintext` into a suite 1 binary envelope, byte for byte as the Node edition's `seal1`. */
export async function sealAsync<K>(backend: AsyncBackend<K>, keyId: string, key: K, plaintext: Uint8Array, context: Uint8Array, salt?: Uint8Array): Promise<Uint8Array> {
  const { out, saltOffset, commitmentOffset, bodyOffset } = startEnvelope(keyId, plaintext.length, (n) => new Uint8Array(n));
  if (salt === undefined) backend.randomFill(out.subarray(saltOffset, commitmentOffset));
  else out.set(salt.subarray(0, SUITE_1.saltLength), saltOffset);
  const okm = await backend.expand64(key, expandInfo(out, commitmentOffset));
  try {
    out.set(okm.subarray(32, 64), commitmentOffset);
    const sealed = await backend.gcmSeal(okm.subarray(0, 32), ZERO_IV, associatedData(out, bodyOffset, context), plaintext);
    out.set(sealed, bodyOffset);
    return out;
  } finally {
    okm.fill(0);
  }
}

/** Opens a parsed suite 1 envelope; `undefined` when it does not authenticate. */
export async function openAsync<K>(backend: AsyncBackend<K>, envelope: ParsedEnvelope, key: K, context: Uint8Array): Promise<Uint8Array | undefined> {
  const { bytes, saltOffset, bodyOffset } = envelope;
  const { commitmentOffset } = suite1Offsets(saltOffset);
  if (bodyOffset - commitmentOffset !== SUITE_1.commitmentLength) return undefined;
  const okm = await backend.expand64(key, expandInfo(bytes, commitmentOffset));
  try {
    if (!equalBytes(okm.subarray(32, 64), bytes.subarray(commitmentOffset, bodyOffset))) return undefined;
    return await backend.gcmOpen(okm.subarray(0, 32), ZERO_IV, associatedData(bytes, bodyOffset, context), bytes.subarray(bodyOffset));
  } finally {
    okm.fill(0);
  }
}
