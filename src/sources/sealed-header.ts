/**
 * The header line of a sealed keyring file: parsed and checked field by
 * field. It holds no secret (the data key in it is wrapped).
 * @module
 */
import { fail } from '../errors.js';
import { fromBase64urlStrict } from '../bytes.js';
import type { SealedVersion } from './builtin.js';

/** The `format` of a sealed keyring header. */
export const SEALED_FORMAT = 'keyroll.sealed-keyring';
/** The sealed-file version this build writes (it reads versions 1 and 2). */
export const SEALED_VERSION = 2;

/** A parsed, checked header. */
export interface SealedHeader {
  readonly version: SealedVersion;
  /** Incremented by every write; 0 for a version 1 file, which has none. */
  readonly generation: number;
  readonly cipher: 'aes-256-gcm';
  /** The wrapper kind and its public parameters (a Map: names come from the file). */
  readonly wrapper: { readonly kind: string; readonly params: ReadonlyMap<string, string | number> };
  readonly wrappedKey: Uint8Array;
  /** Version 2: the commitment to the data key (32 bytes). */
  readonly keyCommitment: Uint8Array | undefined;
  readonly iv: Uint8Array;
}

const FIELDS: Record<SealedVersion, ReadonlySet<string>> = {
  1: new Set(['format', 'version', 'cipher', 'wrapper', 'wrappedKey', 'iv']),
  2: new Set(['format', 'version', 'generation', 'cipher', 'wrapper', 'wrappedKey', 'keyCommitment', 'iv']),
};
const MAX_WRAPPED_KEY_BYTES = 4096;

/**
 * Parses and checks a header line; any problem -> `ERR_INVALID_KEYRING`.
 * @example
 * ```ts
 * parseHeader(firstLine, 'sealed keyring k.sealed', 'k.sealed').wrapper.kind;
 * ```
 */
export function parseHeader(line: string, label: string, file: string | undefined): SealedHeader {
  const bad = (why: string): never => fail('ERR_INVALID_KEYRING', `${label}: ${why}`, file === undefined ? {} : { file });
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    bad('the header line is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('the header is not a JSON object');
  const h = value as Record<string, unknown>;
  if (h['format'] !== SEALED_FORMAT) bad(`the header's format is not "${SEALED_FORMAT}"`);
  const version = h['version'];
  if (version !== 1 && version !== 2) return bad(`sealed-file version ${String(version).slice(0, 10)} is not supported (this build reads versions 1 and 2)`);
  for (const name of Object.keys(h)) if (!FIELDS[version].has(name)) bad(`the header has an unknown field "${name.slice(0, 40)}"`);
  const generation = version === 1 ? 0 : h['generation'];
  if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 0) return bad('the header\'s generation is not an integer from 0 to 2^53 - 1');
  if (h['cipher'] !== 'aes-256-gcm') bad('the header\'s cipher is not "aes-256-gcm"');
  const w = h['wrapper'];
  if (typeof w !== 'object' || w === null || Array.isArray(w)) return bad('the header\'s wrapper is not an object');
  const params = new Map<string, string | number>();
  let kind: string | undefined;
  for (const [name, v] of Object.entries(w as Record<string, unknown>)) {
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isSafeInteger(v))) bad(`the header's wrapper.${name.slice(0, 40)} is not a string or an integer`);
    if (name === 'kind') kind = typeof v === 'string' ? v : bad('the header\'s wrapper.kind is not a string');
    else params.set(name, v as string | number);
  }
  if (kind === undefined || kind.length === 0) return bad('the header\'s wrapper has no kind');
  const wrappedKey = typeof h['wrappedKey'] === 'string' ? fromBase64urlStrict(h['wrappedKey']) : undefined;
  if (wrappedKey === undefined || wrappedKey.length === 0 || wrappedKey.length > MAX_WRAPPED_KEY_BYTES) return bad(`the header's wrappedKey is not 1 to ${MAX_WRAPPED_KEY_BYTES} bytes of base64url`);
  let keyCommitment: Uint8Array | undefined;
  if (version === 2) {
    keyCommitment = typeof h['keyCommitment'] === 'string' ? fromBase64urlStrict(h['keyCommitment']) : undefined;
    if (keyCommitment === undefined || keyCommitment.length !== 32) return bad('the header\'s keyCommitment is not 32 bytes of base64url');
  }
  const iv = typeof h['iv'] === 'string' ? fromBase64urlStrict(h['iv']) : undefined;
  if (iv === undefined || iv.length !== 12) return bad('the header\'s iv is not 12 bytes of base64url');
  return { version, generation, cipher: 'aes-256-gcm', wrapper: { kind, params }, wrappedKey, keyCommitment, iv };
}
