/**
 * The Keyring: one active key, retired and disabled keys, and the envelope
 * operations. Synchronous, so it fits ORM value transformers and config
 * loaders. Reads the clock only through the injected `clock`.
 * @module
 */
import { fail } from '../errors.js';
import { asBuffer, assertStringOrBytes, describe, fromUtf8, utf8 } from '../bytes.js';
import { checkArray, checkOptions, optionalFunction } from '../args.js';
import { timeValue } from '../document/time.js';
import { contextFromCanonical, type Context } from '../envelope/context.js';
import { CURRENT_VERSION, parseEnvelope, toText, type EnvelopeForm, type ParsedEnvelope } from '../envelope/format.js';
import { open1, seal1, suite1Key } from '../suites/index.js';
import { parseDocument, DOCUMENT_FORMAT, DOCUMENT_VERSION, type KeyringDocument } from '../document/index.js';
import { Key, checkKeyId, materialOf, type KeyInfo, type KeySpec, type KeyState } from './key.js';
import { addKey, disableKey, postponeKey, promoteKey, removeKey, resolvePending, retireKey, type AddOptions, type PostponeOptions } from './lifecycle.js';
import { afterReAdd, afterRemove } from './removed.js';
import { parseRemoved, type RemovedKey } from '../document/index.js';
import { normalizePolicy, type Policy, type PolicyInput } from './policy.js';
import { validateKeys } from './rules.js';
import { SALT_SOURCE, activeAt, clockMs, contextOf, decryptFailed, isStaleUnder, keyFor, keysFromSpecs, pendingKeys, stateAt } from './select.js';
import { checkUnlock, sealedGenerationOf, loadKeyringFile, loadKeyringFromDirectory, loadKeyringFromEnv, loadSealedKeyringFile, withEnvOrigin, type UnlockOptions } from '../sources/index.js';
import { UsageStats, type KeyUsage } from './stats.js';
import { indexSpec, indexesUnder, type BlindIndexOptions, type BlindIndexValue } from '../lookup/index.js';
import { fingerprintOf } from './fingerprint.js';
import { watchKeyring, type KeyringWatcher, type WatchOptions } from './watcher.js';

/**
 * A clock: returns now as a Date or milliseconds since the epoch.
 * @example
 * ```ts
 * let now = new Date('2026-01-01T00:00:00Z');
 * const ring = Keyring.create({ keys, clock: () => now }); // tests move `now` to activate pending keys
 * ```
 */
export type Clock = () => Date | number;

/**
 * Reported to `onDecrypt` after every successful decryption.
 * @example
 * ```ts
 * const ring = Keyring.create({ keys, onDecrypt: (e: DecryptEvent) => { if (e.stale) metrics.increment('keyroll.stale', { key: e.keyId }); } });
 * ```
 */
export interface DecryptEvent {
  /** The key that opened the envelope. */
  readonly keyId: string;
  /** The envelope's format version. */
  readonly version: number;
  /** The envelope's suite id. */
  readonly suite: number;
  /** True when the envelope should be re-encrypted (an older key, or an older suite; see {@link Keyring.isStale}). */
  readonly stale: boolean;
  /** The active key at the time. */
  readonly activeKeyId: string;
}

/**
 * Options shared by every keyring constructor; carried over by lifecycle operations.
 * @example
 * ```ts
 * const ring = await Keyring.fromEnv(process.env, { onDecrypt: (e) => { if (e.stale) staleReads++; } });
 * ```
 */
export interface KeyringRuntimeOptions {
  /** Injected clock (tests); default `Date.now`. */
  readonly clock?: Clock;
  /** Called after every successful decryption: report stale reads to telemetry. Must not throw. */
  readonly onDecrypt?: (event: DecryptEvent) => void;
}

/**
 * Options of the loaders that may read a sealed keyring file
 * ({@link Keyring.fromSealedFile}, {@link Keyring.fromEnv}).
 * @example
 * ```ts
 * const ring = await Keyring.fromSealedFile('keyring.sealed', { masterKey }, { minGeneration: 12 });
 * ```
 */
export interface SealedLoadOptions extends KeyringRuntimeOptions {
  /**
   * Refuse a sealed file whose authenticated generation is lower
   * (`ERR_INVALID_KEYRING`): keep the generation you last deployed out of
   * band (a config value, a deployment variable) so an attacker who can
   * replace the file cannot roll it back to an older, valid copy.
   */
  readonly minGeneration?: number;
}

/**
 * Options of {@link Keyring.create}.
 * @example
 * ```ts
 * const ring = Keyring.create({ keys: [oldKey, newKey], activeKeyId: 'k2', policy: { minVersion: 1 } });
 * ```
 */
export interface KeyringOptions extends KeyringRuntimeOptions {
  /** The keys. A key without `state` is `active` when it is the only key or is named by `activeKeyId`, else `decrypt-only`. */
  readonly keys: ReadonlyArray<KeySpec | Key>;
  /** Policy checked now and at every change. */
  readonly policy?: PolicyInput;
  /** Marks this key active (others without a state become `decrypt-only`). */
  readonly activeKeyId?: string;
  /** Keys removed earlier, as {@link Keyring.removed} lists them (a keyring document's `removed`). */
  readonly removed?: readonly RemovedKey[];
}

/**
 * Options of encrypt and decrypt calls.
 * @example
 * ```ts
 * const stored = ring.encrypt(ssn, { context: { table: 'users', column: 'ssn', id: '42' } });
 * ```
 */
export interface CryptOptions {
  /** Where the value lives, e.g. `{ table: 'users', column: 'ssn', id: '42' }`. Authenticated, never stored. */
  readonly context?: Context;
}

/**
 * What {@link Keyring.open} returns.
 * @example
 * ```ts
 * const { plaintext, keyId, stale } = ring.open(stored, { context });
 * if (stale) await save(ring.reencrypt(stored, { context }));
 * ```
 */
export interface OpenResult {
  readonly plaintext: Uint8Array;
  readonly keyId: string;
  readonly version: number;
  readonly suite: number;
  /**
   * True when the envelope should move to the active key: its key was
   * introduced before the active key (see {@link Keyring.isStale}), or it is
   * the active key's with an older suite or format version.
   */
  readonly stale: boolean;
  /** The form the envelope came in (a text envelope handed over as bytes is `text`). */
  readonly form: EnvelopeForm;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
/**
 * @internal Runtime option holding a replacement salt source. Only
 * `keyroll/testing` sets it (seeded, deterministic envelopes for snapshot
 * tests); it is not exported from the package root.
 */
export { SALT_SOURCE } from './select.js';
type SaltSource = (length: number) => Uint8Array;
/**
 * @internal Runtime option: the usage counters to count into, so a watcher's
 * successive keyrings continue one set of counts. Not exported from the package root.
 */
export const SHARED_STATS: unique symbol = Symbol('keyroll.sharedStats');
/**
 * @internal Runtime option: the generation of the file the keyring was loaded
 * from, when the file records one; part of the fingerprint.
 */
export const SOURCE_GENERATION: unique symbol = Symbol('keyroll.sourceGeneration');
const systemClock: Clock = () => Date.now();
const RUNTIME_OPTIONS = ['clock', 'onDecrypt'] as const;
/** Internal runtime options the loaders pass on (symbols: no caller outside the package can name them). */
const LOADER_OPTIONS = [...RUNTIME_OPTIONS, SHARED_STATS, SOURCE_GENERATION];
const SEALED_LOAD_OPTIONS = [...RUNTIME_OPTIONS, 'minGeneration'] as const;
const CREATE_OPTIONS = ['keys', 'policy', 'activeKeyId', 'removed', ...LOADER_OPTIONS, SALT_SOURCE];

/** Checks the runtime options every constructor takes: known keys, functions where functions go. */
function runtimeOptions<T extends KeyringRuntimeOptions>(value: T | undefined, label: string, allowed: readonly (string | symbol)[] = RUNTIME_OPTIONS): T {
  const options = checkOptions(value, allowed, label);
  optionalFunction(options.clock, `${label}: clock`);
  optionalFunction(options.onDecrypt, `${label}: onDecrypt`);
  return options;
}

/**
 * Package-internal (no entry point exports it): open and seal with a
 * context that is already canonical, for the re-encryption paths, which
 * canonicalise a value's context once for both steps and check their
 * options once per job rather than once per call. Filled in by the
 * class's static block, which alone can reach its private methods.
 */
export interface KeyringInternals {
  /** `ring.open(envelope, { context })`, given the context's canonical bytes. */
  open(ring: Keyring, envelope: string | Uint8Array, context: Uint8Array): OpenResult;
  /** `ring.encrypt` (`text`) or `ring.encryptToBytes` (`binary`), given the context's canonical bytes. */
  seal(ring: Keyring, plaintext: string | Uint8Array, context: Uint8Array, form: EnvelopeForm): string | Buffer;
}

function foreignOptions(context: Uint8Array): CryptOptions {
  const original = contextFromCanonical(context);
  return original === undefined ? {} : { context: original };
}

const unset = (): never => {
  throw new Error('keyroll: Keyring internals used before the class was initialised');
};
/** See {@link KeyringInternals}. */
export const keyringInternals: KeyringInternals = { open: unset, seal: unset };

/**
 * A keyring: exactly one active key that encrypts, plus `decrypt-only`,
 * `pending` and `disabled` keys. Immutable: lifecycle operations return a
 * new, validated keyring.
 *
 * @example
 * ```ts
 * import { Keyring, generateKey } from 'keyroll';
 * const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
 * const stored = ring.encrypt('4111 1111 1111 1111', { context: { table: 'cards', column: 'pan', id: '7' } });
 * ring.decryptString(stored, { context: { table: 'cards', column: 'pan', id: '7' } });
 * ```
 */
export class Keyring {
  readonly #keys: ReadonlyMap<string, Key>;
  readonly #baseActive: Key;
  readonly #pending: readonly Key[];
  readonly #policy: Policy;
  readonly #clock: Clock;
  readonly #onDecrypt: ((event: DecryptEvent) => void) | undefined;
  readonly #stats: UsageStats;
  readonly #salt: SaltSource | undefined;
  readonly #generation: number | undefined;
  readonly #removed: readonly RemovedKey[];

  static {
    // A keyring from another copy of the package has other private names: it takes the public path.
    // Not a type guard: a `false` must not narrow `ring` to never.
    const own = (ring: Keyring): boolean => #open in ring;
    keyringInternals.open = (ring, envelope, context) => (own(ring) ? ring.#open(parseEnvelope(envelope), context) : ring.open(envelope, foreignOptions(context)));
    keyringInternals.seal = (ring, plaintext, context, form) => {
      if (!own(ring)) return form === 'text' ? ring.encrypt(plaintext, foreignOptions(context)) : asBuffer(ring.encryptToBytes(plaintext, foreignOptions(context)));
      const { keyId, bytes } = ring.#seal(plaintext, context);
      return form === 'text' ? toText(CURRENT_VERSION, keyId, bytes) : bytes;
    };
  }

  private constructor(keys: readonly Key[], policy: Policy, runtime: KeyringRuntimeOptions, stats: UsageStats, removed: readonly RemovedKey[]) {
    this.#keys = validateKeys(keys, policy);
    this.#removed = Object.freeze(removed.map((r) => Object.freeze({ ...r })));
    this.#policy = policy;
    this.#baseActive = keys.find((k) => k.state === 'active')!;
    this.#pending = pendingKeys(keys);
    this.#clock = runtime.clock ?? systemClock;
    this.#onDecrypt = runtime.onDecrypt;
    this.#stats = stats;
    this.#salt = (runtime as { [SALT_SOURCE]?: SaltSource })[SALT_SOURCE];
    this.#generation = (runtime as { [SOURCE_GENERATION]?: number })[SOURCE_GENERATION];
  }

  /**
   * Builds a keyring from keys and a policy, checking every rule.
   * @example
   * ```ts
   * const ring = Keyring.create({
   *   keys: [
   *     { id: 'k2', secret: process.env.KEY_2!, encoding: 'hex', state: 'active' },
   *     { id: 'k1', secret: process.env.KEY_1!, encoding: 'hex', state: 'decrypt-only' },
   *   ],
   *   policy: { minVersion: 1 },
   * });
   * ```
   */
  static create(options: KeyringOptions): Keyring {
    if (typeof options !== 'object' || options === null) fail('ERR_INVALID_ARGUMENT', 'Keyring.create needs an options object with keys');
    runtimeOptions(options, 'Keyring.create options', CREATE_OPTIONS);
    if (options.keys === undefined) fail('ERR_INVALID_KEYRING', 'keys must be an array');
    const specs = checkArray<KeySpec | Key>(options.keys, 'Keyring.create options: keys');
    const clock = options.clock ?? systemClock;
    const now = toDate(clock());
    const activeId = options.activeKeyId === undefined ? undefined : checkKeyId(options.activeKeyId);
    const keys = keysFromSpecs(specs, activeId, now);
    const stats = (options as { [SHARED_STATS]?: UsageStats })[SHARED_STATS] ?? new UsageStats();
    const removed = options.removed === undefined ? [] : parseRemoved(options.removed, 'removed', new Set(keys.map((k) => k.id)));
    return new Keyring(keys, normalizePolicy(options.policy), options, stats, removed);
  }

  /**
   * Loads a keyring document (JSON text or the parsed object), as written by {@link Keyring.export}.
   * @example
   * ```ts
   * const ring = Keyring.fromJSON(fs.readFileSync('keyring.json', 'utf8'));
   * ```
   */
  static fromJSON(input: string | KeyringDocument | object, options: KeyringRuntimeOptions = {}): Keyring {
    runtimeOptions(options, 'Keyring.fromJSON options', LOADER_OPTIONS);
    const { keys, policy, removed } = parseDocument(input);
    // A document unsealed from a sealed file (fromSealedFile, fromEnv, watch, the CLI) carries its generation into the fingerprint.
    const generation = (options as { [SOURCE_GENERATION]?: number })[SOURCE_GENERATION] ?? sealedGenerationOf(input);
    return Keyring.create({ ...options, keys, removed, ...(policy === undefined ? {} : { policy }), ...(generation === undefined ? {} : { [SOURCE_GENERATION]: generation }) });
  }

  /**
   * Loads a plain keyring document from a file.
   * @example
   * ```ts
   * const ring = await Keyring.fromFile('/etc/myapp/keyring.json');
   * ```
   */
  static async fromFile(path: string, options: KeyringRuntimeOptions = {}): Promise<Keyring> {
    runtimeOptions(options, 'Keyring.fromFile options');
    return Keyring.fromJSON((await loadKeyringFile(path)) as object, options);
  }

  /**
   * Loads a sealed (encrypted) keyring file, unlocked with a master key, a passphrase or a {@link KeyWrapper}.
   * A wrong master key or passphrase, or a modified file, gives `ERR_DECRYPT_FAILED` naming the file;
   * a file older than `minGeneration` gives `ERR_INVALID_KEYRING`.
   * @example
   * ```ts
   * const ring = await Keyring.fromSealedFile('keyring.sealed', { passphrase: process.env.KEYROLL_PASSPHRASE! }, { minGeneration: 12 });
   * ```
   */
  static async fromSealedFile(path: string, unlock: UnlockOptions, options: SealedLoadOptions = {}): Promise<Keyring> {
    const { minGeneration, ...runtime } = runtimeOptions(options, 'Keyring.fromSealedFile options', SEALED_LOAD_OPTIONS);
    checkUnlock(unlock);
    return Keyring.fromJSON((await loadSealedKeyringFile(path, unlock, minGeneration === undefined ? {} : { minGeneration })) as object, runtime);
  }

  /**
   * Loads a keyring from environment variables: the keyroll layout
   * (`KEYROLL_KEYRING`, or `KEYROLL_KEYRING_FILE` with `KEYROLL_MASTER_KEY` or
   * `KEYROLL_PASSPHRASE` when sealed) or the platform layout (`ENCRYPTION_KEY`,
   * `ACTIVE_ENCRYPTION_KEY_NAME`, `oldEncKeys.json` or `OLD_ENC_KEYS`). A
   * sealed file older than the larger of `minGeneration` and
   * `KEYROLL_MIN_GENERATION` is refused; either one set for a keyring that
   * is not a sealed file is refused too.
   * @example
   * ```ts
   * const ring = await Keyring.fromEnv(process.env, { minGeneration: 12 });
   * ```
   */
  static async fromEnv(env: Readonly<Record<string, string | undefined>> = process.env, options: SealedLoadOptions = {}): Promise<Keyring> {
    const { minGeneration, ...runtime } = runtimeOptions(options, 'Keyring.fromEnv options', SEALED_LOAD_OPTIONS);
    const doc = await loadKeyringFromEnv(env, { minGeneration });
    return withEnvOrigin(env, () => Keyring.fromJSON(doc as object, runtime));
  }

  /**
   * Loads a keyring from a directory with one file per field, as Kubernetes mounts a secret.
   * @example
   * ```ts
   * const ring = await Keyring.fromDirectory('/var/run/secrets/keyroll');
   * ```
   */
  static async fromDirectory(dir: string, options: KeyringRuntimeOptions = {}): Promise<Keyring> {
    runtimeOptions(options, 'Keyring.fromDirectory options');
    return Keyring.fromJSON((await loadKeyringFromDirectory(dir)) as object, options);
  }

  /**
   * Loads a keyring file (plain, or sealed with `unlock`) or a directory of
   * key files (keyroll or platform layout, as Kubernetes mounts a secret)
   * and follows its changes: a file replaced by rename, the Kubernetes
   * `..data` symlink swap, an edit in place (fs events, with polling as a
   * fallback; debounced). A change that does not load (a torn write, a bad
   * document, the wrong master key) keeps the last good keyring and goes to
   * `onError`; `onReload` gets each new keyring once it is current. Usage
   * counts continue across reloads. Call `close()` when done.
   * @example
   * ```ts
   * const keys = await Keyring.watch('/var/run/secrets/keyroll', {
   *   onReload: (ring) => log.info(`keyring ${ring.fingerprint()} loaded`),
   *   onError: (err) => log.error(`keyring not reloaded: ${err.message}`),
   * });
   * keys.encrypt('secret'); // always the latest good keyring
   * ```
   */
  static watch(source: string, options: WatchOptions = {}): Promise<KeyringWatcher> {
    return watchKeyring(source, options, (document, runtime, stats) => Keyring.fromJSON(document as object, { ...runtime, [SHARED_STATS]: stats } as KeyringRuntimeOptions));
  }

  #now(): number {
    return clockMs(this.#clock());
  }

  #nowDate(): Date {
    return new Date(this.#now());
  }

  #activeAt(now: number): Key {
    return activeAt(this.#baseActive, this.#pending, now);
  }

  #stateAt(key: Key, active: Key, now: number): KeyState {
    return stateAt(key, active, now);
  }

  /**
   * The keyring's current time: its injected `clock`, or the system clock.
   * Code that acts with a keyring (tokens, for example) reads the time here,
   * so a test clock governs both key activation and expiry.
   * @example
   * ```ts
   * const ring = Keyring.create({ keys, clock: () => Date.parse('2030-01-01T00:00:00Z') });
   * ring.now().toISOString(); // '2030-01-01T00:00:00.000Z'
   * ```
   */
  now(): Date {
    return this.#nowDate();
  }

  /** The id of the key that encrypts now (pending keys whose time has come included). */
  get activeKeyId(): string {
    return this.#activeAt(this.#now()).id;
  }

  /** The policy in force. */
  get policy(): Policy {
    return this.#policy;
  }

  /**
   * Every key's public facts with its state now. Never secrets.
   * @example
   * ```ts
   * for (const k of ring.keys()) console.log(k.id, k.state);
   * ```
   */
  keys(): KeyInfo[] {
    const now = this.#now();
    const active = this.#activeAt(now);
    return [...this.#keys.values()].map((k) => k.info(this.#stateAt(k, active, now)));
  }

  /** True when the keyring holds a key with this id. */
  has(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  /**
   * The key with this id (its secret stays hidden), or `undefined`.
   * @example
   * ```ts
   * ring.get('k1')?.state; // 'decrypt-only'
   * ```
   */
  get(keyId: string): Key | undefined {
    return this.#keys.get(keyId);
  }

  /**
   * Encrypts with the active key; returns the text form `kr1.<keyId>.<base64url>`.
   * @example
   * ```ts
   * const stored = ring.encrypt(token, { context: { table: 'users', column: 'token', id: String(userId) } });
   * ```
   */
  encrypt(plaintext: string | Uint8Array, options?: CryptOptions): string {
    const { keyId, bytes } = this.#seal(plaintext, contextOf(options, 'ring.encrypt options'));
    return toText(CURRENT_VERSION, keyId, bytes);
  }

  /**
   * Encrypts with the active key; returns the compact binary form.
   * @example
   * ```ts
   * const blob = ring.encryptToBytes(new Uint8Array([1, 2, 3]));
   * ```
   */
  encryptToBytes(plaintext: string | Uint8Array, options?: CryptOptions): Uint8Array {
    return this.#seal(plaintext, contextOf(options, 'ring.encryptToBytes options')).bytes;
  }

  /** Seals under the active key; `context` is already canonical. */
  #seal(plaintext: string | Uint8Array, context: Uint8Array): { keyId: string; bytes: Buffer } {
    assertStringOrBytes(plaintext, 'plaintext');
    const data = typeof plaintext === 'string' ? utf8(plaintext, 'plaintext') : plaintext;
    const now = this.#now();
    const key = this.#activeAt(now);
    const suiteKey = materialOf(key).derived(1, suite1Key);
    const bytes = this.#salt === undefined ? seal1(key.id, suiteKey, data, context) : seal1(key.id, suiteKey, data, context, this.#salt(16));
    this.#stats.encrypted(key.id, now);
    return { keyId: key.id, bytes };
  }

  /**
   * Decrypts an envelope (text or binary) with whichever known, non-disabled key made it.
   * @example
   * ```ts
   * const bytes = ring.decrypt(stored, { context: { table: 'users', column: 'token', id: '42' } });
   * ```
   */
  decrypt(envelope: string | Uint8Array, options?: CryptOptions): Uint8Array {
    return this.#open(parseEnvelope(envelope), contextOf(options, 'ring.decrypt options')).plaintext;
  }

  /**
   * Decrypts to a string (the plaintext must be UTF-8).
   * @example
   * ```ts
   * const token = ring.decryptString(stored);
   * ```
   */
  decryptString(envelope: string | Uint8Array, options?: CryptOptions): string {
    const plaintext = this.#open(parseEnvelope(envelope), contextOf(options, 'ring.decryptString options')).plaintext;
    return fromUtf8(plaintext, 'the decrypted plaintext');
  }

  /**
   * Decrypts and tells which key made the envelope and whether it is stale.
   * @example
   * ```ts
   * const { plaintext, stale } = ring.open(stored);
   * if (stale) await saveIfUnchanged(ring.encrypt(plaintext), stored);
   * ```
   */
  open(envelope: string | Uint8Array, options?: CryptOptions): OpenResult {
    const parsed = parseEnvelope(envelope);
    return this.#open(parsed, contextOf(options, 'ring.open options'));
  }

  /** Opens a parsed envelope; `context` is already canonical. */
  #open(parsed: ParsedEnvelope, context: Uint8Array): OpenResult {
    const now = this.#now();
    const key = this.#keyFor(parsed);
    const plaintext = open1(parsed, materialOf(key).derived(1, suite1Key), context);
    if (plaintext === undefined) decryptFailed(parsed.keyId);
    const active = this.#activeAt(now);
    const stale = this.#isStale(parsed, key, active, now);
    this.#stats.decrypted(key.id, stale, now);
    if (this.#onDecrypt !== undefined) {
      try {
        this.#onDecrypt({ keyId: key.id, version: parsed.version, suite: parsed.suite.id, stale, activeKeyId: active.id });
      } catch {
        // A telemetry hook must never turn a good read into a failure.
      }
    }
    return { plaintext, keyId: key.id, version: parsed.version, suite: parsed.suite.id, stale, form: parsed.form };
  }

  #keyFor(parsed: ParsedEnvelope): Key {
    return keyFor(this.#keys, this.#policy, parsed);
  }

  /**
   * The same plaintext under the active key (text form).
   * @example
   * ```ts
   * const fresh = ring.reencrypt(stored, { context });
   * ```
   */
  reencrypt(envelope: string | Uint8Array, options?: CryptOptions): string {
    const parsed = parseEnvelope(envelope);
    const context = contextOf(options, 'ring.reencrypt options');
    const { plaintext } = this.#open(parsed, context);
    try {
      const { keyId, bytes } = this.#seal(plaintext, context);
      return toText(CURRENT_VERSION, keyId, bytes);
    } finally {
      asBuffer(plaintext).fill(0);
    }
  }

  /**
   * True when the envelope (by its header alone, no decryption) should move
   * to the active key. Staleness goes forward only: an envelope is stale when
   * its key was introduced before the active key (an earlier `createdAt`,
   * or the same one: keys loaded without dates, as in the platform layout,
   * count as older than the active key), or when it is the active
   * key's with an older suite or format version. An envelope under a pending
   * key, under a key newer than the active one, or under a key this keyring
   * does not hold is never stale: an instance that has not reloaded, or whose
   * clock is behind, must not rewrite newer values under an older key.
   * Throws on a malformed envelope.
   * @example
   * ```ts
   * if (ring.isStale(stored)) queueForRotation(rowId);
   * ```
   */
  isStale(envelope: string | Uint8Array): boolean {
    const parsed = parseEnvelope(envelope);
    const now = this.#now();
    return this.#isStale(parsed, this.#keys.get(parsed.keyId), this.#activeAt(now), now);
  }

  #isStale(parsed: ParsedEnvelope, key: Key | undefined, active: Key, now: number): boolean {
    return isStaleUnder(parsed, key, active, now);
  }

  /**
   * The blind index of `value` under the active key: a keyed digest for
   * equality lookups on an encrypted column (docs/blind-index.md). Store it
   * next to the envelope; query with {@link blindIndexCandidates}.
   * @example
   * ```ts
   * const byEmail = { purpose: 'users.email', bits: 64, normalize: { trim: true, nfc: true, caseFold: true } };
   * db.prepare('INSERT INTO users (email, email_idx) VALUES (?, ?)').run(ring.encrypt(email), ring.blindIndex(email, byEmail));
   * ```
   */
  blindIndex(value: BlindIndexValue, options: BlindIndexOptions): string {
    const spec = indexSpec(options);
    return indexesUnder([materialOf(this.#activeAt(this.#now()))], value, spec)[0]!;
  }

  /**
   * Every index value that a usable key (active, pending or `decrypt-only`)
   * could have written for `value`, the active key's first and without
   * duplicates: query with `WHERE idx IN (...)` so rows indexed before,
   * during and after a rotation are all found.
   * @example
   * ```ts
   * const ids = ring.blindIndexCandidates(email, byEmail);
   * db.prepare(`SELECT * FROM users WHERE email_idx IN (${ids.map(() => '?').join(',')})`).all(...ids);
   * ```
   */
  blindIndexCandidates(value: BlindIndexValue, options: BlindIndexOptions): string[] {
    const spec = indexSpec(options);
    const now = this.#now();
    const active = this.#activeAt(now);
    const materials = [materialOf(active)];
    for (const key of this.#keys.values()) {
      if (key !== active && this.#stateAt(key, active, now) !== 'disabled') materials.push(materialOf(key));
    }
    return indexesUnder(materials, value, spec);
  }

  /**
   * Adds a key (default state `decrypt-only`; with `activatesAt`, `pending`
   * until then; with `activate: true`, active now).
   * @example
   * ```ts
   * const next = ring.add(generateKey({ id: 'k3' }), { activatesAt: new Date(Date.now() + 3600_000) });
   * ```
   */
  add(key: KeySpec | Key, options: AddOptions = {}): Keyring {
    checkAddOptions(options);
    const now = this.#nowDate();
    const keys = addKey(this.#resolved(now), key, options, now);
    const added = keys[keys.length - 1]!;
    const removed = afterReAdd(this.#removed, added.id, materialOf(added).bytes(), options.reuseRemovedId === true);
    return this.#derive(keys, removed);
  }

  /**
   * Moves a pending key's activation time, to an absolute time or by a
   * duration from the current one. The key must not have activated yet.
   * @example
   * ```ts
   * ring = ring.postpone('k2', { by: '30m' }); // the rollout is late
   * ```
   */
  postpone(keyId: string, options: PostponeOptions): Keyring {
    const now = this.#nowDate();
    return this.#derive(postponeKey(this.#resolved(now), keyId, options, now));
  }

  /**
   * Makes `keyId` the active key; the previous active key becomes `decrypt-only`.
   * @example
   * ```ts
   * ring = ring.promote('k3');
   * ```
   */
  promote(keyId: string): Keyring {
    return this.#derive(promoteKey(this.#resolved(this.#nowDate()), keyId));
  }

  /**
   * Makes a key `decrypt-only` (never the active key).
   * @example
   * ```ts
   * ring = ring.retire('k1');
   * ```
   */
  retire(keyId: string): Keyring {
    return this.#derive(retireKey(this.#resolved(this.#nowDate()), keyId));
  }

  /**
   * Disables a key: it no longer decrypts (never the active key).
   * @example
   * ```ts
   * ring = ring.disable('leaked');
   * ```
   */
  disable(keyId: string): Keyring {
    return this.#derive(disableKey(this.#resolved(this.#nowDate()), keyId));
  }

  /**
   * Removes a key (never the active key). Values it encrypted can no longer be read.
   * @example
   * ```ts
   * ring = ring.remove('k1');
   * ```
   */
  remove(keyId: string): Keyring {
    const now = this.#nowDate();
    const keys = removeKey(this.#resolved(now), keyId);
    return this.#derive(keys, afterRemove(this.#removed, keyId, materialOf(this.#keys.get(keyId)!).bytes(), now));
  }

  /**
   * The keys removed from this keyring: id, time and a non-secret
   * fingerprint of the secret, so that the id is never silently reused with
   * another secret (see `AddOptions.reuseRemovedId`).
   * @example
   * ```ts
   * ring.remove('k1').removed().map((r) => r.id); // ['k1']
   * ```
   */
  removed(): RemovedKey[] {
    return this.#removed.map((r) => ({ ...r }));
  }

  #resolved(now: Date): Key[] {
    return resolvePending([...this.#keys.values()], now);
  }

  #derive(keys: Key[], removed: readonly RemovedKey[] = this.#removed): Keyring {
    const runtime = { clock: this.#clock, ...(this.#onDecrypt ? { onDecrypt: this.#onDecrypt } : {}), ...(this.#salt ? { [SALT_SOURCE]: this.#salt } : {}) };
    return new Keyring(keys, this.#policy, runtime, this.#stats, removed);
  }

  /**
   * Per-key counts of encryptions and decryptions in this process (shared with keyrings derived from this one).
   * @example
   * ```ts
   * const idle = ring.stats().filter((s) => s.keyId !== ring.activeKeyId && s.decryptions === 0);
   * ```
   */
  stats(): KeyUsage[] {
    return this.#stats.snapshot(this.#keys.keys());
  }

  /**
   * A short digest of the keyring's public facts: key ids, their states and
   * activation times as loaded, the policy, and the file's generation when
   * the file records one. Never of secrets. Every instance that loaded the
   * same keyring shows the same value, whatever its clock says, so a health
   * endpoint that reports it shows when a change has reached the whole fleet.
   * docs/format.md specifies the input.
   * @example
   * ```ts
   * app.get('/healthz', (_req, res) => res.json({ ok: true, keyring: ring.fingerprint() })); // 'fp1.3f9c0a...'
   * ```
   */
  fingerprint(): string {
    return fingerprintOf(this.#keys.values(), this.#policy, this.#generation);
  }

  /**
   * The keyring document, secrets included: the one deliberate way to get
   * secrets out. Pending keys whose time has come are written as active.
   * @example
   * ```ts
   * fs.writeFileSync('keyring.json', JSON.stringify(ring.export(), null, 2), { mode: 0o600 });
   * ```
   */
  export(): KeyringDocument {
    const keys = this.#resolved(this.#nowDate()).map((key) => {
      const info = key.info();
      return { ...info, ...materialOf(key).exportForm() };
    });
    const policy: PolicyInput = { ...this.#policy };
    if (this.#removed.length === 0) return { format: DOCUMENT_FORMAT, version: 1, policy, keys };
    return { format: DOCUMENT_FORMAT, version: DOCUMENT_VERSION, policy, keys, removed: this.removed() };
  }

  /** Public facts only: never secrets. */
  toJSON(): { activeKeyId: string; keys: KeyInfo[]; policy: Policy } {
    return { activeKeyId: this.activeKeyId, keys: this.keys(), policy: this.#policy };
  }
  toString(): string {
    return `Keyring(active: ${this.activeKeyId}, ${this.#keys.size} key${this.#keys.size === 1 ? '' : 's'})`;
  }
  [INSPECT](): string {
    const keys = this.keys().map((k) => `${k.id}: ${k.state}`).join(', ');
    return `Keyring { active: '${this.activeKeyId}', keys: { ${keys} } }`;
  }
}

function checkAddOptions(options: AddOptions): void {
  checkOptions(options, ['activatesAt', 'activatesIn', 'activate', 'reuseRemovedId'], 'ring.add options');
  if (options.activatesAt !== undefined && timeValue(options.activatesAt) === undefined) {
    fail('ERR_INVALID_ARGUMENT', 'ring.add options: activatesAt must be a Date, milliseconds or an RFC 3339 time with an offset, such as 2026-12-01T00:00:00Z');
  }
  if (options.activate !== undefined && typeof options.activate !== 'boolean') fail('ERR_INVALID_ARGUMENT', `ring.add options: activate must be a boolean, got ${describe(options.activate)}`);
  if (options.reuseRemovedId !== undefined && typeof options.reuseRemovedId !== 'boolean') fail('ERR_INVALID_ARGUMENT', `ring.add options: reuseRemovedId must be a boolean, got ${describe(options.reuseRemovedId)}`);
}

function toDate(value: Date | number): Date {
  return new Date(clockMs(value));
}

