/**
 * Context canonicalisation. A context binds an envelope to where it is
 * stored (for example `{ table: 'users', column: 'ssn', id: '42' }`); it is
 * authenticated as associated data and never stored. Pure.
 *
 * Canonical bytes (docs/format.md, "Context"):
 * - no context, `{}` or empty bytes: zero bytes;
 * - a record: `0x01`, u32be count, then for each entry in ascending order of
 *   the key's UTF-8 bytes: u32be key length, key, u32be value length, value;
 * - bytes: `0x02` followed by the bytes.
 * @module
 */
import { KeyrollError, fail } from '../errors.js';
import { describe, utf8 } from '../bytes.js';
import { printable } from '../args.js';

/**
 * What callers pass as `context`.
 * @example
 * ```ts
 * const context: Context = { table: 'users', column: 'ssn', id: '42' };
 * ring.decryptString(stored, { context });
 * ```
 */
export type Context = Readonly<Record<string, string>> | Uint8Array;

const EMPTY = new Uint8Array(0);
const TAG_RECORD = 0x01;
const TAG_BYTES = 0x02;

/** The canonical bytes of a context (see module doc). */
export function canonicalContext(context: Context | undefined | null): Uint8Array {
  if (context === undefined || context === null) return EMPTY;
  if (context instanceof Uint8Array) {
    if (context.length === 0) return EMPTY;
    const out = new Uint8Array(context.length + 1);
    out[0] = TAG_BYTES;
    out.set(context, 1);
    return out;
  }
  const record = contextEntries(context);
  if (record.length === 0) return EMPTY;
  const entries: Array<[Uint8Array, Uint8Array]> = [];
  let length = 5;
  for (const [name, value] of record) {
    const k = asciiBytes(name) ?? utf8(name, 'a context key');
    const v = asciiBytes(value) ?? utf8(value, () => `the context value for "${safeName(name)}"`);
    entries.push([k, v]);
    length += 8 + k.length + v.length;
  }
  if (entries.length > 1) entries.sort((a, b) => compareBytes(a[0], b[0]));
  return recordBytes(entries, length);
}

/** A record's canonical bytes from its encoded entries, already in order; `length` is the total. */
function recordBytes(entries: ReadonlyArray<readonly [Uint8Array, Uint8Array]>, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out[0] = TAG_RECORD;
  writeU32(out, 1, entries.length);
  let offset = 5;
  for (const [k, v] of entries) {
    writeU32(out, offset, k.length);
    out.set(k, offset + 4);
    offset += 4 + k.length;
    writeU32(out, offset, v.length);
    out.set(v, offset + 4);
    offset += 4 + v.length;
  }
  return out;
}

/**
 * Package-internal: canonical bytes of record contexts that all have the
 * same `names` (the batch job's context templates), the names encoded and
 * ordered once. Each call takes the values in the order of `names` and
 * gives exactly `canonicalContext` of that record, including its refusal
 * of a value that is not well-formed Unicode.
 */
export function canonicalRecordOf(names: readonly string[]): (values: readonly string[]) => Uint8Array {
  const keys = names.map((name) => asciiBytes(name) ?? utf8(name, 'a context key'));
  const order = keys.map((_, i) => i).sort((a, b) => compareBytes(keys[a]!, keys[b]!));
  return (values) => {
    if (names.length === 0) return EMPTY;
    let length = 5;
    const entries = order.map((i): [Uint8Array, Uint8Array] => {
      const value = values[i]!;
      const v = asciiBytes(value) ?? utf8(value, () => `the context value for "${safeName(names[i]!)}"`);
      length += 8 + keys[i]!.length + v.length;
      return [keys[i]!, v];
    });
    return recordBytes(entries, length);
  };
}

/*
 * Contexts are short ASCII strings in practice (table, column, row id):
 * their UTF-8 bytes are their char codes, written by a loop that costs
 * less than a TextEncoder call per string. Anything else goes through
 * `utf8` (which also refuses lone surrogates).
 */
function asciiBytes(text: string): Uint8Array | undefined {
  if (text.length > 64) return undefined;
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return undefined;
    out[i] = code;
  }
  return out;
}

function writeU32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value >>> 24;
  out[offset + 1] = (value >>> 16) & 0xff;
  out[offset + 2] = (value >>> 8) & 0xff;
  out[offset + 3] = value & 0xff;
}

/**
 * The context whose canonical bytes are `bytes` (the inverse of
 * {@link canonicalContext}, which is injective): for a keyring made by
 * another copy of this package (two bundles, or ESM and CommonJS side by
 * side), whose public methods take a context, not its canonical bytes.
 */
export function contextFromCanonical(bytes: Uint8Array): Context | undefined {
  if (bytes.length === 0) return undefined;
  if (bytes[0] === TAG_BYTES) return bytes.slice(1);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const record: Record<string, string> = Object.create(null) as Record<string, string>;
  const count = readU32(bytes, 1);
  let offset = 5;
  const next = (): string => {
    const length = readU32(bytes, offset);
    const text = decoder.decode(bytes.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
    return text;
  };
  for (let i = 0; i < count; i++) {
    const name = next();
    record[name] = next();
  }
  return record;
}

function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

/**
 * The entries of a context record, after checking it is one: a plain object
 * (prototype Object.prototype or null) whose own properties are all
 * enumerable, string-keyed data properties holding strings. Anything else (a
 * Map, Set, Date, ArrayBuffer, DataView, array, class instance, a symbol key,
 * a getter) is refused, never read as "no context". Each property is read once.
 */
function contextEntries(context: object): Array<[string, string]> {
  if (typeof context !== 'object' || context === null) bad(describe(context));
  try {
    const proto: unknown = Object.getPrototypeOf(context);
    if (proto !== Object.prototype && proto !== null) bad(Array.isArray(context) ? 'an array' : kindOf(context));
    const out: Array<[string, string]> = [];
    for (const name of Reflect.ownKeys(context)) {
      if (typeof name === 'symbol') bad('an object with a symbol key');
      const d = Object.getOwnPropertyDescriptor(context, name)!;
      if (!('value' in d)) bad(`an object whose "${safeName(name as string)}" is a getter`);
      if (!d.enumerable) bad(`an object whose "${safeName(name as string)}" is not enumerable`);
      if (typeof d.value !== 'string') fail('ERR_INVALID_ARGUMENT', `context value for "${safeName(name as string)}" must be a string, got ${describe(d.value)}`);
      out.push([name as string, d.value]);
    }
    return out;
  } catch (err) {
    if (KeyrollError.is(err)) throw err;
    return fail('ERR_INVALID_ARGUMENT', 'context could not be read (a Proxy trap threw)', { cause: err });
  }
}

function bad(what: string): never {
  return fail('ERR_INVALID_ARGUMENT', `context must be a plain object of strings or a Uint8Array, got ${what}`);
}

function kindOf(value: object): string {
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  return tag === 'Object' ? 'an instance of a class' : `a ${tag}`;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function safeName(name: string): string {
  return printable(name, 61);
}
