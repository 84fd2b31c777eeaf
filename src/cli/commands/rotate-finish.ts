/**
 * `keyroll rotate finish`: after the new key activated, re-encrypt every
 * stored value under it (checkpointed, pass after pass until none is left),
 * verify with the dry-run count that no value names the old key, disable it,
 * and with `--remove` remove it. Every step is durable before the next one
 * starts, and a rerun detects from the keyring and the data where to go on.
 * @module
 */
import { fail } from '../../errors.js';
import type { Keyring } from '../../keyring/keyring.js';
import { EXIT, UsageError, type CliIO, type Command } from '../command.js';
import { KEYRING_HELP, KEYRING_OPTIONS, loadKeyringArg, saveKeyring, type LoadedKeyring } from '../keyring-file.js';
import { DATA_HELP, DATA_OPTIONS, dataFromArgs, type DataArgs } from '../data-args.js';
import { countAll, describePhase, phaseOf } from '../rotate-common.js';
import { describeActivation } from '../activation.js';
import { reached } from '../steps.js';
import { reencryptPass } from '../rotate-reencrypt.js';
import { contextTemplate } from './reencrypt.js';
import { finishPlatform, isPlatformManifest, refuseDirectory } from './rotate-platform.js';

/** Passes over the data before giving up on values that keep appearing under the old key. */
const MAX_PASSES = 5;

export const rotateFinishCommand: Command = {
  name: 'rotate finish',
  summary: 'finish a rotation: re-encrypt, verify none is left, disable (and --remove) the old key',
  help: [
    'Usage: keyroll rotate finish --keyring FILE --db URL --table T --column C... [--id ID]',
    '         [--context TEMPLATE] [--old ID] [--remove] [--batch N] [--checkpoint-dir DIR]',
    '',
    'Run after the new key activated. Writes the keyring with the new key active,',
    're-encrypts every stored value under it (resumable: a checkpoint per column),',
    'repeats until the dry-run count of values under the old key is zero, then',
    'disables the old key. --remove then removes it, once the count is still zero:',
    'run it after a while with no ERR_KEY_DISABLED reports. Safe to run again after',
    'a crash at any point: it finds the phase from the keyring and the data.',
    '',
    'Options:',
    ...KEYRING_HELP,
    ...DATA_HELP,
    '  --context TEMPLATE      the values\' context, as for keyroll reencrypt ("recommended":',
    '                          table=T,column=C,id={ID}); repeatable: pairs are joined',
    '  --old ID                the key this rotation retires, when several are retired',
    '  --remove                remove the old key once it is disabled and no value needs it',
    '  --batch N               rows per batch and transaction (default 500)',
    '  --checkpoint-dir DIR    where the per-column checkpoints live (default: the current directory)',
    '  --force                 without --db: disable (and --remove) without checking the data',
    '',
    'Example:',
    '  keyroll rotate finish --keyring keyring.json --db sqlite:app.db --table users --column token --context recommended',
  ].join('\n'),
  options: {
    ...KEYRING_OPTIONS,
    ...DATA_OPTIONS,
    old: { type: 'string' },
    context: { type: 'string', multiple: true },
    remove: { type: 'boolean' },
    batch: { type: 'string' },
    'checkpoint-dir': { type: 'string' },
    force: { type: 'boolean' },
  },
  async run({ values }, io) {
    const args = finishArgs(values, io);
    const { data, batch } = args;
    let loaded = await loadKeyringArg(values, io, { forUpdate: true });
    refuseDirectory(loaded, 'rotate finish');
    if (isPlatformManifest(loaded)) return finishPlatform(loaded, values, args, io);
    const now = new Date();
    const phase = phaseOf(loaded, values);
    if (phase.name === 'idle') {
      const last = loaded.ring.removed().at(-1);
      io.stdout.write(`nothing to finish: "${phase.active}" is the only key in use in ${loaded.path}${last === undefined ? '' : ` ("${last.id}" was removed at ${last.removedAt})`}\n`);
      return EXIT.OK;
    }
    if (phase.name === 'ambiguous') throw new UsageError(`keys ${phase.candidates!.map((c) => `"${c}"`).join(', ')} are all retired or disabled; pass --old ID to name the one this rotation retires`);
    if (phase.name === 'pending') {
      fail('ERR_INVALID_KEYRING', `key "${phase.pending!.id}" activates at ${describeActivation(new Date(phase.pending!.at), now)}; run finish after that (every instance switches by itself at that time)`, { keyId: phase.pending!.id });
    }
    const old = phase.old!;
    loaded = await step(loaded, io, 'activate', writtenAsResolved(loaded.ring) ? undefined : loaded.ring, `"${phase.active}" is active in ${loaded.path}`);

    let remaining: number | undefined;
    if (data !== undefined) {
      remaining = (await countAll(data)).get(old) ?? 0;
      if (loaded.ring.get(old)!.state === 'disabled' && remaining > 0) {
        fail('ERR_KEY_IN_USE', `${remaining} stored values name key "${old}", which is disabled; retire it (keyroll retire ${old}) and run finish again to re-encrypt them`, { keyId: old });
      }
      for (let pass = 1; remaining > 0; pass++) {
        if (pass > MAX_PASSES) {
          fail('ERR_KEY_IN_USE', `${remaining} stored values still name key "${old}" after ${MAX_PASSES} passes: something still writes with it (an instance with an old keyring, or a clock far behind?)`, { keyId: old });
        }
        const failed = await reencryptPass(loaded.ring, data, values, pass, batch, io);
        if (failed > 0) return EXIT.FAILED;
        remaining = (await countAll(data)).get(old) ?? 0;
      }
      reached('reencrypt');
      io.stdout.write(`verified: no stored value names "${old}"\n`);
    } else {
      io.stderr.write(`keyroll rotate finish: warning: not checking the data (--force): values still under "${old}" will fail with ERR_KEY_DISABLED\n`);
    }

    if (loaded.ring.get(old)!.state !== 'disabled') loaded = await step(loaded, io, 'disable', loaded.ring.disable(old), `disabled "${old}" in ${loaded.path}`);
    if (values['remove'] === true) {
      if (data !== undefined && ((await countAll(data)).get(old) ?? 0) > 0) fail('ERR_KEY_IN_USE', `values under key "${old}" appeared again; it stays disabled`, { keyId: old });
      loaded = await step(loaded, io, 'remove', loaded.ring.remove(old), `removed "${old}" from ${loaded.path}`);
      io.stdout.write(`rotation finished: "${phase.active}" is the only key in use\n`);
      return EXIT.OK;
    }
    io.stdout.write(describePhase(phaseOf(loaded, values, remaining === undefined ? undefined : new Map([[old, remaining]])), values, data, new Date()));
    return EXIT.OK;
  },
};

/** True when the file already says what the keyring is now (no pending key whose time has passed). */
function writtenAsResolved(ring: Keyring): boolean {
  return ring.keys().every((k) => ring.get(k.id)!.state === k.state);
}

/** What `finish` needs from its options, checked before anything is read. */
export interface FinishArgs {
  readonly data: DataArgs | undefined;
  readonly batch: number;
}

function finishArgs(values: Record<string, unknown>, io: CliIO): FinishArgs {
  const data = dataFromArgs(values, io);
  const force = values['force'] === true;
  if (data === undefined && !force) {
    throw new UsageError('finish re-encrypts the stored values and checks that none is left under the old key before disabling it: pass --db URL --table T --column C, or --force to skip the check');
  }
  if (data !== undefined && force) throw new UsageError('--force applies without --db only');
  const batch = values['batch'] === undefined ? 500 : Number(values['batch']);
  if (!Number.isInteger(batch) || batch < 1 || batch > 100_000) throw new UsageError('--batch must be an integer from 1 to 100000');
  const pairs = values['context'] as string[] | undefined;
  if (pairs !== undefined && !(pairs.length === 1 && pairs[0] === 'recommended')) contextTemplate(pairs, { table: 't', column: 'c', id: 'id' });
  return { data, batch };
}

/**
 * Saves `next` (when there is a change), reports the step, and returns the
 * keyring as now on disk. The next save checks the file against what this
 * one wrote, and moves a sealed file's generation on (saveKeyring keeps both).
 */
async function step(loaded: LoadedKeyring, io: CliIO, name: string, next: Keyring | undefined, done: string): Promise<LoadedKeyring> {
  if (next !== undefined) {
    await saveKeyring(loaded, next, io);
    io.stdout.write(`${done}\n`);
  }
  reached(name);
  return next === undefined ? loaded : { ...loaded, ring: next };
}
