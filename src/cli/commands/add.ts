/**
 * `keyroll add ID`: adds a key (generated or from stdin), optionally active
 * now or at a time.
 * @module
 */
import { generateKey } from '../../keyring/generate.js';
import type { SecretEncoding } from '../../document/index.js';
import { EXIT, UsageError, type Command } from '../command.js';
import { KEYRING_HELP, KEYRING_OPTIONS, WRITE_HELP, WRITE_OPTIONS, loadKeyringArg, saveKeyring } from '../keyring-file.js';
import { singleKeyId } from '../key-id.js';
import { readSecretStdin } from '../stdin.js';
import { platformSecret } from './keygen.js';
import { checkPlatformSecret } from '../../sources/index.js';
import { DELAY_HELP, DELAY_OPTIONS, checkDelay, describeActivation, durationArg, timeArg } from '../activation.js';

const ENCODINGS: readonly string[] = ['utf8', 'hex', 'base64', 'base64url'];

export const addCommand: Command = {
  name: 'add',
  summary: 'add a key (generated or from stdin), optionally activating it now or later',
  help: [
    'Usage: keyroll add ID --keyring FILE (--generate [--bytes N] [--platform] | --secret-stdin [--encoding E])',
    '                      [--activate | --activate-in DURATION | --activate-at TIME] [--min-delay DURATION] [--force] [--no-backup]',
    '',
    'Adds key ID. By default it is decrypt-only: instances that load the keyring',
    'can read what it will encrypt before any of them writes with it. --activate',
    'makes it the active key now (the previous one becomes decrypt-only);',
    '--activate-in and --activate-at make it pending until then, active by itself',
    'after. A time in the past, or sooner than --min-delay (5m by default), is',
    'refused unless --force: the keyring must reach every instance first.',
    'A removed id comes back only with its old secret (or --reuse-removed-id).',
    '',
    'Options:',
    ...KEYRING_HELP,
    ...WRITE_HELP,
    '  --generate              32 random bytes (or --bytes N, 16 to 1024)',
    '  --platform              with --generate: 32 uppercase hex characters, as the platform',
    '                          layout needs (automatic when the keyring\'s policy sets',
    '                          secretLengthMultipleOf)',
    '  --secret-stdin          read the secret from stdin (one trailing newline is trimmed)',
    '  --encoding E            how the stdin secret is written: utf8 (default, the raw',
    '                          string), hex, base64 or base64url',
    '  --activate              make it the active key now',
    '  --activate-in DURATION  make it active after DURATION (e.g. 90m, 1h30m, 2d)',
    '  --activate-at TIME      make it active at TIME (RFC 3339 with an offset, e.g. 2026-12-01T00:00:00Z)',
    ...DELAY_HELP,
    '  --reuse-removed-id      give a removed id a different secret (only once no value',
    '                          under the old secret can remain)',
    '',
    'Examples:',
    '  keyroll add k2 --keyring keyring.json --generate --activate-in 1h',
    '  keyroll add k2 --keyring keyring.json --generate --activate-at 2026-12-01T00:00:00Z',
    '  printf %s "$NEW_SECRET" | keyroll add k3 --keyring keyring.json --secret-stdin --encoding hex',
  ].join('\n'),
  options: {
    ...KEYRING_OPTIONS,
    ...WRITE_OPTIONS,
    generate: { type: 'boolean' },
    bytes: { type: 'string' },
    platform: { type: 'boolean' },
    'secret-stdin': { type: 'boolean' },
    encoding: { type: 'string' },
    activate: { type: 'boolean' },
    'activate-at': { type: 'string' },
    'activate-in': { type: 'string' },
    ...DELAY_OPTIONS,
    'reuse-removed-id': { type: 'boolean' },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const id = singleKeyId(positionals);
    const generate = values['generate'] === true;
    const fromStdin = values['secret-stdin'] === true;
    if (generate === fromStdin) throw new UsageError('pass exactly one of --generate and --secret-stdin');
    if (!generate && (values['bytes'] !== undefined || values['platform'] === true)) throw new UsageError('--bytes and --platform apply to --generate only');
    if (generate && values['encoding'] !== undefined) throw new UsageError('--encoding applies to --secret-stdin only');
    if (values['platform'] === true && values['bytes'] !== undefined) throw new UsageError('--platform fixes the length; drop --bytes');
    const encoding = (values['encoding'] as string | undefined) ?? 'utf8';
    if (!ENCODINGS.includes(encoding)) throw new UsageError('--encoding must be utf8, hex, base64 or base64url');
    const bytes = values['bytes'] === undefined ? 32 : Number(values['bytes']);
    if (!/^\d+$/.test(String(values['bytes'] ?? '32')) || bytes < 16 || bytes > 1024) throw new UsageError('--bytes must be an integer from 16 to 1024');
    const activate = values['activate'] === true;
    const atText = values['activate-at'] as string | undefined;
    const inText = values['activate-in'] as string | undefined;
    if ([activate, atText !== undefined, inText !== undefined].filter(Boolean).length > 1) throw new UsageError('pass one of --activate, --activate-in and --activate-at');
    if ((values['min-delay'] !== undefined || values['force'] === true) && atText === undefined && inText === undefined) throw new UsageError('--min-delay and --force apply to --activate-in and --activate-at');
    const now = new Date();
    const at = inText !== undefined ? new Date(now.getTime() + durationArg(inText, '--activate-in')) : atText === undefined ? undefined : timeArg(atText, '--activate-at');
    if (at !== undefined) checkDelay(at, now, values, inText !== undefined ? '--activate-in' : '--activate-at');

    const loaded = await loadKeyringArg(values, io, { forUpdate: true });
    if (loaded.ring.has(id)) throw new UsageError(`key "${id}" is already in ${loaded.path}`);
    const platform = values['platform'] === true || loaded.ring.policy.secretLengthMultipleOf !== undefined;
    if (generate && platform && values['bytes'] !== undefined) {
      throw new UsageError(`${loaded.path} requires secret lengths that are a multiple of ${loaded.ring.policy.secretLengthMultipleOf ?? 16}, so --generate makes a 32-character platform secret; drop --bytes`);
    }
    const spec = fromStdin
      ? { id, secret: platformChecked(await readSecretStdin(io), id, platform && encoding === 'utf8'), encoding: encoding as SecretEncoding }
      : platform
        ? { id, secret: platformSecret(), encoding: 'utf8' as const }
        : generateKey({ id, bytes });
    const next = loaded.ring.add(spec, { ...(activate ? { activate: true } : {}), ...(at === undefined ? {} : { activatesAt: at }), ...(values['reuse-removed-id'] === true ? { reuseRemovedId: true } : {}) });
    const backup = await saveKeyring(loaded, next, io);
    const state = next.keys().find((k) => k.id === id)?.state ?? 'added';
    io.stdout.write(`added key "${id}" (${state}${at !== undefined && state === 'pending' ? `: activates at ${describeActivation(at, new Date())}` : ''}) to ${loaded.path}${backup ? `; backup ${backup}` : ''}\n`);
    return EXIT.OK;
  },
};

/** In a platform keyring a typed secret must meet the platform rules, so the keyring can still be printed as one. */
function platformChecked(secret: string, id: string, platform: boolean): string {
  return platform ? checkPlatformSecret(secret, id, 'the secret on stdin') : secret;
}
