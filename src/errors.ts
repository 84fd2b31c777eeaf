/**
 * Every failure keyroll reports is a {@link KeyrollError} with a stable `code`.
 * Messages name key ids, files and rules; they never contain secret material,
 * plaintext or a whole envelope.
 * @module
 */

/**
 * The stable error codes. Match on `error.code`, never on the message.
 * @example
 * ```ts
 * import { ERROR_CODES } from 'keyroll';
 * ERROR_CODES.includes('ERR_DECRYPT_FAILED'); // true
 * ```
 */
export const ERROR_CODES = [
  'ERR_MALFORMED_ENVELOPE',
  'ERR_UNSUPPORTED_VERSION',
  'ERR_UNSUPPORTED_SUITE',
  'ERR_UNKNOWN_KEY',
  'ERR_KEY_DISABLED',
  'ERR_DECRYPT_FAILED',
  'ERR_VERSION_BELOW_POLICY',
  'ERR_INVALID_KEY',
  'ERR_INVALID_KEYRING',
  'ERR_INVALID_ARGUMENT',
  'ERR_IO',
  'ERR_MISSING_DEPENDENCY',
  'ERR_UNSUPPORTED_RUNTIME',
  'ERR_CONFLICT',
  'ERR_KEY_IN_USE',
  'ERR_STORE',
  'ERR_TOKEN_EXPIRED',
  'ERR_TOKEN_NOT_YET_VALID',
  'ERR_TOKEN_INVALID',
  'ERR_TOKEN_UNSUPPORTED',
  'ERR_TOKEN_CLAIM_MISMATCH',
] as const;

/**
 * One of {@link ERROR_CODES}.
 * @example
 * ```ts
 * import type { KeyrollErrorCode } from 'keyroll';
 * const retryable: KeyrollErrorCode[] = ['ERR_IO'];
 * ```
 */
export type KeyrollErrorCode = (typeof ERROR_CODES)[number];

/**
 * A global brand, so `KeyrollError.is` also recognises errors thrown by
 * another copy of keyroll in the same process (the CJS and ESM builds loaded
 * side by side), where `instanceof` would not.
 */
const BRAND = Symbol.for('keyroll.KeyrollError');

/**
 * Extra facts attached to an error; never secret.
 * @example
 * ```ts
 * const err = new KeyrollError('ERR_UNKNOWN_KEY', 'key "k9" is not in the keyring', { keyId: 'k9' });
 * err.keyId; // 'k9'
 * ```
 */
export interface KeyrollErrorDetails {
  /** The key id involved, when there is one. */
  keyId?: string;
  /** The file involved, when there is one. */
  file?: string;
  /** The underlying error, when there is one. */
  cause?: unknown;
  /**
   * Facts for server logs that the message leaves out, such as a token's
   * expiry time (`{ exp: '2030-01-01T00:00:00.000Z', now: '...' }`). Never secret.
   */
  details?: Readonly<Record<string, string | number>>;
}

/**
 * The one error class keyroll throws.
 *
 * @example
 * ```ts
 * import { KeyrollError } from 'keyroll';
 * try {
 *   ring.decrypt(stored);
 * } catch (err) {
 *   if (KeyrollError.is(err, 'ERR_UNKNOWN_KEY')) console.warn('stored value names a key we no longer hold');
 *   else throw err;
 * }
 * ```
 */
export class KeyrollError extends Error {
  /** The stable code. */
  readonly code: KeyrollErrorCode;
  /** The key id involved, when there is one. */
  readonly keyId?: string;
  /** The file involved, when there is one. */
  readonly file?: string;
  /** Facts for server logs that the message leaves out (see {@link KeyrollErrorDetails.details}). */
  readonly details?: Readonly<Record<string, string | number>>;

  constructor(code: KeyrollErrorCode, message: string, details: KeyrollErrorDetails = {}) {
    // Messages quote input (file names, ids, option names): control characters are escaped here, once for all of them.
    super(escapeControls(message), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'KeyrollError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
    if (details.keyId !== undefined) this.keyId = details.keyId;
    if (details.file !== undefined) this.file = details.file;
    if (details.details !== undefined) this.details = Object.freeze({ ...details.details });
  }

  /**
   * True when `err` is a KeyrollError, optionally with the given code.
   * @example
   * ```ts
   * if (KeyrollError.is(err, 'ERR_DECRYPT_FAILED')) return null;
   * ```
   */
  static is(err: unknown, code?: KeyrollErrorCode): err is KeyrollError {
    const branded = err instanceof KeyrollError || (typeof err === 'object' && err !== null && (err as { [BRAND]?: unknown })[BRAND] === true);
    return branded && (code === undefined || (err as KeyrollError).code === code);
  }
}

// C0 and C1 controls, DEL, line and paragraph separators, bidi and zero-width
// format characters, lone surrogates: anything that could forge or hide text in a log line.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `text` with control and invisible formatting characters written as
 * `\n`, `\xNN` or `\uNNNN`. Every KeyrollError message passes through it.
 * @example
 * ```ts
 * escapeControls('a\nb'); // 'a\\nb': a, backslash, n, b
 * ```
 */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x0a) return '\\n';
    if (code === 0x0d) return '\\r';
    if (code === 0x09) return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Shorthand used inside the library. */
export function fail(code: KeyrollErrorCode, message: string, details?: KeyrollErrorDetails): never {
  throw new KeyrollError(code, message, details);
}
