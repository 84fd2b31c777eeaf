import { afterEach, describe, expect, it } from 'vitest';
import { inspect } from '../../src/index.js';
import { reencryptAll, type RowStore } from '../../src/rotation/index.js';
import { HARNESSES, ctx, ringA, ringAB, ringD, ringX, type Harness, type Id } from './helpers.js';

const open: Harness[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

describe.each(HARNESSES)('batch re-encryption on %s', (_name, make) => {
  async function seeded(n: number): Promise<{ h: Harness; originals: Map<string, string> }> {
    const h = await make();
    open.push(h);
    const a = ringA();
    const originals = new Map<string, string>();
    const rows: Array<[Id, string]> = [];
    for (let id = 1; id <= n; id++) {
      const secret = `secret-${id}-${'x'.repeat(id % 13)}`;
      originals.set(String(id), secret);
      rows.push([id, a.encrypt(secret, { context: ctx(id) })]);
    }
    await h.insert(rows);
    return { h, originals };
  }

  it('moves every row to the active key; each decrypts to its original under the recommended context', async () => {
    const { h, originals } = await seeded(237);
    const ring = ringAB();
    const result = await reencryptAll({ keyring: ring, store: await h.store(), batchSize: 50, context: 'recommended' });
    expect(result.counters).toMatchObject({ scanned: 237, reencrypted: 237, failed: 0, conflicts: 0 });
    for (const [id, value] of await h.all()) {
      expect(inspect(value as string).keyId).toBe('B');
      expect(ring.decryptString(value as string, { context: ctx(id) })).toBe(originals.get(id));
    }
    const again = await reencryptAll({ keyring: ring, store: await h.store(), batchSize: 50, context: 'recommended' });
    expect(again.counters).toMatchObject({ current: 237, reencrypted: 0 });
  });

  it('a concurrent writer loses nothing: its writes survive and the job skips those rows', async () => {
    const { h, originals } = await seeded(120);
    const ring = ringAB();
    const a = ringA();
    const inner = await h.store();
    const written = new Map<string, string>();
    // The worst moment: after the job read a page and before it writes it back.
    const racing: RowStore = {
      target: inner.target!,
      count: (s) => inner.count(s),
      update: (c) => inner.update(c),
      async scan(after, limit, shard) {
        const rows = await inner.scan(after, limit, shard);
        for (const row of rows.filter((r) => Number(r.id) % 7 === 0)) {
          const value = a.encrypt(`writer-${row.id}`, { context: ctx(row.id as Id) });
          written.set(String(row.id), value);
          await h.set(row.id as Id, value);
        }
        return rows;
      },
    };
    const result = await reencryptAll({ keyring: ring, store: racing, batchSize: 25, context: 'recommended' });
    expect(written.size).toBe(17);
    expect(result.counters.conflicts).toBe(17);
    expect(result.counters.reencrypted).toBe(120 - 17);
    for (const [id, value] of await h.all()) {
      if (written.has(id)) {
        expect(value).toBe(written.get(id));
        expect(ring.decryptString(value as string, { context: ctx(id) })).toBe(`writer-${id}`);
      } else {
        expect(ring.decryptString(value as string, { context: ctx(id) })).toBe(originals.get(id));
      }
    }
  });

  it('rows that fail to decrypt are reported by id and left byte for byte', async () => {
    const { h } = await seeded(30);
    const bad = new Map<string, string>([
      ['5', ringX().encrypt('unknown key', { context: ctx(5) })],
      ['9', ringD().encrypt('disabled key', { context: ctx(9) })],
      ['12', tamper(ringA().encrypt('tampered', { context: ctx(12) }))],
      ['20', ringA().encrypt('wrong context', { context: ctx(21) })],
      ['25', 'plain text, not an envelope'],
    ]);
    for (const [id, v] of bad) await h.set(Number(id), v);
    const result = await reencryptAll({ keyring: ringAB(), store: await h.store(), batchSize: 8, context: 'recommended' });
    expect(result.counters).toMatchObject({ failed: 5, reencrypted: 25 });
    expect(new Map(result.failures.map((f) => [String(f.id), f.code]))).toEqual(
      new Map([
        ['5', 'ERR_UNKNOWN_KEY'],
        ['9', 'ERR_KEY_DISABLED'],
        ['12', 'ERR_DECRYPT_FAILED'],
        ['20', 'ERR_DECRYPT_FAILED'],
        ['25', 'ERR_MALFORMED_ENVELOPE'],
      ]),
    );
    const after = await h.all();
    for (const [id, v] of bad) expect(after.get(id)).toBe(v);
    // The report names ids and codes only: no plaintext, no envelope.
    const reported = JSON.stringify(result);
    for (const secret of ['unknown key', 'disabled key', 'tampered', 'wrong context', 'plain text', 'kr1.']) expect(reported).not.toContain(secret);
  });

  it('a dry run counts rows per key id from the prefix alone, with no key, and writes nothing', async () => {
    const { h } = await seeded(40);
    for (const id of [1, 2, 3]) await h.set(id, ringX().encrypt('x'));
    await h.set(4, 'legacy plaintext');
    await h.set(5, null);
    await h.set(6, ringAB().encrypt('b'));
    const before = await h.all();
    const result = await reencryptAll({ store: await h.store(), batchSize: 7, dryRun: true });
    expect(result.keyIds!.total).toBe(39);
    expect(result.keyIds!.byKeyId).toEqual(new Map([['X', 3], ['A', 34], ['B', 1]]));
    expect(result.keyIds!.notEnvelope).toBe(1);
    expect(await h.all()).toEqual(before);
  });

  it('stops on abort and resumes from the checkpoint', async () => {
    const { h, originals } = await seeded(100);
    const ring = ringAB();
    const { memoryCheckpoint } = await import('../../src/rotation/index.js');
    const checkpoint = memoryCheckpoint();
    const controller = new AbortController();
    const first = await reencryptAll({
      keyring: ring, store: await h.store(), batchSize: 10, context: 'recommended', checkpoint, signal: controller.signal,
      onProgress: (p) => { if (p.done >= 40) controller.abort(); },
    });
    expect(first.aborted).toBe(true);
    expect(first.counters.scanned).toBe(40);
    expect(checkpoint.state?.done).toBe(false);
    expect(String(checkpoint.state?.cursor)).toBe('40');
    const second = await reencryptAll({ keyring: ring, store: await h.store(), batchSize: 10, context: 'recommended', checkpoint });
    expect(second.resumed).toBe(true);
    expect(second.total).toBe(100);
    expect(second.counters).toMatchObject({ scanned: 100, reencrypted: 100, current: 0 });
    expect(checkpoint.state?.done).toBe(true);
    for (const [id, value] of await h.all()) expect(ring.decryptString(value as string, { context: ctx(id) })).toBe(originals.get(id));
  });
});

function tamper(envelope: string): string {
  const i = envelope.length - 5;
  return envelope.slice(0, i) + (envelope[i] === 'A' ? 'B' : 'A') + envelope.slice(i + 1);
}
