/**
 * `keyroll postpone ID --by DURATION | --to TIME`: moves a pending key's
 * activation, for a rollout that runs late.
 * @module
 */
import { EXIT, UsageError, type Command } from '../command.js';
import { KEYRING_HELP, KEYRING_OPTIONS, loadKeyringArg, saveKeyring } from '../keyring-file.js';
import { singleKeyId } from '../key-id.js';
import { DELAY_HELP, DELAY_OPTIONS, checkDelay, describeActivation, durationArg, timeArg } from '../activation.js';
import { isPlatformManifest, postponePlatform, refuseDirectory } from './rotate-platform.js';

export const postponeCommand: Command = {
  name: 'postpone',
  summary: 'move a pending key\'s activation time (--by 30m or --to TIME)',
  help: [
    'Usage: keyroll postpone ID --keyring FILE (--by DURATION | --to TIME) [--min-delay DURATION] [--force]',
    '',
    'Moves the activation of pending key ID: --by adds DURATION to its current',
    'activation time, --to sets a new one. The key must not have activated yet,',
    'and the new time must leave the rollout --min-delay (5m by default) unless',
    '--force. Roll the changed keyring out before the OLD time: an instance that',
    'still has the old file switches at the old time.',
    '',
    'On a Secret manifest in the platform layout, ID is the key staged by',
    '`keyroll rotate start`: its planned time (the earliest at which',
    '`rotate finish` promotes it) moves in the keyroll/rotation annotation.',
    '',
    'Options:',
    ...KEYRING_HELP,
    '  --by DURATION           later by DURATION (e.g. 30m, 2h)',
    '  --to TIME               at TIME (ISO 8601 with an offset)',
    ...DELAY_HELP,
    '',
    'Example:',
    '  keyroll postpone k2 --keyring keyring.json --by 30m',
  ].join('\n'),
  options: { ...KEYRING_OPTIONS, by: { type: 'string' }, to: { type: 'string' }, ...DELAY_OPTIONS },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const id = singleKeyId(positionals);
    const by = values['by'] as string | undefined;
    const to = values['to'] as string | undefined;
    if ((by === undefined) === (to === undefined)) throw new UsageError('pass exactly one of --by and --to');
    const byMs = by === undefined ? undefined : durationArg(by, '--by');
    const toDate = to === undefined ? undefined : timeArg(to, '--to');
    const loaded = await loadKeyringArg(values, io, { forUpdate: true });
    refuseDirectory(loaded, 'postpone');
    if (isPlatformManifest(loaded)) return postponePlatform(loaded, id, { ...(byMs === undefined ? {} : { by: byMs }), ...(toDate === undefined ? {} : { to: toDate }) }, values, io);
    const key = loaded.ring.keys().find((k) => k.id === id);
    if (key === undefined) throw new UsageError(`key "${id}" is not in ${loaded.path}`);
    if (key.state !== 'pending') throw new UsageError(`key "${id}" is ${key.state}, not pending: only a key that has not activated yet can be postponed`);
    const now = new Date();
    const at = toDate ?? new Date(Date.parse(key.activatesAt!) + byMs!);
    checkDelay(at, now, values, by === undefined ? '--to' : '--by');
    const next = loaded.ring.postpone(id, { to: at });
    const backup = await saveKeyring(loaded, next, io);
    io.stdout.write(`key "${id}" now activates at ${describeActivation(at, now)} (was ${key.activatesAt}) in ${loaded.path}${backup ? `; backup ${backup}` : ''}\n`);
    return EXIT.OK;
  },
};
