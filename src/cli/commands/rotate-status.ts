/**
 * `keyroll rotate status`: which phase the keyring (and, given the data, the
 * stored values) are in, and the exact command to run next. Reads only.
 * @module
 */
import { EXIT, type Command } from '../command.js';
import { KEYRING_HELP, KEYRING_OPTIONS, loadKeyringArg } from '../keyring-file.js';
import { DATA_HELP, DATA_OPTIONS, dataFromArgs } from '../data-args.js';
import { countAll, describePhase, phaseJson, phaseOf } from '../rotate-common.js';
import { describePlatform, isPlatformManifest, phaseOfPlatform } from './rotate-platform.js';

export const rotateStatusCommand: Command = {
  name: 'rotate status',
  summary: 'show the phase of a rotation (keyring and data) and the next command',
  help: [
    'Usage: keyroll rotate status --keyring FILE [--db URL --table T --column C...] [--old ID] [--json]',
    '',
    'Prints the keys, the phase of the rotation and the exact next command.',
    'Phases: idle (start one), pending (roll out, wait for the activation),',
    'reencrypt (values remain under the old key), retired (none remain: disable',
    'it), disabled (remove it once nothing complained). With --db it counts the',
    'stored values per key from their prefix: no key is needed and nothing is written.',
    'On a Secret manifest in the platform layout, the phases are idle, pending, promote',
    '(the planned time has passed: finish promotes the new key), reencrypt and retired',
    '(remove the old key from oldEncKeys.json), read from the layout and the',
    'keyroll/rotation annotation; the fingerprint to look for on every instance is printed.',
    '',
    'Options:',
    ...KEYRING_HELP,
    ...DATA_HELP,
    '  --old ID                the key this rotation retires, when several are retired',
    '  --json                  print the phase as JSON',
    '',
    'Example:',
    '  keyroll rotate status --keyring keyring.json --db sqlite:app.db --table users --column token',
  ].join('\n'),
  options: { ...KEYRING_OPTIONS, ...DATA_OPTIONS, old: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values }, io) {
    const data = dataFromArgs(values, io);
    const loaded = await loadKeyringArg(values, io);
    const counts = data === undefined ? undefined : await countAll(data);
    if (isPlatformManifest(loaded)) {
      const now = new Date();
      const phase = phaseOfPlatform(loaded, now, counts);
      if (values['json'] === true) {
        io.stdout.write(`${JSON.stringify({ name: phase.name, active: phase.active, ...(phase.record === undefined ? {} : { record: phase.record }), ...(phase.remaining === undefined ? {} : { remaining: phase.remaining }), fingerprint: loaded.ring.fingerprint(), ...(counts === undefined ? {} : { counts: Object.fromEntries(counts) }) })}\n`);
        return EXIT.OK;
      }
      io.stdout.write(`Secret ${loaded.path} (platform layout), fingerprint ${loaded.ring.fingerprint()}:\n`);
      for (const k of loaded.ring.keys()) {
        const where = k.state === 'active' ? 'ENCRYPTION_KEY' : 'oldEncKeys.json';
        io.stdout.write(`  ${k.id.padEnd(24)} ${counts === undefined ? where : `${where.padEnd(16)} ${counts.get(k.id) ?? 0} values`}\n`);
      }
      io.stdout.write(describePlatform(phase, loaded, values, data, now));
      return EXIT.OK;
    }
    if ((loaded.layout?.kind === 'directory' || loaded.layout?.kind === 'env') && loaded.ring.policy.secretLengthMultipleOf !== undefined) {
      // The platform layout mounted or in variables: the keys, but not the rotation record (an annotation of the Secret).
      io.stdout.write(`${loaded.path} (platform layout), fingerprint ${loaded.ring.fingerprint()}:\n`);
      for (const k of loaded.ring.keys()) io.stdout.write(`  ${k.id.padEnd(24)} ${k.state === 'active' ? 'ENCRYPTION_KEY' : 'oldEncKeys.json'}${counts === undefined ? '' : `  ${counts.get(k.id) ?? 0} values`}\n`);
      io.stdout.write('phase: unknown here: the rotation is recorded in the Secret\'s manifest (annotation keyroll/rotation)\nnext: kubectl get secret NAME -o yaml > secret.yaml; keyroll rotate status --keyring secret.yaml\n');
      return EXIT.OK;
    }
    const phase = phaseOf(loaded, values, counts);
    if (values['json'] === true) {
      phaseJson(phase, counts, io);
      return EXIT.OK;
    }
    io.stdout.write(`keyring ${loaded.path}:\n`);
    for (const k of loaded.ring.keys()) {
      const n = counts === undefined ? '' : `  ${counts.get(k.id) ?? 0} values`;
      io.stdout.write(`  ${k.id.padEnd(24)} ${k.state.padEnd(13)}${k.activatesAt === undefined ? '' : ` activates ${k.activatesAt}`}${n}\n`);
    }
    io.stdout.write(describePhase(phase, values, data, new Date()));
    return EXIT.OK;
  },
};
