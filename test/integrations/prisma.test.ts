import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import Database from 'better-sqlite3';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterAll, describe, expect, it } from 'vitest';
import { Keyring, KeyrollError, generateKey } from '../../src/index.js';
import { fieldEncryption, type PrismaStaleValue } from '../../src/integrations/prisma.js';
import { countKeyIds, reencryptAll } from '../../src/rotation/index.js';
import { sqliteStore } from '../../src/stores/sqlite.js';
import { postgresStore } from '../../src/stores/postgres.js';
import { SQL, generateClient } from './prisma-client.js';

const root = mkdtempSync(join(tmpdir(), 'keyroll-prisma-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const emailIndex = { purpose: 'users.email', normalize: { trim: true, caseFold: true } } as const;
const byEmail = { field: 'emailIdx', ...emailIndex } as const;
const isCode = (code: string) => (e: unknown) => KeyrollError.is(e) && (e as KeyrollError).code === code;

function scenario(provider: 'sqlite' | 'postgresql') {
  describe(`keyroll/prisma on ${provider === 'sqlite' ? 'SQLite (better-sqlite3 adapter)' : 'PostgreSQL (PGlite adapter)'}`, () => {
    it('CRUD, nested writes, relations, index lookups, rotation (lazy and batch) and bad input', async () => {
      const dir = join(root, provider);
      const entry = generateClient(dir, provider);
      const { PrismaClient } = (await import(entry)) as { PrismaClient: new (o: unknown) => { $extends(e: unknown): unknown; $disconnect(): Promise<void> } };
      let raw: { query(sql: string, params?: unknown[]): Promise<unknown[]>; exec(sql: string): Promise<void> };
      let adapter: unknown;
      let store: () => ReturnType<typeof sqliteStore>;
      if (provider === 'sqlite') {
        const file = join(dir, 'app.db');
        const db = new Database(file);
        for (const sql of SQL.sqlite) db.exec(sql);
        raw = { query: async (sql, p = []) => { const st = db.prepare(sql); return st.reader ? st.all(...(p as never[])) : (st.run(...(p as never[])), []); }, exec: async (sql) => void db.exec(sql) };
        adapter = new PrismaBetterSqlite3({ url: `file:${file}` });
        store = () => sqliteStore({ database: db, table: 'User', column: 'email', id: 'id' });
      } else {
        const pg = new PGlite();
        for (const sql of SQL.postgresql) await pg.exec(sql);
        raw = { query: async (sql, p = []) => { let n = 0; return (await pg.query(sql.replace(/\?/g, () => `$${++n}`), p)).rows; }, exec: async (sql) => void (await pg.exec(sql)) };
        adapter = new PrismaPGlite(pg);
        store = () => postgresStore({ client: pg, table: 'User', column: 'email', id: 'id' }) as never;
      }
      let ring = Keyring.create({ keys: [generateKey({ id: 'k1', state: 'active' })] });
      const stale: PrismaStaleValue[] = [];
      const base = new PrismaClient({ adapter });
      // deno-lint-ignore no-explicit-any
      const prisma = base.$extends(fieldEncryption({ keyring: () => ring, models: { User: { email: { index: byEmail }, phone: {} }, Post: { body: {} } }, onStale: (s) => stale.push(s) })) as any;

      // Create with a nested write: every encrypted field is an envelope in the database, the index is filled in.
      const created = await prisma.user.create({ data: { email: 'Ann@Example.com', phone: '+1 555 0100', posts: { create: [{ body: 'first post' }, { body: 'second post' }] } }, include: { posts: true } });
      expect(created.email).toBe('Ann@Example.com');
      expect(created.posts.map((p: { body: string }) => p.body).sort()).toEqual(['first post', 'second post']);
      const [row] = (await raw.query('SELECT email, "emailIdx" AS idx, phone FROM "User" WHERE id = ?', [created.id])) as { email: string; idx: string; phone: string }[];
      expect(row!.email.startsWith('kr1.k1.')).toBe(true);
      expect(row!.phone.startsWith('kr1.k1.')).toBe(true);
      expect(row!.idx).toBe(ring.blindIndex('Ann@Example.com', emailIndex));
      const bodies = (await raw.query('SELECT body FROM "Post"')) as { body: string }[];
      expect(bodies.every((b) => b.body.startsWith('kr1.k1.') && !b.body.includes('post'))).toBe(true);
      expect(ring.decryptString(row!.email, { context: { table: 'User', column: 'email' } })).toBe('Ann@Example.com');

      // createMany, then reads: findMany with select and include, relation reads from the other side.
      await prisma.user.createMany({ data: Array.from({ length: 20 }, (_, i) => ({ email: `user${i}@example.com` })) });
      const selected = await prisma.user.findMany({ select: { id: true, email: true }, orderBy: { id: 'asc' } });
      expect(selected.map((u: { email: string }) => u.email)).toEqual(['Ann@Example.com', ...Array.from({ length: 20 }, (_, i) => `user${i}@example.com`)]);
      const post = await prisma.post.findFirst({ include: { user: true }, orderBy: { id: 'asc' } });
      expect(post.body).toBe('first post');
      expect(post.user.email).toBe('Ann@Example.com');

      // where on the indexed field becomes an index lookup (normalised); nested filters too.
      expect((await prisma.user.findFirst({ where: { email: '  ann@EXAMPLE.com' } })).id).toBe(created.id);
      expect(await prisma.user.count({ where: { email: { equals: 'user7@example.com' } } })).toBe(1);
      expect((await prisma.post.findMany({ where: { user: { is: { email: 'ann@example.com' } } } })).length).toBe(2);
      await expect(prisma.user.findMany({ where: { phone: '+1 555 0100' } })).rejects.toSatisfy(isCode('ERR_INVALID_ARGUMENT'));

      // update and upsert re-encrypt and refresh the index.
      await prisma.user.update({ where: { id: created.id }, data: { email: 'ann.lee@example.com', posts: { updateMany: { where: {}, data: { body: 'edited' } } } } });
      expect((await prisma.user.findFirst({ where: { email: 'ann.lee@example.com' }, include: { posts: true } })).posts.map((p: { body: string }) => p.body)).toEqual(['edited', 'edited']);
      const upserted = await prisma.user.upsert({ where: { id: 9999 }, create: { email: 'new@example.com' }, update: { email: 'never' } });
      expect((await prisma.user.findFirst({ where: { email: 'new@example.com' } })).id).toBe(upserted.id);

      // Rotation: k2 active. Old values read and are reported stale; lookups still find every row (candidates).
      ring = ring.add(generateKey({ id: 'k2' }), { activate: true });
      const all = await prisma.user.findMany({ orderBy: { id: 'asc' } });
      expect(all).toHaveLength(22);
      expect(stale.filter((s) => s.model === 'User' && s.field === 'email')).toHaveLength(22);
      expect(stale.every((s) => s.keyId === 'k1' && typeof s.id === 'number')).toBe(true);
      for (let i = 0; i < 20; i++) expect(await prisma.user.count({ where: { email: `user${i}@example.com` } })).toBe(1);

      // Lazy: rewriting a stale row through the client moves it (and its index) to k2.
      const first = stale[0]!;
      const current = await prisma.user.findUnique({ where: { id: first.id } });
      await prisma.user.update({ where: { id: first.id }, data: { email: current.email } });
      const [moved] = (await raw.query('SELECT email FROM "User" WHERE id = ?', [first.id])) as { email: string }[];
      expect(moved!.email.startsWith('kr1.k2.')).toBe(true);

      // Batch: the job moves the rest with the same { table: model, column: field } context.
      const s = await store();
      const result = await reencryptAll({ keyring: ring, store: s, batchSize: 5, context: () => ({ table: 'User', column: 'email' }) });
      expect(result.failures).toEqual([]);
      expect((await countKeyIds({ store: s })).byKeyId.get('k1') ?? 0).toBe(0);
      expect((await prisma.user.findMany()).length).toBe(22);
      // The index still finds rows written under k1 (until rewritten) and under k2.
      expect(await prisma.user.count({ where: { email: 'user3@example.com' } })).toBe(1);

      // Bad input in the database: a tampered value or a missing key is a KeyrollError, never a wrong value.
      const [victim] = (await raw.query('SELECT id, email FROM "User" ORDER BY id LIMIT 1')) as { id: number; email: string }[];
      const flipped = victim!.email.slice(0, -2) + (victim!.email.endsWith('AA') ? 'BB' : 'AA');
      await raw.query('UPDATE "User" SET email = ? WHERE id = ?', [flipped, victim!.id]);
      await expect(prisma.user.findUnique({ where: { id: victim!.id } })).rejects.toSatisfy((e: unknown) => KeyrollError.is(e));
      const foreign = Keyring.create({ keys: [generateKey({ id: 'k9', state: 'active' })] }).encrypt('x', { context: { table: 'User', column: 'email' } });
      await raw.query('UPDATE "User" SET email = ? WHERE id = ?', [foreign, victim!.id]);
      await expect(prisma.user.findUnique({ where: { id: victim!.id } })).rejects.toSatisfy(isCode('ERR_UNKNOWN_KEY'));
      await expect(prisma.user.create({ data: { email: 42 } })).rejects.toSatisfy(isCode('ERR_INVALID_ARGUMENT'));
      await base.$disconnect();
    }, 240_000);
  });
}

scenario('sqlite');
scenario('postgresql');

describe('keyroll/prisma configuration', () => {
  it('refuses unknown options, bad index definitions and fields not in the schema', () => {
    const ring = Keyring.create({ keys: [generateKey({ id: 'k1', state: 'active' })] });
    expect(() => fieldEncryption({ keyring: ring, models: {}, onstale: () => {} } as never)).toThrow(/unknown option "onstale"/);
    expect(() => fieldEncryption({ keyring: ring, models: { User: { email: { indx: {} } } } } as never)).toThrow(/unknown option "indx"/);
    expect(() => fieldEncryption({ keyring: ring, models: { User: { email: { index: { field: 'emailIdx', purpose: 'p', bits: 3 } } } } })).toThrow(KeyrollError);
    const ext = fieldEncryption({ keyring: ring, models: { User: { nope: {} } } });
    const fakeClient = { _runtimeDataModel: { models: { User: { fields: [{ name: 'email', kind: 'scalar', type: 'String' }] } } }, $extends: (e: unknown) => e };
    expect(() => ext(fakeClient)).toThrow(/User\.nope must be a String field/);
    expect(() => ext({})).toThrow(KeyrollError);
  });
});
