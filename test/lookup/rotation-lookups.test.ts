/**
 * Blind indexes through a rotation, on SQLite and PostgreSQL (PGlite):
 * lookups by `WHERE email_idx IN (candidates)` find every row before the
 * rotation, between the batches of the re-encryption job (on this thread
 * and on worker threads), after it, and once the old key is disabled, when
 * the index column holds only the new key's indexes. Worker threads run the
 * BUILT package (dist/rotation-worker.js; npm test builds first).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { Keyring, inspect, readAndRefresh, refreshOnRead } from '../../src/index.js';
import type { RowStore } from '../../src/rotation/index.js';
import { sqliteStore } from '../../src/stores/sqlite.js';
import { postgresStore } from '../../src/stores/postgres.js';
import { expectKeyrollError } from '../sources/helpers.js';

type Rotation = typeof import('../../src/rotation/index.js');
const DIST = pathToFileURL(join(import.meta.dirname, '../../dist/rotation.js')).href;

const SECRET_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const SECRET_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const ringA = (): Keyring => Keyring.create({ keys: [{ id: 'A', secret: SECRET_A }] });
const ringAB = (): Keyring => Keyring.create({ keys: [{ id: 'B', secret: SECRET_B, state: 'active' }, { id: 'A', secret: SECRET_A, state: 'decrypt-only' }] });
const ringBDisabledA = (): Keyring => Keyring.create({ keys: [{ id: 'B', secret: SECRET_B, state: 'active' }, { id: 'A', secret: SECRET_A, state: 'disabled' }] });
const ringB = (): Keyring => Keyring.create({ keys: [{ id: 'B', secret: SECRET_B }] });
const byEmail = { purpose: 'users.email', normalize: { trim: true, caseFold: true } };
const ROWS = 120;
const ctx = (id: number | string) => ({ table: 'users', column: 'email', id: String(id) });
const email = (id: number): string => `User.${id}@Example.com`;

/** One engine: the table, raw SQL access, and a store with the index column. */
interface Engine {
  exec(sql: string): Promise<void>;
  query(sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>>;
  store(): Promise<RowStore>;
  close(): Promise<void>;
}

async function sqliteEngine(): Promise<Engine> {
  const db = new Database(':memory:');
  return {
    async exec(sql) { db.exec(sql); },
    async query(sql, params) { return sql.startsWith('SELECT') ? (db.prepare(sql).all(...params) as Array<Record<string, unknown>>) : (db.prepare(sql).run(...params), []); },
    store: () => sqliteStore({ database: db, table: 'users', column: 'email', id: 'id', indexColumn: 'email_idx' }),
    async close() { db.close(); },
  };
}

async function pgliteEngine(): Promise<Engine> {
  const pg = new PGlite();
  // PostgreSQL placeholders are $1, $2...: the SQL below is written with ? and numbered here.
  const numbered = (sql: string): string => { let n = 0; return sql.replace(/\?/g, () => `$${++n}`); };
  return {
    async exec(sql) { await pg.exec(sql); },
    async query(sql, params) { return (await pg.query<Record<string, unknown>>(numbered(sql), params)).rows; },
    store: () => postgresStore({ client: pg, table: 'users', column: 'email', id: 'id', indexColumn: 'email_idx' }),
    async close() { await pg.close(); },
  };
}

const engines: Engine[] = [];
afterAll(async () => { for (const e of engines) await e.close(); });

async function seeded(make: () => Promise<Engine>): Promise<Engine> {
  const e = await make();
  engines.push(e);
  await e.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, email_idx TEXT)');
  const a = ringA();
  for (let id = 1; id <= ROWS; id++) await e.query('INSERT INTO users (id, email, email_idx) VALUES (?, ?, ?)', [id, a.encrypt(email(id), { context: ctx(id) }), a.blindIndex(email(id), byEmail)]);
  return e;
}

/** Looks every row up by its value (as a user would type it) and checks it is found, with the right plaintext. */
async function expectAllFound(e: Engine, ring: Keyring): Promise<void> {
  for (let id = 1; id <= ROWS; id += 1) {
    const candidates = ring.blindIndexCandidates(`  user.${id}@EXAMPLE.com `, byEmail);
    const rows = await e.query(`SELECT id, email FROM users WHERE email_idx IN (${candidates.map(() => '?').join(', ')})`, candidates);
    const found = rows.filter((r) => ring.decryptString(r['email'] as string, { context: ctx(r['id'] as number) }).toLowerCase() === email(id).toLowerCase());
    expect(found.map((r) => Number(r['id']))).toEqual([id]);
  }
}

describe.each([
  ['sqlite', sqliteEngine],
  ['pglite', pgliteEngine],
] as const)('blind index lookups through a rotation on %s', (_kind, make) => {
  it.each([
    ['on this thread', 0],
    ['on worker threads', 2],
  ] as const)('find every row before, during (between batches), after re-encryption and after the old key is disabled (%s)', async (_how, workers) => {
    const e = await seeded(make);
    await expectAllFound(e, ringA());
    const ring = ringAB();
    // The new key is active: rows still indexed under A are found through A's candidate.
    await expectAllFound(e, ring);
    const { reencryptAll } = (await import(DIST)) as Rotation;
    const inner = await e.store();
    let batches = 0;
    const a = ringA();
    const indexA = new Map(Array.from({ length: ROWS }, (_, i) => [i + 1, a.blindIndex(email(i + 1), byEmail)] as const));
    let mixed = 0; // batches after which the column held indexes under both keys
    const interleaved: RowStore = {
      target: inner.target!,
      count: (s) => inner.count(s),
      scan: (a, l, s) => inner.scan(a, l, s),
      async update(changes) {
        // Each change carries the new key's index with the value, written in the same compare-and-swap.
        for (const c of changes) expect(c.index).toBe(ringB().blindIndex(ring.decryptString(c.fresh as string, { context: ctx(c.id as number) }), byEmail));
        const done = await inner.update(changes);
        batches++;
        const underA = (await e.query('SELECT id, email_idx FROM users', [])).filter((r) => r['email_idx'] === indexA.get(Number(r['id']))).length;
        if (underA > 0 && underA < ROWS) mixed++;
        await expectAllFound(e, ring);
        return done;
      },
    };
    const result = await reencryptAll({ keyring: ring, store: interleaved, batchSize: 25, context: 'recommended', blindIndex: byEmail, workers });
    expect(result.counters).toMatchObject({ scanned: ROWS, reencrypted: ROWS, failed: 0, conflicts: 0 });
    expect(batches).toBe(Math.ceil(ROWS / 25));
    expect(mixed).toBe(batches - 1);
    await expectAllFound(e, ring);

    // The old key disabled: only the new key's index is a candidate, and it is the only one in the column.
    const after = ringBDisabledA();
    expect(after.blindIndexCandidates(email(1), byEmail)).toHaveLength(1);
    await expectAllFound(e, after);
    const b = ringB();
    for (const r of await e.query('SELECT id, email, email_idx FROM users', [])) {
      expect(inspect(r['email'] as string).keyId).toBe('B');
      expect(r['email_idx']).toBe(b.blindIndex(email(Number(r['id'])), byEmail));
    }
  }, 120_000);
});

describe('blind index options of the job and the lazy helper', () => {
  it('the job refuses blindIndex with a store that has no index column, and bad definitions', async () => {
    const { reencryptAll } = await import('../../src/rotation/index.js');
    const db = new Database(':memory:');
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, email_idx TEXT)');
    const plain = await sqliteStore({ database: db, table: 'users', column: 'email', id: 'id' });
    await expectKeyrollError(() => reencryptAll({ keyring: ringAB(), store: plain, blindIndex: byEmail }), 'ERR_INVALID_ARGUMENT');
    const indexed = await sqliteStore({ database: db, table: 'users', column: 'email', id: 'id', indexColumn: 'email_idx' });
    await expectKeyrollError(() => reencryptAll({ keyring: ringAB(), store: indexed, blindIndex: { purpose: '' } }), 'ERR_INVALID_ARGUMENT');
    await expectKeyrollError(() => sqliteStore({ database: db, table: 'users', column: 'email', id: 'id', indexColumn: 'email' }), 'ERR_INVALID_ARGUMENT');
    await expectKeyrollError(() => sqliteStore({ database: db, table: 'users', column: 'email', id: 'id', indexColumn: 'nope' }), 'ERR_STORE');
    await expectKeyrollError(() => sqliteStore({ database: db, table: 'users', column: 'email', id: 'id', indexColumn: 'x"; DROP' }), 'ERR_INVALID_ARGUMENT');
    db.close();
  });

  it('a change without an index keeps the index column as it was', async () => {
    const db = new Database(':memory:');
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, email_idx TEXT); INSERT INTO users VALUES (1, 'old', 'kept')");
    const store = await sqliteStore({ database: db, table: 'users', column: 'email', id: 'id', indexColumn: 'email_idx' });
    expect(await store.update([{ id: 1, previous: 'old', fresh: 'new' }])).toEqual([1]);
    expect(db.prepare('SELECT email, email_idx FROM users').get()).toEqual({ email: 'new', email_idx: 'kept' });
    // A compare-and-swap that misses writes neither the value nor the index.
    expect(await store.update([{ id: 1, previous: 'old', fresh: 'newer', index: 'other' }])).toEqual([]);
    expect(db.prepare('SELECT email, email_idx FROM users').get()).toEqual({ email: 'new', email_idx: 'kept' });
    db.close();
  });

  it('the lazy refresh hands swap the stale value\'s index under the active key (and none when current)', async () => {
    const stored = ringA().encrypt(email(7), { context: ctx(7) });
    const ring = ringAB();
    const seen: Array<string | undefined> = [];
    const read = await refreshOnRead(ring, stored, { context: ctx(7), blindIndex: byEmail, swap: (_fresh, _previous, index) => (seen.push(index), true) });
    expect(read.written).toBe(true);
    expect(read.index).toBe(ringB().blindIndex(email(7), byEmail));
    expect(seen).toEqual([read.index]);
    const current = await refreshOnRead(ring, read.fresh!, { context: ctx(7), blindIndex: byEmail, swap: () => true });
    expect(current.stale).toBe(false);
    expect(current.index).toBeUndefined();
    // Bytes that are not UTF-8 are indexed as bytes.
    const raw = new Uint8Array([0xff, 0xfe, 0x00]);
    const bin = ringA().encryptToBytes(raw);
    expect(readAndRefresh(ring, bin, { blindIndex: byEmail }).index).toBe(ringB().blindIndex(raw, byEmail));
  });
});
