/**
 * A key: id, state, dates, and secret material that never shows itself.
 * @module
 */
import { fail } from '../errors.js';
import { describe, fromBase64Strict, fromBase64urlStrict, fromHexStrict, toBase64url, utf8 } from '../bytes.js';
import { checkKeyId, KEY_ID_PATTERN } from '../document/key-id.js';
import { KEY_STATES, type KeyState, type SecretEncoding } from '../document/schema.js';
import { MIN_SECRET_BYTES } from './policy.js';
import { timeValue } from '../document/time.js';
import { checkOptions } from '../args.js';
import { keyLabel } from '../document/index.js';

export { checkKeyId, KEY_STATES, type KeyState, type SecretEncoding };

const ENCODINGS: readonly SecretEncoding[] = ['utf8', 'hex', 'base64', 'base64url'];

/**
 * A time as a `Date`, milliseconds since the epoch, or an RFC 3339 string
 * with an offset (`2026-12-01T00:00:00Z`, `2026-12-01T01:00:00+01:00`).
 * @example
 * ```ts
 * ring.add(generateKey({ id: 'k3' }), { activatesAt: '2026-12-01T00:00:00Z' });
 * ```
 */
export type TimeInput = Date | string | number;

/**
 * A key as callers describe it.
 * @example
 * ```ts
 * const spec: KeySpec = { id: 'k1', secret: 'ASDFGHJKL1234567', state: 'active' };
 * const ring = Keyring.create({ keys: [spec] });
 * ```
 */
export interface KeySpec {
  /** 1 to 64 characters of `A-Z a-z 0-9 _ -`. */
  readonly id: string;
  /** Secret material: bytes, or a string decoded per `encoding` (default: the raw UTF-8 string). */
  readonly secret: string | Uint8Array;
  /** How a string `secret` is written. */
  readonly encoding?: SecretEncoding;
  /** Default: see {@link Keyring.create}. */
  readonly state?: KeyState;
  /** Default: now. */
  readonly createdAt?: TimeInput;
  /** For `pending` keys: when the key becomes active. */
  readonly activatesAt?: TimeInput;
}

/**
 * A key's public facts: everything but the secret.
 * @example
 * ```ts
 * for (const { id, state, createdAt } of ring.keys()) console.log(id, state, createdAt);
 * ```
 */
export interface KeyInfo {
  readonly id: string;
  readonly state: KeyState;
  readonly createdAt: string;
  readonly activatesAt?: string;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const KEY_SPEC_FIELDS = ['id', 'secret', 'encoding', 'state', 'createdAt', 'activatesAt'];

/** Secret bytes and the string they were typed as, plus per-suite derived state. */
export class KeyMaterial {
  readonly #bytes: Uint8Array;
  readonly #text: string | undefined;
  readonly #encoding: SecretEncoding | undefined;
  readonly #derived = new Map<number, unknown>();

  constructor(bytes: Uint8Array, text?: string, encoding?: SecretEncoding) {
    this.#bytes = bytes;
    this.#text = text;
    this.#encoding = encoding;
  }
  /** The secret bytes. Internal: never hand these to callers. */
  bytes(): Uint8Array {
    return this.#bytes;
  }
  /**
   * The length in characters of a secret given as a raw UTF-8 string (as
   * operators type it), which is what the policy's length rules are about;
   * `undefined` for bytes and for hex/base64 encodings, whose length follows
   * from the byte count (so an exported bytes key always loads back). A
   * character is a Unicode code point (docs/format.md), not a UTF-16 unit:
   * `'🔑'` counts once, as it does in any other language's decoder.
   */
  typedLength(): number | undefined {
    if (this.#encoding !== 'utf8' || this.#text === undefined) return undefined;
    let points = 0;
    for (let i = 0; i < this.#text.length; i++) {
      const unit = this.#text.charCodeAt(i);
      // A well-formed string (checked when the key was made): a high surrogate starts a pair.
      if (unit >= 0xd800 && unit <= 0xdbff) i++;
      points++;
    }
    return points;
  }
  /** The secret as written in a keyring document. */
  exportForm(): { secret: string; encoding: SecretEncoding } {
    if (this.#text !== undefined && this.#encoding !== undefined) return { secret: this.#text, encoding: this.#encoding };
    return { secret: toBase64url(this.#bytes), encoding: 'base64url' };
  }
  /** Derived state for suite `id`, built once. */
  derived<T>(id: number, build: (secret: Uint8Array) => T): T {
    let value = this.#derived.get(id) as T | undefined;
    if (value === undefined) {
      value = build(this.#bytes);
      this.#derived.set(id, value);
    }
    return value;
  }
  toJSON(): string {
    return '[secret]';
  }
  toString(): string {
    return '[secret]';
  }
  [INSPECT](): string {
    return '[secret]';
  }
}

/*
 * Each key's material, outside the class: no method or property of a Key
 * reaches it, so `export()` of a keyring is the only way secrets leave.
 * Only modules inside the package import `materialOf`; the package's
 * entry points do not export it.
 */
const MATERIAL = new WeakMap<Key, KeyMaterial>();

/** @internal The secret material of `key`; never hand it to callers. */
export function materialOf(key: Key): KeyMaterial {
  return MATERIAL.get(key)!;
}

/**
 * A key. Immutable: lifecycle operations return new keys sharing the same
 * material. `JSON.stringify`, `String()` and `util.inspect` show the id and
 * state only.
 * @example
 * ```ts
 * const key = generateKey({ id: 'k1' });
 * String(key); // 'Key(k1, active)': never the secret
 * const ring = Keyring.create({ keys: [key] });
 * ```
 */
export class Key {
  /** The key id, also written in every envelope it makes. */
  readonly id: string;
  /** The state as written in the keyring document. */
  readonly state: KeyState;
  /** When the key was made. */
  readonly createdAt: Date;
  /** For pending keys: when it becomes active. */
  readonly activatesAt: Date | undefined;

  /** @internal use {@link Key.from} or {@link generateKey}. */
  constructor(id: string, state: KeyState, createdAt: Date, activatesAt: Date | undefined, material: KeyMaterial) {
    this.id = id;
    this.state = state;
    this.createdAt = createdAt;
    this.activatesAt = activatesAt;
    MATERIAL.set(this, material);
    Object.freeze(this);
  }

  /**
   * Builds a key from a spec, checking the id, the secret and the dates.
   * @example
   * ```ts
   * const key = Key.from({ id: 'k2', secret: 'a3f1...', encoding: 'hex', state: 'active' });
   * ```
   */
  static from(spec: KeySpec | Key, defaults: { state: KeyState; now: Date }): Key {
    if (spec instanceof Key) return spec;
    if (typeof spec !== 'object' || spec === null) fail('ERR_INVALID_KEY', `a key must be an object with id and secret, got ${describe(spec)}`);
    checkOptions(spec, KEY_SPEC_FIELDS, 'a key spec');
    const id = checkKeyId(spec.id);
    const { label, details } = keyLabel(id);
    const state = spec.state ?? defaults.state;
    if (!KEY_STATES.includes(state)) fail('ERR_INVALID_KEY', `${label}: state must be one of ${KEY_STATES.join(', ')}`, details);
    const createdAt = spec.createdAt === undefined ? defaults.now : toDate(spec.createdAt, `${label}: createdAt`, details.keyId);
    const activatesAt = spec.activatesAt === undefined ? undefined : toDate(spec.activatesAt, `${label}: activatesAt`, details.keyId);
    return new Key(id, state, createdAt, activatesAt, materialFrom(id, spec.secret, spec.encoding));
  }

  /** A copy of this key in another state (same secret). */
  withState(state: KeyState, activatesAt?: Date): Key {
    return new Key(this.id, state, this.createdAt, activatesAt, materialOf(this));
  }

  /** Public facts only. */
  info(state: KeyState = this.state): KeyInfo {
    const base = { id: this.id, state, createdAt: this.createdAt.toISOString() };
    return this.activatesAt !== undefined && state === 'pending' ? { ...base, activatesAt: this.activatesAt.toISOString() } : base;
  }
  toJSON(): KeyInfo {
    return this.info();
  }
  toString(): string {
    return `Key(${this.id}, ${this.state})`;
  }
  [INSPECT](): string {
    return `Key { id: '${this.id}', state: '${this.state}', createdAt: ${this.createdAt.toISOString()} }`;
  }
}

/** Parses a {@link TimeInput} strictly (RFC 3339 with an offset for strings); an invalid time is ERR_INVALID_KEY naming `what` and the key. */
export function toDate(value: TimeInput, what: string, keyId: string | undefined): Date {
  const ms = timeValue(value);
  if (ms === undefined) fail('ERR_INVALID_KEY', `${what} is not a valid time (use an RFC 3339 time with an offset, such as 2026-12-01T00:00:00Z)`, keyId === undefined ? {} : { keyId });
  return new Date(ms);
}

function materialFrom(id: string, secret: unknown, encoding: SecretEncoding | undefined): KeyMaterial {
  // A secret that fails and is itself shaped as an id suggests the two are
  // swapped: then the id (perhaps the real secret) is not shown either.
  const swapped = typeof secret === 'string' && KEY_ID_PATTERN.test(secret) && id.length >= MIN_SECRET_BYTES;
  const { label, details } = keyLabel(id, swapped);
  if (secret instanceof Uint8Array) {
    if (encoding !== undefined) fail('ERR_INVALID_KEY', `${label}: encoding applies to string secrets only`, details);
    return checkedMaterial(label, details, new KeyMaterial(new Uint8Array(secret)));
  }
  if (typeof secret !== 'string') fail('ERR_INVALID_KEY', `${label}: secret must be a string or a Uint8Array, got ${describe(secret)}`, details);
  const enc = encoding ?? 'utf8';
  if (!ENCODINGS.includes(enc)) fail('ERR_INVALID_KEY', `${label}: encoding must be one of ${ENCODINGS.join(', ')}`, details);
  let bytes: Uint8Array | undefined;
  // Every decoding below writes into a buffer with its own backing store, never Node's shared pool.
  if (enc === 'utf8') {
    try {
      bytes = utf8(secret);
    } catch {
      fail('ERR_INVALID_KEY', `${label}: secret is not well-formed Unicode`, details);
    }
  } else if (enc === 'hex') bytes = fromHexStrict(secret);
  else if (enc === 'base64') bytes = fromBase64Strict(secret);
  else bytes = fromBase64urlStrict(secret);
  if (bytes === undefined) fail('ERR_INVALID_KEY', `${label}: secret is not valid ${enc}`, details);
  return checkedMaterial(label, details, new KeyMaterial(bytes, secret, enc));
}

function checkedMaterial(label: string, details: { keyId?: string }, material: KeyMaterial): KeyMaterial {
  const length = material.bytes().length;
  if (length < MIN_SECRET_BYTES) {
    material.bytes().fill(0);
    fail('ERR_INVALID_KEY', `${label}: secret material is ${length} bytes; at least ${MIN_SECRET_BYTES} are required`, details);
  }
  return material;
}
