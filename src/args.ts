/**
 * Checks at the entry points: options objects hold known keys only (a typo
 * fails closed instead of reading as "not set"), values have the right type,
 * and text taken from input is escaped before it goes into a message. Pure.
 * @module
 */
import { KeyrollError, escapeControls, fail, type KeyrollErrorCode } from './errors.js';
import { builtinModule, describe } from './bytes.js';

/**
 * Checks an options object and returns it: `undefined` is `{}`; anything but
 * a non-array object, or an own key outside `allowed`, is
 * `ERR_INVALID_ARGUMENT` naming the key (escaped) and `label`.
 * @example
 * ```ts
 * const opts = checkOptions(options, ['context'], 'ring.encrypt options');
 * ```
 */
export function checkOptions<T extends object>(value: T | undefined, allowed: readonly (string | symbol)[], label: string): T {
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null || isArray(value, label)) {
    fail('ERR_INVALID_ARGUMENT', `${label} must be an object, got ${describe(value)}`);
  }
  const keys = guarded(() => Reflect.ownKeys(value), label);
  for (const key of keys) {
    if (allowed.includes(key)) continue;
    const known = allowed.filter((k): k is string => typeof k === 'string');
    const name = typeof key === 'symbol' ? 'a symbol key' : `"${printable(key, 40)}"`;
    fail('ERR_INVALID_ARGUMENT', `${label} has an unknown option ${name}${known.length === 0 ? ' (it takes none)' : ` (known: ${known.join(', ')})`}`);
  }
  return value;
}

/**
 * A dense copy of an array argument. A non-array, a sparse array (a hole
 * would read as `undefined`) or a Proxy (whose reads could change between
 * the check and the use) is `ERR_INVALID_ARGUMENT`. A Proxy is recognised
 * where the runtime can tell one (`util.types.isProxy` on Node, Bun and
 * Deno); elsewhere the array is still read exactly once, into the copy.
 * @example
 * ```ts
 * const keys = checkArray(options.keys, 'keys');
 * ```
 */
export function checkArray<T>(value: unknown, label: string): T[] {
  if (!isArray(value, label)) fail('ERR_INVALID_ARGUMENT', `${label} must be an array, got ${describe(value)}`);
  if (isProxy?.(value) === true) fail('ERR_INVALID_ARGUMENT', `${label} must be a plain array, got a Proxy`);
  return guarded(() => {
    const list = value as unknown[];
    const length = list.length;
    if (!Number.isSafeInteger(length) || length < 0) fail('ERR_INVALID_ARGUMENT', `${label} has no valid length`);
    const out: T[] = new Array<T>(length);
    for (let i = 0; i < length; i++) {
      if (!Object.prototype.hasOwnProperty.call(list, i)) fail('ERR_INVALID_ARGUMENT', `${label} has a hole at index ${i} (a sparse array)`);
      out[i] = list[i] as T;
    }
    return out;
  }, label);
}

/**
 * `value` when it is a function or `undefined`; anything else is `ERR_INVALID_ARGUMENT`.
 * @example
 * ```ts
 * const clock = optionalFunction(options.clock, 'clock');
 * ```
 */
export function optionalFunction<F extends (...args: never[]) => unknown>(value: F | undefined, label: string): F | undefined {
  if (value !== undefined && typeof value !== 'function') fail('ERR_INVALID_ARGUMENT', `${label} must be a function, got ${describe(value)}`);
  return value;
}

/* util.types.isProxy where the runtime has node:util; this file imports nothing from node: (browser edition). */
const isProxy = builtinModule<{ types?: { isProxy?: (value: unknown) => boolean } }>('node:util')?.types?.isProxy;

/** Array.isArray throws on a revoked Proxy: that is a bad argument, not a crash. */
function isArray(value: unknown, label: string): boolean {
  return guarded(() => Array.isArray(value), label);
}

/**
 * Runs `read`; an engine error while reading an argument (a Proxy trap or a
 * getter that throws) becomes `code` (default ERR_INVALID_ARGUMENT) naming `label`.
 * @example
 * ```ts
 * const names = guarded(() => Object.keys(policy), 'policy', 'ERR_INVALID_KEYRING');
 * ```
 */
export function guarded<T>(read: () => T, label: string, code: KeyrollErrorCode = 'ERR_INVALID_ARGUMENT'): T {
  try {
    return read();
  } catch (err) {
    if (KeyrollError.is(err)) throw err;
    return fail(code, `${label} could not be read (a Proxy or getter threw)`, { cause: err });
  }
}

/**
 * Text from input, safe to put in a message: control and invisible
 * formatting characters escaped as `\xNN` / `\uNNNN`, backslashes doubled,
 * cut to `max` characters with `...`.
 * @example
 * ```ts
 * printable('a\nb'); // 'a\\nb' (as typed: a, backslash, n, b)
 * ```
 */
export function printable(text: string, max = 64): string {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  return escapeControls(cut.replace(/\\/g, '\\\\'));
}
