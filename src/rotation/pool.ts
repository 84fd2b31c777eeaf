/**
 * Worker threads for the batch job's crypto. The main thread reads pages,
 * builds each row's context and writes with compare-and-swap; a pool of
 * workers decrypts and re-encrypts, each with its own copy of the keyring,
 * made from the exported keyring document passed by structured clone (never
 * logged, never written anywhere). The workers' clock is fixed at the job's
 * start, so every row is re-encrypted under the key active then.
 * @module
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { fail } from '../errors.js';
import type { Keyring } from '../keyring/keyring.js';
import type { BlindIndexOptions } from '../lookup/spec.js';
import type { LegacyConfig } from './legacy/decoder.js';
import type { RowOutcome, RowWork } from './refresh-row.js';

/**
 * How the workers read rows, as plain data (structured clone): legacy
 * decoders as their configurations (keys included: sent to the job's own
 * workers only, never logged), the blind index definition as options.
 */
export interface PoolMode {
  readonly fromPlaintext: boolean;
  readonly legacy?: readonly LegacyConfig[];
  readonly blindIndex?: BlindIndexOptions;
}

/** Tables with at least this many rows get worker threads by default. */
export const AUTO_WORKERS_MIN_ROWS = 20_000;
/** At most this many workers by default. */
const AUTO_WORKERS_MAX = 8;

/** The crypto of a page of rows, on worker threads. */
export interface RowPool {
  readonly size: number;
  run(work: readonly RowWork[]): Promise<RowOutcome[]>;
  close(): Promise<void>;
}

type Reply = { readonly id: number; readonly outcomes: RowOutcome[] } | { readonly id: number; readonly error: string };

/**
 * The built worker script (dist/rotation-worker.js), beside this module's
 * chunk in either build. `undefined` when it is not there (running from source).
 */
export function workerScript(): string | undefined {
  let dir: string | undefined;
  try {
    dir = dirname(fileURLToPath(import.meta.url));
  } catch {
    dir = typeof __dirname === 'string' ? __dirname : undefined;
  }
  if (dir === undefined) return undefined;
  const file = join(dir, 'rotation-worker.js');
  return existsSync(file) ? file : undefined;
}

/**
 * How many workers a job uses: an explicit count (0 = none), or by default
 * one per available CPU (at most 8) when the table holds at least
 * {@link AUTO_WORKERS_MIN_ROWS} rows, the machine has more than one CPU and
 * the worker script is present.
 */
export function workerCount(option: unknown, rows: number): number {
  if (option === undefined || option === 'auto') {
    const cpus = availableParallelism();
    if (rows < AUTO_WORKERS_MIN_ROWS || cpus < 2 || workerScript() === undefined) return 0;
    return Math.min(cpus, AUTO_WORKERS_MAX);
  }
  if (typeof option !== 'number' || !Number.isInteger(option) || option < 0 || option > 64) {
    fail('ERR_INVALID_ARGUMENT', 'workers must be an integer from 0 to 64, or "auto"');
  }
  return option;
}

/** Starts `size` workers, each holding the keyring as it is now. */
export function createRowPool(ring: Keyring, size: number, mode: PoolMode): RowPool {
  const script = workerScript();
  if (script === undefined) fail('ERR_MISSING_DEPENDENCY', 'worker threads need the built package (dist/rotation-worker.js); run from the package, or set workers: 0');
  const workerData = { keyring: ring.export(), now: ring.now().getTime(), mode };
  const workers = Array.from({ length: size }, () => new Worker(script, { workerData }));
  const pending = workers.map(() => new Map<number, { resolve: (o: RowOutcome[]) => void; reject: (e: unknown) => void }>());
  let nextId = 0;
  let broken: unknown;
  const failAll = (index: number, err: unknown): void => {
    broken ??= err;
    for (const { reject } of pending[index]!.values()) reject(err);
    pending[index]!.clear();
  };
  workers.forEach((worker, index) => {
    worker.on('message', (reply: Reply) => {
      const waiting = pending[index]!.get(reply.id);
      if (waiting === undefined) return;
      pending[index]!.delete(reply.id);
      if ('error' in reply) waiting.reject(new Error(`a re-encryption worker failed: ${reply.error}`));
      else waiting.resolve(reply.outcomes);
    });
    worker.on('error', (err) => failAll(index, err));
    worker.on('exit', (code) => {
      if (pending[index]!.size > 0) failAll(index, new Error(`a re-encryption worker exited (code ${code})`));
    });
  });
  return {
    size,
    run(work) {
      if (broken !== undefined) return Promise.reject(broken);
      // The worker with the fewest pages in flight.
      let index = 0;
      for (let i = 1; i < workers.length; i++) if (pending[i]!.size < pending[index]!.size) index = i;
      const id = nextId++;
      return new Promise<RowOutcome[]>((resolve, reject) => {
        pending[index]!.set(id, { resolve, reject });
        workers[index]!.postMessage({ id, work });
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
