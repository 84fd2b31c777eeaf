/**
 * Sealed keyring files: the keyring document encrypted with AES-256-GCM under
 * a fresh random 32-byte data key, which a {@link KeyWrapper} protects. The
 * file is two lines of text (docs/format.md, "Sealed keyring files"):
 *
 *     {"format":"keyroll.sealed-keyring","version":2,"generation":1,...header...}
 *     <base64url(ciphertext || tag)>
 *
 * The header line's exact UTF-8 bytes are the AEAD's associated data, so any
 * change to it (generation, wrapper parameters, wrapped key, iv) fails
 * authentication. Every unlock failure after the file parses gives one error
 * with one message, after the same work (no partitioning oracle).
 * @module
 */
import { fail } from '../errors.js';
import { describe, fromBase64urlStrict, fromUtf8, toBase64url, utf8 } from '../bytes.js';
import { aesGcmOpen, aesGcmSealInto, hkdf, randomBytes, timingSafeEqual } from '../suites/primitives.js';
import { derivationOf } from './builtin.js';
import { parseHeader, type SealedHeader } from './sealed-header.js';
import { openerForUnseal, wrapperForSeal } from './unlock.js';
import { gcmWrap, WRAP_AAD, type UnlockOptions } from './wrapper.js';

export { SEALED_FORMAT, SEALED_VERSION, type SealedHeader } from './sealed-header.js';
import { SEALED_FORMAT, SEALED_VERSION } from './sealed-header.js';

const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PAYLOAD_INFO = Buffer.from('keyroll.sealed-keyring/2 payload', 'utf8');

/**
 * True when `text` looks like a sealed keyring: it starts with
 * `{"format":"keyroll.sealed-keyring"` (as every sealed file is written), even
 * when the rest is damaged, so a truncated file is reported as a damaged
 * sealed file rather than as bad JSON. Never throws.
 * @example
 * ```ts
 * if (isSealedText(fs.readFileSync(path, 'utf8'))) console.log('sealed');
 * ```
 */
export function isSealedText(text: string): boolean {
  return SEALED_PREFIX.test(text.slice(0, 200));
}

const SEALED_PREFIX = /^\{\s*"format"\s*:\s*"keyroll\.sealed-keyring"/;

/**
 * The one message of every unlock failure (the file name aside).
 * @example
 * ```ts
 * unsealFailedMessage('sealed keyring k.sealed');
 * ```
 */
export function unsealFailedMessage(label: string): string {
  return `could not unseal ${label}: wrong master key, passphrase or key wrapper, or the file was modified`;
}

/** Version 2: the payload key and the data-key commitment, from one HKDF output. */
function payloadKeys(dataKey: Uint8Array): { key: Uint8Array; commitment: Uint8Array } {
  const okm = hkdf(dataKey, new Uint8Array(0), PAYLOAD_INFO, 64);
  try {
    return { key: new Uint8Array(okm.subarray(0, 32)), commitment: new Uint8Array(okm.subarray(32, 64)) };
  } finally {
    okm.fill(0);
  }
}

/**
 * Checks a generation number (`label` names it in the error).
 * @example
 * ```ts
 * checkGeneration(3, 'generation'); // 3
 * ```
 */
export function checkGeneration(value: unknown, label: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail('ERR_INVALID_ARGUMENT', `${label} must be an integer from 0 to 2^53 - 1`);
  return value as number;
}

/**
 * Seals a keyring document (plain data) into the text of a sealed file
 * (version 2) with the given generation.
 * @example
 * ```ts
 * const text = await sealDocument(ring.export(), { masterKey: process.env.KEYROLL_MASTER_KEY! }, 1);
 * ```
 */
export async function sealDocument(document: unknown, unlock: UnlockOptions, generation: number): Promise<string> {
  checkGeneration(generation, 'generation');
  const wrapper = wrapperForSeal(unlock);
  const derive = derivationOf(wrapper);
  const plaintext = utf8(JSON.stringify(document), 'keyring document');
  const dataKey = new Uint8Array(randomBytes(DATA_KEY_BYTES));
  const { key, commitment: keyCommitment } = payloadKeys(dataKey);
  try {
    let wrappedKey: unknown;
    let params: Readonly<Record<string, string | number>> = wrapper.params ?? {};
    if (derive !== undefined) {
      const { kek, commitment } = await derive(2);
      try {
        wrappedKey = gcmWrap(kek, dataKey, WRAP_AAD[2]);
        params = { ...params, commitment: toBase64url(commitment!) };
      } finally {
        kek.fill(0);
      }
    } else {
      wrappedKey = await wrapper.wrap(dataKey);
      if (!(wrappedKey instanceof Uint8Array) || wrappedKey.length === 0) fail('ERR_INVALID_ARGUMENT', `key wrapper "${wrapper.kind}": wrap() must resolve to a non-empty Uint8Array, got ${describe(wrappedKey)}`);
    }
    const iv = randomBytes(IV_BYTES);
    const header = {
      format: SEALED_FORMAT,
      version: SEALED_VERSION,
      generation,
      cipher: 'aes-256-gcm',
      wrapper: { kind: wrapper.kind, ...params },
      wrappedKey: toBase64url(wrappedKey as Uint8Array),
      keyCommitment: toBase64url(keyCommitment),
      iv: toBase64url(iv),
    };
    const headerLine = JSON.stringify(header);
    const out = new Uint8Array(plaintext.length + TAG_BYTES);
    aesGcmSealInto(key, iv, utf8(headerLine), plaintext, out, 0);
    return `${headerLine}\n${toBase64url(out)}\n`;
  } finally {
    dataKey.fill(0);
    key.fill(0);
    plaintext.fill(0);
  }
}

/** Splits a sealed file into its header line and payload; malformed -> ERR_INVALID_KEYRING. */
function split(text: string, label: string, file: string | undefined): { headerLine: string; header: SealedHeader; payload: Uint8Array } {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const where = file === undefined ? {} : { file };
  if (lines.length !== 2 || !isSealedText(text)) {
    fail('ERR_INVALID_KEYRING', `${label} is not a sealed keyroll keyring (expected a header line and a payload line)`, where);
  }
  const headerLine = lines[0]!;
  const header = parseHeader(headerLine, label, file);
  const payload = fromBase64urlStrict(lines[1]!);
  if (payload === undefined || payload.length < TAG_BYTES) fail('ERR_INVALID_KEYRING', `${label}: the payload line is not valid base64url or is truncated`, where);
  return { headerLine, header, payload };
}

/**
 * Reads a sealed file's header (no key needed, no secrets in it, not
 * authenticated until the file is unsealed).
 * @example
 * ```ts
 * sealedHeader(text).wrapper.kind; // 'passphrase'
 * ```
 */
export function sealedHeader(text: string, file?: string): SealedHeader {
  return split(text, file === undefined ? 'sealed keyring' : `sealed keyring ${file}`, file).header;
}

/** Options of {@link unsealText}. */
export interface UnsealOptions {
  /** Refuse a file whose (authenticated) generation is lower: `ERR_INVALID_KEYRING`. */
  readonly minGeneration?: number;
}

/**
 * Unseals the text of a sealed file (version 1 or 2) into the keyring
 * document (plain data) and its authenticated generation. A wrong master
 * key, passphrase or wrapper, or any modification -> `ERR_DECRYPT_FAILED`
 * with one message naming the file; a file that is not a sealed keyring, or
 * older than `minGeneration` -> `ERR_INVALID_KEYRING`.
 * @example
 * ```ts
 * const { document, generation } = await unsealText(text, { passphrase }, 'keyring.sealed', { minGeneration: 4 });
 * ```
 */
export async function unsealText(text: string, unlock: UnlockOptions, file?: string, options: UnsealOptions = {}): Promise<{ document: unknown; generation: number }> {
  const minGeneration = options.minGeneration === undefined ? 0 : checkGeneration(options.minGeneration, 'minGeneration');
  const label = file === undefined ? 'sealed keyring' : `sealed keyring ${file}`;
  const where = file === undefined ? {} : { file };
  const { headerLine, header, payload } = split(text, label, file);
  const { dataKey, ok: keyOk, cause } = await openerForUnseal(unlock, header, label, file)();
  // From here every failure takes the same path, after the same work.
  const aad = utf8(headerLine);
  const body = payload.subarray(0, payload.length - TAG_BYTES);
  const tag = payload.subarray(payload.length - TAG_BYTES);
  let committed = true;
  let plaintext: Buffer | undefined;
  try {
    if (header.version === 1) {
      plaintext = aesGcmOpen(dataKey, header.iv, aad, body, tag);
    } else {
      const { key, commitment } = payloadKeys(dataKey);
      committed = timingSafeEqual(commitment, header.keyCommitment!);
      plaintext = aesGcmOpen(key, header.iv, aad, body, tag);
      key.fill(0);
    }
  } finally {
    dataKey.fill(0);
  }
  if (!keyOk || !committed || plaintext === undefined) {
    plaintext?.fill(0);
    // A custom wrapper's own error (e.g. a KMS AccessDenied) is kept as the cause; the message is the same.
    return fail('ERR_DECRYPT_FAILED', unsealFailedMessage(label), cause === undefined ? where : { ...where, cause });
  }
  try {
    if (header.generation < minGeneration) {
      fail('ERR_INVALID_KEYRING', `${label} is generation ${header.generation}, older than the minimum ${minGeneration}: refusing a rolled-back file`, where);
    }
    let document: unknown;
    try {
      document = JSON.parse(fromUtf8(plaintext)) as unknown;
    } catch {
      return fail('ERR_INVALID_KEYRING', `${label} holds a keyring document that is not valid UTF-8 JSON`, where);
    }
    if (typeof document === 'object' && document !== null) generations.set(document, header.generation);
    return { document, generation: header.generation };
  } finally {
    plaintext.fill(0);
  }
}

/** The generation of each document unsealed here, by document object (the loaders hand back documents only). */
const generations = new WeakMap<object, number>();

/**
 * The generation of the sealed file a document was unsealed from, or
 * undefined for a document that did not come out of a sealed file. A
 * keyring built from the document puts it into its fingerprint.
 * @example
 * ```ts
 * const doc = await loadSealedKeyringFile('keyring.sealed', unlock);
 * sealedGenerationOf(doc); // 7
 * ```
 */
export function sealedGenerationOf(document: unknown): number | undefined {
  return typeof document === 'object' && document !== null ? generations.get(document) : undefined;
}
