/**
 * Checkpoints: where a batch job got to, so a killed run resumes after the
 * last committed batch. Saved only after the batch's transaction committed;
 * a crash between the two re-reads one batch, whose rows are then current
 * and skipped. The file form is written with `writeFileAtomic`.
 * @module
 */
import { readFile, unlink } from 'node:fs/promises';
import { fail } from '../errors.js';
import { checkOptions } from '../args.js';
import { writeFileAtomic } from '../sources/atomic.js';
import type { RowId, Shard } from './store.js';

/**
 * Running counts of a batch job.
 * @example
 * ```ts
 * const { counters } = await reencryptAll({ keyring, store, batchSize: 500 });
 * console.log(counters.reencrypted, counters.failed);
 * ```
 */
export interface JobCounters {
  /** Rows read (non-NULL values). */
  scanned: number;
  /** Rows rewritten under the active key. */
  reencrypted: number;
  /** Rows already under the active key, left alone. */
  current: number;
  /** Rows that could not be decrypted (reported by id, never overwritten). */
  failed: number;
  /** Rows changed by someone else between read and write (their write wins). */
  conflicts: number;
  /** Legacy plaintext rows encrypted (plaintext-migration mode only). */
  legacyPlaintext: number;
  /** Rows read by a legacy decoder (another library's ciphertext) and re-encrypted. */
  legacyDecoded: number;
}

/**
 * What a checkpoint holds.
 * @example
 * ```ts
 * const state = await fileCheckpoint('job.json').load(); // { cursor: 12000, counters, done: false }
 * ```
 */
export interface CheckpointState {
  /** The last primary key of the last committed batch; undefined before the first. */
  readonly cursor: RowId | undefined;
  readonly counters: JobCounters;
  /** True once the job reached the end of the table (a new run starts over). */
  readonly done: boolean;
}

/**
 * Where a job keeps its checkpoint.
 * @example
 * ```ts
 * const checkpoint: Checkpoint = {
 *   load: async () => JSON.parse((await redis.get('reencrypt')) ?? 'null') ?? undefined,
 *   save: async (state) => void (await redis.set('reencrypt', JSON.stringify({ ...state, cursor: String(state.cursor) }))),
 * };
 * ```
 */
export interface Checkpoint {
  load(): Promise<CheckpointState | undefined>;
  save(state: CheckpointState): Promise<void>;
}

/**
 * Zeroed counters.
 * @example
 * ```ts
 * zeroCounters(); // { scanned: 0, reencrypted: 0, current: 0, failed: 0, conflicts: 0, legacyPlaintext: 0, legacyDecoded: 0 }
 * ```
 */
export function zeroCounters(): JobCounters {
  return { scanned: 0, reencrypted: 0, current: 0, failed: 0, conflicts: 0, legacyPlaintext: 0, legacyDecoded: 0 };
}

/**
 * Options of {@link fileCheckpoint}.
 * @example
 * ```ts
 * fileCheckpoint('job.json', { shard: { index: 2, count: 4 }, scope: 'users.token' }); // job.shard-2-of-4.json
 * ```
 */
export interface FileCheckpointOptions {
  /** The shard: its index and count go into the file name, so shards never share a file. */
  readonly shard?: Shard;
  /** What is being walked (e.g. `users.token`): a checkpoint for another target is refused. */
  readonly scope?: string;
}

const FORMAT = 'keyroll.checkpoint';

/**
 * The file name a shard's checkpoint uses: `job.json` becomes `job.shard-1-of-4.json`.
 * @example
 * ```ts
 * shardCheckpointPath('job.json', { index: 1, count: 4 }); // 'job.shard-1-of-4.json'
 * ```
 */
export function shardCheckpointPath(path: string, shard: Shard | undefined): string {
  if (shard === undefined || shard.count === 1) return path;
  const tag = `.shard-${shard.index}-of-${shard.count}`;
  return path.endsWith('.json') ? `${path.slice(0, -5)}${tag}.json` : `${path}${tag}`;
}

/**
 * A checkpoint kept in a JSON file (atomic replace on every save).
 * @example
 * ```ts
 * const checkpoint = fileCheckpoint('reencrypt.json', { shard: { index: 0, count: 2 }, scope: 'users.token' });
 * await reencryptAll({ keyring, store, batchSize: 500, shard: { index: 0, count: 2 }, checkpoint });
 * ```
 */
export function fileCheckpoint(path: string, options: FileCheckpointOptions = {}): Checkpoint & { readonly path: string; clear(): Promise<void> } {
  checkOptions(options, ['shard', 'scope'], 'fileCheckpoint options');
  const file = shardCheckpointPath(path, options.shard);
  const scope = options.scope ?? '';
  return {
    path: file,
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        return fail('ERR_IO', `could not read checkpoint ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { file });
      }
      return decode(text, file, scope);
    },
    async save(state) {
      const doc = { format: FORMAT, version: 1, scope, cursor: encodeId(state.cursor), done: state.done, counters: state.counters, savedAt: new Date().toISOString() };
      await writeFileAtomic(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600, backup: false });
    },
    async clear() {
      await unlink(file).catch(() => undefined);
    },
  };
}

/**
 * A checkpoint in memory (tests, or a caller that persists it elsewhere).
 * @example
 * ```ts
 * const checkpoint = memoryCheckpoint();
 * ```
 */
export function memoryCheckpoint(initial?: CheckpointState): Checkpoint & { state: CheckpointState | undefined } {
  return {
    state: initial,
    async load() {
      return this.state;
    },
    async save(state) {
      this.state = { ...state, counters: { ...state.counters } };
    },
  };
}

type EncodedId = { type: 'number' | 'string' | 'bigint'; value: string | number } | null;

function encodeId(id: RowId | undefined): EncodedId {
  if (id === undefined) return null;
  if (typeof id === 'bigint') return { type: 'bigint', value: id.toString() };
  return typeof id === 'number' ? { type: 'number', value: id } : { type: 'string', value: id };
}

function decode(text: string, file: string, scope: string): CheckpointState {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return fail('ERR_INVALID_ARGUMENT', `checkpoint ${file} is not valid JSON; delete it to start over`, { file });
  }
  if (doc === null || typeof doc !== 'object' || doc['format'] !== FORMAT || doc['version'] !== 1) {
    fail('ERR_INVALID_ARGUMENT', `${file} is not a keyroll checkpoint (version 1)`, { file });
  }
  if (doc['scope'] !== scope) fail('ERR_INVALID_ARGUMENT', `checkpoint ${file} belongs to another job ("${String(doc['scope']).slice(0, 80)}"); use another file or delete it`, { file });
  const counters = zeroCounters();
  const saved = doc['counters'] as Record<string, unknown> | undefined;
  for (const name of Object.keys(counters) as Array<keyof JobCounters>) {
    const v = saved?.[name];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) counters[name] = v;
  }
  return { cursor: decodeId(doc['cursor'], file), counters, done: doc['done'] === true };
}

function decodeId(value: unknown, file: string): RowId | undefined {
  if (value === null || value === undefined) return undefined;
  const { type, value: v } = value as { type?: unknown; value?: unknown };
  if (type === 'number' && typeof v === 'number' && Number.isFinite(v)) return v;
  if (type === 'string' && typeof v === 'string') return v;
  if (type === 'bigint' && typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  return fail('ERR_INVALID_ARGUMENT', `checkpoint ${file} holds an unreadable cursor; delete it to start over`, { file });
}
