/**
 * The WebCrypto edition (`keyroll/web`) on this Node's WebCrypto, against
 * raw WebCrypto AES-256-GCM in the same process: a key imported once, a
 * fresh random 12-byte IV per message, encrypt then decrypt. keyroll does
 * more per message (HKDF for the message key and the commitment, a message
 * key imported per message, the header), so the ratio is what that costs.
 * Ratios, never absolute targets.
 */
import { webcrypto } from 'node:crypto';
import { runCase, formatOps, formatSize, table } from './harness.mjs';

const subtle = webcrypto.subtle;

export async function benchWeb({ quick }) {
  const { WebKeyring } = await import('../dist/web.js');
  const settings = quick ? { slices: 2, budgetMs: 20, warmupMs: 10 } : { slices: 7, budgetMs: 250, warmupMs: 200 };
  const secret = new Uint8Array(32).fill(7);
  const ring = WebKeyring.create({ keys: [{ id: 'k1', secret }] });
  const raw = await subtle.importKey('raw', secret, 'AES-GCM', false, ['encrypt', 'decrypt']);
  const rows = [];
  for (const size of quick ? [1024] : [64, 1024, 64 * 1024]) {
    const plaintext = webcrypto.getRandomValues(new Uint8Array(size));
    const variants = [
      {
        name: 'raw WebCrypto AES-GCM',
        async: true,
        fn: async () => {
          const iv = webcrypto.getRandomValues(new Uint8Array(12));
          const sealed = await subtle.encrypt({ name: 'AES-GCM', iv }, raw, plaintext);
          await subtle.decrypt({ name: 'AES-GCM', iv }, raw, sealed);
        },
      },
      { name: 'keyroll/web binary', async: true, fn: async () => ring.decrypt(await ring.encryptToBytes(plaintext)) },
      { name: 'keyroll/web text', async: true, fn: async () => ring.decrypt(await ring.encrypt(plaintext)) },
    ];
    for (const r of await runCase(variants, settings)) rows.push([formatSize(size), r.name, formatOps(r.opsPerSec), `${r.ratio.toFixed(2)} (${r.minRatio.toFixed(2)}-${r.maxRatio.toFixed(2)})`]);
  }
  return `Round trip (encrypt then decrypt) on Node ${process.version}'s WebCrypto; ratio to raw WebCrypto AES-GCM in the same slice:\n\n${table(['size', 'variant', 'ops/s', 'ratio to raw WebCrypto GCM'], rows)}`;
}
