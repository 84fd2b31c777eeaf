/**
 * Suite 1's layout, shared by every backend: the labels, the fixed IV, where
 * each part of an envelope sits and what the AEAD authenticates. Pure: no
 * primitive is called here, so the WebCrypto edition imports it without
 * pulling in node:crypto. suite1.ts (node:crypto, synchronous) and
 * suite1-web.ts (WebCrypto, asynchronous) both build on it.
 * @module
 */
import { envelopeLength, writeHeaderPrefix, CURRENT_VERSION, SUITE_1 } from '../envelope/format.js';

const encoder = new TextEncoder();
/** HKDF-Extract salt: a fixed, public domain-separation label. */
export const EXTRACT_SALT = encoder.encode('keyroll/v1 suite 1 AES-256-GCM-HKDF-SHA256-COMMIT');
/** Prefix of the HKDF-Expand info, followed by a zero byte and the header. */
export const INFO_LABEL = encoder.encode('keyroll/v1 message key and commitment\u0000');
/** GCM nonce: the per-message key is never reused, so the nonce is fixed. */
export const ZERO_IV = new Uint8Array(12);

/** Where a suite 1 envelope's parts start (salt, commitment, body). */
export interface Suite1Offsets {
  readonly saltOffset: number;
  readonly commitmentOffset: number;
  readonly bodyOffset: number;
}

/** Offsets of a suite 1 envelope whose salt starts at `saltOffset`. */
export function suite1Offsets(saltOffset: number): Suite1Offsets {
  const commitmentOffset = saltOffset + SUITE_1.saltLength;
  return { saltOffset, commitmentOffset, bodyOffset: commitmentOffset + SUITE_1.commitmentLength };
}

/**
 * A new suite 1 envelope for `keyId` and a plaintext of `length` bytes,
 * with its header prefix written, the salt not yet: `alloc` makes the
 * output (a Buffer on Node, a Uint8Array elsewhere).
 */
export function startEnvelope<T extends Uint8Array>(keyId: string, length: number, alloc: (size: number) => T): { out: T } & Suite1Offsets {
  const out = alloc(envelopeLength(SUITE_1, keyId, length));
  return { out, ...suite1Offsets(writeHeaderPrefix(out, CURRENT_VERSION, SUITE_1, keyId)) };
}

/** The HKDF-Expand info: INFO_LABEL || header0 (`bytes[0, length)`: version through salt). */
export function expandInfo(bytes: Uint8Array, length: number): Uint8Array {
  const info = new Uint8Array(INFO_LABEL.length + length);
  info.set(INFO_LABEL, 0);
  info.set(bytes.subarray(0, length), INFO_LABEL.length);
  return info;
}

/** GCM's associated data: the header (version through commitment) || the canonical context. */
export function associatedData(bytes: Uint8Array, bodyOffset: number, context: Uint8Array): Uint8Array {
  const header = bytes.subarray(0, bodyOffset);
  if (context.length === 0) return header;
  const aad = new Uint8Array(bodyOffset + context.length);
  aad.set(header, 0);
  aad.set(context, bodyOffset);
  return aad;
}
