import { afterEach, describe, expect, it } from 'vitest';
import { inspect, KeyrollError } from '../../src/index.js';
import { reencryptAll, shardOf, type RowStore } from '../../src/rotation/index.js';
import { sqliteStore } from '../../src/stores/sqlite.js';
import { postgresStore } from '../../src/stores/postgres.js';
import { HARNESSES, ctx, ringA, ringAB, type Harness } from './helpers.js';

const open: Harness[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

function recording(inner: RowStore, seen: string[]): RowStore {
  return { target: inner.target!, count: (s) => inner.count(s), update: (c) => inner.update(c), scan: async (a, l, s) => {
    const rows = await inner.scan(a, l, s);
    seen.push(...rows.map((r) => String(r.id)));
    return rows;
  } };
}

describe.each(HARNESSES)('modes on %s', (_name, make) => {
  it('shards running at the same time cover the table exactly once, chosen in SQL by the same hash as shardOf()', async () => {
    const h = await make({ idType: 'text' });
    open.push(h);
    const a = ringA();
    const ids = Array.from({ length: 150 }, (_, i) => `user-${(i * 7919) % 1000}`);
    await h.insert(ids.map((id) => [id, a.encrypt(id, { context: ctx(id) })] as const));
    const ring = ringAB();
    const seen: string[][] = [[], [], []];
    const results = await Promise.all(seen.map(async (list, index) =>
      reencryptAll({ keyring: ring, store: recording(await h.store(), list), batchSize: 9, shard: { index, count: 3 }, context: 'recommended' })));
    expect(seen.flat().sort()).toEqual([...ids].sort());
    seen.forEach((list, index) => {
      for (const id of list) expect(shardOf(id, 3)).toBe(index);
      expect(results[index]!.total).toBe(list.length);
    });
    for (const [id, value] of await h.all()) expect(ring.decryptString(value as string, { context: ctx(id) })).toBe(id);
  });

  it('plaintext migration is opt-in; a well-formed envelope that fails is still an error, never plaintext', async () => {
    const h = await make();
    open.push(h);
    const a = ringA();
    const tampered = a.encrypt('real secret', { context: ctx(3) }).replace(/.$/, (c) => (c === 'A' ? 'Q' : 'A'));
    await h.insert([[1, 'legacy one'], [2, a.encrypt('enveloped', { context: ctx(2) })], [3, tampered], [4, '']]);
    const ring = ringAB();
    const strict = await reencryptAll({ keyring: ring, store: await h.store(), batchSize: 10, context: 'recommended' });
    expect(strict.failures.map((f) => [String(f.id), f.code])).toEqual([['1', 'ERR_MALFORMED_ENVELOPE'], ['3', 'ERR_DECRYPT_FAILED'], ['4', 'ERR_MALFORMED_ENVELOPE']]);
    expect((await h.all()).get('1')).toBe('legacy one');
    const migrate = await reencryptAll({ keyring: ring, store: await h.store(), batchSize: 10, context: 'recommended', fromPlaintext: true });
    expect(migrate.counters).toMatchObject({ legacyPlaintext: 2, reencrypted: 2, current: 1, failed: 1 });
    expect(migrate.failures).toEqual([{ id: expect.anything(), code: 'ERR_DECRYPT_FAILED', keyId: 'A' }]);
    const after = await h.all();
    expect(ring.decryptString(after.get('1') as string, { context: ctx(1) })).toBe('legacy one');
    expect(ring.decryptString(after.get('4') as string, { context: ctx(4) })).toBe('');
    expect(after.get('3')).toBe(tampered);
  });

  it('BLOB/BYTEA columns keep each value in its form (binary stays binary, text bytes stay text)', async () => {
    const h = await make({ valueType: 'bytes' });
    open.push(h);
    const a = ringA();
    await h.insert([[1, a.encryptToBytes('bin')], [2, new TextEncoder().encode(a.encrypt('txt'))]]);
    const ring = ringAB();
    const result = await reencryptAll({ keyring: ring, store: await h.store(), batchSize: 10 });
    expect(result.counters.reencrypted).toBe(2);
    const after = await h.all();
    expect(inspect(after.get('1') as Uint8Array)).toMatchObject({ keyId: 'B', form: 'binary' });
    expect(inspect(after.get('2') as Uint8Array)).toMatchObject({ keyId: 'B', form: 'text' });
    expect(ring.decryptString(after.get('1') as Uint8Array)).toBe('bin');
    expect(ring.decryptString(after.get('2') as Uint8Array)).toBe('txt');
  });

  it('context templates read extra columns named in the template', async () => {
    const h = await make();
    open.push(h);
    const a = ringA();
    await h.insert([1, 2, 3].map((id) => [id, a.encrypt(`s${id}`, { context: { who: `u${id}@example.com`, id: String(id) } })] as const));
    const ring = ringAB();
    const missing = reencryptAll({ keyring: ring, store: await h.store(), batchSize: 10, context: 'who={email},id={id}' });
    await expect(missing).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('"email"') });
    const result = await reencryptAll({ keyring: ring, store: await h.store({ columns: ['email'] }), batchSize: 10, context: 'who={email},id={id}' });
    expect(result.counters.reencrypted).toBe(3);
    const after = await h.all();
    expect(ring.decryptString(after.get('2') as string, { context: { who: 'u2@example.com', id: '2' } })).toBe('s2');
  });

  it('refuses names that are not plain identifiers', async () => {
    const h = await make();
    open.push(h);
    for (const bad of [{ table: 'users; DROP TABLE users' }, { column: 'token"' }, { table: 'a.b.c' }, { column: '1abc' }]) {
      const err = await h.store(bad).catch((e: unknown) => e);
      expect(KeyrollError.is(err, 'ERR_INVALID_ARGUMENT')).toBe(true);
    }
  });
});

describe('store construction', () => {
  it('rejects wrong database handles', async () => {
    await expect(sqliteStore({ database: 42 as never, table: 't', column: 'c', id: 'id' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(postgresStore({ client: 'mysql://x' as never, table: 't', column: 'c', id: 'id' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(sqliteStore({ database: '/nonexistent/dir/x.db', table: 't', column: 'c', id: 'id' })).rejects.toMatchObject({ code: 'ERR_IO' });
  });

  it('a postgres:// URL opens a pg Pool; an unreachable server is ERR_IO and the pool is closed', async () => {
    const err = await postgresStore({ client: 'postgres://keyroll:pw@127.0.0.1:1/none', table: 't', column: 'c', id: 'id' }).catch((e: unknown) => e);
    expect(KeyrollError.is(err, 'ERR_IO')).toBe(true);
    expect((err as Error).message).not.toContain('pw');
  });

  it('a missing driver is ERR_MISSING_DEPENDENCY naming the package and the install command', async () => {
    const { importOptional } = await import('../../src/stores/sql.js');
    const err = await importOptional('keyroll-no-such-driver', 'the test store').catch((e: unknown) => e);
    expect(KeyrollError.is(err, 'ERR_MISSING_DEPENDENCY')).toBe(true);
    expect((err as Error).message).toContain('npm install keyroll-no-such-driver');
  });

  it('a schema-qualified table works on PostgreSQL', async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const pg = new PGlite();
    try {
      await pg.exec('CREATE SCHEMA billing; CREATE TABLE billing.cards (id int PRIMARY KEY, pan text)');
      await pg.query('INSERT INTO billing.cards VALUES (1, $1)', [ringA().encrypt('4111')]);
      const store = await postgresStore({ client: pg, table: 'billing.cards', column: 'pan', id: 'id' });
      const result = await reencryptAll({ keyring: ringAB(), store, batchSize: 5 });
      expect(result.counters.reencrypted).toBe(1);
      await expect(postgresStore({ client: pg, table: 'billing.nope', column: 'pan', id: 'id' })).rejects.toMatchObject({ code: 'ERR_STORE' });
    } finally {
      await pg.close();
    }
  });
});

