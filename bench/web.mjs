/**
 * `keyroll/web` against raw WebCrypto AES-256-GCM in the same environment,
 * as ratios (web-cases.mjs): on Node, and in headless Chromium when one is
 * found (chromium.mjs). keyroll does more per message on WebCrypto (HKDF for
 * the message key and the commitment, a message key imported per message,
 * the header), so the ratio is what that costs. On Node it measures the
 * WebCrypto build explicitly (`keyroll/web/webcrypto`: on Node, `keyroll/web`
 * itself resolves to its node:crypto build, also shown against the same
 * baseline). Ratios, never absolute targets.
 * @module
 */
import { webcrypto } from 'node:crypto';
import { runCase, formatOps, formatSize, table, clockName } from './harness.mjs';
import { benchInChromium, findChromium } from './chromium.mjs';
import { BENCH_SECRET, WEB_SETTINGS, WEB_SIZES, webVariants } from './web-cases.mjs';

const ratio = (r) => `${r.ratio.toFixed(2)} (${r.minRatio.toFixed(2)}-${r.maxRatio.toFixed(2)})`;
const rowsOf = (cases) => cases.flatMap(({ size, results }) => results.map((r) => [formatSize(size), r.name, formatOps(r.opsPerSec), ratio(r)]));
const HEADER = ['size', 'variant', 'ops/s', 'ratio to raw WebCrypto GCM'];

/** The Node section: both builds of keyroll/web against Node's WebCrypto. */
async function onNode(quick) {
  const webcryptoBuild = await import('../dist/web.js');
  const nodeBuild = await import('../dist/web-node.js');
  const keys = [{ id: 'k1', secret: BENCH_SECRET }];
  const rings = [
    ['keyroll/web (WebCrypto)', webcryptoBuild.WebKeyring.create({ keys })],
    ['keyroll/web (node:crypto build)', nodeBuild.WebKeyring.create({ keys })],
  ];
  const cases = [];
  for (const size of quick ? WEB_SIZES.quick : WEB_SIZES.full) {
    cases.push({ size, results: await runCase(await webVariants(webcrypto, rings, size), quick ? WEB_SETTINGS.quick : WEB_SETTINGS.full) });
  }
  return `### On Node ${process.version}\n\nRound trip (encrypt then decrypt) on Node's WebCrypto (${clockName}); ratio to raw WebCrypto AES-GCM in the same slice. The node:crypto build is what \`keyroll/web\` resolves to on Node, Bun and Deno:\n\n${table(HEADER, rowsOf(cases))}`;
}

/** The Chromium section, or why it was skipped. */
async function inChromium(quick) {
  const found = findChromium();
  if (found.skipped !== undefined) return `### In Chromium\n\nskipped: ${found.skipped}`;
  const run = await benchInChromium(found, quick);
  const clock = `wall time: performance.now()${run.crossOriginIsolated ? ', cross-origin isolated' : ''}`;
  return `### In Chromium (${run.version})\n\nRound trip (encrypt then decrypt) on the page's WebCrypto (${clock}), \`keyroll/web\` bundled for the browser; ratio to raw WebCrypto AES-GCM in the same slice:\n\n${table(HEADER, rowsOf(run.cases))}`;
}

export async function benchWeb({ quick }) {
  return `${await onNode(quick)}\n\n${await inChromium(quick)}`;
}
