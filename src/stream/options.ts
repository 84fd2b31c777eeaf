/**
 * Options of the stream functions, checked at the entry point: an unknown
 * key or a value of the wrong type is refused, never read as "not set".
 * @module
 */
import { fail } from '../errors.js';
import { describe } from '../bytes.js';
import { canonicalContext, type Context } from '../envelope/context.js';
import { checkSegmentSize } from '../envelope/stream-header.js';
import type { StreamSeed } from './seal.js';

/**
 * Options for decrypting a stream.
 * @example
 * ```ts
 * const options: DecryptStreamOptions = { context: { bucket: 'backups', name: 'db.dump' } };
 * ```
 */
export interface DecryptStreamOptions {
  /** The context given at encryption (see ordinary envelopes); none by default. */
  readonly context?: Context;
}

/**
 * Options for encrypting a stream.
 * @example
 * ```ts
 * const options: EncryptStreamOptions = { context: { bucket: 'backups' }, segmentSize: 1024 * 1024 };
 * ```
 */
export interface EncryptStreamOptions extends DecryptStreamOptions {
  /** Plaintext bytes per segment, 16 to 16 MiB; default 64 KiB. */
  readonly segmentSize?: number;
}

/** @internal Fixed salt and nonce prefix, for frozen vectors. */
export const STREAM_SEED: unique symbol = Symbol('keyroll.streamSeed');

/** Checked encryption options. */
export function encryptOptions(options: unknown, label: string): { context: Uint8Array; segmentSize: number; seed?: StreamSeed } {
  const o = checkKeys(options, ['context', 'segmentSize'], label);
  const seed = (o as { [STREAM_SEED]?: StreamSeed })[STREAM_SEED];
  const checked = { context: canonicalContext(o['context'] as Context | undefined), segmentSize: checkSegmentSize(o['segmentSize']) };
  return seed === undefined ? checked : { ...checked, seed };
}

/** Checked decryption options. */
export function decryptOptions(options: unknown, label: string): { context: Uint8Array } {
  const o = checkKeys(options, ['context'], label);
  return { context: canonicalContext(o['context'] as Context | undefined) };
}

function checkKeys(options: unknown, allowed: readonly string[], label: string): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail('ERR_INVALID_ARGUMENT', `${label} options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) fail('ERR_INVALID_ARGUMENT', `${label} has no option "${key}" (it takes ${allowed.join(', ')})`);
  }
  return options as Record<string, unknown>;
}
