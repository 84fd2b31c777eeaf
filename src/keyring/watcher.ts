/**
 * A live keyring: the latest good {@link Keyring} loaded from a file or
 * directory, swapped in as the source changes, with one set of usage counts
 * across reloads. The following itself (fs events, polling, debouncing,
 * keeping the last good value) is the sources room's `SourceWatcher`.
 * @module
 */
import { fail } from '../errors.js';
import { describe } from '../bytes.js';
import { checkOptions } from '../args.js';
import type { BlindIndexOptions, BlindIndexValue } from '../lookup/index.js';
import { SourceWatcher, type UnlockOptions } from '../sources/index.js';
import type { KeyrollError } from '../errors.js';
import type { Key, KeyInfo } from './key.js';
import type { CryptOptions, Keyring, KeyringRuntimeOptions, OpenResult, SealedLoadOptions } from './keyring.js';
import type { Policy } from './policy.js';
import { UsageStats, type KeyUsage } from './stats.js';

/**
 * Options of {@link Keyring.watch}.
 * @example
 * ```ts
 * const options: WatchOptions = { unlock: { masterKey: process.env.KEYROLL_MASTER_KEY! }, onError: (e) => log.error(e.message) };
 * ```
 */
export interface WatchOptions extends KeyringRuntimeOptions {
  /** Unlocks a sealed keyring file (a master key, a passphrase or a key wrapper). */
  readonly unlock?: UnlockOptions;
  /**
   * Refuse a sealed file whose authenticated generation is lower, at start
   * (`ERR_INVALID_KEYRING`) and on every reload (reported to `onError`; the
   * last good keyring stays current). See {@link SealedLoadOptions}.
   */
  readonly minGeneration?: number;
  /** Called after each reload with the new keyring, once it is current. */
  readonly onReload?: (ring: Keyring) => void;
  /** Called when a change could not be loaded (torn write, bad document, wrong master key); the last good keyring stays current. */
  readonly onError?: (error: KeyrollError) => void;
  /** Quiet time after the last change before reloading, in ms (default 100). */
  readonly debounceMs?: number;
  /** Polling interval in ms, a fallback for filesystems without change events (default 2000); `false` turns it off. */
  readonly pollIntervalMs?: number | false;
  /** Keep the process alive while watching (default false). */
  readonly persistent?: boolean;
}

const OPTION_NAMES = ['clock', 'onDecrypt', 'unlock', 'minGeneration', 'onReload', 'onError', 'debounceMs', 'pollIntervalMs', 'persistent'];

/**
 * A keyring that follows its file or directory. Every keyring method is
 * delegated to {@link KeyringWatcher.current}, the latest keyring that
 * loaded; usage counts (`stats()`, `onDecrypt`) continue across reloads.
 * Close it when done.
 * @example
 * ```ts
 * const keys = await Keyring.watch('/var/run/secrets/keyroll', { onError: (e) => log.warn(e.message) });
 * const stored = keys.encrypt(ssn, { context });
 * app.get('/healthz', (_req, res) => res.json({ keyring: keys.fingerprint() }));
 * process.on('SIGTERM', () => void keys.close());
 * ```
 */
export class KeyringWatcher {
  readonly #source: SourceWatcher<Keyring>;

  /** @internal use {@link Keyring.watch}. */
  constructor(source: SourceWatcher<Keyring>) {
    this.#source = source;
  }

  /** The latest keyring that loaded. */
  get current(): Keyring {
    return this.#source.current;
  }
  /** The file or directory being followed (absolute). */
  get path(): string {
    return this.#source.path;
  }
  /**
   * Checks the source now instead of waiting for an event; resolves `true` when a new keyring was swapped in.
   * @example
   * ```ts
   * process.on('SIGHUP', () => void keys.reload());
   * ```
   */
  reload(): Promise<boolean> {
    return this.#source.reload();
  }
  /**
   * Stops following the source and releases its watcher and timers. The last keyring stays usable.
   * @example
   * ```ts
   * await keys.close();
   * ```
   */
  close(): Promise<void> {
    return this.#source.close();
  }

  /** See {@link Keyring.encrypt}. */
  encrypt(plaintext: string | Uint8Array, options?: CryptOptions): string {
    return this.current.encrypt(plaintext, options);
  }
  /** See {@link Keyring.encryptToBytes}. */
  encryptToBytes(plaintext: string | Uint8Array, options?: CryptOptions): Uint8Array {
    return this.current.encryptToBytes(plaintext, options);
  }
  /** See {@link Keyring.decrypt}. */
  decrypt(envelope: string | Uint8Array, options?: CryptOptions): Uint8Array {
    return this.current.decrypt(envelope, options);
  }
  /** See {@link Keyring.decryptString}. */
  decryptString(envelope: string | Uint8Array, options?: CryptOptions): string {
    return this.current.decryptString(envelope, options);
  }
  /** See {@link Keyring.open}. */
  open(envelope: string | Uint8Array, options?: CryptOptions): OpenResult {
    return this.current.open(envelope, options);
  }
  /** See {@link Keyring.reencrypt}. */
  reencrypt(envelope: string | Uint8Array, options?: CryptOptions): string {
    return this.current.reencrypt(envelope, options);
  }
  /** See {@link Keyring.isStale}. */
  isStale(envelope: string | Uint8Array): boolean {
    return this.current.isStale(envelope);
  }
  /** See {@link Keyring.blindIndex}. */
  blindIndex(value: BlindIndexValue, options: BlindIndexOptions): string {
    return this.current.blindIndex(value, options);
  }
  /** See {@link Keyring.blindIndexCandidates}. */
  blindIndexCandidates(value: BlindIndexValue, options: BlindIndexOptions): string[] {
    return this.current.blindIndexCandidates(value, options);
  }
  /** See {@link Keyring.activeKeyId}. */
  get activeKeyId(): string {
    return this.current.activeKeyId;
  }
  /** See {@link Keyring.policy}. */
  get policy(): Policy {
    return this.current.policy;
  }
  /** See {@link Keyring.now}. */
  now(): Date {
    return this.current.now();
  }
  /** See {@link Keyring.keys}. */
  keys(): KeyInfo[] {
    return this.current.keys();
  }
  /** See {@link Keyring.has}. */
  has(keyId: string): boolean {
    return this.current.has(keyId);
  }
  /** See {@link Keyring.get}. */
  get(keyId: string): Key | undefined {
    return this.current.get(keyId);
  }
  /** Usage counts of the current keyring's keys, counted since the watcher started (across reloads). */
  stats(): KeyUsage[] {
    return this.current.stats();
  }
  /** See {@link Keyring.fingerprint}. */
  fingerprint(): string {
    return this.current.fingerprint();
  }
  /** Public facts only, as {@link Keyring.toJSON}. */
  toJSON(): ReturnType<Keyring['toJSON']> {
    return this.current.toJSON();
  }
  toString(): string {
    return `KeyringWatcher(${this.current.toString()})`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * Starts a watcher; `build` makes a keyring from a document with the given
 * runtime options (the shared usage counters among them).
 */
export async function watchKeyring(
  source: string,
  options: WatchOptions,
  build: (document: unknown, runtime: KeyringRuntimeOptions, stats: UsageStats) => Keyring,
): Promise<KeyringWatcher> {
  if (typeof source !== 'string' || source === '') fail('ERR_INVALID_ARGUMENT', `Keyring.watch needs the path of a keyring file or directory, got ${describe(source)}`);
  checkOptions(options, OPTION_NAMES, 'Keyring.watch options');
  for (const name of ['debounceMs', 'pollIntervalMs'] as const) {
    const v = options[name];
    if (v !== undefined && v !== false && (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (name === 'pollIntervalMs' && v < 10))) {
      fail('ERR_INVALID_ARGUMENT', `Keyring.watch: ${name} must be a number of milliseconds${name === 'pollIntervalMs' ? ' (at least 10) or false' : ''}`);
    }
  }
  const stats = new UsageStats();
  const runtime: KeyringRuntimeOptions = { ...(options.clock ? { clock: options.clock } : {}), ...(options.onDecrypt ? { onDecrypt: options.onDecrypt } : {}) };
  const watcher = await SourceWatcher.start(source, (document) => build(document, runtime, stats), {
    unlock: options.unlock,
    minGeneration: options.minGeneration,
    debounceMs: options.debounceMs,
    pollIntervalMs: options.pollIntervalMs,
    persistent: options.persistent,
    onReload: options.onReload,
    onError: options.onError,
  });
  return new KeyringWatcher(watcher);
}

