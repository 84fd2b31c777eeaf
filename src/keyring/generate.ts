/**
 * Fresh keys from node:crypto's CSPRNG.
 * @module
 */
import { randomBytes } from '../suites/index.js';
import type { Key } from './key.js';
import { generateKeyWith, type GenerateKeyOptions } from './generate-with.js';

export type { GenerateKeyOptions } from './generate-with.js';

/**
 * A new key with `bytes` (default 32) random bytes of secret material.
 * @example
 * ```ts
 * import { Keyring, generateKey } from 'keyroll';
 * const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
 * ```
 */
export function generateKey(options: GenerateKeyOptions): Key {
  return generateKeyWith(options, randomBytes);
}

