/**
 * Legacy decoders across threads: the batch job sends each decoder's
 * configuration (kind, options, key bytes) to its workers once, at start,
 * and each worker rebuilds the same decoders from it.
 * @module
 */
import { fail } from '../../errors.js';
import { cloakDecoder } from './cloak.js';
import { layoutDecoder, type LayoutDecoderOptions } from './layout.js';
import { configOf, type LegacyConfig, type LegacyDecoder } from './decoder.js';

/**
 * The configurations of `decoders`, or undefined when one of them was
 * written by the application (its functions cannot reach a worker).
 */
export function legacyConfigs(decoders: readonly LegacyDecoder[]): LegacyConfig[] | undefined {
  const out: LegacyConfig[] = [];
  for (const decoder of decoders) {
    const config = configOf(decoder);
    if (config === undefined) return undefined;
    out.push(config);
  }
  return out;
}

/** Rebuilds decoders from {@link legacyConfigs} (on a worker thread). */
export function decodersFrom(configs: readonly LegacyConfig[]): LegacyDecoder[] {
  return configs.map((config) => {
    if (config.type === 'cloak') return cloakDecoder({ keys: config.keys });
    if (config.type === 'layout') return layoutDecoder(config.options as unknown as LayoutDecoderOptions);
    return fail('ERR_INVALID_ARGUMENT', 'unknown legacy decoder configuration');
  });
}
