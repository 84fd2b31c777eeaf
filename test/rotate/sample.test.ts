/** `keyroll reencrypt` samples rows before writing: values written with a context need --context. Built CLI. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { KEYRING_DOC, ctx, ringA } from '../stores/helpers.js';
import { fails, ok, run, snapshot, workdir } from '../cli/helpers.js';

const ARGS = ['--db', 'sqlite:app.db', '--table', 'users', '--column', 'token', '--id', 'id', '--keyring', 'keyring.json'];

function setup(withContext: (id: number) => boolean): string {
  const dir = workdir();
  writeFileSync(join(dir, 'keyring.json'), JSON.stringify(KEYRING_DOC), { mode: 0o600 });
  const db = new Database(join(dir, 'app.db'));
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, token TEXT)');
  const a = ringA();
  const ins = db.prepare('INSERT INTO users VALUES (?, ?)');
  for (let id = 1; id <= 40; id++) ins.run(id, withContext(id) ? a.encrypt(`t${id}`, { context: ctx(id) }) : a.encrypt(`t${id}`));
  db.close();
  return dir;
}

describe('reencrypt samples before writing', () => {
  it('stops when every sampled row fails without a context, and names --context recommended when it fits', () => {
    const dir = setup(() => true);
    const before = snapshot(dir);
    const r = fails(dir, ['reencrypt', ...ARGS], 1, /ERR_DECRYPT_FAILED: stopped before writing: all 20 sampled rows failed to decrypt without a context.*--context recommended: run again with it/);
    expect(r.stdout).toBe('');
    expect(snapshot(dir)).toEqual(before);
    expect(ok(dir, ['reencrypt', ...ARGS, '--context', 'recommended'])).toMatch(/re-encrypted 40, already current 0, failed 0/);
  });

  it('goes on when some sampled rows open (the failures are reported by id as before)', () => {
    const dir = setup((id) => id % 2 === 0);
    const r = run(dir, ['reencrypt', ...ARGS]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/re-encrypted 20, already current 0, failed 20/);
  });

  it('does not sample when a context is given or on a dry run', () => {
    const dir = setup(() => false);
    expect(ok(dir, ['reencrypt', ...ARGS, '--dry-run'])).toMatch(/40 rows with a value/);
    expect(ok(dir, ['reencrypt', ...ARGS])).toMatch(/re-encrypted 40/);
  });
});
