import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Keyring, KeyrollError } from '../../src/index.js';
import { countKeyIds } from '../../src/rotation/index.js';
import { sqliteStore } from '../../src/stores/sqlite.js';

/** The LIKE pattern docs/format.md gives for "every value under key `id`": `_` and `%` escaped with `!`. */
const likePrefix = (id: string): string => `kr1.${id.replace(/[!_%]/g, (c) => `!${c}`)}.%`;

describe('counting values per key id in SQL', () => {
  it('k_1 and kx1: the escaped LIKE and the dry run count each id exactly', async () => {
    const ring = Keyring.create({ keys: [{ id: 'k_1', secret: 'a'.repeat(32), state: 'active' }, { id: 'kx1', secret: 'b'.repeat(32) }] });
    const other = Keyring.create({ keys: [{ id: 'kx1', secret: 'b'.repeat(32) }] });
    const db = new Database(':memory:');
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, token TEXT)');
    const insert = db.prepare('INSERT INTO users (token) VALUES (?)');
    for (let i = 0; i < 3; i++) insert.run(ring.encrypt(`a${i}`));
    for (let i = 0; i < 2; i++) insert.run(other.encrypt(`b${i}`));
    const count = (sql: string, pattern: string) => (db.prepare(sql).get(pattern) as { n: number }).n;
    // Unescaped, `_` matches any character: k_1 would count kx1's rows too.
    expect(count('SELECT count(*) AS n FROM users WHERE token LIKE ?', 'kr1.k_1.%')).toBe(5);
    expect(count("SELECT count(*) AS n FROM users WHERE token LIKE ? ESCAPE '!'", likePrefix('k_1'))).toBe(3);
    expect(count("SELECT count(*) AS n FROM users WHERE token LIKE ? ESCAPE '!'", likePrefix('kx1'))).toBe(2);
    // The KeyUseCounter example of keyroll/rotation: the id as a parameter, escaped in SQL.
    const byId = "SELECT count(*) AS n FROM users WHERE token LIKE 'kr1.' || replace(?, '_', '!_') || '.%' ESCAPE '!'";
    expect([count(byId, 'k_1'), count(byId, 'kx1')]).toEqual([3, 2]);
    const store = await sqliteStore({ database: db, table: 'users', column: 'token', id: 'id' });
    const dry = await countKeyIds({ store, keyring: ring });
    expect(Object.fromEntries(dry.byKeyId)).toEqual({ k_1: 3, kx1: 2 });
    expect(dry.stale).toBe(2); // the kx1 rows: an undated key counts as older than the active one
    db.close();
  });

  it('a keyring refuses two ids that differ only in letter case', () => {
    const make = () => Keyring.create({ keys: [{ id: 'k1', secret: 'a'.repeat(32), state: 'active' }, { id: 'K1', secret: 'b'.repeat(32) }] });
    expect(make).toThrow(KeyrollError);
    expect(make).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEYRING', message: expect.stringMatching(/"k1" and key "K1" differ only in letter case/) }));
    const ring = Keyring.create({ keys: [{ id: 'k1', secret: 'a'.repeat(32) }] });
    expect(() => ring.add({ id: 'K1', secret: 'b'.repeat(32) })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEYRING' }));
  });
});
