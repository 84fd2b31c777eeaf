/**
 * Suite 1: AES-256-GCM with a per-message key and a key commitment, both
 * from HKDF-SHA256 (RFC 5869), after the AWS Encryption SDK's committing
 * suites. docs/security.md gives the construction, its sources and bounds.
 *
 *   PRK            = HKDF-Extract(salt = EXTRACT_SALT, IKM = key secret)   (once per key)
 *   info           = INFO_LABEL || version | suite | idLen | keyId | salt
 *   K_msg || C     = HKDF-Expand(PRK, info, 64)                            (per message)
 *   ct || tag      = AES-256-GCM(K_msg, IV = 0^96, AAD = header || C || context, plaintext)
 *                    (the AAD given to GCM in two parts: see GcmAad in primitives.ts)
 * @module
 */
import { envelopeLength, writeHeaderPrefix, CURRENT_VERSION, SUITE_1, type ParsedEnvelope } from '../envelope/format.js';
import { aesGcmOpen, aesGcmSealInto, randomFillInto } from './primitives.js';
import { equalsLatin1Digest, hkdfExpand64Plan, hkdfExtract, hmacKey, writeLatin1Digest, type Expand64, type HmacKey } from './hmac.js';
import { EXTRACT_SALT, INFO_LABEL, ZERO_IV } from './suite1-layout.js';

export { EXTRACT_SALT, INFO_LABEL, ZERO_IV } from './suite1-layout.js';

/** Per-key state for suite 1, derived once. */
export interface Suite1Key {
  readonly prk: HmacKey;
  /** HKDF-Expand plans by header-and-salt length (one per key id length in practice). */
  readonly plans: Map<number, Expand64>;
}

/** Derives suite 1's per-key state from the key's secret. */
export function suite1Key(secret: Uint8Array): Suite1Key {
  const prk = hkdfExtract(EXTRACT_SALT, secret);
  try {
    return { prk: hmacKey(prk), plans: new Map() };
  } finally {
    prk.fill(0);
  }
}

/*
 * K_msg, derived per message into one module-level buffer: every use is
 * synchronous and it never leaves this file (createCipheriv copies the
 * key), and it is wiped after each message. The commitment C comes back as
 * a latin1 string and goes straight into the envelope or the comparison.
 */
const MESSAGE_KEY = Buffer.alloc(32);

/**
 * HKDF-Expand(PRK, INFO_LABEL || header || salt, 64): K_msg into
 * MESSAGE_KEY, C returned. Header and salt are `bytes[0, length)`.
 */
function deriveMessageKey(key: Suite1Key, bytes: Uint8Array, length: number): string {
  let plan = key.plans.get(length);
  if (plan === undefined) {
    plan = hkdfExpand64Plan(key.prk, INFO_LABEL, length);
    key.plans.set(length, plan);
  }
  return plan(bytes, 0, MESSAGE_KEY, 0);
}

/**
 * Seals `plaintext` into a new binary envelope under `keyId`. The envelope
 * is allocated once and every part (header, salt, commitment, ciphertext,
 * tag) is written into it in place. `salt` is for known-answer tests and
 * seeded test keyrings only; by default it comes from the CSPRNG.
 */
export function seal1(keyId: string, key: Suite1Key, plaintext: Uint8Array, context: Uint8Array, salt?: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(envelopeLength(SUITE_1, keyId, plaintext.length));
  const saltOffset = writeHeaderPrefix(out, CURRENT_VERSION, SUITE_1, keyId);
  if (salt === undefined) randomFillInto(out, saltOffset, SUITE_1.saltLength);
  else out.set(salt.subarray(0, SUITE_1.saltLength), saltOffset);
  const commitmentOffset = saltOffset + SUITE_1.saltLength;
  const commitment = deriveMessageKey(key, out, commitmentOffset);
  try {
    writeLatin1Digest(out, commitmentOffset, commitment);
    const bodyOffset = commitmentOffset + SUITE_1.commitmentLength;
    aesGcmSealInto(MESSAGE_KEY, ZERO_IV, [out.subarray(0, bodyOffset), context], plaintext, out, bodyOffset);
    return out;
  } finally {
    MESSAGE_KEY.fill(0);
  }
}

/** Opens a parsed suite 1 envelope; `undefined` when it does not authenticate. */
export function open1(envelope: ParsedEnvelope, key: Suite1Key, context: Uint8Array): Buffer | undefined {
  const { bytes, saltOffset, bodyOffset, tagOffset } = envelope;
  const commitmentOffset = saltOffset + SUITE_1.saltLength;
  const commitment = deriveMessageKey(key, bytes, commitmentOffset);
  try {
    if (bodyOffset - commitmentOffset !== commitment.length || !equalsLatin1Digest(commitment, bytes, commitmentOffset)) return undefined;
    return aesGcmOpen(
      MESSAGE_KEY,
      ZERO_IV,
      [bytes.subarray(0, bodyOffset), context],
      bytes.subarray(bodyOffset, tagOffset),
      bytes.subarray(tagOffset),
    );
  } finally {
    MESSAGE_KEY.fill(0);
  }
}
