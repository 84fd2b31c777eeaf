/**
 * `keyroll reencrypt --index-column C --index-purpose P ...`: the blind
 * index column kept with the encrypted column, and its definition (the same
 * options the application passes to `ring.blindIndex`), so the job rewrites
 * each index with its value.
 * @module
 */
import { indexSpec, type BlindIndexOptions } from '../lookup/spec.js';
import type { Normalization } from '../lookup/normalize.js';
import { UsageError } from './command.js';

/** parseArgs options for the index column. */
export const INDEX_OPTIONS = {
  'index-column': { type: 'string' },
  'index-purpose': { type: 'string' },
  'index-bits': { type: 'string' },
  'index-normalize': { type: 'string' },
  'index-slow': { type: 'string' },
} as const;

/** Help lines for {@link INDEX_OPTIONS}. */
export const INDEX_HELP = [
  '  --index-column C        the blind index column of --column: rewritten with each value,',
  '                          in the same update, under the active key; its definition:',
  '  --index-purpose P       the purpose (required with --index-column), e.g. users.email',
  '  --index-bits N          output length in bits, 8 to 256 (default 256)',
  '  --index-normalize LIST  steps, comma-separated: trim, nfc, casefold (default none)',
  '  --index-slow COST       the memory-hard variant: "default", or N=16384,r=8,p=1',
];

/**
 * The index column and its definition, or undefined without `--index-column`.
 * @example
 * ```ts
 * const index = indexFromArgs(values); // { column: 'email_idx', definition: { purpose: 'users.email' } }
 * ```
 */
export function indexFromArgs(values: Record<string, unknown>): { column: string; definition: BlindIndexOptions } | undefined {
  const column = values['index-column'];
  if (column === undefined) {
    const stray = Object.keys(INDEX_OPTIONS).find((name) => values[name] !== undefined);
    if (stray !== undefined) throw new UsageError(`--${stray} needs --index-column`);
    return undefined;
  }
  const purpose = values['index-purpose'];
  if (typeof purpose !== 'string' || purpose === '') throw new UsageError('--index-column needs --index-purpose P (the purpose the application indexes with)');
  const definition: BlindIndexOptions = {
    purpose,
    ...(values['index-bits'] === undefined ? {} : { bits: bitsArg(String(values['index-bits'])) }),
    ...(values['index-normalize'] === undefined ? {} : { normalize: normalizeArg(String(values['index-normalize'])) }),
    ...(values['index-slow'] === undefined ? {} : { slow: slowArg(String(values['index-slow'])) }),
  };
  try {
    indexSpec(definition);
  } catch (err) {
    throw new UsageError(`--index-*: ${(err as Error).message}`);
  }
  return { column: String(column), definition };
}

function bitsArg(text: string): number {
  if (!/^[0-9]{1,3}$/.test(text)) throw new UsageError('--index-bits must be an integer from 8 to 256');
  return Number(text);
}

function normalizeArg(text: string): Normalization {
  const steps: Record<string, keyof Normalization> = { trim: 'trim', nfc: 'nfc', casefold: 'caseFold' };
  const out: Record<string, boolean> = {};
  for (const word of text.split(',').map((w) => w.trim().toLowerCase()).filter(Boolean)) {
    const step = steps[word];
    if (step === undefined) throw new UsageError(`--index-normalize: unknown step "${word.slice(0, 20)}" (trim, nfc, casefold)`);
    out[step] = true;
  }
  return out;
}

function slowArg(text: string): true | { N?: number; r?: number; p?: number } {
  if (text === 'default') return true;
  const cost: Record<string, number> = {};
  for (const pair of text.split(',')) {
    const m = /^\s*(N|r|p)=([0-9]{1,8})\s*$/.exec(pair);
    if (m === null) throw new UsageError('--index-slow takes "default" or a cost such as N=16384,r=8,p=1');
    cost[m[1]!] = Number(m[2]);
  }
  return cost;
}
