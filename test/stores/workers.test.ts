/**
 * The batch job with its crypto on worker threads keeps every guarantee of
 * the single-thread job: compare-and-swap against a concurrent writer,
 * failed rows reported and untouched, checkpoints and resume (after an abort
 * and after SIGKILL), shards. Worker threads run the BUILT package (the
 * worker script is dist/rotation-worker.js; npm test builds first).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { inspect } from '../../src/index.js';
import { memoryCheckpoint, shardOf, type RowStore } from '../../src/rotation/index.js';
import { workerCount } from '../../src/rotation/pool.js';
import { KEYRING_DOC, ctx, ringA, ringAB, ringX, sqliteHarness, type Harness, type Id } from './helpers.js';
import { atProgress, runKillable, type KillableResult } from '../helpers/sigkill.js';

type Rotation = typeof import('../../src/rotation/index.js');
const DIST = pathToFileURL(join(import.meta.dirname, '../../dist/rotation.js')).href;
const built = async (): Promise<Rotation> => (await import(DIST)) as Rotation;
const CHILD = join(import.meta.dirname, 'fixtures', 'job-child.mjs');

const open: Harness[] = [];
const dirs: string[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function seeded(n: number, location?: string): Promise<{ h: Harness; originals: Map<string, string> }> {
  const h = await sqliteHarness(location === undefined ? {} : { location });
  open.push(h);
  const a = ringA();
  const originals = new Map<string, string>();
  const rows: Array<[Id, string]> = [];
  for (let id = 1; id <= n; id++) {
    originals.set(String(id), `secret-${id}`);
    rows.push([id, a.encrypt(`secret-${id}`, { context: ctx(id) })]);
  }
  await h.insert(rows);
  return { h, originals };
}

describe('batch re-encryption on worker threads (in process)', () => {
  it('a concurrent writer loses nothing, failed rows are reported and untouched, every other row moves and decrypts', async () => {
    const { reencryptAll } = await built();
    const { h, originals } = await seeded(600);
    const ring = ringAB();
    const a = ringA();
    const tampered = (await h.all()).get('5') as string;
    await h.set(5, `${tampered.slice(0, -4)}AAAA`);
    await h.set(6, ringX().encrypt('unknown key', { context: ctx(6) }));
    await h.set(7, a.encrypt('wrong context', { context: ctx(8) }));
    const broken = new Map([...(await h.all())].filter(([id]) => ['5', '6', '7'].includes(id)));
    const inner = await h.store();
    const written = new Map<string, string>();
    const racing: RowStore = {
      target: inner.target!,
      count: (s) => inner.count(s),
      update: (c) => inner.update(c),
      async scan(after, limit, shard) {
        const rows = await inner.scan(after, limit, shard);
        // The worst moment: after the job read a page and before it writes it back.
        for (const row of rows.filter((r) => Number(r.id) % 11 === 0)) {
          const value = a.encrypt(`writer-${row.id}`, { context: ctx(row.id as Id) });
          written.set(String(row.id), value);
          await h.set(row.id as Id, value);
        }
        return rows;
      },
    };
    const result = await reencryptAll({ keyring: ring, store: racing, batchSize: 40, context: 'recommended', workers: 2 });
    expect(result.counters).toMatchObject({ scanned: 600, failed: 3, conflicts: written.size, reencrypted: 600 - 3 - written.size });
    expect(result.failures.map((f) => [String(f.id), f.code]).sort()).toEqual([
      ['5', 'ERR_DECRYPT_FAILED'],
      ['6', 'ERR_UNKNOWN_KEY'],
      ['7', 'ERR_DECRYPT_FAILED'],
    ]);
    for (const [id, value] of await h.all()) {
      if (broken.has(id)) expect(value).toBe(broken.get(id));
      else if (written.has(id)) expect(value).toBe(written.get(id));
      else {
        expect(inspect(value as string).keyId).toBe('B');
        expect(ring.decryptString(value as string, { context: ctx(id) })).toBe(originals.get(id));
      }
    }
  }, 60_000);

  it('an aborted run resumes from its checkpoint, and shards cover the table exactly once', async () => {
    const { reencryptAll } = await built();
    const { h, originals } = await seeded(500);
    const ring = ringAB();
    const checkpoint = memoryCheckpoint();
    const controller = new AbortController();
    const first = await reencryptAll({
      keyring: ring,
      store: await h.store(),
      batchSize: 50,
      context: 'recommended',
      workers: 2,
      checkpoint,
      signal: controller.signal,
      onProgress: (p) => p.done >= 200 && controller.abort(),
    });
    expect(first.aborted).toBe(true);
    const saved = await checkpoint.load();
    expect(saved?.done).toBe(false);
    const second = await reencryptAll({ keyring: ring, store: await h.store(), batchSize: 50, context: 'recommended', workers: 2, checkpoint });
    expect(second.resumed).toBe(true);
    expect(second.counters.scanned).toBe(500);
    // Counters carry over from the checkpoint: the two runs together re-encrypted each row once.
    expect(first.counters.reencrypted).toBeGreaterThanOrEqual(200);
    expect(first.counters.reencrypted).toBeLessThan(500);
    expect(second.counters.reencrypted).toBe(500);
    const seen: string[][] = [[], []];
    for (const index of [0, 1]) {
      const inner = await h.store();
      const recording: RowStore = { ...inner, target: inner.target!, count: (s) => inner.count(s), update: (c) => inner.update(c), scan: async (a, l, s) => {
        const rows = await inner.scan(a, l, s);
        seen[index]!.push(...rows.map((r) => String(r.id)));
        return rows;
      } };
      await reencryptAll({ keyring: ring, store: recording, batchSize: 30, context: 'recommended', workers: 2, shard: { index, count: 2 } });
    }
    expect([...seen[0]!, ...seen[1]!].sort()).toEqual([...originals.keys()].sort());
    seen.forEach((ids, index) => ids.forEach((id) => expect(shardOf(id, 2)).toBe(index)));
    for (const [id, value] of await h.all()) expect(ring.decryptString(value as string, { context: ctx(id) })).toBe(originals.get(id));
  }, 60_000);

  it('a row whose context is refused fails alone, with the same outcome on one thread and on workers; values in binary form stay binary', async () => {
    const { reencryptAll } = await built();
    for (const workers of [0, 2]) {
      const { h, originals } = await seeded(40);
      await h.set(9, ringA().encryptToBytes('bytes-9', { context: ctx(9) }));
      const before = await h.all();
      const ring = ringAB();
      // Row 3's context holds a number: refused (ERR_INVALID_ARGUMENT) for that row only.
      const context = (row: { id: unknown }) => (Number(row.id) === 3 ? ({ ...ctx(3), id: 3 } as unknown as Record<string, string>) : ctx(Number(row.id)));
      const result = await reencryptAll({ keyring: ring, store: await h.store(), batchSize: 16, workers, context });
      expect(result.failures).toEqual([{ id: 3, code: 'ERR_INVALID_ARGUMENT' }]);
      expect(result.counters).toMatchObject({ scanned: 40, reencrypted: 39, failed: 1 });
      const before3 = before.get('3');
      const after = await h.all();
      expect(after.get('3')).toBe(before3);
      for (const [id, value] of after) {
        if (id === '3') continue;
        expect(inspect(value!).keyId).toBe('B');
        expect(ring.decryptString(value!, { context: ctx(Number(id)) })).toBe(id === '9' ? 'bytes-9' : originals.get(id));
      }
      expect(after.get('9')).toBeInstanceOf(Uint8Array);
      expect(inspect(after.get('3')!).keyId).toBe('A');
    }
  });

  it('workers: a count from 0 to 64 or "auto"; auto stays on one thread for small tables', () => {
    expect(workerCount(0, 1_000_000)).toBe(0);
    expect(workerCount(3, 10)).toBe(3);
    expect(workerCount(undefined, 100)).toBe(0);
    expect(workerCount('auto', 100)).toBe(0);
    for (const bad of [-1, 65, 1.5, '2', null]) expect(() => workerCount(bad, 10)).toThrow(/workers must be/);
  });
});

type Child = KillableResult;

const runChild = (args: object, killAtFraction?: number): Promise<Child> =>
  runKillable(CHILD, [JSON.stringify(args), JSON.stringify(KEYRING_DOC)], killAtFraction === undefined ? undefined : atProgress(killAtFraction));

const resultOf = (c: Child): { counters: Record<string, number>; resumed: boolean } => JSON.parse(/result (.*)/.exec(c.stdout)![1]!);

describe('batch re-encryption on worker threads (processes)', () => {
  async function seed(n: number): Promise<{ location: string; dir: string; originals: Map<string, string> }> {
    const dir = mkdtempSync(join(tmpdir(), 'keyroll-workers-'));
    dirs.push(dir);
    const location = join(dir, 'app.db');
    const { h, originals } = await seeded(n, location);
    await h.close();
    open.splice(open.indexOf(h), 1);
    return { location, dir, originals };
  }

  async function checkAll(location: string, originals: Map<string, string>, written = new Map<string, string>()): Promise<void> {
    const h = await sqliteHarness({ location });
    open.push(h);
    const ring = ringAB();
    const all = await h.all();
    expect(all.size).toBe(originals.size);
    for (const [id, value] of all) {
      const expected = written.get(id);
      if (expected === undefined) {
        expect(inspect(value as string).keyId).toBe('B');
        expect(ring.decryptString(value as string, { context: ctx(id) })).toBe(originals.get(id));
      } else expect(ring.decryptString(value as string, { context: ctx(id) })).toBe(ring.decryptString(expected, { context: ctx(id) }));
    }
  }

  it('a worker-thread run killed with SIGKILL halfway resumes from its checkpoint and finishes', async () => {
    const { location, dir, originals } = await seed(2000);
    const checkpoint = join(dir, 'job.json');
    const killed = await runChild({ kind: 'sqlite', location, checkpoint, batchSize: 100, delayMs: 120, workers: 2 }, 0.5);
    expect(killed.signal).toBe('SIGKILL');
    const saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as { cursor: { value: number }; done: boolean };
    expect(saved.done).toBe(false);
    expect(saved.cursor.value).toBeGreaterThanOrEqual(1000);
    expect(saved.cursor.value).toBeLessThan(2000);
    const rerun = await runChild({ kind: 'sqlite', location, checkpoint, batchSize: 100, workers: 2 });
    const result = resultOf(rerun);
    expect(result.resumed).toBe(true);
    expect(Number(/progress (\d+)/.exec(rerun.stdout)![1])).toBe(saved.cursor.value + 100);
    expect(result.counters['scanned']).toBe(2000);
    expect(result.counters['failed']).toBe(0);
    await checkAll(location, originals);
  }, 120_000);

  it('a writer in another process, writing all through a worker-thread job, loses nothing', async () => {
    const { location, originals } = await seed(1500);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(location, { timeout: 10_000 });
    const a = ringA();
    const written = new Map<string, string>();
    const child = runChild({ kind: 'sqlite', location, batchSize: 100, delayMs: 20, workers: 2 });
    let running = true;
    void child.finally(() => (running = false));
    const update = db.prepare('UPDATE users SET token = ? WHERE id = ?');
    for (let n = 0; running; n++) {
      const id = 1 + ((n * 7919) % 1500);
      const value = a.encrypt(`writer-${n}`, { context: ctx(id) });
      update.run(value, id);
      written.set(String(id), value);
      await new Promise((r) => setTimeout(r, 2));
    }
    const result = resultOf(await child);
    db.close();
    expect(written.size).toBeGreaterThan(20);
    expect(result.counters['scanned']).toBe(1500);
    // Rows the writer touched hold the writer's value (under A, or re-encrypted from it); the rest moved to B.
    const h = await sqliteHarness({ location });
    open.push(h);
    const ring = ringAB();
    for (const [id, value] of await h.all()) {
      const expected = written.get(id);
      if (expected === undefined) expect(ring.decryptString(value as string, { context: ctx(id) })).toBe(originals.get(id));
      else expect(ring.decryptString(value as string, { context: ctx(id) })).toBe(ring.decryptString(expected, { context: ctx(id) }));
    }
  }, 120_000);
});
