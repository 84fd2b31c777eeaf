import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';

/** The built CLI (`npm test` builds it first). KEYROLL_TEST_CLI points elsewhere (a private build). */
export const CLI = process.env['KEYROLL_TEST_CLI'] ?? fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface RunResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh working directory for one test, removed when the test file ends. */
export function workdir(): string {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsup\` (npm test builds it)`);
  const dir = mkdtempSync(join(tmpdir(), 'keyroll-cli-'));
  made.push(dir);
  return dir;
}

/** Runs `keyroll ...args` in `cwd` with only PATH and `env` in its environment. */
export function run(cwd: string, args: readonly string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}): RunResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    input: options.input ?? '',
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    timeout: 20_000,
  });
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout.toString('utf8'),
    stderr: result.stderr.toString('utf8'),
    stdoutBytes: result.stdout,
  };
}

/** Expects success and returns stdout. */
export function ok(cwd: string, args: readonly string[], options?: { input?: string | Buffer; env?: Record<string, string> }): string {
  const r = run(cwd, args, options);
  if (r.status !== 0) throw new Error(`keyroll ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Expects exit code `status`, one line on stderr matching `message`, and returns the result. */
export function fails(cwd: string, args: readonly string[], status: 1 | 2, message: RegExp, options?: { input?: string | Buffer; env?: Record<string, string> }): RunResult {
  const r = run(cwd, args, options);
  expect(r.status, r.stderr).toBe(status);
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  return r;
}

/** The bytes of every non-temp file in `dir`, to prove a failed command touched nothing. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) out.set(name, readFileSync(join(dir, name)).toString('base64'));
  return out;
}

/** Every spelling of a secret that must never be printed. */
export function spellings(secret: string | Uint8Array): string[] {
  const b = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  const out = [b.toString('hex'), b.toString('hex').toUpperCase(), b.toString('base64'), b.toString('base64url')];
  if (typeof secret === 'string') out.push(secret);
  return out.filter((s) => s.length >= 8);
}

/** The secrets of a plain keyring file, as bytes. */
export function secretsOf(path: string): Uint8Array[] {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { keys: Array<{ secret: string; encoding: string }> };
  return doc.keys.map((k) => (k.encoding === 'utf8' ? Buffer.from(k.secret, 'utf8') : Buffer.from(k.secret, k.encoding as BufferEncoding)));
}

/** Asserts no secret shows in `text`. */
export function expectNoSecrets(text: string, secrets: ReadonlyArray<string | Uint8Array>): void {
  for (const s of secrets) for (const spelling of spellings(s)) expect(text).not.toContain(spelling);
}

/** Cheap scrypt for tests: the CLI's lowest allowed cost. */
export const CHEAP_SCRYPT = ['--scrypt-n', '32768'];
