/**
 * Loading and saving the keyring file a command works on: plain or sealed
 * (`--master-key-env NAME` / `--passphrase-env NAME` name the variable that
 * unlocks it), written atomically with a backup, re-sealed with the same
 * unlock (and the same scrypt cost) when it was sealed. A command that
 * changes the file holds `<file>.lock` from the read to the write, so two
 * runs take turns instead of one losing the other's change.
 * @module
 */
import { resolve } from 'node:path';
import { access, stat } from 'node:fs/promises';
import { fail } from '../errors.js';
import { Keyring } from '../keyring/keyring.js';
import { checkScrypt, headerScrypt, parseMasterKey, sealedHeader, sealKeyring, unsealText, writeFileAtomic, type UnlockOptions } from '../sources/index.js';
import { readFileChecked, readKeyringText } from '../sources/read.js';
import { lockFile, type FileLock } from '../sources/lock.js';
import { UsageError, type CliIO } from './command.js';
import { layoutText, loadLayoutArg, type KeyringLayout } from './keyring-source.js';
import { looksLikeSecret, redacted } from '../document/index.js';

/** The options every keyring command accepts. */
export const KEYRING_OPTIONS = {
  keyring: { type: 'string' },
  'keyring-env': { type: 'boolean' },
  'master-key-env': { type: 'string' },
  'passphrase-env': { type: 'string' },
  'min-generation': { type: 'string' },
} as const;

/** The options of commands that write a new keyring file (no `--min-generation`: they read no sealed keyring). */
export const NEW_KEYRING_OPTIONS = {
  keyring: KEYRING_OPTIONS.keyring,
  'keyring-env': KEYRING_OPTIONS['keyring-env'],
  'master-key-env': KEYRING_OPTIONS['master-key-env'],
  'passphrase-env': KEYRING_OPTIONS['passphrase-env'],
} as const;

/** The option of every command that replaces a file. */
export const WRITE_OPTIONS = {
  'no-backup': { type: 'boolean' },
} as const;

/** Help lines for {@link WRITE_OPTIONS}. */
export const WRITE_HELP = ['  --no-backup             do not keep the replaced file as <file>.bak'];

/** Help lines for {@link KEYRING_OPTIONS}. */
export const KEYRING_HELP = [
  '  --keyring FILE          the keyring: a keyring file (plain JSON or sealed), a Kubernetes',
  '                          Secret manifest (YAML or JSON), or a directory of key files',
  '                          (the platform layout or keyring.json, as a mounted secret)',
  '  --keyring-env           read the keyring from the environment instead: ENCRYPTION_KEY,',
  '                          ACTIVE_ENCRYPTION_KEY_NAME, OLD_ENC_KEYS (the platform layout), or',
  '                          KEYROLL_KEYRING, or KEYROLL_KEYRING_FILE with KEYROLL_MASTER_KEY or',
  '                          KEYROLL_PASSPHRASE',
  '  --master-key-env NAME   environment variable holding the master key of a sealed keyring',
  '  --passphrase-env NAME   environment variable holding the passphrase of a sealed keyring',
  '  --min-generation N      refuse a sealed keyring whose generation is below N (a rolled-back copy)',
];

/** Help lines for {@link NEW_KEYRING_OPTIONS}. */
export const NEW_KEYRING_HELP = KEYRING_HELP.filter((line) => !line.includes('--min-generation'));

/** A loaded keyring file. */
export interface LoadedKeyring {
  readonly ring: Keyring;
  /** Absolute path. */
  readonly path: string;
  /** Set when the file is sealed: the unlock to re-seal it with. */
  readonly unlock: UnlockOptions | undefined;
  /** Set when the keyring came from a manifest, a directory or the environment: where a change is written. */
  readonly layout?: KeyringLayout;
  /** Set when the file is sealed: its authenticated generation (0 for a 0.1.0 file). */
  readonly generation?: number | undefined;
  /** A keyring file's bytes as read: the backup is made of them, and a write checks the file still holds them. */
  readonly bytes?: Uint8Array;
  /** False with `--no-backup`. */
  readonly backup: boolean;
}

/**
 * Refuses an option value that should name an environment variable but does
 * not look like a name (or looks like a secret): the value itself may have
 * been passed by mistake, so it is never echoed.
 * @example
 * ```ts
 * checkVariableName('KEYROLL_MASTER_KEY', '--master-key-env'); // fine
 * ```
 */
export function checkVariableName(name: string, option: string, example = option === '--passphrase-env' ? 'KEYROLL_PASSPHRASE' : 'KEYROLL_MASTER_KEY'): void {
  if (/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name) && !looksLikeSecret(name)) return;
  throw new UsageError(`${option} takes the NAME of an environment variable, and ${redacted(name)} does not look like one (it is not shown: it may be the secret itself); for example: ${option} ${example}`);
}

/**
 * The value of the environment variable that an option (`--db-env`,
 * `--master-key-env`, ...) names. The name is checked first, and a variable
 * that is not set or empty is bad usage (exit 2) whose message shows the
 * name only when it reads as one: a secret passed in its place stays hidden.
 * @example
 * ```ts
 * const url = envVariable(io.env, 'APP_DB', '--db-env', 'DATABASE_URL');
 * ```
 */
export function envVariable(env: NodeJS.ProcessEnv, name: string, option: string, example?: string): string {
  checkVariableName(name, option, example);
  const value = env[name];
  if (value === undefined || value === '') {
    const shown = name.includes('_') || name.length < 16 ? name : `${redacted(name)} (not shown: it may be a secret rather than a name)`;
    throw new UsageError(`environment variable ${shown} (named by ${option}) is not set or empty`);
  }
  return value;
}

/**
 * The unlock named by `--master-key-env` / `--passphrase-env`, or undefined.
 * A missing variable or a malformed master key is bad usage (exit 2).
 * @example
 * ```ts
 * const unlock = unlockFromArgs(values, io); // { passphrase } from $KEYROLL_PASSPHRASE
 * ```
 */
export function unlockFromArgs(values: Record<string, unknown>, io: CliIO): UnlockOptions | undefined {
  const masterEnv = values['master-key-env'] as string | undefined;
  const passEnv = values['passphrase-env'] as string | undefined;
  if (masterEnv !== undefined && passEnv !== undefined) throw new UsageError('pass --master-key-env or --passphrase-env, not both');
  const name = masterEnv ?? passEnv;
  if (name === undefined) return undefined;
  const option = `--${masterEnv ? 'master-key-env' : 'passphrase-env'}`;
  const value = envVariable(io.env, name, option);
  if (passEnv !== undefined) return { passphrase: value };
  try {
    parseMasterKey(value, `environment variable ${name}`);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { masterKey: value };
}

/**
 * The absolute path of a required file option.
 * @example
 * ```ts
 * const path = requirePath(values, 'keyring', io);
 * ```
 */
export function requirePath(values: Record<string, unknown>, option: string, io: CliIO): string {
  const value = values[option];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${option} FILE is required`);
  return resolve(io.cwd, value);
}

/**
 * Loads `--keyring FILE`, unsealing it when it is sealed. With `forUpdate`
 * the file's lock is taken first and held until {@link saveKeyring} (or
 * {@link releaseLocks}, which the CLI calls when a command ends). Warns on
 * stderr when the file is readable by group or others.
 * @example
 * ```ts
 * const { ring, path, unlock } = await loadKeyringArg(values, io);
 * ```
 */
export async function loadKeyringArg(values: Record<string, unknown>, io: CliIO, options: { forUpdate?: boolean } = {}): Promise<LoadedKeyring> {
  const minGeneration = minGenerationFromArgs(values);
  const backup = values['no-backup'] !== true;
  if (options.forUpdate === true) await lockKeyringArg(values, io);
  const other = await loadLayoutArg(values, io, minGeneration);
  if (other !== undefined) return { ring: other.ring, path: other.path, unlock: undefined, layout: other.layout, backup, ...(other.bytes === undefined ? {} : { bytes: other.bytes }) };
  const path = requirePath(values, 'keyring', io);
  const unlockArg = unlockFromArgs(values, io);
  const { text, sealed, bytes, stats } = await readKeyringText(path);
  if ((stats.mode & 0o044) !== 0) {
    io.stderr.write(`keyroll: warning: ${path} is readable by ${(stats.mode & 0o004) !== 0 ? 'others' : 'its group'} (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')}); it holds secrets: chmod 600 ${path}\n`);
  }
  if (!sealed) {
    if (unlockArg !== undefined) throw new UsageError(`${path} is a plain keyring; --master-key-env and --passphrase-env apply to sealed ones`);
    if (minGeneration !== undefined) fail('ERR_INVALID_KEYRING', `keyring file ${path} is a plain keyring, which has no generation; --min-generation applies to sealed ones`, { file: path });
    return { ring: Keyring.fromJSON(parseDocumentText(text, path)), path, unlock: undefined, bytes, backup };
  }
  if (unlockArg === undefined) throw new UsageError(`${path} is sealed; pass --master-key-env NAME or --passphrase-env NAME`);
  const { document, generation } = await unsealText(text, unlockArg, path, minGeneration === undefined ? {} : { minGeneration });
  const cost = 'passphrase' in unlockArg ? headerScrypt(sealedHeader(text, path)) : undefined;
  const unlock: UnlockOptions = cost === undefined ? unlockArg : { passphrase: (unlockArg as { passphrase: string }).passphrase, scrypt: cost };
  return { ring: Keyring.fromJSON(document as object), path, unlock, generation, bytes, backup };
}

/**
 * `--min-generation N`: an integer from 0 to 2^53 - 1, or undefined.
 * @example
 * ```ts
 * minGenerationFromArgs({ 'min-generation': '7' }); // 7
 * ```
 */
export function minGenerationFromArgs(values: Record<string, unknown>): number | undefined {
  const text = values['min-generation'];
  if (text === undefined) return undefined;
  const value = /^(0|[1-9][0-9]{0,15})$/.test(String(text)) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) throw new UsageError('--min-generation must be an integer from 0 to 2^53 - 1');
  return value;
}

/** Takes the lock of the file `--keyring` names (not of a directory, which is never written). */
async function lockKeyringArg(values: Record<string, unknown>, io: CliIO): Promise<void> {
  const given = values['keyring'];
  if (values['keyring-env'] === true || typeof given !== 'string' || given === '') return;
  const path = resolve(io.cwd, given);
  if ((await stat(path).catch(() => undefined))?.isDirectory() === true) return;
  await holdLock(path);
}

const held = new Map<string, FileLock>();
const lastWritten = new Map<string, Buffer>();
/** The generation of the sealed file this process wrote last, by path: the next save goes one further. */
const lastGeneration = new Map<string, number>();
let exitHook = false;

async function holdLock(path: string): Promise<FileLock> {
  const existing = held.get(path);
  if (existing !== undefined) return existing;
  const lock = await lockFile(path);
  held.set(path, lock);
  if (!exitHook) {
    exitHook = true;
    // A command that throws between read and write still leaves no lock behind.
    process.once('exit', () => {
      for (const l of held.values()) l.releaseSync();
    });
  }
  return lock;
}

/**
 * Releases every lock this process holds (the CLI calls it when a command ends).
 * @example
 * ```ts
 * try { return await command.run(parsed, io); } finally { await releaseLocks(); }
 * ```
 */
export async function releaseLocks(): Promise<void> {
  const locks = [...held.values()];
  held.clear();
  lastWritten.clear();
  lastGeneration.clear();
  await Promise.all(locks.map((l) => l.release()));
}

/**
 * Parses a plain keyring file's text; the JSON parser's message (which may quote secrets) is dropped.
 * @example
 * ```ts
 * const ring = Keyring.fromJSON(parseDocumentText(text, path));
 * ```
 */
export function parseDocumentText(text: string, path: string): object {
  try {
    return JSON.parse(text) as object;
  } catch {
    return fail('ERR_INVALID_KEYRING', `keyring file ${path} is not valid JSON`, { file: path });
  }
}

/**
 * Writes a file atomically, keeping the replaced one as `<file>.bak` unless
 * `backup` is false, under the file's lock. With `previous` (the bytes the
 * command read) the backup is made of them, and the write is refused with
 * `ERR_CONFLICT` when the file no longer holds them.
 * @example
 * ```ts
 * await writeOut('/etc/app/keyring.json', text, io);
 * ```
 */
export async function writeOut(path: string, data: string | Uint8Array, _io: CliIO, options: { backup?: boolean; previous?: Uint8Array } = {}): Promise<string | undefined> {
  const lock = await holdLock(path);
  try {
    // What this process wrote last is what the file should hold now (a command may save several times).
    const previous = options.previous === undefined ? undefined : (lastWritten.get(path) ?? options.previous);
    if (previous !== undefined) {
      const now = await readFileChecked(path).then((f) => f.bytes, (err: unknown) => (isMissing(err) ? undefined : Promise.reject(err)));
      if (now === undefined || !Buffer.from(previous).equals(now)) {
        fail('ERR_CONFLICT', `${path} was changed by someone else since it was read; nothing was written, run the command again`, { file: path });
      }
    }
    const backupPath = await writeFileAtomic(path, data, { mode: 0o600, backup: options.backup ?? true, ...(previous === undefined ? {} : { previous }) });
    lastWritten.set(path, Buffer.from(typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
    return backupPath;
  } finally {
    held.delete(path);
    await lock.release();
  }
}

function isMissing(err: unknown): boolean {
  return ((err as { cause?: NodeJS.ErrnoException }).cause?.code ?? '') === 'ENOENT';
}

/**
 * The text of a keyring file: sealed with `unlock` (at `generation`,
 * default 1), or pretty JSON. The document is loaded back first, so a file
 * that would not load is never written.
 * @example
 * ```ts
 * await writeOut(path, await keyringFileText(ring, unlock, 4), io);
 * ```
 */
export async function keyringFileText(ring: Keyring, unlock: UnlockOptions | undefined, generation = 1): Promise<string> {
  Keyring.fromJSON(ring.export());
  return unlock === undefined ? `${JSON.stringify(ring.export(), null, 2)}\n` : sealKeyring(ring, unlock, { generation });
}

/**
 * Saves a modified keyring over its file (sealed again when it was sealed),
 * with `--no-backup` honoured and the lock released. A command may save the
 * same `loaded` several times: each write checks the file still holds what
 * the previous one wrote, and each write of a sealed file bumps its
 * generation (a 0.1.0 file, generation 0, becomes 1). `annotations` replace
 * a manifest's annotations.
 * @example
 * ```ts
 * await saveKeyring(loaded, loaded.ring.promote('k2'), io);
 * ```
 */
export async function saveKeyring(loaded: LoadedKeyring, ring: Keyring, io: CliIO, options: { annotations?: ReadonlyMap<string, string> } = {}): Promise<string | undefined> {
  const written = { backup: loaded.backup, ...(loaded.bytes === undefined ? {} : { previous: loaded.bytes }) };
  if (loaded.layout !== undefined) return writeOut(loaded.path, layoutText(loaded.layout, ring, options.annotations), io, written);
  if (options.annotations !== undefined) fail('ERR_INVALID_ARGUMENT', `${loaded.path} is a keyring file, which has no annotations`);
  const generation = (lastGeneration.get(loaded.path) ?? loaded.generation ?? 0) + 1;
  const backup = await writeOut(loaded.path, await keyringFileText(ring, loaded.unlock, generation), io, written);
  if (loaded.unlock !== undefined) lastGeneration.set(loaded.path, generation);
  return backup;
}

/**
 * Refuses to replace an existing file unless `--force` was given.
 * @example
 * ```ts
 * await refuseOverwrite(path, values['force'] === true);
 * ```
 */
export async function refuseOverwrite(path: string, force: boolean): Promise<void> {
  if (force) return;
  const exists = await access(path).then(() => true, () => false);
  if (exists) throw new UsageError(`${path} exists; pass --force to replace it (a backup is kept as ${path}.bak unless --no-backup)`);
}

/**
 * A scrypt cost from `--scrypt-n` (with r = 8, p = 1): a power of two from
 * 2^15 (the floor) to 2^19 (the cap), checked by `checkScrypt`.
 * @example
 * ```ts
 * scryptFromArgs({ 'scrypt-n': '32768' }); // { N: 32768 }
 * ```
 */
export function scryptFromArgs(values: Record<string, unknown>): { N: number } | undefined {
  const text = values['scrypt-n'];
  if (text === undefined) return undefined;
  const N = /^[1-9][0-9]{0,15}$/.test(String(text)) ? Number(text) : NaN;
  try {
    checkScrypt({ N });
  } catch {
    throw new UsageError('--scrypt-n must be a power of two from 32768 (2^15, the cost floor) to 524288 (2^19: N * r * p is capped at 2^22, with r = 8 and p = 1)');
  }
  return { N };
}

/**
 * Adds the scrypt cost to a passphrase unlock.
 * @example
 * ```ts
 * withScrypt({ passphrase }, { N: 1024 }); // { passphrase, scrypt: { N: 1024 } }
 * ```
 */
export function withScrypt(unlock: UnlockOptions, scrypt: { N: number } | undefined): UnlockOptions {
  if (scrypt === undefined) return unlock;
  if (!('passphrase' in unlock)) throw new UsageError('--scrypt-n applies to --passphrase-env only');
  return { passphrase: unlock.passphrase, scrypt };
}
