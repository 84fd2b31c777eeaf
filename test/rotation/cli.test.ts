/** `keyroll reencrypt` and `keyroll demo`, run through the BUILT CLI (npm test builds first). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/index.js';
import { KEYRING_DOC, ctx, ringA, ringAB, ringX } from '../stores/helpers.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function cli(cwd: string, args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function setup(n: number): { dir: string; args: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'keyroll-cli-re-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'keyring.json'), JSON.stringify(KEYRING_DOC));
  const db = new Database(join(dir, 'app.db'));
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, token TEXT)');
  const ins = db.prepare('INSERT INTO users VALUES (?, ?)');
  const a = ringA();
  for (let id = 1; id <= n; id++) ins.run(id, a.encrypt(`t${id}`, { context: ctx(id) }));
  db.close();
  return { dir, args: ['--db', 'sqlite:app.db', '--table', 'users', '--column', 'token', '--id', 'id'] };
}

function rows(dir: string): Array<{ id: number; token: string }> {
  const db = new Database(join(dir, 'app.db'), { readonly: true });
  try {
    return db.prepare('SELECT id, token FROM users ORDER BY id').all() as Array<{ id: number; token: string }>;
  } finally {
    db.close();
  }
}

describe('keyroll reencrypt', () => {
  it('dry run counts per key id without a keyring; the job then moves every row and checkpoints', () => {
    const { dir, args } = setup(1200);
    const dry = cli(dir, ['reencrypt', ...args, '--dry-run', '--json']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ total: 1200, byKeyId: { A: 1200 }, notEnvelope: 0 });
    const run = cli(dir, ['reencrypt', ...args, '--keyring', 'keyring.json', '--context', 'table=users,column=token,id={id}', '--batch', '250', '--checkpoint', 'job.json']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('re-encrypted 1200');
    expect(run.stderr).toMatch(/reencrypt: 1,200\/1,200 rows \(100%\)/);
    expect(JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8'))).toMatchObject({ done: true, scope: 'users.token' });
    const ring = ringAB();
    for (const r of rows(dir)) {
      expect(inspect(r.token).keyId).toBe('B');
      expect(ring.decryptString(r.token, { context: ctx(r.id) })).toBe(`t${r.id}`);
    }
    const after = cli(dir, ['reencrypt', ...args, '--keyring', 'keyring.json', '--dry-run']);
    expect(after.stdout).toMatch(/1200 rows with a value\n\s+B\s+1200\n0 rows not under the active key/);
  });

  it('shards with --shard i/n, "recommended" context, failures by id with exit 1 and JSON', () => {
    const { dir, args } = setup(300);
    const db = new Database(join(dir, 'app.db'));
    db.prepare('UPDATE users SET token = ? WHERE id = 7').run(ringX().encrypt('x'));
    db.close();
    const outs = [0, 1].map((i) => cli(dir, ['reencrypt', ...args, '--keyring', 'keyring.json', '--context', 'recommended', '--shard', `${i}/2`, '--json']));
    const results = outs.map((o) => JSON.parse(o.stdout) as { total: number; reencrypted: number; failed: number; failures: Array<{ id: string; code: string }> });
    expect(results[0]!.total + results[1]!.total).toBe(300);
    expect(results[0]!.reencrypted + results[1]!.reencrypted).toBe(299);
    const failures = results.flatMap((r) => r.failures);
    expect(failures).toEqual([{ id: '7', code: 'ERR_UNKNOWN_KEY', keyId: 'X' }]);
    expect(outs.map((o) => o.status).sort()).toEqual([0, 1]);
  });

  it('--from-plaintext encrypts legacy plaintext rows; without it they are reported', () => {
    const { dir, args } = setup(20);
    const db = new Database(join(dir, 'app.db'));
    db.prepare("UPDATE users SET token = 'legacy-' || id WHERE id > 15").run();
    db.close();
    const strict = cli(dir, ['reencrypt', ...args, '--keyring', 'keyring.json', '--context', 'recommended', '--json']);
    expect(strict.status).toBe(1);
    expect(JSON.parse(strict.stdout)).toMatchObject({ failed: 5, reencrypted: 15 });
    const migrate = cli(dir, ['reencrypt', ...args, '--keyring', 'keyring.json', '--context', 'recommended', '--from-plaintext', '--json']);
    expect(migrate.status, migrate.stderr).toBe(0);
    expect(JSON.parse(migrate.stdout)).toMatchObject({ legacyPlaintext: 5, reencrypted: 5, current: 15, failed: 0 });
    const ring = ringAB();
    for (const r of rows(dir)) expect(ring.decryptString(r.token, { context: ctx(r.id) })).toBe(r.id > 15 ? `legacy-${r.id}` : `t${r.id}`);
  });

  it('bad usage exits 2 with a clear message; bad identifiers never reach SQL', () => {
    const { dir, args } = setup(3);
    expect(cli(dir, ['reencrypt', '--db', 'sqlite:app.db']).status).toBe(2);
    expect(cli(dir, ['reencrypt', ...args, '--keyring', 'keyring.json', '--shard', '2/2']).stderr).toMatch(/--shard/);
    expect(cli(dir, ['reencrypt', ...args, '--keyring', 'keyring.json', '--batch', '0']).status).toBe(2);
    expect(cli(dir, ['reencrypt', ...args, '--keyring', 'keyring.json', '--context', 'id={']).status).toBe(2);
    const bad = cli(dir, ['reencrypt', '--db', 'sqlite:app.db', '--table', 'users;drop', '--column', 'token', '--id', 'id', '--dry-run']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/keyroll reencrypt: table name "users;drop" is not a plain identifier/);
    for (const db of ['mysql://x', 'sqlite:', 'postgres:x']) {
      const scheme = cli(dir, ['reencrypt', '--db', db, '--table', 'users', '--column', 'token', '--id', 'id', '--dry-run']);
      expect(scheme.status, db).toBe(2);
      expect(scheme.stderr).toMatch(/--db: the database URL must be sqlite:PATH, postgres:\/\//);
    }
    expect(cli(dir, ['reencrypt', '--db', 'sqlite:app.db', '--db-env', 'DB', '--table', 'users', '--column', 'token', '--id', 'id', '--dry-run']).status).toBe(2);
    expect(cli(dir, ['reencrypt', '--db-env', 'NOT_SET', '--table', 'users', '--column', 'token', '--id', 'id', '--dry-run']).stderr).toMatch(/NOT_SET \(named by --db-env\) is not set/);
    expect(rows(dir).every((r) => inspect(r.token).keyId === 'A')).toBe(true);
  });

  it('no secret on the command line: --db-env NAME, or postgres: with the PG* variables', () => {
    const { dir } = setup(3);
    const table = ['--table', 'users', '--column', 'token', '--id', 'id'];
    const viaEnv = cli(dir, ['reencrypt', '--db-env', 'APP_DB', ...table, '--dry-run', '--json'], { APP_DB: 'sqlite:app.db' });
    expect(viaEnv.status, viaEnv.stderr).toBe(0);
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({ total: 3 });
    // node-postgres reads PGHOST and PGPORT itself: the refused connection names them, and never the password.
    const pgEnv = { PGHOST: '127.0.0.1', PGPORT: '1', PGUSER: 'app', PGPASSWORD: 'pg-secret-password', PGDATABASE: 'app' };
    for (const db of ['postgres:', 'postgresql://']) {
      const r = cli(dir, ['reencrypt', '--db', db, ...table, '--dry-run'], pgEnv);
      expect(r.status, db).toBe(1);
      expect(r.stderr).toMatch(/ERR_IO: PostgreSQL: .*127\.0\.0\.1:1/);
      expect(r.stderr).not.toContain('pg-secret-password');
    }
  });

  it('a missing table or a non-unique id column is a keyroll error with a code (exit 1)', () => {
    const { dir, args } = setup(2);
    const missing = cli(dir, ['reencrypt', ...args.slice(0, 2), '--table', 'nope', '--column', 'token', '--id', 'id', '--dry-run']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^keyroll reencrypt: ERR_STORE: table nope does not exist/);
    const db = new Database(join(dir, 'app.db'));
    db.exec('CREATE TABLE loose (id INTEGER, token TEXT)');
    db.close();
    const loose = cli(dir, ['reencrypt', ...args.slice(0, 2), '--table', 'loose', '--column', 'token', '--id', 'id', '--keyring', 'keyring.json']);
    expect(loose.status).toBe(1);
    expect(loose.stderr).toMatch(/ERR_STORE: column id of table loose is neither the primary key nor UNIQUE/);
  });

  it('works on PostgreSQL (PGlite data dir) with the same flags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyroll-cli-pg-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'keyring.json'), JSON.stringify(KEYRING_DOC));
    const { PGlite } = await import('@electric-sql/pglite');
    const pg = new PGlite(join(dir, 'pg'));
    await pg.exec('CREATE TABLE users (id bigint PRIMARY KEY, token text)');
    for (let id = 1; id <= 40; id++) await pg.query('INSERT INTO users VALUES ($1, $2)', [id, ringA().encrypt(`t${id}`, { context: ctx(id) })]);
    await pg.close();
    const r = cli(dir, ['reencrypt', '--db', 'pglite:pg', '--table', 'users', '--column', 'token', '--id', 'id', '--keyring', 'keyring.json', '--context', 'recommended', '--batch', '15', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ total: 40, reencrypted: 40, failed: 0 });
  }, 60_000);
});

describe('keyroll demo', () => {
  it('runs a whole rotation and checks every row', () => {
    const r = cli(tmpdir(), ['demo', '--rows', '800', '--reads', '100']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Checked every row: 800 of 800 decrypt to their original value under key-b.');
    expect(r.stdout).toMatch(/after the job:\n\s+key-b\s+800\n/);
  });
});
