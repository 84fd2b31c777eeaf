/**
 * The Chromium page of bench/web.mjs, bundled by esbuild for the browser
 * platform: `keyroll/web` resolves to its WebCrypto build there, as in any
 * browser bundle. It runs the cases of web-cases.mjs with the slice method
 * of slices.mjs on the page's clock (`performance.now()`, wall time: a page
 * has no CPU clock) and returns the results.
 * @module
 */
import { WebKeyring } from 'keyroll/web';
import { runCase } from './slices.mjs';
import { BENCH_SECRET, WEB_SETTINGS, WEB_SIZES, webVariants } from './web-cases.mjs';

const now = () => performance.now() * 1e6;

/** Runs every size; resolves to `{ size, results }[]` as runCase returns them. */
export async function benchInPage(quick) {
  const ring = WebKeyring.create({ keys: [{ id: 'k1', secret: BENCH_SECRET }] });
  const out = [];
  for (const size of quick ? WEB_SIZES.quick : WEB_SIZES.full) {
    out.push({ size, results: await runCase(await webVariants(globalThis.crypto, [['keyroll/web', ring]], size), quick ? WEB_SETTINGS.quick : WEB_SETTINGS.full, now) });
  }
  return { userAgent: navigator.userAgent, crossOriginIsolated: globalThis.crossOriginIsolated === true, cases: out };
}
