import { expect } from 'vitest';
import { KeyrollError, type KeyrollErrorCode } from '../../src/errors.js';
import { Keyring } from '../../src/keyring/keyring.js';

export const SECRET_2 = 'ASDFGHJKL1234567';
export const SECRET_1 = '0123456789abcdef0123456789abcdef';
export const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

/** A keyring with k2 active and k1 decrypt-only, on a clock the test controls. */
export function ring(clock: () => number = () => T0): Keyring {
  return Keyring.create({
    keys: [
      { id: 'k2', secret: SECRET_2, state: 'active' },
      { id: 'k1', secret: SECRET_1, encoding: 'hex', state: 'decrypt-only' },
    ],
    clock,
  });
}

/** The KeyrollError code `fn` throws (fails the test on any other outcome). */
export function codeOf(fn: () => unknown): KeyrollErrorCode {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, 'expected a KeyrollError').toBeInstanceOf(KeyrollError);
  return (thrown as KeyrollError).code;
}

/** The KeyrollError `fn` throws. */
export function errorOf(fn: () => unknown): KeyrollError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KeyrollError);
    return err as KeyrollError;
  }
  throw new Error('expected a KeyrollError, nothing was thrown');
}
