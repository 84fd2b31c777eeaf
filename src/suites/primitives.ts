/**
 * The primitives the suites call, over node:crypto: SHA-256, HMAC-SHA256
 * with per-key precomputed pads, HKDF-SHA256 (RFC 5869), AES-256-GCM, and
 * pooled CSPRNG output. This is the only file of the core that imports
 * node:crypto; another backend (WebCrypto) would provide the same functions.
 * @module
 */
import * as nodeCrypto from 'node:crypto';

const BLOCK = 64;
const IPAD = 0x36;
const OPAD = 0x5c;

type HashFn = (data: Uint8Array) => Buffer;
const oneShot = (nodeCrypto as { hash?: (alg: string, data: Uint8Array, enc: 'buffer') => Buffer }).hash;
/** SHA-256 of `data` (one native call where Node has `crypto.hash`). */
export const sha256: HashFn = oneShot
  ? (data) => oneShot('sha256', data, 'buffer')
  : (data) => nodeCrypto.createHash('sha256').update(data).digest();

/**
 * An HMAC-SHA256 key with its padded blocks computed once (RFC 2104:
 * HMAC(K, m) = H((K0 ^ opad) || H((K0 ^ ipad) || m))). Computing the MAC from
 * two one-shot hashes over these blocks gives exactly HMAC-SHA256, at about
 * half the cost of `createHmac` for short messages.
 */
export interface HmacKey {
  readonly inner: Buffer;
  readonly outer: Buffer;
}

/** Prepares an HMAC-SHA256 key of any length. */
export function hmacKey(key: Uint8Array): HmacKey {
  const k0 = Buffer.alloc(BLOCK);
  if (key.length > BLOCK) sha256(key).copy(k0);
  else k0.set(key);
  const inner = Buffer.allocUnsafe(BLOCK);
  const outer = Buffer.allocUnsafe(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = k0[i]! ^ IPAD;
    outer[i] = k0[i]! ^ OPAD;
  }
  k0.fill(0);
  return { inner, outer };
}

/** HMAC-SHA256 over the concatenation of `parts`. */
export function hmacSha256(key: HmacKey, ...parts: Uint8Array[]): Buffer {
  let length = BLOCK;
  for (const part of parts) length += part.length;
  const innerInput = Buffer.allocUnsafe(length);
  key.inner.copy(innerInput, 0);
  let offset = BLOCK;
  for (const part of parts) {
    innerInput.set(part, offset);
    offset += part.length;
  }
  const outerInput = Buffer.allocUnsafe(BLOCK + 32);
  key.outer.copy(outerInput, 0, 0, BLOCK);
  sha256(innerInput).copy(outerInput, BLOCK);
  return sha256(outerInput);
}

/** HKDF-Extract (RFC 5869 §2.2) with SHA-256. */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Buffer {
  return hmacSha256(hmacKey(salt.length === 0 ? new Uint8Array(32) : salt), ikm);
}

/** HKDF-Expand (RFC 5869 §2.3) with SHA-256, from a prepared PRK. */
export function hkdfExpand(prk: HmacKey, info: Uint8Array, length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > 255 * 32) throw new RangeError('HKDF-Expand length out of range');
  const out = Buffer.allocUnsafe(length);
  let previous: Uint8Array = new Uint8Array(0);
  const counter = new Uint8Array(1);
  for (let offset = 0, i = 1; offset < length; i++, offset += 32) {
    counter[0] = i;
    previous = hmacSha256(prk, previous, info, counter);
    out.set(previous.subarray(0, Math.min(32, length - offset)), offset);
  }
  return out;
}

/** Full HKDF-SHA256 (extract then expand). */
export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Buffer {
  return hkdfExpand(hmacKey(hkdfExtract(salt, ikm)), info, length);
}

/**
 * AES-256-GCM encryption of `plaintext` written into `out` at `offset`,
 * followed by the 16-byte tag. Returns the number of bytes written.
 */
export function aesGcmSealInto(
  key: Uint8Array,
  iv: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
  out: Uint8Array,
  offset: number,
): number {
  const cipher = nodeCrypto.createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  out.set(body, offset);
  const tail = cipher.final();
  if (tail.length > 0) out.set(tail, offset + body.length);
  const written = body.length + tail.length;
  out.set(cipher.getAuthTag(), offset + written);
  return written + 16;
}

/** AES-256-GCM decryption; returns `undefined` when authentication fails. */
export function aesGcmOpen(
  key: Uint8Array,
  iv: Uint8Array,
  aad: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
): Buffer | undefined {
  const decipher = nodeCrypto.createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const body = decipher.update(ciphertext);
  try {
    const tail = decipher.final();
    return tail.length === 0 ? body : Buffer.concat([body, tail]);
  } catch {
    body.fill(0);
    return undefined;
  }
}

const POOL_SIZE = 4096;
let pool = Buffer.allocUnsafe(0);
let poolOffset = 0;

/**
 * `length` bytes from the CSPRNG. Small requests are served from a pool
 * refilled by `randomFillSync` (as the uuid package does); every byte is
 * handed out once.
 */
export function randomBytes(length: number): Buffer {
  if (length > 256) return nodeCrypto.randomBytes(length);
  if (poolOffset + length > pool.length) {
    pool = nodeCrypto.randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    poolOffset = 0;
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + length));
  pool.fill(0, poolOffset, poolOffset + length);
  poolOffset += length;
  return out;
}

/** Constant-time comparison (node:crypto's timingSafeEqual, lengths checked first). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && nodeCrypto.timingSafeEqual(a, b);
}
