/**
 * A small interleaved benchmark harness.
 *
 * Why not tinybench: tinybench times every call with `performance.now()`,
 * which adds the same constant to every variant and pulls ratios towards 1
 * at 64 B; and it runs one task after another, so machine noise (a noisy
 * neighbour, frequency changes) lands on one variant only. Here each case
 * runs in several SLICES; inside a slice every variant runs for the same
 * time budget, in a rotated order, timed per batch of calls. A ratio is
 * computed per slice (variant ops/s over baseline ops/s in the same slice)
 * and the median over slices is reported, so a burst of noise moves one
 * slice, not the result.
 * @module
 */

/** Median of numbers (mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/*
 * The clock is the CPU time of this process (user + system, from
 * getrusage), not wall time: on a shared machine a descheduled process
 * loses wall time that has nothing to do with the code under test. The CPU
 * time of GC helper threads is included, which is fair: it is work the
 * code caused. `--wall` switches back to wall time.
 */
const wall = process.argv.includes('--wall');
/** The clock in nanoseconds (see above). */
export const clockName = wall ? 'wall time' : 'process CPU time';
const now = wall
  ? () => Number(process.hrtime.bigint())
  : () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) * 1000;
    };

/**
 * Runs `fn` (synchronous) for about `budgetMs` of clock time, in batches
 * sized so that a batch lasts about a millisecond; returns ops per second.
 */
export function measureSync(fn, budgetMs) {
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
export async function measureAsync(fn, budgetMs) {
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
export async function runCase(variants, { slices, budgetMs, warmupMs }) {
  for (const v of variants) {
    if (v.async) await measureAsync(v.fn, warmupMs);
    else measureSync(v.fn, warmupMs);
  }
  const rates = variants.map(() => []);
  for (let s = 0; s < slices; s++) {
    for (let j = 0; j < variants.length; j++) {
      // Rotate the order each slice so that no variant always runs first or last.
      const index = (j + s) % variants.length;
      const v = variants[index];
      rates[index].push(v.async ? await measureAsync(v.fn, budgetMs) : measureSync(v.fn, budgetMs));
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

/** Formats ops/s compactly (e.g. 68.2k). */
export function formatOps(value) {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return value.toFixed(1);
}

/** Formats a payload size (64 B, 1 KiB, 64 KiB, 1 MiB). */
export function formatSize(bytes) {
  if (bytes >= 1 << 20) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1024) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

/** A markdown table from a header row and rows of cells. */
export function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}
