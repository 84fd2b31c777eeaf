/**
 * The key id rule, shared by envelopes, keyrings and the sources that read
 * key ids from files and variables.
 * @module
 */
import { fail } from '../errors.js';
import { describe } from '../bytes.js';

/** Key ids: 1 to 64 characters of A-Z a-z 0-9 _ -. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Checks a key id: 1 to 64 characters of `A-Z a-z 0-9 _ -`.
 * @example
 * ```ts
 * checkKeyId('k-2026_01'); // 'k-2026_01'
 * checkKeyId('no spaces'); // throws KeyrollError ERR_INVALID_KEY
 * ```
 */
export function checkKeyId(id: unknown): string {
  if (typeof id !== 'string') fail('ERR_INVALID_KEY', `a key id must be a string, got ${describe(id)}`);
  if (!KEY_ID_PATTERN.test(id)) {
    const chars = [...id];
    const bad = chars.findIndex((c) => !/[A-Za-z0-9_-]/.test(c));
    const trimmed = id.replace(/\r?\n$/, '');
    const why =
      id.length === 0
        ? 'it is empty'
        : trimmed !== id && KEY_ID_PATTERN.test(trimmed)
          ? 'it ends in a newline (written with `echo`? use `echo -n` or `printf %s`)'
          : id.length > 64
            ? `it is ${id.length} characters long`
            : `character ${bad + 1} (${JSON.stringify(chars[bad])}) is not allowed`;
    fail('ERR_INVALID_KEY', `invalid key id: ${why}; ids are 1 to 64 characters of A-Z a-z 0-9 _ -`);
  }
  return id;
}
