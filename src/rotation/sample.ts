/**
 * A look before the batch job writes: decrypt a few rows the way the job
 * would. When every one fails with `ERR_DECRYPT_FAILED` and no context was
 * given, the values were almost surely written with a context, and running
 * the job would only report every row as failed.
 * @module
 */
import { KeyrollError } from '../errors.js';
import { checkOptions } from '../args.js';
import type { Keyring } from '../keyring/keyring.js';
import { resolveRowContext, type RowContext } from './context-template.js';
import type { RowStore, Shard } from './store.js';
import { parseEnvelope } from '../envelope/format.js';

/**
 * What {@link sampleRows} saw.
 * @example
 * ```ts
 * const s = await sampleRows(ring, store);
 * if (s.tried > 0 && s.decryptFailed === s.tried) console.warn('wrong context?');
 * ```
 */
export interface SampleResult {
  /** Envelope rows under a key of the keyring that were tried. */
  readonly tried: number;
  /** Of those, how many failed with `ERR_DECRYPT_FAILED`. */
  readonly decryptFailed: number;
  /** Of those failures, how many opened with the recommended context (`table`, `column`, `id`). */
  readonly openWithRecommended: number;
}

/**
 * Tries to open up to `size` (default 20) envelopes from the start of the
 * store (or of the shard) with `context` (none by default), and, for those
 * that fail, with the recommended context. Never writes.
 * @example
 * ```ts
 * const { tried, decryptFailed } = await sampleRows(ring, store, { size: 10 });
 * ```
 */
export async function sampleRows(ring: Keyring, store: RowStore, options: { readonly size?: number; readonly shard?: Shard; readonly context?: RowContext | string } = {}): Promise<SampleResult> {
  checkOptions(options, ['size', 'shard', 'context'], 'sampleRows options');
  const size = options.size ?? 20;
  const context = resolveRowContext(options.context, store.target);
  const recommended = store.target === undefined ? undefined : resolveRowContext('recommended', store.target);
  let tried = 0;
  let decryptFailed = 0;
  let openWithRecommended = 0;
  const rows = await store.scan(undefined, size * 5, options.shard);
  for (const row of rows) {
    if (tried >= size) break;
    const key = ring.get(keyIdOf(row.value) ?? '');
    if (key === undefined || key.state === 'disabled') continue;
    tried++;
    try {
      ring.open(row.value, withContext(context?.(row)));
    } catch (err) {
      if (!KeyrollError.is(err, 'ERR_DECRYPT_FAILED')) continue;
      decryptFailed++;
      if (recommended !== undefined && opens(ring, row.value, recommended(row))) openWithRecommended++;
    }
  }
  return { tried, decryptFailed, openWithRecommended };
}

function opens(ring: Keyring, value: string | Uint8Array, context: ReturnType<RowContext>): boolean {
  try {
    ring.open(value, withContext(context));
    return true;
  } catch {
    return false;
  }
}

function withContext(context: ReturnType<RowContext>): { context?: NonNullable<ReturnType<RowContext>> } {
  return context === undefined ? {} : { context };
}

/** The key id in the header, or undefined for a value that is not an envelope this build reads. */
function keyIdOf(value: string | Uint8Array): string | undefined {
  try {
    return parseEnvelope(value).keyId;
  } catch {
    return undefined;
  }
}
