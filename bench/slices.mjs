/**
 * The interleaved-slice method of the benches, with no dependency on the
 * runtime: every function takes the clock (`now()`, nanoseconds) it runs
 * on. harness.mjs binds it to Node's process CPU time for the Node benches;
 * the Chromium run of bench/web.mjs bundles this file into the page and
 * binds it to `performance.now()`.
 *
 * Each case runs in several SLICES; inside a slice every variant runs for
 * the same time budget, in a rotated order, timed per batch of calls. A
 * ratio is computed per slice (variant ops/s over baseline ops/s in the same
 * slice) and the median over slices is reported, so a burst of noise moves
 * one slice, not the result.
 * @module
 */

/** Median of numbers (mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `fn` (synchronous) for about `budgetMs` of `now` time, in batches
 * sized so that a batch lasts about a millisecond; returns ops per second.
 */
export function measureSync(fn, budgetMs, now) {
  const budget = budgetMs * 1e6;
  let batch = 1;
  let ops = 0;
  let elapsed = 0;
  while (elapsed < budget) {
    const start = now();
    for (let i = 0; i < batch; i++) fn();
    const took = now() - start;
    elapsed += took;
    ops += batch;
    if (took < 1e6 && batch < 1 << 20) batch *= 2;
  }
  return ops / (elapsed / 1e9);
}

/** Same as {@link measureSync} for a function returning a promise: every call is awaited before the next. */
export async function measureAsync(fn, budgetMs, now) {
  const budget = budgetMs * 1e6;
  let batch = 1;
  let ops = 0;
  let elapsed = 0;
  while (elapsed < budget) {
    const start = now();
    for (let i = 0; i < batch; i++) await fn();
    const took = now() - start;
    elapsed += took;
    ops += batch;
    if (took < 1e6 && batch < 1 << 20) batch *= 2;
  }
  return ops / (elapsed / 1e9);
}

/**
 * Runs a case: `variants` is a list of `{ name, fn, async? }`, the first
 * being the baseline. Returns, per variant, the median ops/s and the median
 * of the per-slice ratios to the baseline, plus the spread of those ratios.
 */
export async function runCase(variants, { slices, budgetMs, warmupMs }, now) {
  for (const v of variants) {
    if (v.async) await measureAsync(v.fn, warmupMs, now);
    else measureSync(v.fn, warmupMs, now);
  }
  const rates = variants.map(() => []);
  for (let s = 0; s < slices; s++) {
    for (let j = 0; j < variants.length; j++) {
      // Rotate the order each slice so that no variant always runs first or last.
      const index = (j + s) % variants.length;
      const v = variants[index];
      rates[index].push(v.async ? await measureAsync(v.fn, budgetMs, now) : measureSync(v.fn, budgetMs, now));
    }
  }
  const base = rates[0];
  return variants.map((v, i) => {
    const ratios = rates[i].map((r, s) => r / base[s]);
    return {
      name: v.name,
      opsPerSec: median(rates[i]),
      ratio: median(ratios),
      minRatio: Math.min(...ratios),
      maxRatio: Math.max(...ratios),
    };
  });
}
