/**
 * `keyroll init`: a new keyring file with one generated active key.
 * @module
 */
import { Keyring } from '../../keyring/keyring.js';
import { generateKey } from '../../keyring/generate.js';
import { checkPlatformSecret, nextGenerationAt, PLATFORM_MULTIPLE } from '../../sources/index.js';
import { EXIT, UsageError, type Command } from '../command.js';
import { NEW_KEYRING_HELP, NEW_KEYRING_OPTIONS, WRITE_HELP, WRITE_OPTIONS, keyringFileText, refuseOverwrite, requirePath, scryptFromArgs, unlockFromArgs, withScrypt, writeOut } from '../keyring-file.js';
import { keyIdArg } from '../key-id.js';
import { platformSecret } from './keygen.js';
import { readSecretStdin } from '../stdin.js';
import type { SecretEncoding } from '../../document/index.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'create a keyring file with one generated active key',
  help: [
    'Usage: keyroll init --keyring FILE [--id ID] [--platform] [--secret-stdin [--encoding E]] [--min-version N] [--force] [--no-backup]',
    '                    [--master-key-env NAME | --passphrase-env NAME [--scrypt-n N]]',
    '',
    'Creates a keyring with one active key of 32 random bytes (or --secret-stdin). With',
    '--master-key-env or --passphrase-env the file is written sealed.',
    'Refuses to replace an existing file unless --force (a backup is kept).',
    '',
    'Options:',
    ...NEW_KEYRING_HELP,
    ...WRITE_HELP,
    '  --id ID                 the key id (default k1)',
    '  --platform              platform-layout keyring: the secret is 32 uppercase hex',
    `                          characters and the policy requires lengths that are multiples of ${PLATFORM_MULTIPLE}`,
    '  --secret-stdin          take the key\'s secret from stdin (one trailing newline trimmed)',
    '                          instead of generating it, e.g. to start from an existing secret',
    '  --encoding E            how the stdin secret is written: utf8 (default), hex, base64, base64url',
    '  --min-version N         policy.minVersion: the lowest envelope FORMAT version that decrypts',
    '                          (the 1 of kr1.; today the only one). Not a key version: to stop',
    '                          accepting an old key, `keyroll disable` it',
    '  --scrypt-n N            scrypt cost for a passphrase (power of two, 32768 to 524288, default 131072)',
    '  --force                 replace an existing file',
    '',
    'Examples:',
    '  keyroll init --keyring keyring.json',
    '  printf %s "$ENCRYPTION_KEY" | keyroll init --keyring platform.json --platform --id mykey --secret-stdin',
    '  KEYROLL_PASSPHRASE=... keyroll init --keyring keyring.sealed --passphrase-env KEYROLL_PASSPHRASE',
  ].join('\n'),
  options: { ...NEW_KEYRING_OPTIONS, ...WRITE_OPTIONS, id: { type: 'string' }, platform: { type: 'boolean' }, 'min-version': { type: 'string' }, 'secret-stdin': { type: 'boolean' }, encoding: { type: 'string' }, 'scrypt-n': { type: 'string' }, force: { type: 'boolean' } },
  async run({ values }, io) {
    const path = requirePath(values, 'keyring', io);
    const id = keyIdArg((values['id'] as string | undefined) ?? 'k1', '--id');
    const unlock = unlockFromArgs(values, io);
    const scrypt = scryptFromArgs(values);
    if (unlock === undefined && scrypt !== undefined) throw new UsageError('--scrypt-n applies to --passphrase-env only');
    const minVersion = values['min-version'] === undefined ? undefined : Number(values['min-version']);
    if (minVersion !== undefined && !Number.isInteger(minVersion)) throw new UsageError('--min-version must be an integer');
    const encoding = (values['encoding'] as string | undefined) ?? 'utf8';
    if (!['utf8', 'hex', 'base64', 'base64url'].includes(encoding)) throw new UsageError('--encoding must be utf8, hex, base64 or base64url');
    if (values['encoding'] !== undefined && values['secret-stdin'] !== true) throw new UsageError('--encoding applies to --secret-stdin only');
    await refuseOverwrite(path, values['force'] === true);
    const platform = values['platform'] === true;
    if (platform && encoding !== 'utf8') throw new UsageError('--platform keys are raw ASCII strings: drop --encoding');
    const key =
      values['secret-stdin'] === true
        ? { id, secret: platformChecked(await readSecretStdin(io), id, platform, encoding), encoding: encoding as SecretEncoding, state: 'active' as const }
        : platform
          ? { id, secret: platformSecret(), encoding: 'utf8' as const, state: 'active' as const }
          : generateKey({ id });
    const policy = { ...(minVersion === undefined ? {} : { minVersion }), ...(platform ? { secretLengthMultipleOf: PLATFORM_MULTIPLE } : {}) };
    const ring = Keyring.create({ keys: [key], policy });
    const backup = await writeOut(path, await keyringFileText(ring, unlock === undefined ? undefined : withScrypt(unlock, scrypt), await nextGenerationAt(path)), io, { backup: values['no-backup'] !== true });
    io.stdout.write(`created ${path}${unlock === undefined ? '' : ' (sealed)'} with active key "${id}"${backup ? `; previous file kept as ${backup}` : ''}\n`);
    return EXIT.OK;
  },
};

/** A platform keyring's secret must meet the platform rules (printable ASCII, length a multiple of 16). */
function platformChecked(secret: string, id: string, platform: boolean, encoding: string): string {
  return platform && encoding === 'utf8' ? checkPlatformSecret(secret, id, 'the secret on stdin') : secret;
}
