/**
 * The batch job: walk a {@link RowStore} by primary key (keyset pages, never
 * OFFSET), re-encrypt stale values under the active key and write each page
 * back in one transaction with compare-and-swap, checkpointing after commit.
 * Memory is bounded by `batchSize x concurrency` rows plus the failure sample.
 * @module
 */
import { fail } from '../errors.js';
import { checkOptions } from '../args.js';
import type { Keyring } from '../keyring/keyring.js';
import { indexSpec, type BlindIndexOptions } from '../lookup/spec.js';
import { createRowPool, workerCount, type PoolMode, type RowPool } from './pool.js';
import { refreshRow, type RowMode, type RowOutcome, type RowWork } from './refresh-row.js';
import { checkDecoders, type LegacyDecoder } from './legacy/decoder.js';
import { legacyConfigs } from './legacy/config.js';
import { checkShard, type Row, type RowChange, type RowId, type RowStore, type Shard } from './store.js';
import { resolveRowContext, rowCanonicalContext, type RowCanonical, type RowContext } from './context-template.js';
import { zeroCounters, type Checkpoint, type JobCounters } from './checkpoint.js';
import { countKeyIds, type KeyIdCounts } from './dry-run.js';

/**
 * A row that could not be re-encrypted: its id and the error code (never the value).
 * @example
 * ```ts
 * for (const f of result.failures) console.warn(`row ${f.id}: ${f.code}`);
 * ```
 */
export interface RowFailure {
  readonly id: RowId;
  readonly code: string;
  readonly keyId?: string;
}

/**
 * Reported after every committed batch.
 * @example
 * ```ts
 * await reencryptAll({ keyring, store, batchSize: 500, onProgress: (p) => console.log(`${p.done}/${p.total}`) });
 * ```
 */
export interface JobProgress {
  /** Rows in this shard when the job started (non-NULL values). */
  readonly total: number;
  /** Rows handled so far, including those counted in a resumed checkpoint. */
  readonly done: number;
  readonly counters: Readonly<JobCounters>;
  /** The last primary key committed. */
  readonly cursor: RowId | undefined;
  /** Failures of the batch just committed. */
  readonly failures: readonly RowFailure[];
}

/**
 * Options of {@link reencryptAll}.
 * @example
 * ```ts
 * const options: ReencryptOptions = { keyring, store, batchSize: 500, context: 'recommended', checkpoint: fileCheckpoint('job.json') };
 * ```
 */
export interface ReencryptOptions {
  /** The keyring: its active key encrypts. Not needed for a dry run. */
  readonly keyring?: Keyring;
  readonly store: RowStore;
  /** Rows per page and per transaction (1 to 100,000), default 500 (as `keyroll reencrypt --batch`). */
  readonly batchSize?: number;
  /** Batches in flight at once (I/O overlap for network databases), default 1. */
  readonly concurrency?: number;
  /**
   * Worker threads for the crypto (decrypt and re-encrypt), while this
   * thread reads and writes: a count (0 = none), or `'auto'` (the default):
   * one per CPU, at most 8, for tables of 20,000 rows or more. With workers
   * the job re-encrypts under the key active when it started.
   */
  readonly workers?: number | 'auto';
  /** Only this shard's rows (stable hash of the primary key). */
  readonly shard?: Shard;
  /** Stops after the batch in flight; the result has `aborted: true`. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: JobProgress) => void;
  /** Resume from, and save to, this checkpoint. */
  readonly checkpoint?: Checkpoint;
  /** Each row's context: a function, a template (`table=users,column=token,id={id}`) or `'recommended'`. */
  readonly context?: RowContext | string;
  /** Encrypt values that are not envelopes at all (legacy plaintext). Default false. */
  readonly fromPlaintext?: boolean;
  /**
   * Decoders of other libraries' ciphertexts to migrate (`cloakDecoder`,
   * `layoutDecoder`): values they recognise are decoded and re-encrypted
   * (`counters.legacyDecoded`); a value that is neither an envelope nor
   * recognised stays a failure (or legacy plaintext with `fromPlaintext`).
   * In a dry run they count values per kind, with no key used. Decoders
   * written by the application run on this thread only (no workers).
   */
  readonly legacy?: readonly LegacyDecoder[];
  /**
   * The blind index definition of the store's index column (the store needs
   * `indexColumn`): each re-encrypted value's index under the active key is
   * written in the same compare-and-swap update.
   */
  readonly blindIndex?: BlindIndexOptions;
  /** Count rows per key id from the text prefix only; no key used, nothing written. */
  readonly dryRun?: boolean;
  /** How many failures to keep in the result (all are counted), default 1000. */
  readonly maxReportedFailures?: number;
}

/**
 * What {@link reencryptAll} resolves to.
 * @example
 * ```ts
 * const { counters, failures, aborted } = await reencryptAll(options);
 * ```
 */
export interface ReencryptResult {
  readonly total: number;
  readonly counters: JobCounters;
  /** The first `maxReportedFailures` failures, by id. */
  readonly failures: RowFailure[];
  readonly aborted: boolean;
  /** True when this run started from a saved checkpoint. */
  readonly resumed: boolean;
  /** Only for a dry run. */
  readonly keyIds?: KeyIdCounts;
}

const REENCRYPT_OPTIONS = ['keyring', 'store', 'batchSize', 'concurrency', 'workers', 'shard', 'signal', 'onProgress', 'checkpoint', 'context', 'fromPlaintext', 'legacy', 'blindIndex', 'dryRun', 'maxReportedFailures'];

/** Rows per batch when `batchSize` is not given; also the CLI's `--batch` default. */
export const DEFAULT_BATCH_SIZE = 500;

/**
 * Re-encrypts every stale value in a store under the keyring's active key.
 * Rows that fail to decrypt are reported by id and skipped; rows changed by
 * a concurrent writer are left with the writer's value (`conflicts`). A run
 * that started afresh and scanned fewer rows than it counted fails with
 * `ERR_STORE` once every batch is written (rows it never saw were never checked).
 *
 * @example
 * ```ts
 * import { reencryptAll, fileCheckpoint } from 'keyroll/rotation';
 * import { sqliteStore } from 'keyroll/stores/sqlite';
 * const store = await sqliteStore({ database: 'app.db', table: 'users', column: 'token', id: 'id' });
 * const result = await reencryptAll({ keyring, store, batchSize: 500, context: 'recommended', checkpoint: fileCheckpoint('reencrypt.json') });
 * console.log(result.counters.reencrypted, result.failures);
 * ```
 */
export async function reencryptAll(options: ReencryptOptions): Promise<ReencryptResult> {
  if (typeof options !== 'object' || options === null) fail('ERR_INVALID_ARGUMENT', 'reencryptAll needs an options object with a store');
  checkOptions(options, REENCRYPT_OPTIONS, 'reencryptAll options');
  const { store, signal } = options;
  const batchSize = checkInt(options.batchSize ?? DEFAULT_BATCH_SIZE, 'batchSize', 1, 100_000);
  const concurrency = checkInt(options.concurrency ?? 1, 'concurrency', 1, 64);
  const shard = options.shard === undefined ? undefined : checkShard(options.shard);
  if (store === null || typeof store !== 'object' || typeof store.scan !== 'function') fail('ERR_INVALID_ARGUMENT', 'reencryptAll needs a store (a RowStore)');
  if (options.legacy !== undefined) checkDecoders(options.legacy);
  if (options.blindIndex !== undefined) {
    indexSpec(options.blindIndex);
    if (store.target !== undefined && store.target.indexColumn === undefined) {
      fail('ERR_INVALID_ARGUMENT', 'blindIndex needs a store with an index column (indexColumn in the store options), or the indexes would not be rewritten');
    }
  }
  if (options.dryRun === true) {
    const keyIds = await countKeyIds({ store, batchSize, ...(shard ? { shard } : {}), ...(signal ? { signal } : {}), ...(options.keyring ? { keyring: options.keyring } : {}), ...(options.legacy ? { legacy: options.legacy } : {}) });
    return { total: keyIds.total, counters: { ...zeroCounters(), scanned: keyIds.total }, failures: [], aborted: keyIds.aborted, resumed: false, keyIds };
  }
  const ring = options.keyring;
  if (ring === undefined) fail('ERR_INVALID_ARGUMENT', 'reencryptAll needs a keyring (only a dry run works without one)');
  const buildContext = rowCanonicalContext(resolveRowContext(options.context, store.target));
  const maxFailures = checkInt(options.maxReportedFailures ?? 1000, 'maxReportedFailures', 0, 10_000_000);

  const saved = await options.checkpoint?.load();
  const resumed = saved !== undefined && !saved.done;
  let cursor: RowId | undefined = resumed ? saved.cursor : undefined;
  const counters = resumed ? { ...saved.counters } : zeroCounters();
  const failures: RowFailure[] = [];
  // The whole shard: `done` below includes rows counted by the run a checkpoint resumes.
  const total = await store.count(shard);
  let aborted = false;
  const mode: RowMode = {
    fromPlaintext: options.fromPlaintext === true,
    ...(options.legacy === undefined ? {} : { legacy: options.legacy }),
    ...(options.blindIndex === undefined ? {} : { blindIndex: structuredClone(options.blindIndex) }),
  };
  const configs = options.legacy === undefined ? undefined : legacyConfigs(options.legacy);
  if (options.legacy !== undefined && configs === undefined && typeof options.workers === 'number' && options.workers > 0) {
    fail('ERR_INVALID_ARGUMENT', 'legacy decoders written by the application cannot run on worker threads: use cloakDecoder / layoutDecoder, or set workers: 0');
  }
  // Decoders written by the application stay on this thread.
  const workers = options.legacy !== undefined && configs === undefined ? 0 : workerCount(options.workers, total);
  const poolMode: PoolMode = { fromPlaintext: mode.fromPlaintext, ...(configs === undefined ? {} : { legacy: configs }), ...(mode.blindIndex === undefined ? {} : { blindIndex: mode.blindIndex }) };
  const pool = workers > 0 ? createRowPool(ring, workers, poolMode) : undefined;
  // With workers, two pages in flight per worker: each has the next page queued while it works on
  // one, and this thread reads and writes meanwhile.
  const limit = pool === undefined ? concurrency : Math.max(concurrency, 2 * workers);

  // Pages are read in order (each cursor comes from the page before); writes
  // may overlap up to `concurrency`, and the checkpoint only ever advances
  // past a batch once it and every batch before it committed.
  const inFlight: Array<Promise<BatchOutcome>> = [];
  const settle = async (): Promise<void> => {
    const { last, batchFailures, delta } = await inFlight.shift()!;
    cursor = last;
    // Counters move with the checkpoint, batch by batch, so a resumed run never counts a row twice.
    for (const name of Object.keys(delta) as Array<keyof JobCounters>) counters[name] += delta[name];
    for (const f of batchFailures) if (failures.length < maxFailures) failures.push(f);
    await options.checkpoint?.save({ cursor, counters: { ...counters }, done: false });
    options.onProgress?.({ total, done: counters.scanned, counters: { ...counters }, cursor, failures: batchFailures });
  };
  let scanFrom = cursor;
  try {
    for (;;) {
      if (signal?.aborted) {
        aborted = true;
        break;
      }
      const rows = await store.scan(scanFrom, batchSize, shard);
      if (rows.length === 0) break;
      scanFrom = rows[rows.length - 1]!.id;
      const batch = processBatch(ring, store, rows, buildContext, mode, pool);
      batch.catch(() => undefined); // awaited in settle(); this only keeps a later batch's failure from being "unhandled"
      inFlight.push(batch);
      if (inFlight.length >= limit) await settle();
      if (rows.length < batchSize) break;
    }
    while (inFlight.length > 0) await settle();
  } finally {
    await pool?.close();
  }
  if (!aborted) await options.checkpoint?.save({ cursor, counters: { ...counters }, done: true });
  if (!aborted && !resumed && counters.scanned < total) {
    // Rows the walk never reached were never checked: saying "done" would leave them under an old key.
    fail('ERR_STORE', `the job counted ${total} rows with a value but scanned only ${counters.scanned}: rows were deleted meanwhile, or the id column does not order every row (NULL ids, or a store whose scan skips rows); check the table and run the job again`);
  }
  return { total, counters, failures, aborted, resumed };
}

const NO_CONTEXT = new Uint8Array(0);

interface BatchOutcome {
  readonly last: RowId;
  readonly batchFailures: RowFailure[];
  readonly delta: JobCounters;
}

async function processBatch(ring: Keyring, store: RowStore, rows: readonly Row[], buildContext: RowCanonical, mode: RowMode, pool: RowPool | undefined): Promise<BatchOutcome> {
  const counters = zeroCounters();
  const changes: RowChange[] = [];
  const batchFailures: RowFailure[] = [];
  const legacyIds = new Set<string>();
  const decodedIds = new Set<string>();
  // On this thread, canonical once per row: a context that cannot be built is a configuration
  // error that stops the job; one that builds but is refused (a value that is not a string) fails its row.
  const refused = new Map<number, RowOutcome>();
  const work: RowWork[] = rows.map((row, i) => {
    const context = buildContext(row);
    if (context instanceof Uint8Array) return { value: row.value, context };
    refused.set(i, { kind: 'failed', code: context.code });
    return { value: row.value, context: NO_CONTEXT };
  });
  const outcomes: RowOutcome[] = pool === undefined ? work.map((w, i) => refused.get(i) ?? refreshRow(ring, w, mode)) : await pool.run(work);
  rows.forEach((row, i) => {
    const outcome = refused.get(i) ?? outcomes[i]!;
    if (outcome.kind === 'current') counters.current++;
    else if (outcome.kind === 'fresh') {
      // A worker's bytes come back as a Uint8Array; stores bind Buffers.
      const fresh = typeof outcome.fresh === 'string' || Buffer.isBuffer(outcome.fresh) ? outcome.fresh : Buffer.from(outcome.fresh.buffer, outcome.fresh.byteOffset, outcome.fresh.byteLength);
      changes.push(outcome.index === undefined ? { id: row.id, previous: row.value, fresh } : { id: row.id, previous: row.value, fresh, index: outcome.index });
      if (outcome.legacy) legacyIds.add(String(row.id));
      if (outcome.decodedBy !== undefined) decodedIds.add(String(row.id));
    } else {
      // Unknown key, disabled key, tampered value, wrong context: never overwrite, report by id.
      counters.failed++;
      batchFailures.push(outcome.keyId === undefined ? { id: row.id, code: outcome.code } : { id: row.id, code: outcome.code, keyId: outcome.keyId });
    }
  });
  const updated = changes.length === 0 ? [] : await store.update(changes);
  const done = new Set(updated.map(String));
  for (const change of changes) {
    const key = String(change.id);
    if (!done.has(key)) counters.conflicts++;
    else {
      counters.reencrypted++;
      // Legacy rows count as migrated only when their write landed.
      if (legacyIds.has(key)) counters.legacyPlaintext++;
      if (decodedIds.has(key)) counters.legacyDecoded++;
    }
  }
  counters.scanned += rows.length;
  return { last: rows[rows.length - 1]!.id, batchFailures, delta: counters };
}

function checkInt(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail('ERR_INVALID_ARGUMENT', `${name} must be an integer from ${min} to ${max}`);
  return value;
}
