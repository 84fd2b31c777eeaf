/**
 * The envelope room: format, text form and context canonicalisation. Pure.
 * @module
 */
export * from './format.js';
export * from './context.js';
