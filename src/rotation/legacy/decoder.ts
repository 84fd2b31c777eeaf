/**
 * Legacy decoders: values written by another library (or by hand-rolled
 * code) that a migration reads once and re-encrypts as keyroll envelopes.
 * A decoder recognises its own shape without a key (so dry runs can count
 * values per kind), and decodes with the keys it was given. A value that no
 * decoder recognises and that is not a keyroll envelope is an error, never
 * data.
 * @module
 */
import { KeyrollError, fail } from '../../errors.js';

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

/** Checks a `legacy` option: an array of decoders. */
export function checkDecoders(decoders: unknown): asserts decoders is readonly LegacyDecoder[] {
  const ok = Array.isArray(decoders) && decoders.every((d) => typeof d === 'object' && d !== null && typeof d.recognizes === 'function' && typeof d.decode === 'function' && typeof d.kind === 'string');
  if (!ok) fail('ERR_INVALID_ARGUMENT', 'legacy must be an array of decoders (cloakDecoder, layoutDecoder from keyroll/rotation)');
}

/**
 * A decoder as plain data, so the batch job can rebuild it on a worker
 * thread (functions cannot cross). Holds key material: it travels only
 * by structured clone to the job's own workers, never logged or written.
 */
export type LegacyConfig =
  | { readonly type: 'cloak'; readonly keys: readonly string[] }
  | { readonly type: 'layout'; readonly options: Readonly<Record<string, unknown>> };

// Kept beside the decoder, not on it: nothing reachable from the object (inspect, JSON, enumeration) shows keys.
const CONFIGS = new WeakMap<LegacyDecoder, LegacyConfig>();

/** Remembers how `decoder` was made (cloakDecoder, layoutDecoder). */
export function rememberConfig(decoder: LegacyDecoder, config: LegacyConfig): LegacyDecoder {
  CONFIGS.set(decoder, config);
  return decoder;
}

/** How `decoder` was made, or undefined for a decoder written by the application. */
export function configOf(decoder: LegacyDecoder): LegacyConfig | undefined {
  return CONFIGS.get(decoder);
}

/**
 * Whether a parse error leaves `value` to the legacy decoders: not an
 * envelope, or bytes whose first byte is no known envelope version or suite
 * (another library's text kept in a BLOB: `v1.aesgcm256...` starts with
 * byte 0x76). A decoder still has to recognise the exact shape.
 */
export function legacyMayRead(err: unknown, value: string | Uint8Array): boolean {
  if (KeyrollError.is(err, 'ERR_MALFORMED_ENVELOPE')) return true;
  return typeof value !== 'string' && (KeyrollError.is(err, 'ERR_UNSUPPORTED_VERSION') || KeyrollError.is(err, 'ERR_UNSUPPORTED_SUITE'));
}
