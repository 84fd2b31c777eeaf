/**
 * Explicit normalisation of values before they are indexed. Nothing is
 * normalised unless the index definition asks for it: an index that trims
 * and case-folds finds `" Ann@Example.com"` when asked for `"ann@example.com"`,
 * one that does not, does not. The steps and their order are part of the
 * format (docs/format.md), and the flags are bound into the index key, so
 * two definitions that normalise differently never share index values.
 * @module
 */
import { fail } from '../errors.js';
import { checkOptions } from '../args.js';

/**
 * Which normalisation steps an index applies to string values, in this order:
 * `trim`, then `nfc`, then `caseFold` (followed by NFC again when `nfc` is set).
 * @example
 * ```ts
 * const email: Normalization = { trim: true, nfc: true, caseFold: true };
 * ```
 */
export interface Normalization {
  /** Remove leading and trailing white space (ECMAScript `String.prototype.trim`). */
  readonly trim?: boolean;
  /** Unicode Normalization Form C (`String.prototype.normalize('NFC')`). */
  readonly nfc?: boolean;
  /**
   * Full case folding as ECMAScript gives it: `toUpperCase()` then
   * `toLowerCase()`, locale-independent (so `"Straße"` and `"STRASSE"` match).
   */
  readonly caseFold?: boolean;
}

/** Bit of each step in the flags byte bound into the index key. */
export const NORMALIZATION_BITS = { trim: 1, nfc: 2, caseFold: 4 } as const;

/**
 * The flags byte of a normalisation (0 when nothing is normalised).
 * @example
 * ```ts
 * normalizationFlags({ trim: true, caseFold: true }); // 5
 * ```
 */
export function normalizationFlags(normalize: Normalization | undefined): number {
  if (normalize === undefined) return 0;
  if (typeof normalize !== 'object' || normalize === null || Array.isArray(normalize)) {
    fail('ERR_INVALID_ARGUMENT', 'normalize must be an object such as { trim: true, nfc: true, caseFold: true }');
  }
  checkOptions(normalize, Object.keys(NORMALIZATION_BITS), 'normalize (the steps are trim, nfc and caseFold)');
  let flags = 0;
  for (const name of Object.keys(normalize)) {
    const on = (normalize as Record<string, unknown>)[name];
    if (typeof on !== 'boolean') fail('ERR_INVALID_ARGUMENT', `normalize.${name} must be true or false`);
    if (on) flags |= NORMALIZATION_BITS[name as keyof typeof NORMALIZATION_BITS];
  }
  return flags;
}

/**
 * Applies the steps of `flags` to a string value.
 * @example
 * ```ts
 * normalizeValue('  Straße ', 7); // 'strasse'
 * ```
 */
export function normalizeValue(value: string, flags: number): string {
  let out = value;
  if (flags & NORMALIZATION_BITS.trim) out = out.trim();
  if (flags & NORMALIZATION_BITS.nfc) out = out.normalize('NFC');
  if (flags & NORMALIZATION_BITS.caseFold) {
    out = out.toUpperCase().toLowerCase();
    if (flags & NORMALIZATION_BITS.nfc) out = out.normalize('NFC');
  }
  return out;
}
