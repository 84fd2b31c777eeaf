/**
 * The primitives the suites call, over node:crypto: SHA-256, AES-256-GCM,
 * and pooled CSPRNG output. This is the only file of the core that imports
 * node:crypto; another backend (WebCrypto) would provide the same functions.
 * HMAC-SHA256 and HKDF-SHA256 (hmac.ts) are built on `sha256`/`sha256Latin1`
 * here and re-exported, so callers keep one import.
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import { builtinModule } from '../bytes.js';

type HashFn = (data: Uint8Array) => Buffer;
type OneShot = ((alg: string, data: Uint8Array, enc: 'buffer') => Buffer) & ((alg: string, data: Uint8Array, enc: 'latin1') => string);
const oneShot = (nodeCrypto as unknown as { hash?: OneShot }).hash;
/** SHA-256 of `data` (one native call where Node has `crypto.hash`). */
export const sha256: HashFn = oneShot
  ? (data) => oneShot('sha256', data, 'buffer')
  : (data) => nodeCrypto.createHash('sha256').update(data).digest();

/*
 * SHA-256 with the digest as a latin1 string: each char is one byte. A
 * Buffer result costs Node a fresh ArrayBuffer with a native backing store
 * (and the GC work to free it); a short string is a plain heap object,
 * written where it is needed (see writeDigest in hmac.ts).
 * Measured here: about 2.4x cheaper per hash, and the suite runs 4 hashes
 * per message per side.
 */
export const sha256Latin1: (data: Uint8Array) => string = oneShot
  ? (data) => oneShot('sha256', data, 'latin1')
  : (data) => nodeCrypto.createHash('sha256').update(data).digest('binary'); // 'binary' is Node's alias of latin1

/**
 * Payloads larger than this go through the cipher in chunks: Node's
 * `update()` returns a new buffer each call (allocated one byte larger,
 * then copied once more to trim it), so a single call on a 64 MiB payload
 * holds two extra payload-sized buffers at its peak. Measured here, 64 KiB
 * chunks cost up to a quarter of the throughput at 1 to 4 MiB (more native
 * calls and allocations); 1 MiB chunks cost nothing measurable and keep the
 * transient at 2 MiB.
 */
const GCM_CHUNK = 1024 * 1024;

/**
 * GCM associated data: one buffer, or two parts authenticated as their
 * concatenation. GCM absorbs associated data incrementally (GHASH carries a
 * partial block from one call to the next, NIST SP 800-38D), so two
 * `setAAD` calls give exactly the tag of one call over `a || b`, without
 * allocating and copying the concatenation for every message.
 */
export type GcmAad = Uint8Array | readonly [Uint8Array, Uint8Array];

function setAad(cipher: { setAAD(data: Uint8Array): unknown }, aad: GcmAad): void {
  if (aad instanceof Uint8Array) {
    cipher.setAAD(aad);
    return;
  }
  if (aad[1].length === 0) {
    cipher.setAAD(aad[0]);
  } else if (splitAadWorks()) {
    cipher.setAAD(aad[0]);
    cipher.setAAD(aad[1]);
  } else {
    const joined = new Uint8Array(aad[0].length + aad[1].length);
    joined.set(aad[0], 0);
    joined.set(aad[1], aad[0].length);
    cipher.setAAD(joined);
  }
}

/*
 * Not every node:crypto absorbs associated data across calls: Deno's gives
 * two setAAD calls a tag that is neither that of their concatenation nor
 * that of the last part, so envelopes written there would not open
 * elsewhere. Checked once, on first use, against one call over the
 * concatenation; where it differs, the parts are joined.
 */
let splitAad: boolean | undefined;
function splitAadWorks(): boolean {
  if (splitAad === undefined) {
    const tag = (parts: Uint8Array[]): Buffer => {
      const cipher = nodeCrypto.createCipheriv('aes-256-gcm', new Uint8Array(32), new Uint8Array(12));
      for (const part of parts) cipher.setAAD(part);
      cipher.final();
      return cipher.getAuthTag();
    };
    // Splits inside one GHASH block and across a block boundary, as envelope headers and contexts fall.
    const bytes = Uint8Array.from({ length: 40 }, (_, i) => i + 1);
    splitAad = [3, 17].every((at) => tag([bytes.subarray(0, at), bytes.subarray(at, at + 20)]).equals(tag([bytes.subarray(0, at + 20)])));
  }
  return splitAad;
}

/**
 * AES-256-GCM encryption of `plaintext` written into `out` at `offset`,
 * followed by the 16-byte tag. Returns the number of bytes written.
 */
export function aesGcmSealInto(
  key: Uint8Array,
  iv: Uint8Array,
  aad: GcmAad,
  plaintext: Uint8Array,
  out: Uint8Array,
  offset: number,
): number {
  // No `authTagLength` option: GCM encryption makes a 16-byte tag by default,
  // and the option costs an object and its validation on every message.
  const cipher = nodeCrypto.createCipheriv('aes-256-gcm', key, iv);
  setAad(cipher, aad);
  let written = 0;
  for (let start = 0; start < plaintext.length; start += GCM_CHUNK) {
    const body = cipher.update(plaintext.length <= GCM_CHUNK ? plaintext : plaintext.subarray(start, start + GCM_CHUNK));
    out.set(body, offset + written);
    written += body.length;
  }
  const tail = cipher.final();
  if (tail.length > 0) {
    out.set(tail, offset + written);
    written += tail.length;
  }
  out.set(cipher.getAuthTag(), offset + written);
  return written + 16;
}

/**
 * AES-256-GCM encryption of one stream segment given as pieces (views of
 * the caller's chunks, never copied): the ciphertext pieces and the 16-byte
 * tag, appended to `out` so a stream pushes them as they are.
 */
export function aesGcmSealParts(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, parts: readonly Uint8Array[], out: Uint8Array[]): void {
  const cipher = nodeCrypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  for (const part of parts) {
    const body = cipher.update(part);
    if (body.length > 0) out.push(body);
  }
  cipher.final(); // GCM: always empty
  out.push(cipher.getAuthTag());
}

/**
 * AES-256-GCM decryption of one stream segment given as ciphertext pieces
 * and its tag. The plaintext pieces are returned only when the tag
 * verifies (and wiped otherwise); `undefined` when it does not.
 */
export function aesGcmOpenParts(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, parts: readonly Uint8Array[], tag: Uint8Array): Buffer[] | undefined {
  const decipher = nodeCrypto.createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const plain: Buffer[] = [];
  for (const part of parts) {
    const body = decipher.update(part);
    if (body.length > 0) plain.push(body);
  }
  try {
    decipher.final();
    return plain;
  } catch {
    for (const body of plain) body.fill(0);
    return undefined;
  }
}

/** AES-256-GCM decryption; returns `undefined` when authentication fails. */
export function aesGcmOpen(
  key: Uint8Array,
  iv: Uint8Array,
  aad: GcmAad,
  ciphertext: Uint8Array,
  tag: Uint8Array,
): Buffer | undefined {
  const decipher = nodeCrypto.createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  setAad(decipher, aad);
  decipher.setAuthTag(tag);
  let body: Buffer;
  if (ciphertext.length <= GCM_CHUNK) {
    body = decipher.update(ciphertext);
  } else {
    // One output buffer, filled chunk by chunk (see GCM_CHUNK).
    body = Buffer.allocUnsafe(ciphertext.length);
    let written = 0;
    for (let start = 0; start < ciphertext.length; start += GCM_CHUNK) {
      const part = decipher.update(ciphertext.subarray(start, start + GCM_CHUNK));
      body.set(part, written);
      written += part.length;
    }
    if (written !== ciphertext.length) body = body.subarray(0, written);
  }
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

function dropPool(): void {
  pool.fill(0);
  pool = Buffer.allocUnsafe(0);
  poolOffset = 0;
}

/*
 * A V8 startup snapshot (`node --build-snapshot`) would carry the pool's
 * unused bytes into every process started from it, and they would all draw
 * the same salts. When this module is loaded while a snapshot is being
 * built, the pool is emptied before it is written and again when a process
 * starts from it, so each process refills from its own CSPRNG.
 */
/*
 * node:v8 is loaded through process.getBuiltinModule, not a static import:
 * Cloudflare's workerd (nodejs_compat) has no node:v8, and a static import
 * would stop the whole root entry from loading there. Where it is missing,
 * no startup snapshot can be built either.
 */
const startupSnapshot = builtinModule<{ startupSnapshot?: StartupSnapshot }>('node:v8')?.startupSnapshot;
if (startupSnapshot?.isBuildingSnapshot()) {
  startupSnapshot.addSerializeCallback(dropPool);
  startupSnapshot.addDeserializeCallback(dropPool);
}
interface StartupSnapshot {
  isBuildingSnapshot(): boolean | number; // Node 20 returns 1 or 0
  addSerializeCallback(callback: () => void): void;
  addDeserializeCallback(callback: () => void): void;
}

/**
 * Writes `length` CSPRNG bytes into `out` at `offset`. Small requests are
 * served from a pool refilled by `randomFillSync` (as the uuid package
 * does: one native call per 4 KiB instead of one per message); every byte
 * is handed out once and wiped from the pool, and the pool never survives
 * a startup snapshot (above).
 */
export function randomFillInto(out: Uint8Array, offset: number, length: number): void {
  if (length > 256) {
    nodeCrypto.randomFillSync(out, offset, length);
    return;
  }
  if (poolOffset + length > pool.length) {
    pool = nodeCrypto.randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    poolOffset = 0;
  }
  for (let i = 0; i < length; i++) {
    out[offset + i] = pool[poolOffset + i]!;
    pool[poolOffset + i] = 0;
  }
  poolOffset += length;
}

/**
 * `length` bytes from the CSPRNG (see {@link randomFillInto}), in a buffer
 * with its own backing store (never Node's shared pool): callers use these
 * for data keys and secrets too.
 */
export function randomBytes(length: number): Buffer {
  if (length > 256) return nodeCrypto.randomBytes(length);
  const out = Buffer.alloc(length);
  randomFillInto(out, 0, length);
  return out;
}

/**
 * scrypt (RFC 7914) with a 32-byte output; the caller bounds the cost.
 * Node refuses a computation above `maxmem`, so it is set from the cost.
 */
export function scrypt(password: Uint8Array, salt: Uint8Array, cost: { readonly N: number; readonly r: number; readonly p: number }): Buffer {
  return nodeCrypto.scryptSync(password, salt, 32, { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 1024 * 1024 });
}

/** Constant-time comparison (node:crypto's timingSafeEqual, lengths checked first). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && nodeCrypto.timingSafeEqual(a, b);
}

export {
  equalsLatin1Digest,
  hkdf,
  hkdfExpand,
  hkdfExpand64Plan,
  hkdfExpandInto,
  hkdfExtract,
  hmacKey,
  hmacSha256,
  writeLatin1Digest,
  type Expand64,
  type HmacKey,
} from './hmac.js';
