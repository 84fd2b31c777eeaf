/**
 * A lock file beside a file being changed, so two writers (two `keyroll add`
 * runs, a person and a cron job) take turns instead of one silently undoing
 * the other. `<file>.lock` is created with O_EXCL and holds the owner's pid,
 * host name and start time. A lock is stale, and removed, when its process
 * is gone (same host) or it is older than `staleMs`.
 * @module
 */
import { constants } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { fail } from '../errors.js';

/** Options of {@link lockFile}. */
export interface LockOptions {
  /** How long to wait for another holder, default 30 s; then `ERR_CONFLICT`. */
  readonly waitMs?: number;
  /** A lock older than this is stale whoever holds it, default 10 minutes. */
  readonly staleMs?: number;
}

/** A held lock. */
export interface FileLock {
  /** The lock file. */
  readonly path: string;
  /** Removes the lock file (only while it is still this holder's). */
  release(): Promise<void>;
  /** The same, synchronously (for a process `exit` handler). */
  releaseSync(): void;
}

/** How long a keyroll lock may be waited for and when it is stale (documented in docs/cli.md). */
export const LOCK_DEFAULTS = { waitMs: 30_000, staleMs: 10 * 60_000 } as const;

/**
 * Takes `<target>.lock`, waiting for another holder up to `waitMs`.
 * `ERR_CONFLICT` when the lock stays taken; `ERR_IO` when it cannot be created.
 * @example
 * ```ts
 * const lock = await lockFile('/etc/app/keyring.json');
 * try { ... } finally { await lock.release(); }
 * ```
 */
export async function lockFile(target: string, options: LockOptions = {}): Promise<FileLock> {
  const path = `${target}.lock`;
  const waitMs = options.waitMs ?? LOCK_DEFAULTS.waitMs;
  const staleMs = options.staleMs ?? LOCK_DEFAULTS.staleMs;
  const content = `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString(), nonce: randomBytes(8).toString('hex') })}\n`;
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, 0o600);
      try {
        await handle.writeFile(content);
      } finally {
        await handle.close();
      }
      return heldLock(path, content);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') fail('ERR_IO', `could not create lock file ${path}: ${code ?? 'unknown error'}`, { file: path, cause: err });
    }
    const holder = await readHolder(path);
    if (holder !== undefined && isStale(holder, staleMs)) {
      // Removed only if it is still the stale lock we looked at.
      if ((await readFile(path, 'utf8').catch(() => undefined)) === holder.text) await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder?.pid === undefined ? 'another process' : `process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}`;
      fail('ERR_CONFLICT', `${target} is locked by ${who} (${path}); try again, or delete ${path} if no keyroll command is running`, { file: target });
    }
    await new Promise((r) => setTimeout(r, Math.min(10 * 2 ** Math.min(attempt, 5), 250) * (0.5 + Math.random())));
  }
}

interface Holder {
  readonly text: string;
  readonly pid?: number;
  readonly host?: string;
  readonly ageMs: number;
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    let parsed: { pid?: unknown; host?: unknown } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // Being written right now, or not ours: judged by its age alone.
    }
    return {
      text,
      ...(Number.isSafeInteger(parsed.pid) ? { pid: parsed.pid as number } : {}),
      ...(typeof parsed.host === 'string' ? { host: parsed.host } : {}),
      ageMs: Date.now() - info.mtimeMs,
    };
  } catch {
    return undefined; // released meanwhile: try again
  }
}

function isStale(holder: Holder, staleMs: number): boolean {
  if (holder.ageMs > staleMs) return true;
  if (holder.pid === undefined || holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function heldLock(path: string, content: string): FileLock {
  let held = true;
  return {
    path,
    async release() {
      if (!held) return;
      held = false;
      if ((await readFile(path, 'utf8').catch(() => undefined)) === content) await unlink(path).catch(() => undefined);
    },
    releaseSync() {
      if (!held) return;
      held = false;
      try {
        if (readFileSync(path, 'utf8') === content) unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
}
