/** `keyroll remove`/`disable` check the data first; `add --activate-in`; `postpone`; assertUnused. Built CLI. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Keyring, generateKey } from '../../src/index.js';
import { assertUnused, countKeyUse } from '../../src/rotation/index.js';
import { sqliteStore } from '../../src/stores/sqlite.js';
import { fails, ok, snapshot, workdir } from '../cli/helpers.js';

const DB = ['--db', 'sqlite:app.db', '--table', 'users', '--column', 'token', '--column', 'note'];

/** k1 (decrypt-only) and k2 (active); `old` rows under k1 in token, one k1 row in note. */
function setup(old: number): { dir: string; file: string } {
  const dir = workdir();
  const file = join(dir, 'keyring.json');
  ok(dir, ['init', '--keyring', 'keyring.json', '--id', 'k1']);
  const k1 = Keyring.fromJSON(readFileSync(file, 'utf8'));
  ok(dir, ['add', 'k2', '--keyring', 'keyring.json', '--generate', '--activate']);
  const k2 = Keyring.fromJSON(readFileSync(file, 'utf8'));
  const db = new Database(join(dir, 'app.db'));
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, token TEXT, note TEXT)');
  const ins = db.prepare('INSERT INTO users VALUES (?, ?, ?)');
  for (let id = 1; id <= 10; id++) ins.run(id, (id <= old ? k1 : k2).encrypt(`t${id}`), id === 1 && old > 0 ? k1.encrypt('n') : null);
  db.close();
  return { dir, file };
}

describe('remove and disable check the data', () => {
  it('refuse while rows remain under the key, print the count, and leave the keyring alone', () => {
    const { dir } = setup(4);
    const before = snapshot(dir);
    const r = fails(dir, ['remove', 'k1', '--keyring', 'keyring.json', ...DB], 1, /ERR_KEY_IN_USE: 5 stored values still name key "k1" \(users\.token: 4, users\.note: 1\)/);
    expect(r.stdout).toBe('');
    fails(dir, ['disable', 'k1', '--keyring', 'keyring.json', ...DB], 1, /ERR_KEY_IN_USE: 5 stored values still name key "k1"/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('go ahead when no row names the key', () => {
    const { dir, file } = setup(0);
    const out = ok(dir, ['disable', 'k1', '--keyring', 'keyring.json', ...DB]);
    expect(out).toMatch(/key "k1" is now disabled/);
    ok(dir, ['remove', 'k1', '--keyring', 'keyring.json', ...DB]);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { version: number; removed: Array<{ id: string }> };
    expect(doc.version).toBe(2);
    expect(doc.removed.map((r) => r.id)).toEqual(['k1']);
  });

  it('without a database they ask for --force and say why; --force overrides a count with a warning', () => {
    const { dir, file } = setup(4);
    fails(dir, ['remove', 'k1', '--keyring', 'keyring.json'], 2, /cannot check that no stored value still needs key "k1" \(values under a removed key can never be read again\)/);
    fails(dir, ['disable', 'k1', '--keyring', 'keyring.json'], 2, /fail with ERR_KEY_DISABLED until it is retired again/);
    fails(dir, ['disable', 'k1', '--keyring', 'keyring.json', '--table', 'users'], 2, /need --db URL or --db-env NAME/);
    fails(dir, ['disable', 'k1', '--keyring', 'keyring.json', '--db', 'sqlite:app.db', '--table', 'a', '--table', 'b', '--column', 'c', '--column', 'd', '--column', 'e'], 2, /one --table for every column/);
    const r = ok(dir, ['disable', 'k1', '--keyring', 'keyring.json', ...DB, '--force']);
    expect(r).toMatch(/now disabled/);
    expect(Keyring.fromJSON(readFileSync(file, 'utf8')).get('k1')?.state).toBe('disabled');
  });

  it('--db-env reads the URL from the environment', () => {
    const { dir } = setup(2);
    fails(dir, ['remove', 'k1', '--keyring', 'keyring.json', '--db-env', 'APP_DB', '--table', 'users', '--column', 'token'], 1, /2 stored values still name key "k1"/, { env: { APP_DB: 'sqlite:app.db' } });
    fails(dir, ['remove', 'k1', '--keyring', 'keyring.json', '--db-env', 'APP_DB', '--table', 'users', '--column', 'token'], 2, /APP_DB .* is not set/);
  });
});

describe('assertUnused', () => {
  it('counts stores and counting callbacks; refuses the active and pending keys', async () => {
    const { dir, file } = setup(3);
    const ring = Keyring.fromJSON(readFileSync(file, 'utf8'));
    const store = await sqliteStore({ database: join(dir, 'app.db'), table: 'users', column: 'token', id: 'id' });
    try {
      await expect(assertUnused(ring, 'k1', [store, { label: 'cache', count: () => 2 }])).rejects.toMatchObject({ code: 'ERR_KEY_IN_USE', keyId: 'k1', message: expect.stringMatching(/5 stored values .*users\.token: 3, cache: 2/) });
      await expect(assertUnused(ring, 'k2', [])).rejects.toMatchObject({ code: 'ERR_KEY_IN_USE', message: expect.stringMatching(/active key/) });
      const pending = ring.add(generateKey({ id: 'k3' }), { activatesIn: '1h' });
      await expect(assertUnused(pending, 'k3', [])).rejects.toMatchObject({ code: 'ERR_KEY_IN_USE', message: expect.stringMatching(/pending key/) });
      expect((await assertUnused(ring, 'k9', [store, async () => 0])).total).toBe(0);
      expect((await countKeyUse('k2', [store])).total).toBe(7);
      await expect(countKeyUse('k1', [() => -1])).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      await expect(countKeyUse('k1', [{} as never])).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    } finally {
      await store.close();
    }
  });
});

describe('activation times from the CLI', () => {
  it('add --activate-in prints the absolute time and what is left; too soon is refused unless lowered or forced', () => {
    const dir = workdir();
    const file = join(dir, 'keyring.json');
    ok(dir, ['init', '--keyring', 'keyring.json', '--id', 'k1']);
    const before = Date.now();
    const out = ok(dir, ['add', 'k2', '--keyring', 'keyring.json', '--generate', '--activate-in', '1h']);
    expect(out).toMatch(/added key "k2" \(pending: activates at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(in (59m \d+s|1h)\)\)/);
    const at = Date.parse(Keyring.fromJSON(readFileSync(file, 'utf8')).keys().find((k) => k.id === 'k2')!.activatesAt!);
    expect(at - before).toBeGreaterThanOrEqual(3_600_000);
    expect(at - before).toBeLessThan(3_600_000 + 60_000);
    const snap = snapshot(dir);
    fails(dir, ['add', 'k3', '--keyring', 'keyring.json', '--generate', '--activate-in', '2m'], 2, /only 2m from now, under the minimum delay of 5m: .*rollout, the slowest reload, clock skew/);
    fails(dir, ['add', 'k3', '--keyring', 'keyring.json', '--generate', '--activate-in', 'soon'], 2, /--activate-in must be a duration/);
    fails(dir, ['add', 'k3', '--keyring', 'keyring.json', '--generate', '--activate-in', '1h', '--activate'], 2, /one of --activate, --activate-in and --activate-at/);
    fails(dir, ['add', 'k3', '--keyring', 'keyring.json', '--generate', '--activate-at', '2030-01-01T00:00:00'], 2, /RFC 3339 time with an offset/);
    fails(dir, ['add', 'k3', '--keyring', 'keyring.json', '--generate', '--force'], 2, /apply to --activate-in and --activate-at/);
    expect(snapshot(dir)).toEqual(snap);
    ok(dir, ['add', 'k3', '--keyring', 'keyring.json', '--generate', '--activate-in', '2m', '--min-delay', '1m']);
    ok(dir, ['add', 'k4', '--keyring', 'keyring.json', '--generate', '--activate-in', '10s', '--force']);
  });

  it('postpone moves a pending key by a duration or to a time, and refuses what it cannot do', () => {
    const dir = workdir();
    const file = join(dir, 'keyring.json');
    ok(dir, ['init', '--keyring', 'keyring.json', '--id', 'k1']);
    ok(dir, ['add', 'k2', '--keyring', 'keyring.json', '--generate', '--activate-at', '2099-01-01T00:00:00Z']);
    const out = ok(dir, ['postpone', 'k2', '--keyring', 'keyring.json', '--by', '30m']);
    expect(out).toMatch(/key "k2" now activates at 2099-01-01T00:30:00.000Z \(in .*\) \(was 2099-01-01T00:00:00.000Z\)/);
    ok(dir, ['postpone', 'k2', '--keyring', 'keyring.json', '--to', '2098-06-01T12:00:00+02:00']);
    expect(Keyring.fromJSON(readFileSync(file, 'utf8')).get('k2')?.activatesAt?.toISOString()).toBe('2098-06-01T10:00:00.000Z');
    fails(dir, ['postpone', 'k1', '--keyring', 'keyring.json', '--by', '1h'], 2, /key "k1" is active, not pending/);
    fails(dir, ['postpone', 'k2', '--keyring', 'keyring.json'], 2, /exactly one of --by and --to/);
    fails(dir, ['postpone', 'k2', '--keyring', 'keyring.json', '--to', '2001-01-01T00:00:00Z'], 2, /already passed/);
  });

  it('re-adding a removed id with a different secret is refused unless --reuse-removed-id', () => {
    const dir = workdir();
    const file = join(dir, 'keyring.json');
    ok(dir, ['init', '--keyring', 'keyring.json', '--id', 'k1']);
    ok(dir, ['add', 'k2', '--keyring', 'keyring.json', '--generate']);
    const k2 = (JSON.parse(readFileSync(file, 'utf8')) as { keys: Array<{ id: string; secret: string; encoding: string }> }).keys.find((k) => k.id === 'k2')!;
    ok(dir, ['remove', 'k2', '--keyring', 'keyring.json', '--force']);
    fails(dir, ['add', 'k2', '--keyring', 'keyring.json', '--generate'], 1, /ERR_INVALID_KEYRING: key id "k2" was removed at .* with a different secret/);
    ok(dir, ['add', 'k2', '--keyring', 'keyring.json', '--secret-stdin', '--encoding', k2.encoding], { input: k2.secret });
    ok(dir, ['remove', 'k2', '--keyring', 'keyring.json', '--force']);
    ok(dir, ['add', 'k2', '--keyring', 'keyring.json', '--generate', '--reuse-removed-id']);
  });
});
