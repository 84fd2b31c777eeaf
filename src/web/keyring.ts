/**
 * The asynchronous keyring of `keyroll/web`: the same keys, rules, policy,
 * envelopes and errors as `Keyring`, with promises where the primitives run.
 * Key selection, validation and the envelope format are the Node edition's
 * own code (keyring/select.ts, keyring/rules.ts, envelope/); only the engine
 * under it differs: WebCrypto (suites/webcrypto.ts) by default, node:crypto
 * (suites/node-engine.ts) in the class web/node.ts derives for the `node`
 * export condition.
 * @module
 */
import { assertStringOrBytes, fromUtf8, utf8 } from '../bytes.js';
import { checkArray, checkOptions, optionalFunction } from '../args.js';
import { fail } from '../errors.js';
import { parseDocument, type KeyringDocument } from '../document/index.js';
import { CURRENT_VERSION, parseEnvelope, toText, type ParsedEnvelope } from '../envelope/format.js';
import { checkKeyId } from '../document/key-id.js';
import { materialOf, type Key, type KeyInfo, type KeySpec } from '../keyring/key.js';
import { normalizePolicy, type Policy, type PolicyInput } from '../keyring/policy.js';
import { validateKeys } from '../keyring/rules.js';
import { SALT_SOURCE, activeAt, clockMs, contextOf, decryptFailed, isStaleUnder, keyFor, keysFromSpecs, pendingKeys, stateAt } from '../keyring/select.js';
import type { SuiteEngine } from '../suites/backend.js';
import { webEngine } from '../suites/webcrypto.js';
import type { Clock, CryptOptions, DecryptEvent, OpenResult } from '../keyring/keyring.js';

/*
 * The engine of each WebKeyring class: WebCrypto unless a subclass was
 * registered with another (web/node.ts, the node:crypto build). Kept by
 * class, not in a module variable: both builds may share this module's
 * chunk and be loaded in one process.
 */
const ENGINES = new WeakMap<object, SuiteEngine<unknown>>();

/** The engine registered for `Class` or the nearest class it extends; WebCrypto when none is. */
function engineOf(Class: object): SuiteEngine<unknown> {
  for (let c: object | null = Class; c !== null && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const engine = ENGINES.get(c);
    if (engine !== undefined) return engine;
  }
  return webEngine as SuiteEngine<unknown>;
}

/** @internal Makes instances of `subclass` (and its `create`/`fromJSON`) run on `engine`. */
export function useEngine<K>(subclass: typeof WebKeyring, engine: SuiteEngine<K>): void {
  ENGINES.set(subclass, engine as SuiteEngine<unknown>);
}
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const RUNTIME_OPTIONS = ['clock', 'onDecrypt'] as const;
const CREATE_OPTIONS = ['keys', 'policy', 'activeKeyId', ...RUNTIME_OPTIONS, SALT_SOURCE];

/**
 * Options of {@link WebKeyring.fromJSON} (and part of {@link WebKeyring.create}'s).
 * @example
 * ```ts
 * const ring = WebKeyring.fromJSON(doc, { clock: () => Date.parse('2030-01-01T00:00:00Z') });
 * ```
 */
export interface WebKeyringRuntimeOptions {
  /** Returns now; defaults to the system clock. Decides when pending keys activate. */
  readonly clock?: Clock;
  /** Called after every successful decryption (errors it throws are ignored). */
  readonly onDecrypt?: (event: DecryptEvent) => void;
}

/**
 * Options of {@link WebKeyring.create}.
 * @example
 * ```ts
 * const ring = WebKeyring.create({ keys: [{ id: 'k1', secret: hexSecret, encoding: 'hex' }] });
 * ```
 */
export interface WebKeyringOptions extends WebKeyringRuntimeOptions {
  /** The keys. A key without `state` is `active` when it is the only key or is named by `activeKeyId`, else `decrypt-only`. */
  readonly keys: ReadonlyArray<KeySpec | Key>;
  /** Policy checked when the keyring is built. */
  readonly policy?: PolicyInput;
  /** Marks this key active (others without a state become `decrypt-only`). */
  readonly activeKeyId?: string;
}

type SaltSource = (length: number) => Uint8Array;

/**
 * A keyring for runtimes with WebCrypto and no node:crypto (browsers,
 * Cloudflare Workers, Deno, Bun; Node too). The same rules, envelopes and
 * error codes as `Keyring` from `keyroll`: what one writes the other reads.
 * `encrypt`, `decrypt` and `open` return promises. Each key's secret is
 * imported once, as a non-extractable WebCrypto key. No files, no
 * environment: hand it a keyring document or keys.
 *
 * @example
 * ```ts
 * import { WebKeyring } from 'keyroll/web';
 * const ring = WebKeyring.fromJSON(env.KEYROLL_KEYRING); // a Worker's secret binding
 * const stored = await ring.encrypt('4111 1111 1111 1111', { context: { table: 'cards', id: '7' } });
 * await ring.decryptString(stored, { context: { table: 'cards', id: '7' } });
 * ```
 */
export class WebKeyring {
  readonly #keys: ReadonlyMap<string, Key>;
  readonly #baseActive: Key;
  readonly #pending: readonly Key[];
  readonly #policy: Policy;
  readonly #clock: Clock;
  readonly #onDecrypt: ((event: DecryptEvent) => void) | undefined;
  readonly #salt: SaltSource | undefined;
  readonly #engine: SuiteEngine<unknown>;

  /** @internal */
  protected constructor(keys: readonly Key[], policy: Policy, runtime: WebKeyringOptions) {
    this.#engine = engineOf(new.target);
    this.#keys = validateKeys(keys, policy);
    this.#policy = policy;
    this.#baseActive = keys.find((k) => k.state === 'active')!;
    this.#pending = pendingKeys(keys);
    this.#clock = runtime.clock ?? Date.now;
    this.#onDecrypt = runtime.onDecrypt;
    this.#salt = (runtime as { [SALT_SOURCE]?: SaltSource })[SALT_SOURCE];
  }

  /**
   * Builds a keyring from keys and a policy, checking every rule (as `Keyring.create`).
   * @example
   * ```ts
   * const ring = WebKeyring.create({
   *   keys: [
   *     { id: 'k2', secret: k2Hex, encoding: 'hex', state: 'active' },
   *     { id: 'k1', secret: k1Hex, encoding: 'hex', state: 'decrypt-only' },
   *   ],
   * });
   * ```
   */
  static create(options: WebKeyringOptions): WebKeyring {
    if (typeof options !== 'object' || options === null) fail('ERR_INVALID_ARGUMENT', 'WebKeyring.create needs an options object with keys');
    checkOptions(options, CREATE_OPTIONS, 'WebKeyring.create options');
    optionalFunction(options.clock, 'WebKeyring.create options: clock');
    optionalFunction(options.onDecrypt, 'WebKeyring.create options: onDecrypt');
    if (options.keys === undefined) fail('ERR_INVALID_KEYRING', 'keys must be an array');
    const specs = checkArray<KeySpec | Key>(options.keys, 'WebKeyring.create options: keys');
    const now = new Date(clockMs((options.clock ?? Date.now)()));
    const activeId = options.activeKeyId === undefined ? undefined : checkKeyId(options.activeKeyId);
    // `this`: the class it was called on (the node:crypto build's subclass, or this one when called detached).
    const Class = this ?? WebKeyring;
    return new Class(keysFromSpecs(specs, activeId, now), normalizePolicy(options.policy), options);
  }

  /**
   * Loads a keyring document (JSON text or the parsed object), as `Keyring.export()` writes it.
   * @example
   * ```ts
   * const ring = WebKeyring.fromJSON(await (await fetch('/keyring.json')).text());
   * ```
   */
  static fromJSON(input: string | KeyringDocument | object, options: WebKeyringRuntimeOptions = {}): WebKeyring {
    checkOptions(options, RUNTIME_OPTIONS, 'WebKeyring.fromJSON options');
    const { keys, policy } = parseDocument(input);
    return (this ?? WebKeyring).create({ ...options, keys, ...(policy === undefined ? {} : { policy }) });
  }

  #now(): number {
    return clockMs(this.#clock());
  }

  #activeAt(now: number): Key {
    return activeAt(this.#baseActive, this.#pending, now);
  }

  /**
   * The keyring's current time (its clock); tokens read it too.
   * @example
   * ```ts
   * ring.now().toISOString();
   * ```
   */
  now(): Date {
    return new Date(this.#now());
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
    return [...this.#keys.values()].map((k) => k.info(stateAt(k, active, now)));
  }

  /** True when the keyring holds a key with this id. */
  has(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  /**
   * The key with this id (its secret stays hidden), or `undefined`.
   * @example
   * ```ts
   * ring.get('k1')?.state;
   * ```
   */
  get(keyId: string): Key | undefined {
    return this.#keys.get(keyId);
  }

  /**
   * Encrypts with the active key; resolves to the text form `kr1.<keyId>.<base64url>`.
   * @example
   * ```ts
   * const stored = await ring.encrypt(token, { context: { table: 'users', column: 'token', id: '42' } });
   * ```
   */
  async encrypt(plaintext: string | Uint8Array, options?: CryptOptions): Promise<string> {
    const { keyId, bytes } = await this.#seal(plaintext, contextOf(options, 'ring.encrypt options'));
    return toText(CURRENT_VERSION, keyId, bytes);
  }

  /**
   * Encrypts with the active key; resolves to the compact binary form.
   * @example
   * ```ts
   * const blob = await ring.encryptToBytes(new Uint8Array([1, 2, 3]));
   * ```
   */
  async encryptToBytes(plaintext: string | Uint8Array, options?: CryptOptions): Promise<Uint8Array> {
    return (await this.#seal(plaintext, contextOf(options, 'ring.encryptToBytes options'))).bytes;
  }

  async #seal(plaintext: string | Uint8Array, context: Uint8Array): Promise<{ keyId: string; bytes: Uint8Array }> {
    assertStringOrBytes(plaintext, 'plaintext');
    const data = typeof plaintext === 'string' ? utf8(plaintext, 'plaintext') : plaintext;
    const key = this.#activeAt(this.#now());
    const salt = this.#salt === undefined ? undefined : this.#salt(16);
    const bytes = await this.#engine.seal(key.id, this.#imported(key), data, context, salt);
    return { keyId: key.id, bytes };
  }

  /**
   * Decrypts an envelope (text or binary) with whichever known, non-disabled key made it.
   * @example
   * ```ts
   * const bytes = await ring.decrypt(stored, { context: { table: 'users', column: 'token', id: '42' } });
   * ```
   */
  async decrypt(envelope: string | Uint8Array, options?: CryptOptions): Promise<Uint8Array> {
    return (await this.#open(parseEnvelope(envelope), contextOf(options, 'ring.decrypt options'))).plaintext;
  }

  /**
   * Decrypts to a string (the plaintext must be UTF-8).
   * @example
   * ```ts
   * const token = await ring.decryptString(stored);
   * ```
   */
  async decryptString(envelope: string | Uint8Array, options?: CryptOptions): Promise<string> {
    const { plaintext } = await this.#open(parseEnvelope(envelope), contextOf(options, 'ring.decryptString options'));
    return fromUtf8(plaintext, 'the decrypted plaintext');
  }

  /**
   * Decrypts and tells which key made the envelope and whether it is stale.
   * @example
   * ```ts
   * const { plaintext, stale } = await ring.open(stored);
   * ```
   */
  async open(envelope: string | Uint8Array, options?: CryptOptions): Promise<OpenResult> {
    return this.#open(parseEnvelope(envelope), contextOf(options, 'ring.open options'));
  }

  async #open(parsed: ParsedEnvelope, context: Uint8Array): Promise<OpenResult> {
    const key = keyFor(this.#keys, this.#policy, parsed);
    const plaintext = await this.#engine.open(parsed, this.#imported(key), context);
    if (plaintext === undefined) decryptFailed(parsed.keyId);
    const now = this.#now();
    const active = this.#activeAt(now);
    const stale = isStaleUnder(parsed, key, active, now);
    if (this.#onDecrypt !== undefined) {
      try {
        this.#onDecrypt({ keyId: key.id, version: parsed.version, suite: parsed.suite.id, stale, activeKeyId: active.id });
      } catch {
        // A telemetry hook must never turn a good read into a failure.
      }
    }
    return { plaintext, keyId: key.id, version: parsed.version, suite: parsed.suite.id, stale, form: parsed.form };
  }

  /**
   * True when the envelope (by its header alone) should move to the active key, as `Keyring#isStale`.
   * @example
   * ```ts
   * if (ring.isStale(stored)) queueForRotation(id);
   * ```
   */
  isStale(envelope: string | Uint8Array): boolean {
    const parsed = parseEnvelope(envelope);
    const now = this.#now();
    return isStaleUnder(parsed, this.#keys.get(parsed.keyId), this.#activeAt(now), now);
  }

  /** The key's secret as the engine's key state (a non-extractable WebCrypto key, or node:crypto HMAC pads), made once and cached with the key. */
  #imported(key: Key): unknown {
    const engine = this.#engine;
    return materialOf(key).derived(engine.slot, (secret) => engine.importKey(secret));
  }

  toJSON(): { activeKeyId: string; keys: KeyInfo[]; policy: Policy } {
    return { activeKeyId: this.activeKeyId, keys: this.keys(), policy: this.#policy };
  }
  toString(): string {
    return `WebKeyring(active: ${this.activeKeyId}, ${this.#keys.size} key${this.#keys.size === 1 ? '' : 's'})`;
  }
  [INSPECT](): string {
    const keys = this.keys().map((k) => `${k.id}: ${k.state}`).join(', ');
    return `WebKeyring { active: '${this.activeKeyId}', keys: { ${keys} } }`;
  }
}
