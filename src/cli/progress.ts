/**
 * Progress for long CLI jobs: a redrawn bar on a TTY (rows done of total,
 * rows/s, ETA), plain lines at most every few seconds otherwise, so logs of
 * a Kubernetes pod stay readable.
 * @module
 */
import type { CliIO } from './command.js';

/** A progress reporter; `update` is cheap to call after every batch. */
export interface Progress {
  update(done: number, total: number): void;
  /** Draws the final state and ends the line. */
  finish(done: number, total: number): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  readonly label: string;
  /** What `done` and `total` count: rows (default) or bytes (shown in MiB). */
  readonly unit?: 'rows' | 'bytes';
  /** Milliseconds between plain lines (non-TTY), default 2000. */
  readonly lineInterval?: number;
  /** Clock in milliseconds (tests). */
  readonly now?: () => number;
}

/**
 * A progress reporter writing to `io.stderr`.
 * @example
 * ```ts
 * const progress = createProgress(io, { label: 'reencrypt' });
 * progress.update(5000, 20000);
 * progress.finish(20000, 20000);
 * ```
 */
export function createProgress(io: CliIO, options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const tty = io.stderr.isTTY === true;
  const interval = options.lineInterval ?? 2000;
  let lastLine = -Infinity;
  const render = (done: number, total: number): string => {
    const seconds = Math.max((now() - started) / 1000, 1e-3);
    const rate = done / seconds;
    const pct = total > 0 ? Math.min(1, done / total) : 1;
    const eta = rate > 0 && total > done ? formatDuration((total - done) / rate) : '0s';
    const bytes = options.unit === 'bytes';
    const n = (value: number): string => (bytes ? (value / 1048576).toFixed(1) : Math.round(value).toLocaleString('en-US'));
    const unit = bytes ? 'MiB' : 'rows';
    const counts = `${n(done)}/${n(total)} ${unit}`;
    const stats = `${n(rate)} ${unit}/s  ETA ${eta}`;
    if (!tty) return `${options.label}: ${counts} (${Math.floor(pct * 100)}%), ${stats}`;
    const width = 24;
    const filled = Math.round(pct * width);
    return `${options.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(pct * 100)).padStart(3)}%  ${counts}  ${stats}`;
  };
  return {
    update(done, total) {
      if (tty) {
        io.stderr.write(`\r${render(done, total)}\x1b[K`);
        return;
      }
      const t = now();
      if (t - lastLine < interval) return;
      lastLine = t;
      io.stderr.write(`${render(done, total)}\n`);
    },
    finish(done, total) {
      io.stderr.write(tty ? `\r${render(done, total)}\x1b[K\n` : `${render(done, total)}\n`);
    },
  };
}

/**
 * `75s` -> `1m15s`; `4000s` -> `1h06m`.
 * @example
 * ```ts
 * formatDuration(75); // '1m15s'
 * ```
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
