/**
 * Sealed keyring files: the keyring document encrypted with AES-256-GCM under
 * a fresh random 32-byte data key, which a {@link KeyWrapper} protects. The
 * file is two lines of text (docs/format.md, "Sealed keyring files"):
 *
 *     {"format":"keyroll.sealed-keyring","version":1,...header...}
 *     <base64url(ciphertext || tag)>
 *
 * The header line's exact UTF-8 bytes are the AEAD's associated data, so any
 * change to it (wrapper parameters, wrapped key, iv) fails authentication.
 * @module
 */
import { fail, KeyrollError } from '../errors.js';
import { describe, fromBase64urlStrict, fromUtf8, toBase64url, utf8 } from '../bytes.js';
import { aesGcmOpen, aesGcmSealInto, randomBytes } from '../suites/primitives.js';
import { parseHeader, type SealedHeader } from './sealed-header.js';
import { wrapperForSeal, wrapperForUnseal } from './unlock.js';
import type { UnlockOptions } from './wrapper.js';

export { SEALED_FORMAT, SEALED_VERSION, type SealedHeader } from './sealed-header.js';
import { SEALED_FORMAT, SEALED_VERSION } from './sealed-header.js';

const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

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
 * Seals a keyring document (plain data) into the text of a sealed file.
 * @example
 * ```ts
 * const text = await sealDocument(ring.export(), { masterKey: process.env.KEYROLL_MASTER_KEY! });
 * ```
 */
export async function sealDocument(document: unknown, unlock: UnlockOptions): Promise<string> {
  const wrapper = wrapperForSeal(unlock);
  const plaintext = utf8(JSON.stringify(document), 'keyring document');
  const dataKey = randomBytes(DATA_KEY_BYTES);
  try {
    const wrappedKey = await wrapper.wrap(dataKey);
    if (!(wrappedKey instanceof Uint8Array)) fail('ERR_INVALID_ARGUMENT', `key wrapper "${wrapper.kind}": wrap() must resolve to a Uint8Array, got ${describe(wrappedKey)}`);
    const iv = randomBytes(IV_BYTES);
    const header = {
      format: SEALED_FORMAT,
      version: SEALED_VERSION,
      cipher: 'aes-256-gcm',
      wrapper: { kind: wrapper.kind, ...wrapper.params },
      wrappedKey: toBase64url(wrappedKey),
      iv: toBase64url(iv),
    };
    const headerLine = JSON.stringify(header);
    const out = new Uint8Array(plaintext.length + TAG_BYTES);
    aesGcmSealInto(dataKey, iv, utf8(headerLine), plaintext, out, 0);
    return `${headerLine}\n${toBase64url(out)}\n`;
  } finally {
    dataKey.fill(0);
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
 * Reads a sealed file's header (no key needed, no secrets in it).
 * @example
 * ```ts
 * sealedHeader(text).wrapper.kind; // 'passphrase'
 * ```
 */
export function sealedHeader(text: string, file?: string): SealedHeader {
  return split(text, file === undefined ? 'sealed keyring' : `sealed keyring ${file}`, file).header;
}

/**
 * Unseals the text of a sealed file into the keyring document (plain data).
 * A wrong master key, passphrase or a modified file -> `ERR_DECRYPT_FAILED`
 * naming the file; a file that is not a sealed keyring -> `ERR_INVALID_KEYRING`.
 * @example
 * ```ts
 * const doc = await unsealText(text, { passphrase }, 'keyring.sealed');
 * ```
 */
export async function unsealText(text: string, unlock: UnlockOptions, file?: string): Promise<unknown> {
  const label = file === undefined ? 'sealed keyring' : `sealed keyring ${file}`;
  const where = file === undefined ? {} : { file };
  const { headerLine, header, payload } = split(text, label, file);
  const wrapper = wrapperForUnseal(unlock, header, label, file);
  let dataKey: Uint8Array;
  try {
    dataKey = await wrapper.unwrap(header.wrappedKey);
  } catch (err) {
    if (err instanceof KeyrollError && err.code !== 'ERR_DECRYPT_FAILED') throw err;
    return fail('ERR_DECRYPT_FAILED', `could not unseal ${label}: wrong ${unlockName(unlock)}, or the file was modified`, { ...where, cause: err });
  }
  if (!(dataKey instanceof Uint8Array)) fail('ERR_INVALID_ARGUMENT', `key wrapper "${wrapper.kind}": unwrap() must resolve to a Uint8Array, got ${describe(dataKey)}`, where);
  let plaintext: Buffer | undefined;
  try {
    if (dataKey.length !== DATA_KEY_BYTES) fail('ERR_DECRYPT_FAILED', `could not unseal ${label}: the unwrapped data key is not ${DATA_KEY_BYTES} bytes`, where);
    plaintext = aesGcmOpen(dataKey, header.iv, utf8(headerLine), payload.subarray(0, payload.length - TAG_BYTES), payload.subarray(payload.length - TAG_BYTES));
  } finally {
    dataKey.fill(0);
  }
  if (plaintext === undefined) fail('ERR_DECRYPT_FAILED', `could not unseal ${label}: the file was modified (authentication failed)`, where);
  try {
    const json = fromUtf8(plaintext, `${label} content`);
    try {
      return JSON.parse(json) as unknown;
    } catch {
      return fail('ERR_INVALID_KEYRING', `${label} holds a keyring document that is not valid JSON`, where);
    }
  } finally {
    plaintext.fill(0);
  }
}

function unlockName(unlock: UnlockOptions): string {
  if ('masterKey' in unlock) return 'master key';
  if ('passphrase' in unlock) return 'passphrase';
  return `key (wrapper "${unlock.wrapper.kind}")`;
}
