/**
 * Options of the stream functions, checked at the entry point: an unknown
 * key or a value of the wrong type is refused, never read as "not set".
 * @module
 */
import { checkOptions } from '../args.js';
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
  const o = checkOptions(options as Record<string | symbol, unknown> | undefined, ['context', 'segmentSize', STREAM_SEED], `${label} options`);
  const seed = o[STREAM_SEED] as StreamSeed | undefined;
  const checked = { context: canonicalContext(o['context'] as Context | undefined), segmentSize: checkSegmentSize(o['segmentSize']) };
  return seed === undefined ? checked : { ...checked, seed };
}

/** Checked decryption options. */
export function decryptOptions(options: unknown, label: string): { context: Uint8Array } {
  const o = checkOptions(options as Record<string, unknown> | undefined, ['context'], `${label} options`);
  return { context: canonicalContext(o['context'] as Context | undefined) };
}
