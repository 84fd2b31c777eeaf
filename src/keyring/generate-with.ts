/**
 * Fresh keys from a CSPRNG given by the edition: node:crypto's for
 * `keyroll`, WebCrypto's for `keyroll/web`. The option checks live here once.
 * @module
 */
import { fail } from '../errors.js';
import { checkOptions } from '../args.js';
import { timeValue } from '../document/time.js';
import { Key, checkKeyId, type KeyState } from './key.js';

/**
 * Options of {@link generateKey}.
 * @example
 * ```ts
 * const key = generateKey({ id: 'k2', bytes: 32, state: 'decrypt-only' });
 * ```
 */
export interface GenerateKeyOptions {
  /** The key id. */
  readonly id: string;
  /** Secret length in bytes: 16 to 1024, default 32. */
  readonly bytes?: number;
  /** Default `active`. */
  readonly state?: KeyState;
  /** Default now. */
  readonly createdAt?: Date;
}

/** `generateKey` over a given CSPRNG (the WebCrypto edition passes its own). */
export function generateKeyWith(options: GenerateKeyOptions, random: (length: number) => Uint8Array): Key {
  if (typeof options !== 'object' || options === null) fail('ERR_INVALID_ARGUMENT', 'generateKey needs an options object with an id');
  checkOptions(options, ['id', 'bytes', 'state', 'createdAt'], 'generateKey options');
  const id = checkKeyId(options.id);
  const bytes = options.bytes ?? 32;
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 1024) fail('ERR_INVALID_ARGUMENT', 'generateKey: bytes must be an integer from 16 to 1024');
  if (options.createdAt !== undefined && timeValue(options.createdAt) === undefined) {
    fail('ERR_INVALID_ARGUMENT', 'generateKey: createdAt must be a Date, milliseconds or an RFC 3339 time with an offset');
  }
  // createdAt goes through the spec, so Key.from checks it like any other time.
  const spec = { id, secret: random(bytes), ...(options.createdAt === undefined ? {} : { createdAt: options.createdAt }) };
  return Key.from(spec, { state: options.state ?? 'active', now: new Date() });
}
