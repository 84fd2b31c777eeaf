import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../src/index.js';
import { CLI, fails, ok, run, workdir } from './helpers.js';

const isRoot = process.getuid?.() === 0;

/** `keyroll ...args` as a child process that runs alongside others. */
function start(cwd: string, args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('files the CLI writes', () => {
  it('the backup holds the bytes read, is mode 0600 whatever the original\'s mode, and --no-backup skips it', () => {
    const dir = workdir();
    const path = join(dir, 'keyring.json');
    ok(dir, ['init', '--keyring', 'keyring.json']);
    chmodSync(path, 0o644);
    const before = readFileSync(path);
    const r = run(dir, ['add', 'k2', '--keyring', 'keyring.json', '--generate']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(`${path}.bak`).equals(before)).toBe(true);
    expect(statSync(`${path}.bak`).mode & 0o777).toBe(0o600);
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const second = readFileSync(path);
    ok(dir, ['disable', 'k2', '--keyring', 'keyring.json', '--force', '--no-backup']);
    expect(readFileSync(`${path}.bak`).equals(before)).toBe(true); // untouched
    expect(readFileSync(path).equals(second)).toBe(false);
    ok(dir, ['init', '--keyring', 'other.json', '--no-backup']);
    ok(dir, ['init', '--keyring', 'other.json', '--force', '--no-backup']);
    expect(existsSync(join(dir, 'other.json.bak'))).toBe(false);
    expect(readdirSync(dir).filter((n) => n.endsWith('.lock') || n.endsWith('.tmp'))).toEqual([]);
  });

  it('a symlink planted at <file>.bak is replaced, never followed (the file it points to is untouched)', () => {
    const dir = workdir();
    const path = join(dir, 'keyring.json');
    ok(dir, ['init', '--keyring', 'keyring.json']);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'not a keyring\n', { mode: 0o644 });
    symlinkSync(victim, `${path}.bak`);
    const before = readFileSync(path);
    ok(dir, ['add', 'k2', '--keyring', 'keyring.json', '--generate']);
    expect(readFileSync(victim, 'utf8')).toBe('not a keyring\n');
    expect(statSync(victim).mode & 0o777).toBe(0o644);
    expect(lstatSync(`${path}.bak`).isSymbolicLink()).toBe(false);
    expect(readFileSync(`${path}.bak`).equals(before)).toBe(true);
    expect(statSync(`${path}.bak`).mode & 0o777).toBe(0o600);
  });

  it('warns on stderr when a keyring file is readable by group or others', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'keyring.json']);
    expect(run(dir, ['list', '--keyring', 'keyring.json']).stderr).toBe('');
    chmodSync(join(dir, 'keyring.json'), 0o640);
    expect(run(dir, ['list', '--keyring', 'keyring.json']).stderr).toMatch(/^keyroll: warning: .*keyring\.json is readable by its group \(mode 0640\); .*chmod 600/);
    chmodSync(join(dir, 'keyring.json'), 0o604);
    const r = run(dir, ['list', '--keyring', 'keyring.json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/readable by others \(mode 0604\)/);
  });

  it.skipIf(!isRoot)('run as root, replacing a file keeps its owner and group (the backup too)', () => {
    const dir = workdir();
    const path = join(dir, 'keyring.json');
    ok(dir, ['init', '--keyring', 'keyring.json']);
    chownSync(path, 4321, 4322);
    ok(dir, ['add', 'k2', '--keyring', 'keyring.json', '--generate']);
    for (const file of [path, `${path}.bak`]) {
      expect([statSync(file).uid, statSync(file).gid], file).toEqual([4321, 4322]);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
  });

  it('two concurrent `keyroll add` runs on one file both land, every time (10 trials)', async () => {
    for (let trial = 0; trial < 10; trial++) {
      const dir = workdir();
      ok(dir, ['init', '--keyring', 'keyring.json', '--id', 'k0']);
      const results = await Promise.all([start(dir, ['add', 'a', '--keyring', 'keyring.json', '--generate']), start(dir, ['add', 'b', '--keyring', 'keyring.json', '--generate'])]);
      for (const r of results) expect(r.status, r.stderr).toBe(0);
      const ring = await Keyring.fromFile(join(dir, 'keyring.json'));
      expect(ring.keys().map((k) => k.id).sort(), `trial ${trial}`).toEqual(['a', 'b', 'k0']);
      expect(existsSync(join(dir, 'keyring.json.lock'))).toBe(false);
    }
  });

  it('a lock left by a process that is gone is stale and taken over', () => {
    const dir = workdir();
    ok(dir, ['init', '--keyring', 'keyring.json']);
    const lock = join(dir, 'keyring.json.lock');
    const gone = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());
    writeFileSync(lock, JSON.stringify({ pid: gone, host: hostname(), since: new Date().toISOString() }));
    ok(dir, ['add', 'k2', '--keyring', 'keyring.json', '--generate']);
    expect(existsSync(lock)).toBe(false);
  });

  it('keyroll list --keyring /dev/zero or a FIFO: exit 1, ERR_INVALID_KEYRING, nothing read', () => {
    const dir = workdir();
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    fails(dir, ['list', '--keyring', '/dev/zero'], 1, /ERR_INVALID_KEYRING: \/dev\/zero is not a regular file/);
    fails(dir, ['list', '--keyring', 'fifo'], 1, /ERR_INVALID_KEYRING: .*fifo is not a regular file \(a FIFO\)/);
  });
});
