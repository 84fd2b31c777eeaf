/**
 * Test harnesses over real databases: SQLite (better-sqlite3) and
 * PostgreSQL (PGlite), with the same small surface so every guarantee runs
 * on both.
 * @module
 */
import Database from 'better-sqlite3';
import { PGlite } from '@electric-sql/pglite';
import { Keyring } from '../../src/keyring/index.js';
import type { RowStore } from '../../src/rotation/index.js';
import { sqliteStore } from '../../src/stores/sqlite.js';
import { postgresStore } from '../../src/stores/postgres.js';

export type Value = string | Uint8Array | null;
export type Id = number | string;

/** Key A (old), B (new, active), D (disabled): fixed secrets so child processes agree. */
export const KEYRING_DOC = {
  format: 'keyroll.keyring',
  version: 1,
  keys: [
    { id: 'B', state: 'active', secret: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', encoding: 'utf8' },
    { id: 'A', state: 'decrypt-only', secret: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', encoding: 'utf8' },
    { id: 'D', state: 'disabled', secret: 'dddddddddddddddddddddddddddddddd', encoding: 'utf8' },
  ],
};
export const ringAB = (): Keyring => Keyring.fromJSON(KEYRING_DOC);
export const ringA = (): Keyring => Keyring.create({ keys: [{ id: 'A', secret: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }] });
export const ringD = (): Keyring => Keyring.create({ keys: [{ id: 'D', secret: 'dddddddddddddddddddddddddddddddd' }] });
export const ringX = (): Keyring => Keyring.create({ keys: [{ id: 'X', secret: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }] });
export const ctx = (id: Id): Record<string, string> => ({ table: 'users', column: 'token', id: String(id) });

export interface Harness {
  readonly kind: 'sqlite' | 'pglite';
  store(options?: { columns?: string[]; column?: string; table?: string }): Promise<RowStore>;
  insert(rows: ReadonlyArray<readonly [Id, Value]>): Promise<void>;
  set(id: Id, value: Value): Promise<void>;
  all(column?: string): Promise<Map<string, Value>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly idType?: 'int' | 'text';
  readonly valueType?: 'text' | 'bytes';
  /** File path (SQLite) or data dir (PGlite); default in memory. */
  readonly location?: string;
}

export async function sqliteHarness(options: HarnessOptions = {}): Promise<Harness> {
  const db = new Database(options.location ?? ':memory:');
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS users (id ${options.idType === 'text' ? 'TEXT' : 'INTEGER'} PRIMARY KEY, token ${options.valueType === 'bytes' ? 'BLOB' : 'TEXT'}, email TEXT)`);
  const bind = (v: Value): unknown => (v instanceof Uint8Array ? Buffer.from(v) : v);
  return {
    kind: 'sqlite',
    store: (o = {}) => sqliteStore({ database: db, table: o.table ?? 'users', column: o.column ?? 'token', id: 'id', ...(o.columns ? { columns: o.columns } : {}) }),
    async insert(rows) {
      const ins = db.prepare('INSERT INTO users (id, token, email) VALUES (?, ?, ?)');
      db.transaction(() => rows.forEach(([id, v]) => ins.run(id, bind(v), `u${id}@example.com`)))();
    },
    async set(id, value) {
      db.prepare('UPDATE users SET token = ? WHERE id = ?').run(bind(value), id);
    },
    async all() {
      const rows = db.prepare('SELECT id, token FROM users ORDER BY id').all() as Array<{ id: Id; token: Value }>;
      return new Map(rows.map((r) => [String(r.id), r.token instanceof Uint8Array ? new Uint8Array(r.token) : r.token]));
    },
    async close() {
      db.close();
    },
  };
}

let shared: PGlite | undefined;

/** PGlite takes seconds to start: in-memory harnesses share one instance and recreate the table. */
export async function pgliteHarness(options: HarnessOptions = {}): Promise<Harness> {
  const own = options.location !== undefined;
  const pg = own ? new PGlite(options.location) : (shared ??= new PGlite());
  if (!own) await pg.exec('DROP TABLE IF EXISTS users');
  await pg.exec(`CREATE TABLE IF NOT EXISTS users (id ${options.idType === 'text' ? 'text' : 'bigint'} PRIMARY KEY, token ${options.valueType === 'bytes' ? 'bytea' : 'text'}, email text)`);
  return {
    kind: 'pglite',
    store: (o = {}) => postgresStore({ client: pg, table: o.table ?? 'users', column: o.column ?? 'token', id: 'id', ...(o.columns ? { columns: o.columns } : {}) }),
    async insert(rows) {
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        await pg.query('INSERT INTO users (id, token, email) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS t(a, b, c)'.replace('$2::text[]', options.valueType === 'bytes' ? '$2::bytea[]' : '$2::text[]').replace('SELECT *', `SELECT a::${options.idType === 'text' ? 'text' : 'bigint'}, b, c`), [
          chunk.map(([id]) => String(id)),
          chunk.map(([, v]) => v),
          chunk.map(([id]) => `u${id}@example.com`),
        ]);
      }
    },
    async set(id, value) {
      await pg.query('UPDATE users SET token = $1 WHERE id = $2', [value, id]);
    },
    async all() {
      const res = await pg.query<{ id: Id; token: Value }>('SELECT id, token FROM users ORDER BY id');
      return new Map(res.rows.map((r) => [String(r.id), r.token]));
    },
    async close() {
      if (own) await pg.close();
    },
  };
}

export const HARNESSES = [
  ['sqlite', sqliteHarness],
  ['pglite', pgliteHarness],
] as const;
