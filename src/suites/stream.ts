/**
 * The stream suite: the STREAM construction (Hoang, Reyhanitabar, Rogaway,
 * Vizár, "Online Authenticated-Encryption and its Nonce-Reuse
 * Misuse-Resistance", CRYPTO 2015) over AES-256-GCM, laid out as Tink's
 * AES-GCM-HKDF streaming AEAD, with suite 1's key commitment.
 * docs/format.md gives the layout, docs/security.md the bounds.
 *
 *   PRK            = suite 1's PRK of the key (HKDF-Extract, once per key)
 *   K_s || C       = HKDF-Expand(PRK, STREAM_INFO_LABEL || header0, 64)   (per stream)
 *   nonce_i        = noncePrefix(7) || u32be(i) || last(1)
 *   seg_i || tag_i = AES-256-GCM(K_s, nonce_i, AAD = header || ctx, P_i)
 * @module
 */
import type { StreamHeader } from '../envelope/stream-header.js';
import { aesGcmOpenParts, aesGcmSealParts, hkdfExpand, timingSafeEqual, type HmacKey } from './primitives.js';

const encoder = new TextEncoder();
/** Prefix of the HKDF-Expand info, followed by `header0`. */
export const STREAM_INFO_LABEL = encoder.encode('keyroll/v1 stream key and commitment\u0000');

/** The per-stream state: key, nonce template and associated data. */
export interface StreamCipher {
  /** K_s; wiped by {@link wipeStream}. */
  readonly key: Buffer;
  readonly commitment: Buffer;
  /** noncePrefix || counter || flag, rewritten per segment. */
  readonly nonce: Buffer;
  /** header || ctx. */
  readonly aad: Uint8Array;
}

/**
 * Derives K_s and the commitment from `header0 = header[0, commitmentOffset)`.
 * When `sealing`, writes the commitment into the header first (the AAD
 * holds the whole header).
 */
export function streamCipher(prk: HmacKey, header: StreamHeader, context: Uint8Array, sealing: boolean): StreamCipher {
  const header0 = header.bytes.subarray(0, header.commitmentOffset);
  const info = new Uint8Array(STREAM_INFO_LABEL.length + header0.length);
  info.set(STREAM_INFO_LABEL, 0);
  info.set(header0, STREAM_INFO_LABEL.length);
  const okm = hkdfExpand(prk, info, 64);
  // Own buffers: hkdfExpand's output may sit in Node's shared allocation pool.
  const key = Buffer.alloc(32);
  okm.copy(key, 0, 0, 32);
  const commitment = Buffer.from(okm.subarray(32, 64));
  okm.fill(0);
  if (sealing) (header.bytes as Uint8Array).set(commitment, header.commitmentOffset);
  const nonce = Buffer.alloc(12);
  nonce.set(header.bytes.subarray(header.noncePrefixOffset, header.noncePrefixOffset + 7), 0);
  const aad = new Uint8Array(header.bytes.length + context.length);
  aad.set(header.bytes, 0);
  aad.set(context, header.bytes.length);
  return { key, commitment, nonce, aad };
}

/** Constant-time check of the header's commitment. */
export function commitmentMatches(header: StreamHeader, cipher: StreamCipher): boolean {
  return timingSafeEqual(header.bytes.subarray(header.commitmentOffset, header.commitmentOffset + 32), cipher.commitment);
}

function setNonce(cipher: StreamCipher, index: number, last: boolean): void {
  cipher.nonce.writeUInt32BE(index, 7);
  cipher.nonce[11] = last ? 1 : 0;
}

/** Seals segment `index` from plaintext pieces; appends ciphertext pieces and the tag to `out`. */
export function sealSegment(cipher: StreamCipher, index: number, last: boolean, parts: readonly Uint8Array[], out: Uint8Array[]): void {
  setNonce(cipher, index, last);
  aesGcmSealParts(cipher.key, cipher.nonce, cipher.aad, parts, out);
}

/** Opens segment `index` from ciphertext pieces and its tag; `undefined` when it does not authenticate. */
export function openSegment(cipher: StreamCipher, index: number, last: boolean, parts: readonly Uint8Array[], tag: Uint8Array): Buffer[] | undefined {
  setNonce(cipher, index, last);
  return aesGcmOpenParts(cipher.key, cipher.nonce, cipher.aad, parts, tag);
}

/** Opens a whole sealed segment (ciphertext || tag) held in one buffer. */
export function openSealed(cipher: StreamCipher, index: number, last: boolean, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < 16) return undefined;
  const tagAt = sealed.length - 16;
  const parts = openSegment(cipher, index, last, [sealed.subarray(0, tagAt)], sealed.subarray(tagAt));
  return parts === undefined ? undefined : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Wipes the stream key. */
export function wipeStream(cipher: StreamCipher): void {
  cipher.key.fill(0);
}
