/**
 * Legacy decoders: values written by another library (or by hand-rolled
 * code) that a migration reads once and re-encrypts as keyroll envelopes.
 * A decoder recognises its own shape without a key (so dry runs can count
 * values per kind), and decodes with the keys it was given. A value that no
 * decoder recognises and that is not a keyroll envelope is an error, never
 * data.
 * @module
 */
import { KeyrollError } from '../../errors.js';

/**
 * Reads one kind of legacy ciphertext.
 * @example
 * ```ts
 * const legacy: LegacyDecoder = cloakDecoder({ keys: process.env.CLOAK_KEYS! });
 * if (legacy.recognizes(stored)) plaintext = legacy.decode(stored);
 * ```
 */
export interface LegacyDecoder {
  /** A short name for counts and messages (`cloak`, `aes-256-gcm`, ...). */
  readonly kind: string;
  /** True when `value` has this decoder's shape; needs no key and never throws. */
  recognizes(value: string | Uint8Array): boolean;
  /**
   * The plaintext of a recognised value. Throws a `KeyrollError`:
   * `ERR_UNKNOWN_KEY` when no key given to the decoder can have made it,
   * `ERR_DECRYPT_FAILED` when authentication fails.
   */
  decode(value: string | Uint8Array): Uint8Array;
}

/**
 * The first decoder in `decoders` that recognises `value`, or `undefined`.
 * @example
 * ```ts
 * const decoder = legacyDecoderFor([cloak, layout], stored);
 * ```
 */
export function legacyDecoderFor(decoders: readonly LegacyDecoder[], value: string | Uint8Array): LegacyDecoder | undefined {
  for (const decoder of decoders) if (decoder.recognizes(value)) return decoder;
  return undefined;
}

/** Text of a stored value: strings as they are, bytes as latin1 (never throws). */
export function legacyText(value: string | Uint8Array): string {
  return typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1');
}

/** The one failure for a recognised value that does not authenticate. */
export function legacyDecryptFailed(kind: string): never {
  throw new KeyrollError('ERR_DECRYPT_FAILED', `a ${kind} value failed to decrypt with the legacy keys given (wrong key, or the value was modified)`);
}
