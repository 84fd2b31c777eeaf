/**
 * Legacy decoders for migrations into keyroll: `@47ng/cloak` /
 * prisma-field-encryption values and configurable hand-rolled AES layouts.
 * @module
 */
export { legacyDecoderFor, type LegacyDecoder } from './decoder.js';
export { cloakDecoder, type CloakDecoderOptions } from './cloak.js';
export { layoutDecoder, type LayoutDecoderOptions, type LayoutPart } from './layout.js';
