/**
 * `keyroll rotate start NEW_ID --activate-in DURATION`: the first step of a
 * guided rotation. Adds a generated key, pending until the activation time.
 * Rerun after a crash, it finds the key already there and says so.
 * @module
 */
import { generateKey } from '../../keyring/generate.js';
import { EXIT, UsageError, type Command } from '../command.js';
import { KEYRING_HELP, KEYRING_OPTIONS, loadKeyringArg, saveKeyring } from '../keyring-file.js';
import { singleKeyId } from '../key-id.js';
import { platformSecret } from './keygen.js';
import { DELAY_HELP, DELAY_OPTIONS, checkDelay, describeActivation, durationArg } from '../activation.js';
import { describePhase, phaseOf } from '../rotate-common.js';
import { reached } from '../steps.js';
import { isPlatformManifest, refuseDirectory, startPlatform } from './rotate-platform.js';

export const rotateStartCommand: Command = {
  name: 'rotate start',
  summary: 'start a rotation: add a generated key, pending for --activate-in',
  help: [
    'Usage: keyroll rotate start NEW_ID --keyring FILE|MANIFEST --activate-in DURATION [--min-delay DURATION] [--force]',
    '',
    'Adds a generated key NEW_ID that activates by itself after DURATION. Until',
    'then it decrypts but does not encrypt: roll the keyring out to every',
    'instance before that time. DURATION must cover the rollout, the slowest',
    'reload and clock skew; under --min-delay (5m by default) it is refused',
    'unless --force. Safe to run again: when NEW_ID is already pending or',
    'active, nothing changes. Then `keyroll rotate status` and `keyroll rotate finish`.',
    '',
    'On a Kubernetes Secret manifest in the platform layout (ENCRYPTION_KEY,',
    'ACTIVE_ENCRYPTION_KEY_NAME, oldEncKeys.json), which cannot hold a pending key, the',
    'new key goes into oldEncKeys.json (decrypt-only) and the planned activation time',
    'into the annotation keyroll/rotation; `rotate finish` promotes it after that time.',
    '',
    'Options:',
    ...KEYRING_HELP,
    '  --activate-in DURATION  when the new key takes over (e.g. 1h, 90m, 2d)',
    ...DELAY_HELP,
    '',
    'Example:',
    '  keyroll rotate start k2 --keyring keyring.sealed --master-key-env KEYROLL_MASTER_KEY --activate-in 1h',
  ].join('\n'),
  options: { ...KEYRING_OPTIONS, 'activate-in': { type: 'string' }, ...DELAY_OPTIONS },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const id = singleKeyId(positionals);
    if (values['activate-in'] === undefined) throw new UsageError('--activate-in DURATION is required (for example 1h): the time every instance needs to load the new key');
    const delay = durationArg(values['activate-in'], '--activate-in');
    const now = new Date();
    const loaded = await loadKeyringArg(values, io, { forUpdate: true });
    refuseDirectory(loaded, 'rotate start');
    if (isPlatformManifest(loaded)) return startPlatform(loaded, id, new Date(now.getTime() + delay), now, values, io);
    const existing = loaded.ring.keys().find((k) => k.id === id);
    if (existing !== undefined) {
      if (existing.state === 'pending') {
        io.stdout.write(`key "${id}" is already pending in ${loaded.path}: it activates at ${describeActivation(new Date(existing.activatesAt!), now)}; nothing changed\n`);
      } else if (existing.state === 'active') {
        io.stdout.write(`key "${id}" is already active in ${loaded.path}; nothing changed\n`);
      } else {
        throw new UsageError(`key "${id}" is already in ${loaded.path} (${existing.state}); choose a new id`);
      }
      io.stdout.write(describePhase(phaseOf(loaded, values), values, undefined, now));
      return EXIT.OK;
    }
    const pending = loaded.ring.keys().find((k) => k.state === 'pending');
    if (pending !== undefined) throw new UsageError(`key "${pending.id}" is already pending in ${loaded.path}; finish that rotation first (keyroll rotate status)`);
    const at = new Date(now.getTime() + delay);
    checkDelay(at, now, values, '--activate-in');
    const platform = loaded.ring.policy.secretLengthMultipleOf !== undefined;
    const spec = platform ? { id, secret: platformSecret(), encoding: 'utf8' as const } : generateKey({ id });
    const next = loaded.ring.add(spec, { activatesAt: at });
    const backup = await saveKeyring(loaded, next, io);
    reached('start');
    const state = next.keys().find((k) => k.id === id)!.state;
    io.stdout.write(`added key "${id}" to ${loaded.path} (${state === 'pending' ? `pending: activates at ${describeActivation(at, new Date())}` : state})${backup ? `; backup ${backup}` : ''}\n`);
    io.stdout.write(describePhase(phaseOf({ ...loaded, ring: next }, values), values, undefined, new Date()));
    return EXIT.OK;
  },
};
