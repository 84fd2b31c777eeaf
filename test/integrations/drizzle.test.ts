import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { integer as pgInteger, pgTable, serial, text as pgText } from 'drizzle-orm/pg-core';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { afterAll, describe, expect, it } from 'vitest';
import { Keyring, KeyrollError, generateKey } from '../../src/index.js';
import { encryptedColumns, type StaleValue } from '../../src/integrations/drizzle.js';
import { countKeyIds, reencryptAll } from '../../src/rotation/index.js';
import { sqliteStore } from '../../src/stores/sqlite.js';
import { postgresStore } from '../../src/stores/postgres.js';

const byEmail = { purpose: 'users.email', bits: 64, normalize: { trim: true, caseFold: true } } as const;
const dirs: string[] = [];
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/**
 * A real PostgreSQL server for node-postgres: PGlite behind its wire-protocol
 * socket server (@electric-sql/pglite-socket) on a free local port, so the
 * `pg` driver is tested without a PostgreSQL installation.
 */
async function pgOverSocket(): Promise<{ pglite: PGlite; client: pg.Client }> {
  const pglite = new PGlite();
  const server = new PGLiteSocketServer({ db: pglite, port: 0, host: '127.0.0.1' });
  await server.start();
  // getServerConn() is "host:port"; port 0 let the OS choose a free one.
  const port = Number(/:(\d+)$/.exec(server.getServerConn())?.[1]);
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  closers.push(async () => {
    await client.end();
    await server.stop();
    await pglite.close();
  });
  return { pglite, client };
}


interface Profile { plan: string; seats: number }

/** The same scenario on both engines: only the schema and the raw SQL differ. */
function scenario(engine: 'sqlite' | 'pglite' | 'pg') {
  let ring = Keyring.create({ keys: [generateKey({ id: 'k1', state: 'active' })] });
  const stale: StaleValue[] = [];
  const enc = encryptedColumns({ keyring: () => ring, table: 'users', onStale: (e) => stale.push(e) });
  const encPosts = encryptedColumns({ keyring: () => ring, table: 'posts' });

  const setup = async () => {
    if (engine === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'keyroll-drizzle-'));
      dirs.push(dir);
      const file = join(dir, 'app.db');
      const raw = new Database(file);
      raw.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, email_idx TEXT NOT NULL, profile TEXT, avatar BLOB)');
      raw.exec('CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), body TEXT NOT NULL)');
      const users = sqliteTable('users', { id: integer('id').primaryKey(), email: enc.sqlite.text('email').notNull(), emailIdx: text('email_idx').notNull(), profile: enc.sqlite.json<Profile>('profile'), avatar: enc.sqlite.bytes('avatar') });
      const posts = sqliteTable('posts', { id: integer('id').primaryKey(), userId: integer('user_id').notNull(), body: encPosts.sqlite.text('body').notNull() });
      const db = drizzleSqlite(raw);
      return {
        db, users, posts,
        rawValue: async (id: number) => (raw.prepare('SELECT email FROM users WHERE id = ?').get(id) as { email: string }).email,
        setRaw: async (id: number, value: string) => void raw.prepare('UPDATE users SET email = ? WHERE id = ?').run(value, id),
        store: () => sqliteStore({ database: raw, table: 'users', column: 'email', id: 'id', indexColumn: 'email_idx' }),
        rawIndexes: async () => (raw.prepare('SELECT email_idx FROM users').all() as Array<{ email_idx: string }>).map((r) => r.email_idx),
      };
    }
    // PGlite in process, or node-postgres talking to PGlite over the PostgreSQL wire protocol.
    const remote = engine === 'pg' ? await pgOverSocket() : undefined;
    const pg = remote?.client ?? new PGlite();
    if (remote === undefined) closers.push(() => (pg as PGlite).close());
    await (pg as PGlite).query('CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, email_idx text NOT NULL, profile text, avatar bytea)');
    await (pg as PGlite).query('CREATE TABLE posts (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES users(id), body text NOT NULL)');
    const users = pgTable('users', { id: serial('id').primaryKey(), email: enc.pg.text('email').notNull(), emailIdx: pgText('email_idx').notNull(), profile: enc.pg.json<Profile>('profile'), avatar: enc.pg.bytes('avatar') });
    const posts = pgTable('posts', { id: serial('id').primaryKey(), userId: pgInteger('user_id').notNull(), body: encPosts.pg.text('body').notNull() });
    const db = remote === undefined ? drizzlePglite(pg as PGlite) : drizzleNodePg(remote.client);
    const query = async <T,>(sql: string, params: unknown[] = []): Promise<T[]> => (await (pg as PGlite).query<T>(sql, params)).rows;
    return {
      db, users, posts,
      rawValue: async (id: number) => (await query<{ email: string }>('SELECT email FROM users WHERE id = $1', [id]))[0]!.email,
      setRaw: async (id: number, value: string) => void (await query('UPDATE users SET email = $1 WHERE id = $2', [value, id])),
      store: () => postgresStore({ client: pg, table: 'users', column: 'email', id: 'id', indexColumn: 'email_idx' }),
      rawIndexes: async () => (await query<{ email_idx: string }>('SELECT email_idx FROM users')).map((r) => r.email_idx),
    };
  };

  describe(`keyroll/drizzle on ${engine}`, () => {
    it('CRUD, JSON and bytes columns, lookups by index, joins, rotation with lazy and batch re-encryption, bad input', async () => {
      const { db, users, posts, rawValue, setRaw, store, rawIndexes } = await setup();
      // deno-lint-ignore no-explicit-any
      const d = db as any;
      const emails = Array.from({ length: 40 }, (_, i) => `user${i}@example.com`);
      for (const email of emails) {
        await d.insert(users).values({ email, emailIdx: enc.index(email, byEmail), profile: { plan: 'pro', seats: email.length }, avatar: new Uint8Array([1, 2, email.length]) });
      }
      // Stored values are envelopes bound to { table, column }, never the plaintext.
      const stored = await rawValue(1);
      expect(stored.startsWith('kr1.k1.')).toBe(true);
      expect(stored).not.toContain('user0');
      expect(ring.decryptString(stored, { context: { table: 'users', column: 'email' } })).toBe('user0@example.com');

      // Read back: every column decrypts.
      const all = await d.select().from(users).orderBy(users.id);
      expect(all.map((r: { email: string }) => r.email)).toEqual(emails);
      expect(all[3].profile).toEqual({ plan: 'pro', seats: emails[3]!.length });
      expect(Buffer.from(all[3].avatar).equals(Buffer.from([1, 2, emails[3]!.length]))).toBe(true);

      // Lookup by the blind index, with the normalisation of the definition.
      const found = await d.select().from(users).where(enc.lookup(users.emailIdx, '  USER7@Example.com ', byEmail));
      expect(found.map((r: { email: string }) => r.email)).toEqual(['user7@example.com']);

      // Update and delete.
      await d.update(users).set({ email: 'changed@example.com', emailIdx: enc.index('changed@example.com', byEmail) }).where(eq(users.id, 2));
      expect((await d.select().from(users).where(enc.lookup(users.emailIdx, 'changed@example.com', byEmail)))[0].id).toBe(2);
      await d.delete(users).where(eq(users.id, 40));
      emails[1] = 'changed@example.com';
      emails.pop();

      // A relation (join): posts of a user, both sides decrypted.
      await d.insert(posts).values({ userId: 5, body: 'hello from five' });
      const joined = await d.select({ email: users.email, body: posts.body }).from(posts).innerJoin(users, eq(posts.userId, users.id));
      expect(joined).toEqual([{ email: emails[4], body: 'hello from five' }]);

      // Rotation: k2 becomes active. Old rows still read and are reported stale; lookups find every row.
      ring = ring.add(generateKey({ id: 'k2' }), { activate: true });
      const firstRead = await d.select().from(users).orderBy(users.id);
      expect(firstRead.map((r: { email: string }) => r.email)).toEqual(emails);
      expect(stale.filter((s) => s.column === 'email')).toHaveLength(emails.length);
      expect(stale.every((s) => s.table === 'users' && s.keyId === 'k1')).toBe(true);
      for (const email of emails) expect(await d.select().from(users).where(enc.lookup(users.emailIdx, email, byEmail))).toHaveLength(1);

      // Lazy: rewrite one row through the ORM (value and index together) under k2.
      await d.update(users).set({ email: emails[0], emailIdx: enc.index(emails[0]!, byEmail) }).where(eq(users.id, 1));
      expect((await rawValue(1)).startsWith('kr1.k2.')).toBe(true);

      // Batch: the job re-encrypts the rest with the same { table, column } context, and rewrites their indexes.
      const s = await store();
      const result = await reencryptAll({ keyring: ring, store: s, batchSize: 7, context: () => ({ table: 'users', column: 'email' }), blindIndex: byEmail, workers: 0 });
      expect(result.failures).toEqual([]);
      expect(result.counters.reencrypted).toBe(emails.length - 1);
      expect((await countKeyIds({ store: s })).byKeyId.get('k1') ?? 0).toBe(0);
      const after = await d.select().from(users).orderBy(users.id);
      expect(after.map((r: { email: string }) => r.email)).toEqual(emails);
      // Every index is now k2's: found with k1 disabled.
      const k2Only = Keyring.create({ keys: [ring.get('k2')!] });
      expect((await rawIndexes()).sort()).toEqual(emails.map((e) => k2Only.blindIndex(e, byEmail)).sort());
      // (Only the email column: the job above re-encrypted it, not the profile and avatar columns.)
      const withK1 = ring;
      ring = ring.disable('k1');
      for (const email of emails) expect(await d.select({ id: users.id, email: users.email }).from(users).where(enc.lookup(users.emailIdx, email, byEmail))).toHaveLength(1);
      ring = withK1;

      // Bad input: a tampered value and a value under a missing key surface as KeyrollErrors, never a wrong value.
      const good = await rawValue(3);
      await setRaw(3, good.slice(0, -3) + (good.endsWith('AAA') ? 'BBB' : 'AAA'));
      await expect(d.select().from(users).where(eq(users.id, 3))).rejects.toSatisfy((e: unknown) => KeyrollError.is(e) && ['ERR_DECRYPT_FAILED', 'ERR_MALFORMED_ENVELOPE'].includes((e as KeyrollError).code));
      await setRaw(3, good);
      const foreign = Keyring.create({ keys: [generateKey({ id: 'k9', state: 'active' })] }).encrypt('x', { context: { table: 'users', column: 'email' } });
      await setRaw(3, foreign);
      await expect(d.select().from(users).where(eq(users.id, 3))).rejects.toSatisfy((e: unknown) => KeyrollError.is(e) && (e as KeyrollError).code === 'ERR_UNKNOWN_KEY');
      await setRaw(3, good);

      // Row binding when the id is known before the write.
      const sealed = enc.sealForRow('email', '018f6b1c-7c1a-7d4e-9a3b-000000000001', 'bound@example.com');
      expect(enc.openForRow('email', '018f6b1c-7c1a-7d4e-9a3b-000000000001', sealed)).toBe('bound@example.com');
      expect(() => enc.openForRow('email', '018f6b1c-7c1a-7d4e-9a3b-000000000002', sealed)).toThrow(/decrypt/i);

      // Writing the wrong type to an encrypted column is refused before SQL.
      await expect((async () => d.insert(users).values({ email: 42, emailIdx: 'x' }))()).rejects.toSatisfy((e: unknown) => KeyrollError.is(e) && (e as KeyrollError).code === 'ERR_INVALID_ARGUMENT');
    });
  });
}

scenario('sqlite');
scenario('pglite');
scenario('pg');

describe('keyroll/drizzle configuration', () => {
  it('refuses unknown options and a missing keyring', () => {
    const ring = Keyring.create({ keys: [generateKey({ id: 'k1', state: 'active' })] });
    expect(() => encryptedColumns({ keyring: ring, table: 'users', onstale: () => {} } as never)).toThrow(/unknown option "onstale"/);
    expect(() => encryptedColumns({ keyring: undefined as never, table: 'users' })).toThrow(KeyrollError);
    expect(() => encryptedColumns({ keyring: ring, table: '' })).toThrow(KeyrollError);
  });
});
