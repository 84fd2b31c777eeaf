/**
 * When a new key activates, as `add`, `postpone` and `rotate start` take it:
 * `--activate-at TIME` or `--activate-in DURATION`, checked against a minimum
 * delay (`--min-delay`, default 5 minutes) that only `--force` waives, so an
 * activation cannot land before the keyring has reached every instance.
 * @module
 */
import { KeyrollError } from '../errors.js';
import { formatDuration, parseDuration } from '../keyring/duration.js';
import { UsageError } from './command.js';
import { parseTime } from '../document/time.js';

/** The default `--min-delay`: time to roll a keyring out and for the slowest instance to reload it. */
export const DEFAULT_MIN_DELAY_MS = 5 * 60_000;

/** parseArgs options for the minimum delay. */
export const DELAY_OPTIONS = {
  'min-delay': { type: 'string' },
  force: { type: 'boolean' },
} as const;

/** Help lines for {@link DELAY_OPTIONS}. */
export const DELAY_HELP = [
  '  --min-delay DURATION    the shortest activation delay accepted (default 5m): the',
  '                          rollout, the slowest reload and clock skew must fit in it',
  '  --force                 accept an activation sooner than --min-delay',
];

/**
 * A duration option, as a usage error when malformed.
 * @example
 * ```ts
 * durationArg('1h', '--activate-in'); // 3_600_000
 * ```
 */
export function durationArg(text: unknown, option: string): number {
  try {
    return parseDuration(text, option);
  } catch (err) {
    throw new UsageError(KeyrollError.is(err) ? err.message : String(err));
  }
}

/**
 * A time option (`--activate-at`, `--to`): RFC 3339 with a required offset (src/document/time.ts).
 * @example
 * ```ts
 * timeArg('2026-12-01T00:00:00Z', '--activate-at');
 * ```
 */
export function timeArg(text: string, option: string): Date {
  const ms = parseTime(text);
  if (ms === undefined) throw new UsageError(`${option} must be an RFC 3339 time with an offset, such as 2026-12-01T00:00:00Z`);
  return new Date(ms);
}

/**
 * Refuses an activation time in the past, or sooner than the minimum delay
 * without `--force`. `what` names the option for the message.
 * @example
 * ```ts
 * checkDelay(at, now, values, '--activate-in');
 * ```
 */
export function checkDelay(at: Date, now: Date, values: Record<string, unknown>, what: string): void {
  const min = values['min-delay'] === undefined ? DEFAULT_MIN_DELAY_MS : durationArg(values['min-delay'], '--min-delay');
  const left = at.getTime() - now.getTime();
  if (left < 0) throw new UsageError(`${what} gives ${at.toISOString()}, which has already passed (${formatDuration(-left)} ago); to activate now use --activate`);
  if (left < min && values['force'] !== true) {
    throw new UsageError(
      `${what} gives ${at.toISOString()}, only ${formatDuration(left)} from now, under the minimum delay of ${formatDuration(min)}: the new keyring must reach every instance (rollout, the slowest reload, clock skew) before it activates. Choose a later time, or lower the minimum with --min-delay or --force`,
    );
  }
}

/**
 * `2026-12-01T00:00:00.000Z (in 1h 5m)`.
 * @example
 * ```ts
 * describeActivation(at, new Date());
 * ```
 */
export function describeActivation(at: Date, now: Date): string {
  const left = at.getTime() - now.getTime();
  return `${at.toISOString()} (${left >= 0 ? `in ${formatDuration(left)}` : `${formatDuration(-left)} ago`})`;
}
