import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fileCheckpoint, parseContextTemplate, parseShard, recommendedTemplate, resolveRowContext, shardCheckpointPath, shardOf, zeroCounters, type Row } from '../../src/rotation/index.js';

const row = (fields: Record<string, unknown>): Row => ({ id: fields['id'] as number, value: '', fields: new Map(Object.entries(fields)) });

describe('context templates', () => {
  it('builds the recommended context from a row', () => {
    const t = parseContextTemplate('table=users,column=token,id={id}');
    expect(t.columns).toEqual(['id']);
    expect(t.build(row({ id: 42 }))).toEqual({ table: 'users', column: 'token', id: '42' });
    expect(recommendedTemplate({ table: 'users', column: 'token', id: 'user_id' })).toBe('table=users,column=token,id={user_id}');
    expect(resolveRowContext('recommended', { table: 't', column: 'c', id: 'id' })!(row({ id: 7 }))).toEqual({ table: 't', column: 'c', id: '7' });
  });

  it('supports several placeholders, literal text and escaped braces', () => {
    const t = parseContextTemplate('k={a}-{b},lit={{x}},__proto__=p');
    expect([...t.columns].sort()).toEqual(['a', 'b']);
    const ctx = t.build(row({ id: 1, a: 'x', b: 2 })) as Record<string, string>;
    expect(Object.entries(ctx).sort()).toEqual([['__proto__', 'p'], ['k', 'x-2'], ['lit', '{x}']]);
  });

  it('rejects malformed templates and missing or NULL columns', () => {
    for (const bad of ['', 'novalue', '=x', 'a=1,a=2', 'a={}', 'a={1x}', 'a={b', 'a=}', 'a=b=c']) {
      expect(() => parseContextTemplate(bad), bad).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
    const t = parseContextTemplate('id={id},e={email}');
    expect(() => t.build(row({ id: 1 }))).toThrow(/email/);
    expect(() => t.build(row({ id: 1, email: null }))).toThrow(/NULL/);
  });
});

describe('shards', () => {
  it('parses i/n and refuses out-of-range shards', () => {
    expect(parseShard('1/4')).toEqual({ index: 1, count: 4 });
    for (const bad of ['4/4', '-1/2', '1', 'a/b', '0/0']) expect(() => parseShard(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('property: shardOf is a stable partition', () => {
    fc.assert(fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (id, n) => {
      const s = shardOf(id, n);
      expect(Number.isInteger(s) && s >= 0 && s < n).toBe(true);
      expect(shardOf(id, n)).toBe(s);
    }));
  });
});

describe('file checkpoints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyroll-cp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips number, string and bigint cursors and counters', async () => {
    for (const cursor of [42, 'user-9', 2n ** 70n, undefined]) {
      const cp = fileCheckpoint(join(dir, 'a.json'), { scope: 'users.token' });
      const counters = { ...zeroCounters(), scanned: 5, failed: 1 };
      await cp.save({ cursor, counters, done: false });
      expect(await cp.load()).toEqual({ cursor, counters, done: false });
    }
  });

  it('uses a shard-specific file and refuses another job\'s checkpoint', async () => {
    expect(shardCheckpointPath('/x/job.json', { index: 1, count: 4 })).toBe('/x/job.shard-1-of-4.json');
    expect(shardCheckpointPath('/x/job', { index: 0, count: 2 })).toBe('/x/job.shard-0-of-2');
    const cp = fileCheckpoint(join(dir, 'b.json'), { shard: { index: 1, count: 3 }, scope: 'users.token' });
    expect(cp.path).toBe(join(dir, 'b.shard-1-of-3.json'));
    await cp.save({ cursor: 1, counters: zeroCounters(), done: false });
    expect(JSON.parse(readFileSync(cp.path, 'utf8')).format).toBe('keyroll.checkpoint');
    await expect(fileCheckpoint(join(dir, 'b.json'), { shard: { index: 1, count: 3 }, scope: 'other.col' }).load()).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(await fileCheckpoint(join(dir, 'missing.json')).load()).toBeUndefined();
  });

  it('reports a damaged checkpoint without quoting it', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"format": "keyroll.checkpoint", SECRET');
    const err = await fileCheckpoint(join(dir, 'bad.json')).load().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(String((err as Error).message)).not.toContain('SECRET');
  });
});
