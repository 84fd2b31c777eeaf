/**
 * A context is a plain object of strings or a Uint8Array; anything else is
 * ERR_INVALID_ARGUMENT, never read as "no context" (which would let a value
 * encrypted without a context open under a Map that looked like one).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalContext } from '../../src/envelope/context.js';
import { testKeyring } from '../../src/testing/index.js';
import { codeOf } from './helpers.js';

class Row {
  table = 'users';
}

const refused: Array<[string, unknown]> = [
  ['a Map', new Map([['table', 'users']])],
  ['an empty Map', new Map()],
  ['a Set', new Set(['users'])],
  ['a Date', new Date(0)],
  ['an ArrayBuffer', new ArrayBuffer(4)],
  ['a DataView', new DataView(new ArrayBuffer(4))],
  ['a class instance', new Row()],
  ['an array', ['users']],
  ['an empty array', []],
  ['a symbol-keyed object', { [Symbol('table')]: 'users' }],
  ['a getter', Object.defineProperty({}, 'table', { get: () => 'users', enumerable: true })],
  ['a non-enumerable property', Object.defineProperty({}, 'table', { value: 'users', enumerable: false })],
  ['a number value', { id: 42 }],
  ['an object with a prototype of its own', Object.create({ table: 'users' })],
  ['a boxed string', new String('users')],
  ['a function', () => 'users'],
  ['a string', 'users'],
  ['a number', 7],
  ['a Proxy whose traps throw', new Proxy({}, { ownKeys: () => { throw new Error('trap'); } })],
];

describe('context inputs', () => {
  const ring = testKeyring();
  const stored = ring.encrypt('secret');

  it.each(refused)('refuses %s when encrypting and decrypting', (_name, context) => {
    expect(codeOf(() => ring.encrypt('x', { context: context as never }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => ring.decrypt(stored, { context: context as never }))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('accepts plain objects (Object.prototype or null prototype) and bytes', () => {
    const nullProto = Object.assign(Object.create(null) as Record<string, string>, { table: 'users' });
    const withContext = ring.encrypt('x', { context: { table: 'users' } });
    expect(ring.decryptString(withContext, { context: nullProto })).toBe('x');
    expect(ring.decryptString(ring.encrypt('y', { context: new Uint8Array([1]) }), { context: Buffer.from([1]) })).toBe('y');
    expect(ring.decryptString(stored, { context: {} })).toBe('secret');
  });

  it('anything that is not a plain record of strings or bytes is refused (property)', () => {
    const odd = fc.oneof(
      fc.array(fc.string(), { minLength: 0, maxLength: 3 }),
      fc.date().map((d) => d as unknown),
      fc.uint8Array().map((b) => new Map([['k', String(b.length)]]) as unknown),
      fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)), { minKeys: 1 }),
    );
    fc.assert(
      fc.property(odd, (context) => {
        expect(codeOf(() => canonicalContext(context as never))).toBe('ERR_INVALID_ARGUMENT');
      }),
    );
  });

  it('escapes control characters in a context key it reports', () => {
    let message = '';
    try {
      canonicalContext({ 'a\r\nERR_FORGED': 1 } as never);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('a\\r\\nERR_FORGED');
  });
});
