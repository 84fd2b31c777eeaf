/**
 * Suite 1: AES-256-GCM with a per-message key and a key commitment, both
 * from HKDF-SHA256 (RFC 5869), after the AWS Encryption SDK's committing
 * suites. docs/security.md gives the construction, its sources and bounds.
 *
 *   PRK            = HKDF-Extract(salt = EXTRACT_SALT, IKM = key secret)   (once per key)
 *   info           = INFO_LABEL || version | suite | idLen | keyId | salt
 *   K_msg || C     = HKDF-Expand(PRK, info, 64)                            (per message)
 *   ct || tag      = AES-256-GCM(K_msg, IV = 0^96, AAD = header || C || context, plaintext)
 * @module
 */
import { envelopeLength, encodeHeaderPrefix, CURRENT_VERSION, SUITE_1, type ParsedEnvelope } from '../envelope/format.js';
import { aesGcmOpen, aesGcmSealInto, hkdfExpand, hkdfExtract, hmacKey, randomBytes, timingSafeEqual, type HmacKey } from './primitives.js';

const encoder = new TextEncoder();
/** HKDF-Extract salt: a fixed, public domain-separation label. */
export const EXTRACT_SALT = encoder.encode('keyroll/v1 suite 1 AES-256-GCM-HKDF-SHA256-COMMIT');
/** Prefix of the HKDF-Expand info, followed by a zero byte and the header. */
export const INFO_LABEL = encoder.encode('keyroll/v1 message key and commitment\u0000');
/** GCM nonce: the per-message key is never reused, so the nonce is fixed. */
export const ZERO_IV = new Uint8Array(12);

/** Per-key state for suite 1, derived once. */
export interface Suite1Key {
  readonly prk: HmacKey;
}

/** Derives suite 1's per-key state from the key's secret. */
export function suite1Key(secret: Uint8Array): Suite1Key {
  return { prk: hmacKey(hkdfExtract(EXTRACT_SALT, secret)) };
}

function deriveMessageKey(key: Suite1Key, headerAndSalt: Uint8Array): Buffer {
  const info = new Uint8Array(INFO_LABEL.length + headerAndSalt.length);
  info.set(INFO_LABEL, 0);
  info.set(headerAndSalt, INFO_LABEL.length);
  return hkdfExpand(key.prk, info, 64);
}

function associatedData(bytes: Uint8Array, bodyOffset: number, context: Uint8Array): Uint8Array {
  const header = bytes.subarray(0, bodyOffset);
  if (context.length === 0) return header;
  const aad = new Uint8Array(bodyOffset + context.length);
  aad.set(header, 0);
  aad.set(context, bodyOffset);
  return aad;
}

/** Seals `plaintext` into a new binary envelope under `keyId`. */
export function seal1(keyId: string, key: Suite1Key, plaintext: Uint8Array, context: Uint8Array, salt: Uint8Array = randomBytes(SUITE_1.saltLength)): Buffer {
  const prefix = encodeHeaderPrefix(CURRENT_VERSION, SUITE_1, keyId);
  const out = Buffer.allocUnsafe(envelopeLength(SUITE_1, keyId, plaintext.length));
  out.set(prefix, 0);
  const saltOffset = prefix.length;
  out.set(salt, saltOffset);
  const commitmentOffset = saltOffset + SUITE_1.saltLength;
  const okm = deriveMessageKey(key, out.subarray(0, commitmentOffset));
  out.set(okm.subarray(32, 64), commitmentOffset);
  const bodyOffset = commitmentOffset + SUITE_1.commitmentLength;
  aesGcmSealInto(okm.subarray(0, 32), ZERO_IV, associatedData(out, bodyOffset, context), plaintext, out, bodyOffset);
  okm.fill(0);
  return out;
}

/** Opens a parsed suite 1 envelope; `undefined` when it does not authenticate. */
export function open1(envelope: ParsedEnvelope, key: Suite1Key, context: Uint8Array): Buffer | undefined {
  const { bytes, saltOffset, bodyOffset, tagOffset } = envelope;
  const commitmentOffset = saltOffset + SUITE_1.saltLength;
  const okm = deriveMessageKey(key, bytes.subarray(0, commitmentOffset));
  try {
    if (!timingSafeEqual(okm.subarray(32, 64), bytes.subarray(commitmentOffset, bodyOffset))) return undefined;
    return aesGcmOpen(
      okm.subarray(0, 32),
      ZERO_IV,
      associatedData(bytes, bodyOffset, context),
      bytes.subarray(bodyOffset, tagOffset),
      bytes.subarray(tagOffset),
    );
  } finally {
    okm.fill(0);
  }
}
