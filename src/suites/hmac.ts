/**
 * HMAC-SHA256 (RFC 2104) with per-key precomputed pads and HKDF-SHA256
 * (RFC 5869), built on the one-shot SHA-256 of primitives.ts (the only file
 * that imports node:crypto; it re-exports everything here). The per-message
 * derivation of suite 1 runs here four hashes at a time, so this file
 * avoids allocations and copies wherever it can (docs/performance.md).
 * Everything is synchronous: module-level and per-plan scratch buffers are
 * never handed to callers.
 * @module
 */
import { sha256, sha256Latin1 } from './primitives.js';

const BLOCK = 64;
const IPAD = 0x36;
const OPAD = 0x5c;

/**
 * An HMAC-SHA256 key with its padded blocks computed once (RFC 2104:
 * HMAC(K, m) = H((K0 ^ opad) || H((K0 ^ ipad) || m))). Computing the MAC from
 * two one-shot hashes over these blocks gives exactly HMAC-SHA256, at about
 * half the cost of `createHmac` for short messages.
 */
export interface HmacKey {
  /** K0 ^ ipad (64 bytes). */
  readonly inner: Buffer;
  /** K0 ^ opad (64 bytes), then 32 bytes where each MAC writes its inner digest. */
  readonly outer: Buffer;
}

/*
 * Key material (pads, PRKs, derived keys) is only ever written to buffers
 * with their own backing store: `Buffer.alloc` never takes from Node's
 * shared 8 KiB pool, from which `Buffer.allocUnsafe` and `Buffer.from`
 * serve small buffers, including ones the application later receives
 * (an envelope's `.buffer` is that pool's ArrayBuffer).
 */

/** Prepares an HMAC-SHA256 key of any length. */
export function hmacKey(key: Uint8Array): HmacKey {
  const k0 = Buffer.alloc(BLOCK);
  if (key.length > BLOCK) {
    const digest = sha256(key);
    digest.copy(k0);
    digest.fill(0);
  } else k0.set(key);
  const inner = Buffer.alloc(BLOCK);
  const outer = Buffer.alloc(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = k0[i]! ^ IPAD;
    outer[i] = k0[i]! ^ OPAD;
  }
  k0.fill(0);
  return { inner, outer };
}

/*
 * Scratch space for the hash inputs. Every function here is synchronous and
 * never hands these buffers (or views of them) to a caller, so one
 * module-level scratch is safe and saves allocations per HMAC. The bytes
 * after the pad are wiped after each use: they may hold key material (a
 * secret as HKDF-Extract input, T(1) = the message key in HKDF-Expand).
 */
const SCRATCH_MAX = 1024;
let scratch = Buffer.alloc(256);
/** Views of `scratch` by length: `subarray` costs an object per call otherwise. */
let scratchViews = new Map<number, Buffer>();

function scratchFor(length: number): Buffer {
  if (length <= scratch.length) return scratch;
  if (length > SCRATCH_MAX) return Buffer.alloc(length);
  scratch = Buffer.alloc(SCRATCH_MAX);
  scratchViews = new Map();
  return scratch;
}

function scratchView(buffer: Buffer, length: number): Buffer {
  if (buffer !== scratch) return buffer.subarray(0, length);
  let view = scratchViews.get(length);
  if (view === undefined) {
    view = scratch.subarray(0, length);
    scratchViews.set(length, view);
  }
  return view;
}

/*
 * Writes (the first `length` bytes of) a latin1 digest into `target`.
 * `buffer.write(s, o, n, 'latin1')` validates its arguments in JS and then
 * calls `Buffer#latin1Write`; at ten writes per round trip that wrapper was
 * 2% of a 64-byte decryption in the profile. latin1Write has been on
 * Buffer.prototype since Node 6 but is not in @types/node: feature-tested,
 * with the documented call as the fallback.
 */
type Latin1Write = (this: Buffer, text: string, offset: number, length: number) => number;
const latin1Write = (Buffer.prototype as unknown as { latin1Write?: Latin1Write }).latin1Write;
function writeDigest(target: Buffer, offset: number, digest: string, length = 32): void {
  if (latin1Write !== undefined) latin1Write.call(target, digest, offset, length);
  else target.write(digest, offset, length, 'latin1');
}

/** `Uint8Array#fill`, without Buffer's argument-normalising wrapper. */
const fillBytes = Uint8Array.prototype.fill;

/**
 * H((K0 ^ opad) || H(innerInput[0, length))) as latin1. The outer input is
 * built in the key's own `outer` block, which has room for the inner digest
 * after the pad. Wipes `innerInput` past the pad.
 */
function finishHmac(key: HmacKey, innerInput: Buffer, length: number): string {
  writeDigest(key.outer, BLOCK, sha256Latin1(scratchView(innerInput, length)));
  fillBytes.call(innerInput, 0, BLOCK, length);
  return sha256Latin1(key.outer);
}

/** HMAC-SHA256 over the concatenation of `parts`. */
export function hmacSha256(key: HmacKey, ...parts: Uint8Array[]): Buffer {
  let length = BLOCK;
  for (const part of parts) length += part.length;
  const innerInput = scratchFor(length);
  innerInput.set(key.inner, 0);
  let offset = BLOCK;
  for (const part of parts) {
    innerInput.set(part, offset);
    offset += part.length;
  }
  const mac = Buffer.alloc(32);
  writeDigest(mac, 0, finishHmac(key, innerInput, length));
  return mac;
}

/** HKDF-Extract (RFC 5869 §2.2) with SHA-256. */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Buffer {
  return hmacSha256(hmacKey(salt.length === 0 ? new Uint8Array(32) : salt), ikm);
}

/**
 * HKDF-Expand (RFC 5869 §2.3) with SHA-256, written into `out` at `offset`:
 * T(i) = HMAC(PRK, T(i-1) || info || i), output T(1) || T(2) || ... cut to
 * `length`. `info` is given as parts so callers need not concatenate it.
 */
export function hkdfExpandInto(prk: HmacKey, info: readonly Uint8Array[], length: number, out: Buffer, offset: number): void {
  if (!Number.isInteger(length) || length < 0 || length > 255 * 32) throw new RangeError('HKDF-Expand length out of range');
  let infoLength = 0;
  for (const part of info) infoLength += part.length;
  let previous = '';
  for (let i = 1, done = 0; done < length; i++, done += 32) {
    const length_ = BLOCK + previous.length + infoLength + 1;
    const innerInput = scratchFor(length_);
    innerInput.set(prk.inner, 0);
    let at = BLOCK;
    if (previous.length > 0) {
      writeDigest(innerInput, BLOCK, previous);
      at += 32;
    }
    for (const part of info) {
      innerInput.set(part, at);
      at += part.length;
    }
    innerInput[at] = i;
    previous = finishHmac(prk, innerInput, length_);
    writeDigest(out, offset + done, previous, Math.min(32, length - done));
  }
}

/**
 * Derives HKDF-Expand(PRK, info, 64) = T(1) || T(2) for one message (see
 * {@link hkdfExpand64Plan}): writes T(1) into `keyOut` at `keyOffset` and
 * returns T(2) as a latin1 string (one char per byte), so that the caller
 * can write it where it belongs or compare it without another copy.
 */
export type Expand64 = (source: Uint8Array, sourceOffset: number, keyOut: Buffer, keyOffset: number) => string;

/**
 * Plans HKDF-Expand(PRK, info, 64) where info = `prefix` followed by
 * `variableLength` bytes read from the message, with both HMAC inner inputs
 * laid out once: `ipad || prefix || var || 0x01` and
 * `ipad || T(1) || prefix || var || 0x02`. Per message only the variable
 * bytes and T(1) are written, then the four hashes run; this is the whole
 * per-message derivation of suite 1, so every copy saved here counts. The
 * buffers belong to the plan (one per key and header length) and are used
 * synchronously only; T(1) is wiped from them after each call.
 */
export function hkdfExpand64Plan(prk: HmacKey, prefix: Uint8Array, variableLength: number): Expand64 {
  const at1 = BLOCK + prefix.length;
  const at2 = at1 + 32;
  const first = Buffer.alloc(at1 + variableLength + 1);
  const second = Buffer.alloc(at2 + variableLength + 1);
  first.set(prk.inner, 0);
  first.set(prefix, BLOCK);
  first[first.length - 1] = 1;
  second.set(prk.inner, 0);
  second.set(prefix, BLOCK + 32);
  second[second.length - 1] = 2;
  const outer = Buffer.alloc(BLOCK + 32);
  outer.set(prk.outer.subarray(0, BLOCK), 0);
  return (source, sourceOffset, keyOut, keyOffset) => {
    for (let i = 0; i < variableLength; i++) {
      const byte = source[sourceOffset + i]!;
      first[at1 + i] = byte;
      second[at2 + i] = byte;
    }
    writeDigest(outer, BLOCK, sha256Latin1(first));
    const t1 = sha256Latin1(outer);
    writeDigest(second, BLOCK, t1);
    writeDigest(outer, BLOCK, sha256Latin1(second));
    fillBytes.call(second, 0, BLOCK, BLOCK + 32);
    writeDigest(keyOut, keyOffset, t1);
    return sha256Latin1(outer);
  };
}

/** Writes a latin1 digest string (from an {@link Expand64}) into `target` at `offset`. */
export function writeLatin1Digest(target: Buffer, offset: number, digest: string): void {
  writeDigest(target, offset, digest);
}

/**
 * Constant-time comparison of a latin1 digest string with `digest.length`
 * bytes of `bytes` at `offset` (the same XOR-accumulate loop as
 * equalBytes in src/bytes.ts: no early exit). Saves the copy into a buffer
 * and the native call that timingSafeEqual would need.
 */
export function equalsLatin1Digest(digest: string, bytes: Uint8Array, offset: number): boolean {
  if (bytes.length - offset < digest.length) return false;
  let diff = 0;
  for (let i = 0; i < digest.length; i++) diff |= digest.charCodeAt(i) ^ bytes[offset + i]!;
  return diff === 0;
}

/** HKDF-Expand (RFC 5869 §2.3) with SHA-256, from a prepared PRK. */
export function hkdfExpand(prk: HmacKey, info: Uint8Array, length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > 255 * 32) throw new RangeError('HKDF-Expand length out of range');
  const out = Buffer.alloc(length);
  hkdfExpandInto(prk, [info], length, out, 0);
  return out;
}

/** Full HKDF-SHA256 (extract then expand); the PRK and its pads are wiped. */
export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Buffer {
  const prkBytes = hkdfExtract(salt, ikm);
  const prk = hmacKey(prkBytes);
  prkBytes.fill(0);
  try {
    return hkdfExpand(prk, info, length);
  } finally {
    prk.inner.fill(0);
    prk.outer.fill(0);
  }
}
