/**
 * `--context k=v` parsing, kept in one small function so other commands
 * (and context templates such as `table=users,column=token,id={id}`) reuse it.
 * @module
 */
import { UsageError } from './command.js';

/**
 * Splits `k=v` at the first `=` (values may contain `=`). The key must be non-empty.
 * @example
 * ```ts
 * parsePair('note=a=b'); // ['note', 'a=b']
 * ```
 */
export function parsePair(text: string, option = '--context'): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`${option} expects KEY=VALUE with a non-empty KEY`);
  return [text.slice(0, at), text.slice(at + 1)];
}

/**
 * A context record from `k=v` pairs. Built on a null-prototype object with
 * defineProperty, so a key named `__proto__` is an ordinary entry. A key given
 * twice is refused.
 * @example
 * ```ts
 * contextFromPairs(['table=users', 'id=42']); // { table: 'users', id: '42' }
 * ```
 */
export function contextFromPairs(pairs: readonly string[], option = '--context'): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  const seen = new Map<string, string>();
  for (const text of pairs) {
    const [key, value] = parsePair(text, option);
    if (seen.has(key)) throw new UsageError(`${option} names "${key.slice(0, 40)}" twice`);
    seen.set(key, value);
  }
  const record = Object.create(null) as Record<string, string>;
  for (const [key, value] of seen) Object.defineProperty(record, key, { value, enumerable: true, writable: false, configurable: false });
  return record;
}
