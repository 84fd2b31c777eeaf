/**
 * `keyroll rotate start/finish` killed with SIGKILL after every durable
 * step: the keyring on disk still decrypts every row, and a rerun finishes
 * the rotation. The kills come from a test build of the CLI (test/helpers/sigkill.ts);
 * the shipped CLI has no such hook.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { Keyring, inspect, sealedGeneration } from '../../src/index.js';
import { ok, workdir } from '../cli/helpers.js';
import { buildCrashCli, crashCli } from '../helpers/sigkill.js';

const ROWS = 450;
const K1 = 'k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1';
const K2 = 'k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2';
const DATA = ['--db', 'sqlite:app.db', '--table', 'users', '--column', 'token', '--context', 'recommended', '--batch', '100'];
const ctx = (id: number) => ({ table: 'users', column: 'token', id: String(id) });

beforeAll(buildCrashCli, 60_000);

const crash = crashCli;

/** k1 active and k2 pending since a minute ago (the activation has passed), ROWS rows under k1. */
function setup(): string {
  const dir = workdir();
  const at = new Date(Date.now() - 60_000).toISOString();
  const doc = { format: 'keyroll.keyring', version: 1, keys: [
    { id: 'k1', state: 'active', secret: K1, encoding: 'utf8' },
    { id: 'k2', state: 'pending', activatesAt: at, secret: K2, encoding: 'utf8' },
  ] };
  writeFileSync(join(dir, 'keyring.json'), JSON.stringify(doc), { mode: 0o600 });
  const ring = Keyring.create({ keys: [{ id: 'k1', secret: K1 }] });
  const db = new Database(join(dir, 'app.db'));
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, token TEXT)');
  const ins = db.prepare('INSERT INTO users VALUES (?, ?)');
  db.transaction(() => { for (let id = 1; id <= ROWS; id++) ins.run(id, ring.encrypt(`plain-${id}`, { context: ctx(id) })); })();
  db.close();
  return dir;
}

/** The keyring on disk decrypts every row to its original plaintext; returns the rows per key id. */
function check(dir: string, ring = Keyring.fromJSON(readFileSync(join(dir, 'keyring.json'), 'utf8'))): Map<string, number> {
  const db = new Database(join(dir, 'app.db'), { readonly: true });
  const byKey = new Map<string, number>();
  try {
    for (const { id, token } of db.prepare('SELECT id, token FROM users ORDER BY id').all() as Array<{ id: number; token: string }>) {
      expect(ring.decryptString(token, { context: ctx(id) })).toBe(`plain-${id}`);
      const keyId = inspect(token).keyId;
      byKey.set(keyId, (byKey.get(keyId) ?? 0) + 1);
    }
  } finally {
    db.close();
  }
  return byKey;
}

describe('rotate survives SIGKILL at every step', () => {
  it('start: killed after writing the pending key; the rerun finds it and changes nothing', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'keyring.json', '--id', 'k1']);
    const r = crash(dir, ['rotate', 'start', 'k2', '--keyring', 'keyring.json', '--activate-in', '1h'], 'start:1');
    expect(r.signal).toBe('SIGKILL');
    const written = readFileSync(join(dir, 'keyring.json'), 'utf8');
    expect(Keyring.fromJSON(written).get('k2')?.state).toBe('pending');
    expect(ok(dir, ['rotate', 'start', 'k2', '--keyring', 'keyring.json', '--activate-in', '1h'])).toMatch(/key "k2" is already pending .* nothing changed/);
    expect(readFileSync(join(dir, 'keyring.json'), 'utf8')).toBe(written);
  });

  for (const point of ['activate:1', 'batch:1', 'batch:3', 'reencrypt:1', 'disable:1', 'remove:1']) {
    it(`finish: killed at ${point}; every row still decrypts, and a rerun completes`, () => {
      const dir = setup();
      const r = crash(dir, ['rotate', 'finish', '--keyring', 'keyring.json', ...DATA, '--remove'], point);
      expect(r.signal, r.stderr).toBe('SIGKILL');
      const mid = check(dir);
      expect([...mid.values()].reduce((a, b) => a + b, 0)).toBe(ROWS);
      const out = ok(dir, ['rotate', 'finish', '--keyring', 'keyring.json', ...DATA, '--remove']);
      if (point === 'batch:3') expect(out).toMatch(/resumed from checkpoint/);
      expect(out).toMatch(point === 'remove:1' ? /nothing to finish: "k2" is the only key in use .*\("k1" was removed at / : /rotation finished: "k2" is the only key in use/);
      expect(check(dir)).toEqual(new Map([['k2', ROWS]]));
      const ring = Keyring.fromJSON(readFileSync(join(dir, 'keyring.json'), 'utf8'));
      expect(ring.keys().map((k) => [k.id, k.state])).toEqual([['k2', 'active']]);
      expect(ring.removed().map((k) => k.id)).toEqual(['k1']);
      expect(readdirSync(dir).filter((f) => f.includes('checkpoint'))).toEqual([]);
      // Once more: nothing left to do.
      expect(ok(dir, ['rotate', 'finish', '--keyring', 'keyring.json', ...DATA, '--remove'])).toMatch(/nothing to finish/);
    }, 30_000);
  }

  it('works the same on a sealed keyring', () => {
    const dir = setup();
    const env = { MK: ok(dir, ['keygen']).trim() };
    ok(dir, ['seal', '--keyring', 'keyring.json', '--out', 'keyring.sealed', '--master-key-env', 'MK'], { env });
    const sealed = ['--keyring', 'keyring.sealed', '--master-key-env', 'MK'];
    expect(ok(dir, ['rotate', 'status', ...sealed, ...DATA.slice(0, 6)], { env })).toMatch(/phase: reencrypt: "k2" is active, "k1" is decrypt-only; 450 stored values under "k1"/);
    const r = crash(dir, ['rotate', 'finish', ...sealed, ...DATA], 'batch:2');
    expect(r.signal).toBe(null); // no MK in the crash run's environment: refused before any step
    expect(ok(dir, ['rotate', 'finish', ...sealed, ...DATA], { env })).toMatch(/disabled "k1"/);
    expect(ok(dir, ['rotate', 'status', ...sealed, ...DATA.slice(0, 6), '--json'], { env })).toBe(`${JSON.stringify({ name: 'disabled', active: 'k2', old: 'k1', remaining: 0, counts: { k2: ROWS } })}\n`);
    expect(existsSync(join(dir, 'keyring.sealed.bak'))).toBe(true);
  });

  for (const point of ['activate:1', 'batch:2', 'disable:1', 'remove:1']) {
    it(`on a sealed keyring: killed at ${point}; every row still decrypts, a rerun completes, and each write moved the generation on`, async () => {
      const dir = setup();
      const env = { MK: ok(dir, ['keygen']).trim() };
      ok(dir, ['seal', '--keyring', 'keyring.json', '--out', 'keyring.sealed', '--master-key-env', 'MK'], { env });
      const sealed = ['--keyring', 'keyring.sealed', '--master-key-env', 'MK'];
      const generation = () => sealedGeneration(readFileSync(join(dir, 'keyring.sealed'), 'utf8'));
      expect(generation()).toBe(1);
      const r = crash(dir, ['rotate', 'finish', ...sealed, ...DATA, '--remove'], point, env);
      expect(r.signal, r.stderr).toBe('SIGKILL');
      const ring = await Keyring.fromSealedFile(join(dir, 'keyring.sealed'), { masterKey: env.MK });
      const mid = check(dir, ring);
      expect([...mid.values()].reduce((a, b) => a + b, 0)).toBe(ROWS);
      const out = ok(dir, ['rotate', 'finish', ...sealed, ...DATA, '--remove'], { env });
      expect(out).toMatch(point === 'remove:1' ? /nothing to finish/ : /rotation finished: "k2" is the only key in use/);
      const done = await Keyring.fromSealedFile(join(dir, 'keyring.sealed'), { masterKey: env.MK });
      expect(check(dir, done)).toEqual(new Map([['k2', ROWS]]));
      expect(done.keys().map((k) => [k.id, k.state])).toEqual([['k2', 'active']]);
      // `seal` wrote k2 as active already, so two writes in all (disable, remove), over one or two runs: 1 -> 3.
      expect(generation()).toBe(3);
    }, 30_000);
  }
});
