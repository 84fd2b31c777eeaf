import { KeyrollError, type KeyrollErrorCode } from '../../src/index.js';

/** The code of the KeyrollError `fn` throws, or what happened instead. */
export function codeOf(fn: () => unknown): KeyrollErrorCode | 'no error' | 'not a KeyrollError' {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return err instanceof KeyrollError ? err.code : 'not a KeyrollError';
  }
}

/** The KeyrollError `fn` throws; fails the test when it throws nothing or something else. */
export function errorOf(fn: () => unknown): KeyrollError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KeyrollError) return err;
    throw err;
  }
  throw new Error('expected a KeyrollError');
}
