/**
 * `keyroll/rotation`: finish a rotation. Lazy re-encryption on read, and the
 * batch job that walks any {@link RowStore} (SQLite and PostgreSQL stores
 * ship as `keyroll/stores/sqlite` and `keyroll/stores/postgres`), with
 * checkpoints, shards, dry runs and plaintext migration.
 *
 * @example
 * ```ts
 * import { reencryptAll, fileCheckpoint } from 'keyroll/rotation';
 * import { sqliteStore } from 'keyroll/stores/sqlite';
 * const store = await sqliteStore({ database: 'app.db', table: 'users', column: 'token', id: 'id' });
 * await reencryptAll({ keyring, store, batchSize: 500, context: 'recommended', checkpoint: fileCheckpoint('job.json') });
 * ```
 * @module keyroll/rotation
 */
export { readAndRefresh, refreshOnRead, refreshCounters, isEnvelope, type StoredValue, type RefreshOptions, type RefreshResult, type RefreshOnReadOptions, type RefreshOnReadResult, type RefreshCounters } from './lazy.js';
export { parseShard, checkShard, shardOf, type Row, type RowId, type RowChange, type RowStore, type RowStoreTarget, type Shard } from './store.js';
export { parseContextTemplate, recommendedTemplate, resolveRowContext, type ContextTemplate, type RowContext } from './context-template.js';
export { fileCheckpoint, memoryCheckpoint, shardCheckpointPath, zeroCounters, type Checkpoint, type CheckpointState, type FileCheckpointOptions, type JobCounters } from './checkpoint.js';
export { reencryptAll, type ReencryptOptions, type ReencryptResult, type JobProgress, type RowFailure } from './reencrypt.js';
export { countKeyIds, type CountKeyIdsOptions, type KeyIdCounts } from './dry-run.js';
export { assertUnused, countKeyUse, describeUse, type KeyUse, type KeyUseCounter, type KeyUsePlace } from './unused.js';
export { sampleRows, type SampleResult } from './sample.js';
export { cloakDecoder, layoutDecoder, legacyDecoderFor, type LegacyDecoder, type CloakDecoderOptions, type LayoutDecoderOptions, type LayoutPart } from './legacy/index.js';
