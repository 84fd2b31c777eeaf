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
import { CURRENT, type RowOutcome, type RowWork } from './refresh-row.js';
import type { StoredValue } from './lazy.js';

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

type Reply = { readonly id: number; readonly outcomes: WireOutcome[] } | { readonly id: number; readonly error: string };

/**
 * A page as posted to a worker: the values, and every row's canonical
 * context in one buffer (row i's bytes end at `ends[i]`), whose memory is
 * transferred, not copied. Plain arrays and one buffer clone far faster
 * than an object per row.
 */
export interface Page {
  readonly id: number;
  readonly values: StoredValue[];
  readonly contexts: Uint8Array;
  readonly ends: Uint32Array;
}

/** Packs a page of work (see {@link Page}). */
export function packPage(id: number, work: readonly RowWork[]): Page {
  let length = 0;
  for (const w of work) length += w.context.length;
  const contexts = new Uint8Array(length);
  const ends = new Uint32Array(work.length);
  let at = 0;
  work.forEach((w, i) => {
    contexts.set(w.context, at);
    at += w.context.length;
    ends[i] = at;
  });
  return { id, values: work.map((w) => w.value), contexts, ends };
}

/** The work of a packed page, its contexts as views of the one buffer. */
export function unpackPage(page: Page): RowWork[] {
  let start = 0;
  return page.values.map((value, i) => {
    const end = page.ends[i]!;
    const context = page.contexts.subarray(start, end);
    start = end;
    return { value, context };
  });
}

/**
 * An outcome as a worker sends it back: `null` for a current value, the
 * fresh value alone for a plain re-encryption (most rows), else the outcome.
 */
export type WireOutcome = null | StoredValue | RowOutcome;

/** See {@link WireOutcome}. */
export function toWire(outcome: RowOutcome): WireOutcome {
  if (outcome.kind === 'current') return null;
  if (outcome.kind === 'fresh' && !outcome.legacy && outcome.decodedBy === undefined && outcome.index === undefined) return outcome.fresh;
  return outcome;
}

/** See {@link WireOutcome}. */
export function fromWire(wire: WireOutcome): RowOutcome {
  if (wire === null) return CURRENT;
  if (typeof wire === 'string' || wire instanceof Uint8Array) return { kind: 'fresh', fresh: wire, legacy: false };
  return wire;
}


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
  // A young generation as large as the main thread's: a worker allocates a page's plaintexts and
  // envelopes at a time, and with the smaller default it spent a fifth of its time scavenging.
  const workers = Array.from({ length: size }, () => new Worker(script, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 48 } }));
  const pending = workers.map(() => new Map<number, { resolve: (o: WireOutcome[]) => void; reject: (e: unknown) => void }>());
  let nextId = 0;
  let next = 0;
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
      // The worker with the fewest pages in flight; ties go round, so pages spread evenly.
      let index = next % workers.length;
      for (let k = 1; k < workers.length; k++) {
        const i = (next + k) % workers.length;
        if (pending[i]!.size < pending[index]!.size) index = i;
      }
      next = index + 1;
      const page = packPage(nextId++, work);
      return new Promise<WireOutcome[]>((resolve, reject) => {
        pending[index]!.set(page.id, { resolve, reject });
        workers[index]!.postMessage(page, [page.contexts.buffer as ArrayBuffer, page.ends.buffer as ArrayBuffer]);
      }).then((outcomes) => outcomes.map(fromWire));
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
