/**
 * Key ids given on the command line: checked up front, so a bad id is bad
 * usage (exit 2) and no file is touched.
 * @module
 */
import { checkKeyId } from '../document/index.js';
import { UsageError } from './command.js';

/**
 * Checks a key id argument and returns it.
 * @example
 * ```ts
 * const id = keyIdArg(positionals[0], 'ID');
 * ```
 */
export function keyIdArg(value: string | undefined, what = 'ID'): string {
  if (value === undefined) throw new UsageError(`${what} is required`);
  try {
    return checkKeyId(value);
  } catch (err) {
    throw new UsageError(`${what}: ${(err as Error).message}`);
  }
}

/**
 * Exactly one positional key id.
 * @example
 * ```ts
 * const id = singleKeyId(positionals);
 * ```
 */
export function singleKeyId(positionals: readonly string[]): string {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one key ID argument, got ${positionals.length}`);
  return keyIdArg(positionals[0]);
}
