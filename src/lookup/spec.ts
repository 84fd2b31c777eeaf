/**
 * Blind index definitions: the options an application passes, checked once
 * and turned into the bytes bound into the index key (docs/format.md,
 * "Blind indexes"). Pure: no key, no I/O.
 * @module
 */
import { fail } from '../errors.js';
import { utf8 } from '../bytes.js';
import { checkOptions } from '../args.js';
import { normalizationFlags, type Normalization } from './normalize.js';

/**
 * The cost of the memory-hard (scrypt, RFC 7914) variant. Memory is about
 * `128 * N * r` bytes per computation; see docs/blind-index.md for sizing.
 * @example
 * ```ts
 * const cost: SlowIndexCost = { N: 2 ** 15, r: 8, p: 1 }; // 32 MiB per index
 * ```
 */
export interface SlowIndexCost {
  /** CPU/memory cost, a power of two (default 2^14). */
  readonly N?: number;
  /** Block size (default 8). */
  readonly r?: number;
  /** Parallelism (default 1). */
  readonly p?: number;
}

/**
 * How an index is computed. The same options must be used to write and to
 * query an index; every option except the value itself is bound into the
 * index key, so a changed option gives unrelated index values.
 * @example
 * ```ts
 * const byEmail: BlindIndexOptions = { purpose: 'users.email', bits: 32, normalize: { trim: true, nfc: true, caseFold: true } };
 * ring.blindIndex('Ann@Example.com', byEmail);
 * ```
 */
export interface BlindIndexOptions {
  /** Names the index (for example `"users.email"`): 1 to 255 bytes of UTF-8. Each purpose has its own key. */
  readonly purpose: string;
  /** Output length in bits, 8 to 256 (default 256). Shorter indexes collide on purpose (k-anonymity). */
  readonly bits?: number;
  /** Normalisation of string values; none unless asked for. */
  readonly normalize?: Normalization;
  /** The memory-hard variant for low-entropy values: `true` for the default cost, or a cost. */
  readonly slow?: boolean | SlowIndexCost;
}

/** A checked definition. */
export interface IndexSpec {
  readonly purpose: string;
  readonly bits: number;
  readonly flags: number;
  readonly slow: { readonly N: number; readonly r: number; readonly p: number } | undefined;
  /** The parameter bytes bound into the index key's HKDF info. */
  readonly params: Uint8Array;
  /** A cache key for the per-key index key (the params as latin1). */
  readonly id: string;
}

/** Default and bounds of the memory-hard variant. */
export const SLOW_DEFAULT = { N: 2 ** 14, r: 8, p: 1 } as const;
/** Bounds: N a power of two from 2^10 to 2^20; r 1..32; p 1..16; 2^15 <= N*r <= 2^22; N*r*p <= 2^23. */
export const SLOW_BOUNDS = { minLogN: 10, maxLogN: 20, maxR: 32, maxP: 16, minNr: 2 ** 15, maxNr: 2 ** 22, maxNrp: 2 ** 23 } as const;

const OPTION_KEYS = ['purpose', 'bits', 'normalize', 'slow'];
const COST_KEYS = ['N', 'r', 'p'];

/**
 * Checks blind index options and computes the bytes bound into the index key.
 * @example
 * ```ts
 * const spec = indexSpec({ purpose: 'users.email', bits: 32 });
 * spec.bits; // 32
 * ```
 */
export function indexSpec(options: BlindIndexOptions): IndexSpec {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail('ERR_INVALID_ARGUMENT', 'blind index options must be an object with at least { purpose }');
  }
  checkOptions(options, OPTION_KEYS, 'blind index options');
  const { purpose, bits = 256, normalize, slow } = options;
  if (typeof purpose !== 'string' || purpose.length === 0) fail('ERR_INVALID_ARGUMENT', 'blind index options: purpose must be a non-empty string, for example "users.email"');
  const purposeBytes = utf8(purpose, 'blind index purpose');
  if (purposeBytes.length > 255) fail('ERR_INVALID_ARGUMENT', `blind index purpose is ${purposeBytes.length} bytes of UTF-8; at most 255 are allowed`);
  if (!Number.isInteger(bits) || bits < 8 || bits > 256) fail('ERR_INVALID_ARGUMENT', 'blind index bits must be an integer from 8 to 256');
  const flags = normalizationFlags(normalize);
  const cost = slowCost(slow);

  const params = new Uint8Array(4 + (cost ? 3 : 0) + 2 + purposeBytes.length);
  let at = 0;
  params[at++] = cost ? 2 : 1;
  params[at++] = flags;
  params[at++] = bits >>> 8;
  params[at++] = bits & 0xff;
  if (cost) {
    params[at++] = Math.log2(cost.N);
    params[at++] = cost.r;
    params[at++] = cost.p;
  }
  params[at++] = purposeBytes.length >>> 8;
  params[at++] = purposeBytes.length & 0xff;
  params.set(purposeBytes, at);
  return { purpose, bits, flags, slow: cost, params, id: Buffer.from(params).toString('latin1') };
}

function slowCost(slow: BlindIndexOptions['slow']): IndexSpec['slow'] {
  if (slow === undefined || slow === false) return undefined;
  if (slow === true) return { ...SLOW_DEFAULT };
  if (typeof slow !== 'object' || slow === null || Array.isArray(slow)) fail('ERR_INVALID_ARGUMENT', 'blind index option slow must be true, false or { N, r, p }');
  checkOptions(slow, COST_KEYS, 'blind index option slow');
  const { N = SLOW_DEFAULT.N, r = SLOW_DEFAULT.r, p = SLOW_DEFAULT.p } = slow;
  const logN = Math.log2(N);
  if (!Number.isInteger(logN) || logN < SLOW_BOUNDS.minLogN || logN > SLOW_BOUNDS.maxLogN) fail('ERR_INVALID_ARGUMENT', 'blind index scrypt N must be a power of two from 2^10 to 2^20');
  if (!Number.isInteger(r) || r < 1 || r > SLOW_BOUNDS.maxR) fail('ERR_INVALID_ARGUMENT', 'blind index scrypt r must be an integer from 1 to 32');
  if (!Number.isInteger(p) || p < 1 || p > SLOW_BOUNDS.maxP) fail('ERR_INVALID_ARGUMENT', 'blind index scrypt p must be an integer from 1 to 16');
  if (N * r < SLOW_BOUNDS.minNr) fail('ERR_INVALID_ARGUMENT', `blind index scrypt N*r is ${N * r}; at least 2^15 (4 MiB of memory) is required for a memory-hard index`);
  if (N * r > SLOW_BOUNDS.maxNr || N * r * p > SLOW_BOUNDS.maxNrp) fail('ERR_INVALID_ARGUMENT', 'blind index scrypt cost is above the cap (N*r at most 2^22, N*r*p at most 2^23)');
  return { N, r, p };
}
