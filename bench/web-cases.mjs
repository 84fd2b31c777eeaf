/**
 * The cases of bench/web.mjs, with no dependency on the runtime: the Node
 * run and the Chromium page build the same variants from what each
 * environment hands in (its WebCrypto, its keyrings). Raw WebCrypto
 * AES-256-GCM is the baseline: a key imported once, a fresh random 12-byte
 * IV per message, encrypt then decrypt, awaited one after the other.
 * @module
 */

/** The payload sizes of a full run and of a quick one. */
export const WEB_SIZES = { full: [64, 1024, 64 * 1024], quick: [1024] };
/** Slices per case, as bench/web.mjs runs them. */
export const WEB_SETTINGS = { full: { slices: 7, budgetMs: 250, warmupMs: 200 }, quick: { slices: 2, budgetMs: 20, warmupMs: 10 } };
/** The 32-byte secret every variant uses (a benchmark key, never a real one). */
export const BENCH_SECRET = new Uint8Array(32).fill(7);

/**
 * The variants for one payload size: the baseline first, then each keyring
 * of `rings` (`[name, ring]`) in binary and text form. `crypto` is the
 * environment's WebCrypto (`globalThis.crypto`, or node:crypto's `webcrypto`).
 */
export async function webVariants(crypto, rings, size) {
  const subtle = crypto.subtle;
  const raw = await subtle.importKey('raw', BENCH_SECRET, 'AES-GCM', false, ['encrypt', 'decrypt']);
  const plaintext = crypto.getRandomValues(new Uint8Array(size));
  const variants = [
    {
      name: 'raw WebCrypto AES-GCM',
      async: true,
      fn: async () => {
        const iv = crypto.getRandomValues(new Uint8Array(12));
        const sealed = await subtle.encrypt({ name: 'AES-GCM', iv }, raw, plaintext);
        await subtle.decrypt({ name: 'AES-GCM', iv }, raw, sealed);
      },
    },
  ];
  for (const [name, ring] of rings) {
    variants.push({ name: `${name} binary`, async: true, fn: async () => ring.decrypt(await ring.encryptToBytes(plaintext)) });
    variants.push({ name: `${name} text`, async: true, fn: async () => ring.decrypt(await ring.encrypt(plaintext)) });
  }
  return variants;
}
