/**
 * reencryptAll's defaults are the CLI's: without `batchSize` it pages 500 rows
 * at a time, exactly like `keyroll reencrypt` without `--batch`.
 */
import { describe, expect, it } from 'vitest';
import { reencryptAll, type Row, type RowChange, type RowId, type RowStore } from '../../src/rotation/index.js';
import { testKeyring } from '../../src/testing/index.js';

function memoryStore(values: Map<number, string>, limits: number[]): RowStore {
  return {
    target: { table: 'users', column: 'token', id: 'id' },
    async count() {
      return values.size;
    },
    async scan(after: RowId | undefined, limit: number): Promise<Row[]> {
      limits.push(limit);
      return [...values.entries()]
        .filter(([id]) => after === undefined || id > Number(after))
        .slice(0, limit)
        .map(([id, value]) => ({ id, value, fields: new Map<string, unknown>([['id', id]]) }));
    },
    async update(changes: readonly RowChange[]): Promise<RowId[]> {
      const done: RowId[] = [];
      for (const c of changes) {
        if (values.get(Number(c.id)) === c.previous) {
          values.set(Number(c.id), c.fresh as string);
          done.push(c.id);
        }
      }
      return done;
    },
  };
}

describe('reencryptAll defaults', () => {
  it('pages 500 rows per batch when batchSize is not given', async () => {
    const old = testKeyring({ keys: 1, seed: 'defaults' });
    const values = new Map<number, string>();
    for (let id = 1; id <= 1_200; id++) values.set(id, old.encrypt(`secret ${id}`));
    const ring = testKeyring({ keys: 2, retired: 1, seed: 'defaults' });
    const limits: number[] = [];
    const result = await reencryptAll({ keyring: ring, store: memoryStore(values, limits) });
    expect(limits).toEqual([500, 500, 500]);
    expect(result.counters.reencrypted).toBe(1_200);
    expect(ring.decryptString(values.get(1_200)!)).toBe('secret 1200');
    expect(values.get(1)!.startsWith(`kr1.${ring.activeKeyId}.`)).toBe(true);
  });

  it('still refuses a batchSize out of range', async () => {
    const ring = testKeyring({ seed: 'defaults' });
    await expect(reencryptAll({ keyring: ring, store: memoryStore(new Map(), []), batchSize: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});
