import Database from 'better-sqlite3';
import { PGlite } from '@electric-sql/pglite';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { describe, expect, it } from 'vitest';
import { KeyrollError } from '../../src/index.js';
import { reencryptAll, type RowStore } from '../../src/rotation/index.js';
import { sqliteStore } from '../../src/stores/sqlite.js';
import { postgresStore } from '../../src/stores/postgres.js';
import { ringA, ringAB } from './helpers.js';

const TARGET = { table: 'users', column: 'token', id: 'id' };

async function storeError(open: () => Promise<unknown>): Promise<KeyrollError> {
  const err = await open().then(() => undefined, (e: unknown) => e);
  expect(KeyrollError.is(err)).toBe(true);
  return err as KeyrollError;
}

describe('compare-and-swap compares bytes, whatever the collation', () => {
  it('SQLite: a NOCASE column does not let the job overwrite a concurrent ALICE with what it read as alice', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, token TEXT COLLATE NOCASE)');
    db.prepare('INSERT INTO users VALUES (1, ?)').run('alice');
    const store = await sqliteStore({ ...TARGET, database: db });
    db.prepare('UPDATE users SET token = ? WHERE id = 1').run('ALICE'); // a concurrent writer
    expect(await store.update([{ id: 1, previous: 'alice', fresh: 'kr1.B.x' }])).toEqual([]);
    expect(db.prepare('SELECT token FROM users').pluck().get()).toBe('ALICE');
    expect(await store.update([{ id: 1, previous: 'ALICE', fresh: 'kr1.B.x' }])).toEqual([1]);
    db.close();
  });

  const pgCases: Array<[string, string, string]> = [
    ['citext', 'CREATE EXTENSION citext', 'citext'],
    ['a nondeterministic ICU collation', "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)", 'text COLLATE ci'],
  ];
  for (const [what, setup, type] of pgCases) {
    it(`PostgreSQL (PGlite): ${what} does not let ALICE match alice`, async (test) => {
      const pg = new PGlite({ extensions: { citext } });
      try {
        await pg.exec(`${setup}; CREATE TABLE users (id int PRIMARY KEY, token ${type})`);
        // The column really is case-insensitive, so the old `token = $prev` would have matched.
        expect((await pg.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE token = 'x'")).rows[0]!.n).toBe(0);
        await pg.query("INSERT INTO users VALUES (1, 'ALICE')");
        const matches = (await pg.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE token = 'alice'")).rows[0]!.n;
        // PGlite accepts an ICU collation but may compare deterministically (no ICU data): nothing to prove then.
        if (matches === 0 && type !== 'citext') test.skip();
        expect(matches).toBe(1);
        const store = await postgresStore({ ...TARGET, client: pg });
        expect(await store.update([{ id: 1, previous: 'alice', fresh: 'kr1.B.x' }])).toEqual([]);
        expect((await pg.query<{ token: string }>('SELECT token FROM users')).rows[0]!.token).toBe('ALICE');
        expect(await store.update([{ id: 1, previous: 'ALICE', fresh: 'kr1.B.x' }])).toEqual([1]);
      } finally {
        await pg.close();
      }
    }, 120_000);
  }
});

describe('the id column must be the primary key or UNIQUE on its own', () => {
  const refused = ['CREATE TABLE users (id INTEGER, token TEXT)', 'CREATE TABLE users (id INTEGER, k INTEGER, token TEXT, PRIMARY KEY (id, k))', 'CREATE TABLE users (id INTEGER, token TEXT); CREATE UNIQUE INDEX u ON users (id) WHERE id > 0'];
  const accepted = ['CREATE TABLE users (id INTEGER PRIMARY KEY, token TEXT)', 'CREATE TABLE users (id TEXT PRIMARY KEY, token TEXT) WITHOUT ROWID', 'CREATE TABLE users (n INTEGER PRIMARY KEY, id TEXT UNIQUE, token TEXT)', 'CREATE TABLE users (id TEXT, token TEXT); CREATE UNIQUE INDEX u ON users (id)'];
  it('SQLite', async () => {
    for (const sql of [...refused, ...accepted]) {
      const db = new Database(':memory:');
      db.exec(sql);
      const opened = sqliteStore({ ...TARGET, database: db });
      if (accepted.includes(sql)) await opened;
      else expect((await storeError(() => opened)).code, sql).toBe('ERR_STORE');
      db.close();
    }
  });

  it('PostgreSQL (PGlite)', async () => {
    const pg = new PGlite();
    try {
      const tables = ['CREATE TABLE a (id int, token text)', 'CREATE TABLE b (id int, k int, token text, PRIMARY KEY (id, k))', 'CREATE TABLE c (id int, token text); CREATE UNIQUE INDEX cu ON c (id) WHERE id > 0', 'CREATE TABLE d (id int PRIMARY KEY, token text)', 'CREATE TABLE e (n int PRIMARY KEY, id text UNIQUE, token text)'];
      await pg.exec(tables.join('; '));
      for (const table of ['a', 'b', 'c']) {
        const err = await storeError(() => postgresStore({ ...TARGET, table, client: pg }));
        expect(err.code, table).toBe('ERR_STORE');
        expect(err.message).toMatch(/neither the primary key nor UNIQUE/);
      }
      for (const table of ['d', 'e']) await postgresStore({ ...TARGET, table, client: pg });
    } finally {
      await pg.close();
    }
  }, 120_000);

  it('a missing table or column is ERR_STORE on both', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, token TEXT)');
    expect(await storeError(() => sqliteStore({ ...TARGET, table: 'nope', database: db }))).toMatchObject({ code: 'ERR_STORE', message: expect.stringMatching(/table nope does not exist/) });
    expect(await storeError(() => sqliteStore({ ...TARGET, column: 'nope', database: db }))).toMatchObject({ code: 'ERR_STORE', message: expect.stringMatching(/has no column nope/) });
    expect(await storeError(() => sqliteStore({ ...TARGET, columns: ['email'], database: db }))).toMatchObject({ code: 'ERR_STORE', message: expect.stringMatching(/has no column email/) });
    db.close();
    const pg = new PGlite();
    try {
      await pg.exec('CREATE TABLE users (id int PRIMARY KEY, token text)');
      expect(await storeError(() => postgresStore({ ...TARGET, table: 'nope', client: pg }))).toMatchObject({ code: 'ERR_STORE', message: expect.stringMatching(/table nope does not exist/) });
      expect(await storeError(() => postgresStore({ ...TARGET, column: 'nope', client: pg }))).toMatchObject({ code: 'ERR_STORE', message: expect.stringMatching(/has no column nope/) });
    } finally {
      await pg.close();
    }
  }, 120_000);
});

describe('the job fails when it scanned fewer rows than it counted', () => {
  it('SQLite: a NULL key in a TEXT PRIMARY KEY stops the keyset walk; the job says so instead of reporting success', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE users (id TEXT PRIMARY KEY, token TEXT)'); // SQLite lets such a key be NULL
    const a = ringA();
    db.prepare('INSERT INTO users VALUES (?, ?)').run(null, a.encrypt('n'));
    for (const id of ['a', 'b', 'c']) db.prepare('INSERT INTO users VALUES (?, ?)').run(id, a.encrypt(id));
    const store = await sqliteStore({ ...TARGET, database: db });
    const err = await storeError(() => reencryptAll({ keyring: ringAB(), store, batchSize: 1 }));
    expect(err.code).toBe('ERR_STORE');
    expect(err.message).toMatch(/counted 4 rows with a value but scanned only 1/);
    db.close();
  });

  it('any store whose scan misses rows it counted (rows deleted meanwhile)', async () => {
    const rows = [1, 2, 3, 4, 5].map((id) => ({ id, value: ringA().encrypt(`v${id}`), fields: new Map() }));
    const store: RowStore = {
      count: async () => 5,
      scan: async (after, limit) => rows.filter((r) => r.id !== 3 && (after === undefined || r.id > Number(after))).slice(0, limit),
      update: async (changes) => changes.map((c) => c.id),
    };
    expect((await storeError(() => reencryptAll({ keyring: ringAB(), store, batchSize: 2 }))).message).toMatch(/counted 5 rows with a value but scanned only 4/);
    rows.splice(2, 1);
    const ok = await reencryptAll({ keyring: ringAB(), store: { ...store, count: async () => 4 }, batchSize: 2 });
    expect(ok.counters.scanned).toBe(4);
  });
});
