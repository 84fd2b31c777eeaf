/**
 * `keyroll rotate start` / `finish` and `keyroll postpone` hold
 * `<file>.lock` from reading the keyring to writing it, as the other CLI
 * writers do: a change made by the lock's holder meanwhile is read, not
 * overwritten or refused.
 */
import { spawn } from 'node:child_process';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring, generateKey } from '../../src/index.js';
import { CLI, ok, workdir } from '../cli/helpers.js';

function start(cwd: string, args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env['PATH'] ?? '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Holds keyring.json.lock as a live process on this host would, while `during` changes the file. */
async function whileLocked(dir: string, args: readonly string[], during: () => void) {
  const lock = join(dir, 'keyring.json.lock');
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
  const running = start(dir, args);
  await new Promise((r) => setTimeout(r, 1500)); // the command is up and waiting for the lock
  during();
  unlinkSync(lock);
  return running;
}

describe('keyroll rotate takes the keyring lock before it reads', () => {
  for (const [name, args] of [
    ['rotate start', ['rotate', 'start', 'k2', '--keyring', 'keyring.json', '--activate-in', '1h']],
    ['postpone', ['postpone', 'k2', '--keyring', 'keyring.json', '--by', '1h']],
  ] as const) {
    it(`${name} sees what the lock holder wrote meanwhile`, async () => {
      const dir = workdir();
      ok(dir, ['init', '--keyring', 'keyring.json', '--id', 'k1']);
      if (name === 'postpone') ok(dir, ['add', 'k2', '--keyring', 'keyring.json', '--generate', '--activate-in', '1h']);
      const path = join(dir, 'keyring.json');
      const r = await whileLocked(dir, args, () => {
        const ring = Keyring.fromJSON(readFileSync(path, 'utf8')).add(generateKey({ id: 'k3' }));
        writeFileSync(path, JSON.stringify(ring.export()), { mode: 0o600 });
      });
      expect(r.status, r.stderr).toBe(0);
      const ring = Keyring.fromJSON(readFileSync(path, 'utf8'));
      expect(ring.keys().map((k) => `${k.id}:${k.state}`).sort()).toEqual(['k1:active', 'k2:pending', 'k3:decrypt-only']);
    }, 20_000);
  }
});
