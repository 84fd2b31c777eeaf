import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockFile, LOCK_DEFAULTS } from '../../src/sources/lock.js';
import { expectKeyrollError, tempDir } from './helpers.js';

describe('lockFile', () => {
  it('creates <file>.lock with the pid, refuses a second holder with ERR_CONFLICT after waiting, and releases', async () => {
    const target = join(tempDir(), 'keyring.json');
    const lock = await lockFile(target);
    expect(lock.path).toBe(`${target}.lock`);
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    const err = await expectKeyrollError(() => lockFile(target, { waitMs: 50 }), 'ERR_CONFLICT');
    expect(err.message).toMatch(new RegExp(`locked by process ${process.pid} `));
    await lock.release();
    expect(existsSync(lock.path)).toBe(false);
    const again = await lockFile(target, { waitMs: 0 });
    again.releaseSync();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('a waiting holder gets the lock once it is released', async () => {
    const target = join(tempDir(), 'keyring.json');
    const first = await lockFile(target);
    const second = lockFile(target, { waitMs: 5_000 });
    await first.release();
    await (await second).release();
  });

  it('takes over a stale lock: its process is gone, or it is older than staleMs', async () => {
    const target = join(tempDir(), 'keyring.json');
    writeFileSync(`${target}.lock`, JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), since: '2026-01-01T00:00:00Z' })); // above Linux's pid_max default
    (await lockFile(target, { waitMs: 0 })).releaseSync();
    writeFileSync(`${target}.lock`, JSON.stringify({ pid: process.pid, host: 'elsewhere' }));
    await expectKeyrollError(() => lockFile(target, { waitMs: 0 }), 'ERR_CONFLICT');
    const old = (Date.now() - LOCK_DEFAULTS.staleMs - 60_000) / 1000;
    utimesSync(`${target}.lock`, old, old);
    (await lockFile(target, { waitMs: 0 })).releaseSync();
  });

  it('release never removes a lock that is no longer its own', async () => {
    const target = join(tempDir(), 'keyring.json');
    const lock = await lockFile(target);
    writeFileSync(lock.path, 'someone else');
    await lock.release();
    expect(readFileSync(lock.path, 'utf8')).toBe('someone else');
  });

  it('a directory it cannot write is ERR_IO naming the lock file', async () => {
    const err = await expectKeyrollError(() => lockFile(join(tempDir(), 'missing', 'keyring.json')), 'ERR_IO');
    expect(err.file).toMatch(/keyring\.json\.lock$/);
  });
});
