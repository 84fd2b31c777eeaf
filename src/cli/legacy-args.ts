/**
 * `keyroll reencrypt --legacy cloak|layout`: decoders of another library's
 * ciphertexts, described by flags, with their keys read from environment
 * variables named by flags (a key never sits on the command line). A dry
 * run only counts values per kind from their shape, so it needs no key.
 * @module
 */
import { cloakDecoder, layoutDecoder, type LayoutDecoderOptions, type LayoutPart, type LegacyDecoder } from '../rotation/legacy/index.js';
import { UsageError } from './command.js';
import { envVariable } from './keyring-file.js';

/** parseArgs options for legacy decoders. */
export const LEGACY_OPTIONS = {
  legacy: { type: 'string', multiple: true },
  'legacy-keys-env': { type: 'string' },
  'legacy-algorithm': { type: 'string' },
  'legacy-encoding': { type: 'string' },
  'legacy-order': { type: 'string' },
  'legacy-separator': { type: 'string' },
  'legacy-prefix': { type: 'string' },
  'legacy-key-env': { type: 'string' },
  'legacy-mac-key-env': { type: 'string' },
} as const;

/** Help lines for {@link LEGACY_OPTIONS}. */
export const LEGACY_HELP = [
  '  --legacy cloak          migrate @47ng/cloak / prisma-field-encryption values; the cloak',
  '                          keys (k1.aesgcm256.…, comma-separated) from --legacy-keys-env NAME',
  '  --legacy layout         migrate a hand-rolled AES layout, described by',
  '                          --legacy-algorithm aes-256-gcm|aes-256-cbc-hmac-sha256,',
  '                          --legacy-encoding hex|base64|base64url, --legacy-order iv,tag,ciphertext',
  '                          [--legacy-separator :] [--legacy-prefix P]; the key (hex) from',
  '                          --legacy-key-env NAME and, for CBC, --legacy-mac-key-env NAME',
  '                          (--legacy is repeatable; the dry run counts values per kind, no key)',
];

/** Stand-ins for keys in a dry run, which reads shapes only and never decodes. */
const PLACEHOLDER = { cloak: `k1.aesgcm256.${'A'.repeat(43)}`, raw: '00'.repeat(32) };

/**
 * The decoders `--legacy` names, or an empty list.
 * @example
 * ```ts
 * const legacy = legacyFromArgs(values, io.env, dryRun);
 * ```
 */
export function legacyFromArgs(values: Record<string, unknown>, env: NodeJS.ProcessEnv, dryRun: boolean): LegacyDecoder[] {
  const kinds = (values['legacy'] as string[] | undefined) ?? [];
  if (kinds.length === 0) {
    const stray = Object.keys(LEGACY_OPTIONS).find((name) => name !== 'legacy' && values[name] !== undefined);
    if (stray !== undefined) throw new UsageError(`--${stray} needs --legacy cloak or --legacy layout`);
    return [];
  }
  const secret = (flag: string, placeholder: string): string => {
    const name = values[flag];
    if (name === undefined) {
      if (dryRun) return placeholder;
      throw new UsageError(`--${flag} NAME is required with this --legacy (the environment variable holding the key)`);
    }
    const value = envVariable(env, String(name), `--${flag}`, flag === 'legacy-keys-env' ? 'CLOAK_MASTER_KEY' : 'LEGACY_KEY');
    if (value.trim() === '') throw new UsageError(`the environment variable named by --${flag} holds only whitespace`);
    return value;
  };
  const decoders: LegacyDecoder[] = [];
  for (const kind of new Set(kinds)) {
    if (kind !== 'cloak' && kind !== 'layout') throw new UsageError(`--legacy must be cloak or layout (got "${kind.slice(0, 20)}")`);
    try {
      decoders.push(kind === 'cloak' ? cloakDecoder({ keys: secret('legacy-keys-env', PLACEHOLDER.cloak) }) : layoutDecoder(layoutOptions(values, secret)));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      // Decoder messages name the rule broken, never a key.
      throw new UsageError(`--legacy ${kind}: ${(err as Error).message}`);
    }
  }
  return decoders;
}

function layoutOptions(values: Record<string, unknown>, secret: (flag: string, placeholder: string) => string): LayoutDecoderOptions {
  const required = (flag: string): string => {
    const v = values[flag];
    if (typeof v !== 'string' || v === '') throw new UsageError(`--legacy layout needs --${flag}`);
    return v;
  };
  const algorithm = required('legacy-algorithm') as LayoutDecoderOptions['algorithm'];
  return {
    algorithm,
    encoding: required('legacy-encoding') as LayoutDecoderOptions['encoding'],
    order: required('legacy-order').split(',').map((p) => p.trim()) as LayoutPart[],
    ...(values['legacy-separator'] === undefined ? {} : { separator: String(values['legacy-separator']) }),
    ...(values['legacy-prefix'] === undefined ? {} : { prefix: String(values['legacy-prefix']) }),
    key: secret('legacy-key-env', PLACEHOLDER.raw),
    ...(algorithm === 'aes-256-cbc-hmac-sha256' ? { macKey: secret('legacy-mac-key-env', PLACEHOLDER.raw) } : {}),
  };
}
