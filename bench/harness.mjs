/**
 * A small interleaved benchmark harness for Node: the method of slices.mjs
 * (shared with the Chromium run of bench/web.mjs) on this process's clock.
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
import * as slices from './slices.mjs';

export const median = slices.median;

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

/** {@link slices.measureSync} on this process's clock. */
export function measureSync(fn, budgetMs) {
  return slices.measureSync(fn, budgetMs, now);
}

/** {@link slices.measureAsync} on this process's clock. */
export function measureAsync(fn, budgetMs) {
  return slices.measureAsync(fn, budgetMs, now);
}

/** {@link slices.runCase} on this process's clock: `variants` is a list of `{ name, fn, async? }`, the first being the baseline. */
export function runCase(variants, settings) {
  return slices.runCase(variants, settings, now);
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
