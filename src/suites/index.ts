/**
 * The suites room: suite id -> seal/open over the primitives. A key's
 * per-suite state is derived once and cached with the key.
 * @module
 */
export { seal1, open1, suite1Key, type Suite1Key } from './suite1.js';
export { randomBytes } from './primitives.js';
