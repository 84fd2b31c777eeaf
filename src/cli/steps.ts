/**
 * Named points in a multi-step command (`keyroll rotate finish`), reached
 * after each durable change. Observers exist for tests that crash the
 * process at every point to prove a rerun finishes the job; the shipped CLI
 * never registers one, and nothing in the environment can.
 * @module
 */

/** Observers called at every step, in order; empty in the CLI. */
export const stepObservers: Array<(step: string) => void> = [];

/**
 * Reports that `name` is done (its change is on disk or committed).
 * @example
 * ```ts
 * await saveKeyring(loaded, next, io);
 * reached('disable');
 * ```
 */
export function reached(name: string): void {
  for (const observe of stepObservers) observe(name);
}
