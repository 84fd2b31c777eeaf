/**
 * Writing a keyring file from a library: the same atomic write (temp file,
 * fsync, backup, rename, directory fsync) and the same text the CLI writes.
 * @module
 */
import { describe } from '../bytes.js';
import { fail } from '../errors.js';
import { checkOptions } from '../args.js';
import { parseDocument, type KeyringDocument } from '../document/index.js';
import { writeFileAtomic } from './atomic.js';
import { sealDocument } from './sealed.js';
import { nextGenerationAt } from './sealed-file.js';
import type { UnlockOptions } from './wrapper.js';

/**
 * Options of {@link writeKeyringFile}.
 * @example
 * ```ts
 * const options: WriteKeyringFileOptions = { seal: { masterKey: process.env.KEYROLL_MASTER_KEY! }, backup: false };
 * ```
 */
export interface WriteKeyringFileOptions {
  /** Seal the file with this master key, passphrase or {@link KeyWrapper}; without it the file is plain JSON. */
  readonly seal?: UnlockOptions;
  /** Keep the replaced file: `true` (default) as `<file>.bak`, a string names the backup, `false` keeps none. */
  readonly backup?: boolean | string;
  /** File mode of the new file (default 0o600: it holds secrets). */
  readonly mode?: number;
  /**
   * The generation of a sealed file (with `seal`). Default: one more than the
   * sealed file it replaces, else 1, so every write increments it.
   */
  readonly generation?: number;
}

const OPTION_NAMES = new Set(['seal', 'backup', 'mode', 'generation']);

/**
 * The text of a keyring file: pretty JSON, or a sealed file (at
 * `generation`, default 1) when `seal` is given.
 * @example
 * ```ts
 * const text = await keyringFileContent(ring.export(), undefined);
 * ```
 */
export async function keyringFileContent(document: KeyringDocument, seal: UnlockOptions | undefined, generation = 1): Promise<string> {
  return seal === undefined ? `${JSON.stringify(document, null, 2)}\n` : sealDocument(document, seal, generation);
}

/**
 * Writes a keyring to `path` atomically: the new file is written beside the
 * old one, flushed to disk, the old one is kept as a backup, and a rename
 * puts the new one in place, so a crash leaves either the old or the new
 * file, never a torn one. Sealed when `seal` is given (a fresh data key each
 * time) with a generation one more than the sealed file it replaces
 * (or `generation`). Returns the backup path when a file was replaced.
 * @example
 * ```ts
 * import { Keyring, generateKey, writeKeyringFile } from 'keyroll';
 * const ring = (await Keyring.fromFile('keyring.json')).add(generateKey({ id: 'k2' }), { activatesAt: '2026-12-01T00:00:00Z' });
 * await writeKeyringFile('keyring.json', ring); // keyring.json.bak holds the previous keyring
 * await writeKeyringFile('keyring.sealed', ring, { seal: { masterKey: process.env.KEYROLL_MASTER_KEY! } });
 * ```
 */
export async function writeKeyringFile(path: string, ring: { export(): KeyringDocument }, options: WriteKeyringFileOptions = {}): Promise<string | undefined> {
  if (typeof path !== 'string' || path === '') fail('ERR_INVALID_ARGUMENT', `writeKeyringFile needs a file path, got ${describe(path)}`);
  if (typeof ring !== 'object' || ring === null || typeof ring.export !== 'function') fail('ERR_INVALID_ARGUMENT', 'writeKeyringFile needs a Keyring');
  if (typeof options !== 'object' || options === null) fail('ERR_INVALID_ARGUMENT', `writeKeyringFile options must be an object, got ${describe(options)}`);
  checkOptions(options, [...OPTION_NAMES], 'writeKeyringFile options');
  const document = ring.export();
  parseDocument(document); // a document this build could not read back is never written
  if (options.generation !== undefined && options.seal === undefined) fail('ERR_INVALID_ARGUMENT', 'writeKeyringFile: generation applies to sealed files (with seal)');
  const generation = options.seal === undefined ? 1 : options.generation ?? (await nextGenerationAt(path));
  const text = await keyringFileContent(document, options.seal, generation);
  return writeFileAtomic(path, text, { mode: options.mode ?? 0o600, backup: options.backup ?? true });
}
