import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inspect } from '../../src/index.js';
import { reencryptAll, type RowStore } from '../../src/rotation/index.js';
import { HARNESSES, ctx, ringA, ringAB } from './helpers.js';

const table = fc.uniqueArray(fc.integer({ min: -1000, max: 100_000 }), { maxLength: 90 }).chain((ids) =>
  fc.record({
    rows: fc.tuple(...ids.map((id) => fc.tuple(fc.constant(id), fc.string({ maxLength: 20 }), fc.boolean()))),
    batchSize: fc.integer({ min: 1, max: 40 }),
    shards: fc.integer({ min: 1, max: 4 }),
    concurrency: fc.integer({ min: 1, max: 3 }),
  }),
);

describe.each(HARNESSES)('properties on %s', (name, make) => {
  it('for any table, batch size, concurrency and shard count: shards partition the rows, every row ends under the active key and decrypts to its original', async () => {
    const a = ringA();
    const ring = ringAB();
    await fc.assert(
      fc.asyncProperty(table, async ({ rows, batchSize, shards, concurrency }) => {
        const h = await make();
        try {
          // Some rows are already under the active key: they must be left alone.
          await h.insert(rows.map(([id, secret, current]) => [id, (current ? ring : a).encrypt(secret, { context: ctx(id) })] as const));
          const seen: string[][] = [];
          let reencrypted = 0;
          let current = 0;
          for (let index = 0; index < shards; index++) {
            const inner = await h.store();
            const mine: string[] = [];
            seen.push(mine);
            const store: RowStore = { target: inner.target!, count: (s) => inner.count(s), update: (c) => inner.update(c), scan: async (after, limit, shard) => {
              const page = await inner.scan(after, limit, shard);
              mine.push(...page.map((r) => String(r.id)));
              return page;
            } };
            const result = await reencryptAll({ keyring: ring, store, batchSize, concurrency, shard: { index, count: shards }, context: 'recommended' });
            expect(result.counters.failed).toBe(0);
            reencrypted += result.counters.reencrypted;
            current += result.counters.current;
          }
          expect(seen.flat().sort()).toEqual(rows.map(([id]) => String(id)).sort());
          expect(reencrypted).toBe(rows.filter((r) => !r[2]).length);
          expect(current).toBe(rows.filter((r) => r[2]).length);
          const after = await h.all();
          for (const [id, secret] of rows) {
            const value = after.get(String(id)) as string;
            expect(inspect(value).keyId).toBe('B');
            expect(ring.decryptString(value, { context: ctx(id) })).toBe(secret);
          }
        } finally {
          await h.close();
        }
      }),
      { numRuns: name === 'sqlite' ? 60 : 12 },
    );
  }, 120_000);
});
