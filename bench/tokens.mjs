/**
 * Throughput of keyroll/tokens (PASETO v4.local): issue, verify, and issue
 * then verify, per second, with a realistic CDN-style token (audience, a
 * custom claim, an IP restriction). Imports the built package (../dist).
 *
 *   node bench/tokens.mjs [--quick]
 *
 * `npm run bench` calls benchTokens({ quick }) from its own runner.
 * @module
 */
import { pathToFileURL } from 'node:url';
import { Keyring, generateKey } from '../dist/index.js';
import { issueToken, verifyToken } from '../dist/tokens.js';

const ISSUE_OPTIONS = { expiresIn: '1h', audience: 'cdn', restrict: { ip: '203.0.113.0/24', protocol: 'https' } };
const VERIFY_OPTIONS = { audience: 'cdn', expect: { ip: '203.0.113.7', protocol: 'https' } };
const CLAIMS = { file: '/videos/2030/launch.mp4' };

/** Calls `fn` in batches for about `ms` milliseconds; returns calls per second. */
function rate(fn, ms) {
  for (let i = 0; i < 200; i++) fn(); // warm-up: JIT and the per-key derived state
  let calls = 0;
  let batch = 64;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    elapsed = performance.now() - start;
    if (elapsed < ms / 20) batch *= 2;
  }
  return Math.round((calls * 1000) / elapsed);
}

/**
 * Measures token throughput.
 * @param {{ quick?: boolean }} [options] quick: about 0.2 s per measure instead of 1.5 s
 * @returns {Promise<{ issuePerSecond: number, verifyPerSecond: number, roundTripPerSecond: number }>}
 * @example
 * const { issuePerSecond } = await benchTokens({ quick: true });
 */
export async function benchTokens({ quick = false } = {}) {
  const ms = quick ? 200 : 1500;
  const ring = Keyring.create({ keys: [generateKey({ id: 'primary' }), generateKey({ id: 'backup', state: 'decrypt-only' })], activeKeyId: 'primary' });
  const token = issueToken(ring, CLAIMS, ISSUE_OPTIONS);
  // Check the measured path really succeeds before timing it.
  if (verifyToken(ring, token, VERIFY_OPTIONS).file !== CLAIMS.file) throw new Error('bench token did not verify');
  let sink = 0;
  const issuePerSecond = rate(() => {
    sink ^= issueToken(ring, CLAIMS, ISSUE_OPTIONS).length;
  }, ms);
  const verifyPerSecond = rate(() => {
    sink ^= verifyToken(ring, token, VERIFY_OPTIONS).exp.length;
  }, ms);
  const roundTripPerSecond = rate(() => {
    sink ^= verifyToken(ring, issueToken(ring, CLAIMS, ISSUE_OPTIONS), VERIFY_OPTIONS).exp.length;
  }, ms);
  if (sink === -1) console.log(sink); // keeps the results observable to the optimiser
  return { issuePerSecond, verifyPerSecond, roundTripPerSecond };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchTokens({ quick: process.argv.includes('--quick') });
  const fmt = (n) => n.toLocaleString('en-US').padStart(10);
  console.log(`keyroll/tokens (PASETO v4.local, ${process.version})`);
  console.log(`  issue        ${fmt(result.issuePerSecond)} /s`);
  console.log(`  verify       ${fmt(result.verifyPerSecond)} /s`);
  console.log(`  issue+verify ${fmt(result.roundTripPerSecond)} /s`);
}
