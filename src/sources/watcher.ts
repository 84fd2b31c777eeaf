/**
 * Following a keyring source over time: fs events on the directory that
 * holds it (which see a file replaced by rename and the Kubernetes `..data`
 * symlink swap) plus polling as a fallback, debounced; each change is loaded
 * and built, and swapped in only when it loads. Generic over what is built,
 * so this room never needs the keyring's class.
 * @module
 */
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { fail, KeyrollError } from '../errors.js';
import { loadKeyringPath, pathSignature } from './load-path.js';
import type { UnlockOptions } from './wrapper.js';

/** How a {@link SourceWatcher} follows its path. */
export interface SourceWatchOptions<R> {
  readonly unlock?: UnlockOptions | undefined;
  /** Refuse a sealed file older than this generation (the last good one stays current). */
  readonly minGeneration?: number | undefined;
  /** Quiet time after the last change before reloading, ms (default 100). */
  readonly debounceMs?: number | undefined;
  /** Polling interval, ms (default 2000); `false` for fs events only. */
  readonly pollIntervalMs?: number | false | undefined;
  /** Keep the process alive while watching (default false: a forgotten watcher never blocks exit). */
  readonly persistent?: boolean | undefined;
  /** Called with each newly built value, after it is current. */
  readonly onReload?: ((value: R) => void) | undefined;
  /** Called when a change could not be loaded; the previous value stays current. */
  readonly onError?: ((error: KeyrollError) => void) | undefined;
}

/**
 * Holds the latest good value built from a keyring source and follows the
 * source's changes until closed.
 * @example
 * ```ts
 * const w = await SourceWatcher.start('/etc/app/keyring.json', (doc) => Keyring.fromJSON(doc as object), {});
 * w.current.encrypt('x');
 * await w.close();
 * ```
 */
export class SourceWatcher<R> {
  readonly path: string;
  #current: R;
  #signature: string;
  #failed: string | undefined;
  readonly #build: (document: unknown) => R;
  readonly #options: SourceWatchOptions<R>;
  #fsWatcher: FSWatcher | undefined;
  #poll: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #running: Promise<boolean> | undefined;
  #again = false;
  #closed = false;

  private constructor(path: string, current: R, signature: string, build: (document: unknown) => R, options: SourceWatchOptions<R>) {
    this.path = path;
    this.#current = current;
    this.#signature = signature;
    this.#build = build;
    this.#options = options;
  }

  /**
   * Loads `path` once (failures reject) and starts following it.
   * @example
   * ```ts
   * const w = await SourceWatcher.start(dir, build, { onError: (e) => log.warn(e.message) });
   * ```
   */
  static async start<R>(path: string, build: (document: unknown) => R, options: SourceWatchOptions<R>): Promise<SourceWatcher<R>> {
    if (typeof path !== 'string' || path === '') fail('ERR_INVALID_ARGUMENT', 'watch needs the path of a keyring file or directory');
    const full = resolve(path);
    let before = await pathSignature(full);
    let value = build(await loadKeyringPath(full, options.unlock, options.minGeneration));
    // Changed while loading (a directory caught mid-update): load the settled content, a few times at most.
    for (let attempt = 0; attempt < 5; attempt++) {
      const after = await pathSignature(full);
      if (after === before) break;
      before = after;
      value = build(await loadKeyringPath(full, options.unlock, options.minGeneration));
    }
    const watcher = new SourceWatcher(full, value, before, build, options);
    await watcher.#follow();
    return watcher;
  }

  /** The latest value that loaded. */
  get current(): R {
    return this.#current;
  }

  /**
   * Checks the source now; resolves `true` when a new value was swapped in.
   * @example
   * ```ts
   * process.on('SIGHUP', () => void watcher.reload());
   * ```
   */
  reload(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#check().finally(() => {
      this.#running = undefined;
      if (this.#again && !this.#closed) {
        this.#again = false;
        this.#schedule();
      }
    });
    return this.#running;
  }

  /**
   * Stops following: closes the fs watcher and timers, waits for a reload in progress.
   * @example
   * ```ts
   * await watcher.close();
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#fsWatcher?.close();
    this.#fsWatcher = undefined;
    clearInterval(this.#poll);
    clearTimeout(this.#debounce);
    this.#poll = this.#debounce = undefined;
    await this.#running?.catch(() => undefined);
  }

  async #follow(): Promise<void> {
    const info = await stat(this.path).catch(() => undefined);
    // A directory is watched itself (its ..data swap and its files); a file through its directory, which sees it replaced by rename.
    const target = info?.isDirectory() === true ? this.path : dirname(this.path);
    const name = basename(this.path);
    const persistent = this.#options.persistent === true;
    try {
      this.#fsWatcher = watch(target, { persistent }, (_event, file) => {
        // In a file's directory, only the file itself and Kubernetes' ..data swap matter.
        if (target === this.path || file === null || file === name || file.startsWith('..')) this.#schedule();
      });
      this.#fsWatcher.on('error', () => {
        this.#fsWatcher?.close(); // the directory went away or the platform gave up: polling carries on
        this.#fsWatcher = undefined;
      });
    } catch {
      this.#fsWatcher = undefined; // no fs events here (some network filesystems): polling only
    }
    const interval = this.#options.pollIntervalMs ?? 2000;
    if (interval !== false) {
      this.#poll = setInterval(() => this.#schedule(), interval);
      if (!persistent) this.#poll.unref();
    }
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => {
      this.#debounce = undefined;
      void this.reload();
    }, this.#options.debounceMs ?? 100);
    if (this.#options.persistent !== true) this.#debounce.unref();
  }

  async #check(): Promise<boolean> {
    const before = await pathSignature(this.path);
    if (before === this.#signature) return false;
    let value: R;
    try {
      value = this.#build(await loadKeyringPath(this.path, this.#options.unlock, this.#options.minGeneration));
    } catch (err) {
      if ((await pathSignature(this.path)) !== before) {
        this.#again = true; // a write in progress: try again once it settles
        return false;
      }
      if (this.#failed !== before && !this.#closed) {
        this.#failed = before; // report a bad version once, not at every poll
        report(this.#options.onError, err);
      }
      return false;
    }
    if ((await pathSignature(this.path)) !== before) {
      this.#again = true;
      return false;
    }
    if (this.#closed) return false;
    this.#current = value;
    this.#signature = before;
    this.#failed = undefined;
    try {
      this.#options.onReload?.(value);
    } catch {
      // A listener's failure must not undo a good reload.
    }
    return true;
  }
}

function report(onError: ((error: KeyrollError) => void) | undefined, err: unknown): void {
  if (onError === undefined) return;
  const error = err instanceof KeyrollError ? err : new KeyrollError('ERR_IO', `keyring reload failed: ${(err as Error)?.name ?? 'error'}`, { cause: err });
  try {
    onError(error);
  } catch {
    // Reporting must not break the watcher.
  }
}
