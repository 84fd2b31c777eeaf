/**
 * Small byte helpers: strict base64url, UTF-8, hex, and assertion helpers
 * that return the value they check. Pure, no node:crypto.
 * @module
 */
import { fail } from './errors.js';

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 encode a string that must be well formed (no lone surrogates). */
export function utf8(value: string, what: string | (() => string) = 'string'): Uint8Array {
  // `what` may be a function so hot paths build the label only when it is needed.
  if (!isWellFormed(value)) fail('ERR_INVALID_ARGUMENT', `${typeof what === 'function' ? what() : what} is not well-formed Unicode (it holds a lone surrogate)`);
  return encoder.encode(value);
}

/** Decode UTF-8, refusing invalid sequences. */
export function fromUtf8(bytes: Uint8Array, what = 'bytes'): string {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return fail('ERR_INVALID_ARGUMENT', `${what} is not valid UTF-8`);
  }
}

function isWellFormed(value: string): boolean {
  const s = value as string & { isWellFormed?: () => boolean };
  if (typeof s.isWellFormed === 'function') return s.isWellFormed();
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}

/*
 * Node's Buffer when the runtime has one (Node, Bun, Deno's npm mode): its
 * native base64 and latin1 codecs are the fast path. Browsers and edge
 * runtimes without it get the portable loops below (bytes.test.ts checks
 * both give the same answers). Read once, at load.
 */
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;

/**
 * A Node built-in module through `process.getBuiltinModule` (Node 20.16+,
 * Bun, Deno), or `undefined` where the runtime has none or lacks that
 * module (browsers; workerd has no node:v8). Unlike a static import, it
 * lets a module that works without the built-in load everywhere.
 */
export function builtinModule<T>(id: string): T | undefined {
  try {
    const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
    return getBuiltin?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}

/** A view of `bytes` as a Buffer, without copying (Node-only callers). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/*
 * Where there is no Buffer, the runtime's own base64 codec when it has one
 * (`Uint8Array.prototype.toBase64` and `Uint8Array.fromBase64`: Chromium
 * 140+, Firefox 133+, Safari 18.2+): for a 64 KiB envelope in Chromium the
 * portable loops took longer than the cipher. Read once, at load.
 */
const nativeToBase64 = (Uint8Array.prototype as { toBase64?: (this: Uint8Array, options: object) => string }).toBase64;
const nativeFromBase64 = (Uint8Array as { fromBase64?: (text: string, options: object) => Uint8Array }).fromBase64;

/** Base64url without padding. */
export function toBase64url(bytes: Uint8Array): string {
  if (NodeBuffer !== undefined) return asBuffer(bytes).toString('base64url');
  if (nativeToBase64 !== undefined) return nativeToBase64.call(bytes, { alphabet: 'base64url', omitPadding: true });
  return portableToBase64url(bytes);
}

/** `bytes` read as Latin-1: one char per byte. */
export function latin1(bytes: Uint8Array): string {
  return NodeBuffer !== undefined ? asBuffer(bytes).toString('latin1') : portableLatin1(bytes);
}

/** Latin-1 without Buffer (exported for the cross-check test). */
export function portableLatin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Base64url without padding, without Buffer (exported for the cross-check test). */
export function portableToBase64url(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    chunk += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]! + B64URL[n & 63]!;
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    chunk += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    chunk += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]!;
  }
  parts.push(chunk);
  return parts.join('');
}

/**
 * Strict base64url decoding without Buffer: `undefined` on any character
 * outside the alphabet. Length and unused bits are checked by the caller
 * (exported for the cross-check test).
 */
export function portableFromBase64url(text: string, length: number): Uint8Array | undefined {
  const out = new Uint8Array(length);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const v = b64Index(text.charCodeAt(i));
    if (v < 0) return wiped(out);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o < length) out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/**
 * Base64url decoding with the runtime's `Uint8Array.fromBase64`: `undefined`
 * on any character outside the alphabet (it throws). It skips ASCII
 * whitespace, so the length decoded is checked: a skipped character always
 * makes it shorter than `length`, which the caller computed from the whole
 * text. Unused bits are checked by the caller (exported for the test).
 */
export function nativeFromBase64url(text: string, length: number, fromBase64: (text: string, options: object) => Uint8Array): Uint8Array | undefined {
  let out: Uint8Array;
  try {
    out = fromBase64(text, { alphabet: 'base64url', lastChunkHandling: 'loose' });
  } catch {
    return undefined;
  }
  return out.length === length ? out : wiped(out);
}

/**
 * Strict, canonical base64url decoding (RFC 4648 §5, no padding): any
 * character outside the alphabet, any padding, an impossible length or
 * non-zero unused bits is refused, so one text has exactly one decoding.
 * Returns `undefined` instead of throwing, so callers choose the error.
 */
export function fromBase64urlStrict(text: string, own = true): Buffer | undefined {
  const rem = text.length % 4;
  if (rem === 1) return undefined;
  if (text.indexOf('+') !== -1 || text.indexOf('/') !== -1 || text.indexOf('=') !== -1) return undefined;
  const expected = (text.length >> 2) * 3 + (rem === 0 ? 0 : rem - 1);
  let out: Buffer;
  if (NodeBuffer === undefined) {
    const decoded = nativeFromBase64 !== undefined ? nativeFromBase64url(text, expected, nativeFromBase64) : portableFromBase64url(text, expected);
    if (decoded === undefined) return undefined;
    out = decoded as Buffer; // a Uint8Array where there is no Buffer: callers use only its bytes
  } else if (own) {
    out = Buffer.alloc(expected);
    // Node skips characters outside the alphabet: fewer bytes written means there was one.
    if (out.write(text, 'base64url') !== expected) return wiped(out);
  } else {
    out = Buffer.from(text, 'base64url');
    if (out.length !== expected) return undefined;
  }
  if (rem !== 0) {
    const last = text.charCodeAt(text.length - 1);
    const value = b64Index(last);
    if (value < 0 || (rem === 2 && (value & 0x0f) !== 0) || (rem === 3 && (value & 0x03) !== 0)) return wiped(out);
  }
  return out;
}

function wiped(bytes: Uint8Array): undefined {
  bytes.fill(0);
  return undefined;
}

function b64Index(code: number): number {
  if (code >= 65 && code <= 90) return code - 65;
  if (code >= 97 && code <= 122) return code - 71;
  if (code >= 48 && code <= 57) return code + 4;
  if (code === 45) return 62;
  if (code === 95) return 63;
  return -1;
}

/**
 * Strict standard base64 (with or without padding). `own` (used for
 * secrets): the result has its own backing store, never Node's shared pool.
 */
export function fromBase64Strict(text: string, own = true): Buffer | undefined {
  const bare = text.endsWith('==') ? text.slice(0, -2) : text.endsWith('=') ? text.slice(0, -1) : text;
  if (text.length % 4 !== 0 && bare.length !== text.length) return undefined;
  if (bare.indexOf('-') !== -1 || bare.indexOf('_') !== -1) return undefined;
  const urlForm = bare.replace(/\+/g, '-').replace(/\//g, '_');
  return fromBase64urlStrict(urlForm, own);
}

/** Strict hex (even length, 0-9a-fA-F only), in a buffer with its own backing store (hex is for secrets). */
export function fromHexStrict(text: string): Buffer | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  if (NodeBuffer === undefined) {
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
    return out as Buffer;
  }
  const out = Buffer.alloc(text.length / 2);
  out.write(text, 'hex');
  return out;
}

/** Constant-time equality of two byte arrays of the same length. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Asserts `value` is a Uint8Array and returns it. */
export function assertBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) fail('ERR_INVALID_ARGUMENT', `${what} must be a Uint8Array, got ${describe(value)}`);
  return value;
}

/** Asserts `value` is a string or Uint8Array. */
export function assertStringOrBytes(value: unknown, what: string): string | Uint8Array {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    fail('ERR_INVALID_ARGUMENT', `${what} must be a string or a Uint8Array, got ${describe(value)}`);
  }
  return value;
}

/** A short description of a value's type, never its content. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  try {
    if (Array.isArray(value)) return 'an array';
    if (value instanceof Uint8Array) return `${value.length} bytes`;
  } catch {
    // A Proxy whose traps throw: say what it is, do not fail while saying it.
  }
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
