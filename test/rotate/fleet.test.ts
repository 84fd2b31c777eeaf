/**
 * A fleet through a rotation: 4 worker processes (on the built library)
 * follow one keyring file and read and write a shared SQLite table (WAL,
 * busy_timeout) while `keyroll rotate start` / `finish` run. With the
 * activation delay nothing fails; the control run without it (and with slow
 * reloaders) does fail, so the test can fail.
 *
 * The workers follow the file with `Keyring.watch`, the library's live
 * reload (a slow reloader is a watcher with a long debounce).
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Keyring, inspect } from '../../src/index.js';
import { CLI, ok, workdir } from '../cli/helpers.js';

const WORKER = fileURLToPath(new URL('./fixtures/fleet-worker.mjs', import.meta.url));
const ROWS = 300;
const DATA = ['--db', 'sqlite:app.db', '--table', 'users', '--column', 'token', '--context', 'recommended'];
const ctx = (id: number) => ({ table: 'users', column: 'token', id: String(id) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Stats {
  reads: number;
  writes: number;
  failed: number;
  codes: Record<string, number>;
  reloads: number;
  reloadErrors: number;
  fingerprints: string[];
  wroteWith: Record<string, number>;
  keyIdsSeen: string[];
}

function setup(): string {
  const dir = workdir();
  ok(dir, ['init', '--keyring', 'keyring.json', '--id', 'k1']);
  const ring = Keyring.fromJSON(readFileSync(join(dir, 'keyring.json'), 'utf8'));
  const db = new Database(join(dir, 'app.db'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, token TEXT)');
  const ins = db.prepare('INSERT INTO users VALUES (?, ?)');
  db.transaction(() => { for (let id = 1; id <= ROWS; id++) ins.run(id, ring.encrypt(`plain-${id}`, { context: ctx(id) })); })();
  db.close();
  return dir;
}

/** Starts one worker per reload delay and resolves once all are running. */
async function startFleet(dir: string, reloadDelays: readonly number[]) {
  const workers = reloadDelays.map((delay) =>
    fork(WORKER, [join(dir, 'keyring.json'), join(dir, 'app.db'), String(ROWS), String(delay)], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] }),
  );
  await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  })));
  return {
    async stop(): Promise<Stats[]> {
      return Promise.all(workers.map((w) => new Promise<Stats>((resolve) => {
        w.once('message', (m) => resolve((m as { stats: Stats }).stats));
        w.send('stop');
      })));
    },
  };
}

/** The CLI without blocking the workers' IPC. */
function keyroll(dir: string, args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = fork(CLI, [...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { PATH: process.env['PATH'] ?? '' } });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

function finalRows(dir: string): Map<string, number> {
  const db = new Database(join(dir, 'app.db'), { readonly: true });
  const ring = Keyring.fromJSON(readFileSync(join(dir, 'keyring.json'), 'utf8'));
  const byKey = new Map<string, number>();
  try {
    for (const { id, token } of db.prepare('SELECT id, token FROM users').all() as Array<{ id: number; token: string }>) {
      expect(ring.decryptString(token, { context: ctx(id) })).toBe(`plain-${id}`);
      byKey.set(inspect(token).keyId, (byKey.get(inspect(token).keyId) ?? 0) + 1);
    }
  } finally {
    db.close();
  }
  return byKey;
}

describe('a fleet of 4 instances through keyroll rotate', () => {
  it('with the activation delay: 0 failed decrypts, 0 changed rows, 0 rows left under the old key', async () => {
    const dir = setup();
    const fleet = await startFleet(dir, [0, 0, 0, 0]);
    const start = await keyroll(dir, ['rotate', 'start', 'k2', '--keyring', 'keyring.json', '--activate-in', '4s', '--min-delay', '1s']);
    expect(start.status, start.stderr).toBe(0);
    const at = Date.parse(Keyring.fromJSON(readFileSync(join(dir, 'keyring.json'), 'utf8')).get('k2')!.activatesAt!.toISOString());
    await sleep(at - Date.now() + 300);
    const finish = await keyroll(dir, ['rotate', 'finish', '--keyring', 'keyring.json', ...DATA]);
    expect(finish.status, finish.stderr + finish.stdout).toBe(0);
    expect(finish.stdout).toMatch(/verified: no stored value names "k1"\ndisabled "k1"/);
    await sleep(600);
    const remove = await keyroll(dir, ['rotate', 'finish', '--keyring', 'keyring.json', ...DATA, '--remove']);
    expect(remove.status, remove.stderr).toBe(0);
    await sleep(300);
    const stats = await fleet.stop();

    const failed = stats.reduce((n, s) => n + s.failed, 0);
    expect(failed, JSON.stringify(stats.map((s) => s.codes))).toBe(0);
    for (const s of stats) {
      expect(s.reads).toBeGreaterThan(50);
      expect(s.keyIdsSeen).toContain('k2:pending');
      expect(s.wroteWith['k1'] ?? 0).toBeGreaterThan(0);
      expect(s.wroteWith['k2'] ?? 0).toBeGreaterThan(0);
    }
    expect(finalRows(dir)).toEqual(new Map([['k2', ROWS]]));
    // Every instance followed every change (start, activate, disable, remove) and ends on the keyring on disk.
    const final = Keyring.fromJSON(readFileSync(join(dir, 'keyring.json'), 'utf8')).fingerprint();
    for (const s of stats) {
      expect(s.reloadErrors).toBe(0);
      expect(s.reloads).toBeGreaterThanOrEqual(3);
      expect(s.fingerprints.at(-1)).toBe(final);
    }
  }, 40_000);

  it('control: activating at once while some instances reload slowly makes decrypts fail', async () => {
    const dir = setup();
    const fleet = await startFleet(dir, [0, 2500, 2500, 2500]);
    const start = await keyroll(dir, ['rotate', 'start', 'k2', '--keyring', 'keyring.json', '--activate-in', '0', '--force']);
    expect(start.status, start.stderr).toBe(0);
    await sleep(2000);
    const stats = await fleet.stop();
    const failed = stats.reduce((n, s) => n + s.failed, 0);
    expect(failed).toBeGreaterThan(0);
    expect(stats.slice(1).reduce((n, s) => n + (s.codes['ERR_UNKNOWN_KEY'] ?? 0), 0)).toBe(failed);
    // No value was lost: with both keys, every row still reads back.
    expect([...finalRows(dir).values()].reduce((a, b) => a + b, 0)).toBe(ROWS);
  }, 40_000);
});
