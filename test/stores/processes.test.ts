/**
 * Guarantees that need real processes: SIGKILL halfway then resume, and two
 * shards in two processes. The child runs the BUILT package (npm test builds first).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/index.js';
import { shardOf } from '../../src/rotation/index.js';
import { KEYRING_DOC, ctx, pgliteHarness, ringA, ringAB, sqliteHarness, type Harness } from './helpers.js';
import { atProgress, runKillable, type KillableResult } from '../helpers/sigkill.js';

const CHILD = join(import.meta.dirname, 'fixtures', 'job-child.mjs');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

type Child = KillableResult;

const runChild = (args: object, killAtFraction?: number): Promise<Child> =>
  runKillable(CHILD, [JSON.stringify(args), JSON.stringify(KEYRING_DOC)], killAtFraction === undefined ? undefined : atProgress(killAtFraction));

const resultOf = (c: Child): { counters: Record<string, number>; resumed: boolean; total: number } => JSON.parse(/result (.*)/.exec(c.stdout)![1]!);

const KINDS = [
  ['sqlite', (dir: string) => join(dir, 'app.db'), sqliteHarness],
  ['pglite', (dir: string) => join(dir, 'pgdata'), pgliteHarness],
] as const;

describe.each(KINDS)('processes on %s', (kind, locate, make) => {
  async function seed(n: number): Promise<{ location: string; dir: string; originals: Map<string, string> }> {
    const dir = mkdtempSync(join(tmpdir(), `keyroll-${kind}-`));
    dirs.push(dir);
    const location = locate(dir);
    const h = await make({ location });
    const a = ringA();
    const originals = new Map<string, string>();
    const rows: Array<[number, string]> = [];
    for (let id = 1; id <= n; id++) {
      originals.set(String(id), `value-${id}`);
      rows.push([id, a.encrypt(`value-${id}`, { context: ctx(id) })]);
    }
    await h.insert(rows);
    await h.close();
    return { location, dir, originals };
  }

  async function checkAll(location: string, originals: Map<string, string>): Promise<void> {
    const h: Harness = await make({ location });
    try {
      const ring = ringAB();
      const all = await h.all();
      expect(all.size).toBe(originals.size);
      for (const [id, value] of all) {
        expect(inspect(value as string).keyId).toBe('B');
        expect(ring.decryptString(value as string, { context: ctx(id) })).toBe(originals.get(id));
      }
    } finally {
      await h.close();
    }
  }

  it('a run killed with SIGKILL halfway resumes from its checkpoint and finishes; every row decrypts to its original', async () => {
    const { location, dir, originals } = await seed(2000);
    const checkpoint = join(dir, 'job.json');
    const killed = await runChild({ kind, location, checkpoint, batchSize: 100, delayMs: 120 }, 0.5);
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).not.toContain('result');
    const saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as { cursor: { value: number }; done: boolean };
    expect(saved.done).toBe(false);
    expect(saved.cursor.value).toBeGreaterThanOrEqual(1000);
    expect(saved.cursor.value).toBeLessThan(2000);
    const rerun = await runChild({ kind, location, checkpoint, batchSize: 100 });
    const result = resultOf(rerun);
    expect(result.resumed).toBe(true);
    // Resumed after the cursor: this run read fewer rows than the table holds.
    const firstLine = /progress (\d+)/.exec(rerun.stdout)!;
    expect(Number(firstLine[1])).toBe(saved.cursor.value + 100);
    expect(result.counters['scanned']).toBe(2000);
    expect(result.counters['failed']).toBe(0);
    await checkAll(location, originals);
  }, 90_000);

  it('two shards in two processes cover the table exactly once', async () => {
    const { location, dir, originals } = await seed(600);
    const records = [join(dir, 'shard0.txt'), join(dir, 'shard1.txt')];
    const run = (index: number): Promise<Child> => runChild({ kind, location, batchSize: 50, shard: { index, count: 2 }, record: records[index], checkpoint: join(dir, 'job.json') });
    // SQLite: the two processes run at the same time. PGlite is single-process
    // (one process may open a data dir at a time), so its shards run one after the other.
    const children = kind === 'sqlite' ? await Promise.all([run(0), run(1)]) : [await run(0), await run(1)];
    const seen = records.map((f) => readFileSync(f, 'utf8').trim().split('\n'));
    expect([...seen[0]!, ...seen[1]!].sort()).toEqual([...originals.keys()].sort());
    expect(seen[0]!.filter((id) => seen[1]!.includes(id))).toEqual([]);
    seen.forEach((ids, index) => ids.forEach((id) => expect(shardOf(id, 2)).toBe(index)));
    expect(children.map((c) => resultOf(c).counters['reencrypted']).reduce((a, b) => a! + b!, 0)).toBe(600);
    expect(existsSync(join(dir, 'job.shard-0-of-2.json')) && existsSync(join(dir, 'job.shard-1-of-2.json'))).toBe(true);
    await checkAll(location, originals);
  }, 90_000);

  // SQLite only: one PGlite data dir is open in one process at a time (guarantees.test.ts interleaves a writer on PGlite).
  if (kind === 'sqlite') it('a writer in another process, writing all through the job, loses nothing', async () => {
    const { location, originals } = await seed(1500);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(location, { timeout: 10_000 });
    const a = ringA();
    const written = new Map<string, string>();
    const child = runChild({ kind, location, batchSize: 100, delayMs: 20 });
    let running = true;
    void child.finally(() => (running = false));
    const update = db.prepare('UPDATE users SET token = ? WHERE id = ?');
    for (let n = 0; running; n++) {
      const id = 1 + ((n * 7919) % 1500);
      // Under the OLD key, as an application instance not yet given the new keyring would write:
      // a job that overwrote it blindly would bring back the previous plaintext.
      const value = a.encrypt(`writer-${n}`, { context: ctx(id) });
      update.run(value, id);
      written.set(String(id), value);
      await new Promise((r) => setTimeout(r, 2));
    }
    const result = resultOf(await child);
    db.close();
    expect(written.size).toBeGreaterThan(20);
    const h = await make({ location });
    try {
      const ring = ringAB();
      for (const [id, value] of await h.all()) {
        const expected = written.get(id);
        if (expected === undefined) expect(ring.decryptString(value as string, { context: ctx(id) })).toBe(originals.get(id));
        else expect(ring.decryptString(value as string, { context: ctx(id) })).toBe(ring.decryptString(expected, { context: ctx(id) }));
      }
    } finally {
      await h.close();
    }
    expect(result.counters['scanned']).toBe(1500);
  }, 90_000);
});
