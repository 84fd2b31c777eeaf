/**
 * The WebCrypto backend (`globalThis.crypto.subtle`), present in browsers,
 * Deno, Bun, Cloudflare Workers and Node. A key's secret is imported once
 * as a non-extractable HKDF key; each message's AES-GCM key is imported for
 * that message only (it is derived per message). Never imports node:crypto.
 * @module
 */
import { fail } from '../errors.js';
import { asyncEngine, type AsyncBackend } from './backend.js';
import { EXTRACT_SALT } from './suite1-layout.js';

/** A WebCrypto key handle: opaque here (the project builds without the DOM library). */
export type WebKey = object;

/** The part of WebCrypto used here, typed locally. */
interface WebCrypto {
  getRandomValues(array: Uint8Array): Uint8Array;
  subtle: {
    importKey(format: 'raw', data: Uint8Array, algorithm: string, extractable: boolean, usages: string[]): Promise<WebKey>;
    deriveBits(algorithm: object, key: WebKey, length: number): Promise<ArrayBuffer>;
    encrypt(algorithm: object, key: WebKey, data: Uint8Array): Promise<ArrayBuffer>;
    decrypt(algorithm: object, key: WebKey, data: Uint8Array): Promise<ArrayBuffer>;
  };
}

function webCrypto(): WebCrypto {
  const crypto = (globalThis as { crypto?: WebCrypto }).crypto;
  if (crypto?.subtle === undefined || typeof crypto.getRandomValues !== 'function') {
    fail('ERR_UNSUPPORTED_RUNTIME', 'this runtime has no WebCrypto (globalThis.crypto.subtle): keyroll/web needs it (a browser page must be served over https or from localhost)');
  }
  return crypto;
}

/** Suite 1 over WebCrypto: HKDF-SHA256 and AES-256-GCM. */
export const webBackend: AsyncBackend<WebKey> = {
  importKey(secret) {
    return webCrypto().subtle.importKey('raw', secret, 'HKDF', false, ['deriveBits']);
  },
  async expand64(key, info) {
    const bits = await webCrypto().subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: EXTRACT_SALT, info: info }, key, 512);
    return new Uint8Array(bits);
  },
  async gcmSeal(messageKey, iv, aad, plaintext) {
    const subtle = webCrypto().subtle;
    const key = await subtle.importKey('raw', messageKey, 'AES-GCM', false, ['encrypt']);
    return new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: iv, additionalData: aad, tagLength: 128 }, key, plaintext));
  },
  async gcmOpen(messageKey, iv, aad, sealed) {
    const subtle = webCrypto().subtle;
    const key = await subtle.importKey('raw', messageKey, 'AES-GCM', false, ['decrypt']);
    try {
      return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: iv, additionalData: aad, tagLength: 128 }, key, sealed));
    } catch {
      return undefined;
    }
  },
  randomFill(out) {
    const crypto = webCrypto();
    for (let i = 0; i < out.length; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(out.length, i + 65536)));
  },
};

/** Slot of a key's imported WebCrypto key in its derived-state cache. */
export const WEB_SUITE_1 = 0x5701;

/** `WebKeyring`'s engine over WebCrypto: each key's secret imported once (non-extractable), suite 1 as sealAsync/openAsync. */
export const webEngine = asyncEngine(webBackend, WEB_SUITE_1);
