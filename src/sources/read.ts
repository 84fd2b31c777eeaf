/**
 * Reading files for the key sources: every failure becomes `ERR_IO` naming
 * the file and the system error code, never the content.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { fromUtf8 } from '../bytes.js';
import { fail } from '../errors.js';
import { isSealedText } from './sealed.js';

/**
 * Reads a whole file as bytes; `ERR_IO` (with `file`) when it cannot.
 * @example
 * ```ts
 * const bytes = await readFileChecked('/etc/myapp/keyring.json');
 * ```
 */
export async function readFileChecked(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    return fail('ERR_IO', `could not read ${path}: ${code}`, { file: path, cause: err });
  }
}

/**
 * Reads a keyring file as UTF-8 text and tells whether it is sealed;
 * `ERR_INVALID_KEYRING` (with `file`) when it is not UTF-8.
 * @example
 * ```ts
 * const { text, sealed } = await readKeyringText('/etc/app/keyring.json');
 * ```
 */
export async function readKeyringText(path: string): Promise<{ text: string; sealed: boolean }> {
  const bytes = await readFileChecked(path);
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch {
    return fail('ERR_INVALID_KEYRING', `keyring file ${path} is not UTF-8 text`, { file: path });
  }
  return { text, sealed: isSealedText(text) };
}

/**
 * Parses JSON that may hold secrets. The parser's own message quotes the
 * input, so it is never passed on: the error says only what and where.
 * @example
 * ```ts
 * const doc = parseSecretJson(text, 'keyring file keyring.json', 'keyring.json');
 * ```
 */
export function parseSecretJson(text: string, what: string, file?: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    return fail('ERR_INVALID_KEYRING', `${what} is not valid JSON${jsonErrorPlace(text, err)}`, file === undefined ? {} : { file });
  }
}

/** Where JSON.parse stopped, as line and column: only numbers from its message, never the text it quotes. */
function jsonErrorPlace(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  if (text.trim() === '') return ' (it is blank)';
  if (/Unexpected end of JSON input/.test(message)) return ' (it ends too early: truncated?)';
  const at = /at position (\d+)/.exec(message);
  if (at === null) return '';
  const before = text.slice(0, Number(at[1]));
  return ` (at line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')})`;
}
