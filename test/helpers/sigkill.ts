/**
 * Child processes that tests kill with SIGKILL, in one place:
 * - `runKillable`: a node script whose stdout decides when to kill it (a
 *   batch job killed halfway through its progress lines);
 * - `buildCrashCli` / `crashCli`: a TEST build of the CLI (bundled from
 *   test/helpers/crash-cli.ts, never shipped) that kills itself when a named
 *   step is reached (`CRASH_AT=name:n`, the n-th time).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How a killable child ended. */
export interface KillableResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Runs `node script ...args`; after each chunk of stdout `killWhen(stdout)`
 * may ask for a SIGKILL. Rejects when the child fails on its own (a non-zero
 * exit without a signal).
 */
export function runKillable(script: string, args: readonly string[], killWhen?: (stdout: string) => boolean): Promise<KillableResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (killWhen?.(stdout) === true) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => (code !== 0 && signal === null ? reject(new Error(`child failed: ${stderr}`)) : resolve({ stdout, stderr, code, signal })));
  });
}

/**
 * A `killWhen` for children that print `progress DONE TOTAL` lines: kill once
 * DONE reaches `fraction` of TOTAL.
 */
export function atProgress(fraction: number): (stdout: string) => boolean {
  return (stdout) => {
    const last = [...stdout.matchAll(/progress (\d+) (\d+)/g)].pop();
    return last !== undefined && Number(last[1]) >= Number(last[2]) * fraction;
  };
}

/** Inside the repository, so the bundle resolves better-sqlite3 from node_modules. */
export const CRASH_CLI = join(ROOT, 'node_modules', '.cache', 'keyroll-test', 'crash-cli.mjs');

/** Bundles the crash CLI (call in `beforeAll`, with a generous timeout). */
export async function buildCrashCli(): Promise<void> {
  mkdirSync(join(ROOT, 'node_modules', '.cache', 'keyroll-test'), { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'test/helpers/crash-cli.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: CRASH_CLI,
    external: ['better-sqlite3', 'pg', '@electric-sql/pglite'],
    logLevel: 'silent',
  });
}

/** Runs the crash CLI in `cwd`, killed at step `at` (`name:n`), with only PATH and `env` in its environment. */
export function crashCli(cwd: string, args: readonly string[], at: string, env: Record<string, string> = {}): KillableResult {
  const r = spawnSync(process.execPath, [CRASH_CLI, ...args], { cwd, env: { PATH: process.env['PATH'] ?? '', ...env, CRASH_AT: at }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
