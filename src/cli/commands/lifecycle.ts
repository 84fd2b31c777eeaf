/**
 * `keyroll promote|retire|disable|remove ID`: one lifecycle step on a
 * keyring file, written atomically with a backup.
 * @module
 */
import type { Keyring } from '../../keyring/keyring.js';
import { EXIT, UsageError, type Command } from '../command.js';
import { KEYRING_HELP, KEYRING_OPTIONS, WRITE_HELP, WRITE_OPTIONS, loadKeyringArg, saveKeyring } from '../keyring-file.js';
import { singleKeyId } from '../key-id.js';
import { DATA_HELP, DATA_OPTIONS, countInData, dataFromArgs } from '../data-args.js';
import { describeUse } from '../../rotation/unused.js';
import { fail } from '../../errors.js';

interface Step {
  readonly name: string;
  readonly summary: string;
  readonly about: readonly string[];
  readonly apply: (ring: Keyring, id: string) => Keyring;
  readonly done: string;
  /** Checks the data first (`--db ...`), or needs `--force`; the text says what happens to values still under the key. */
  readonly guard?: string;
}

function lifecycleCommand(step: Step): Command {
  const guarded = step.guard !== undefined;
  const usage = `Usage: keyroll ${step.name} ID --keyring FILE ${guarded ? '(--db URL --table T --column C... | --force) ' : ''}[--master-key-env NAME | --passphrase-env NAME] [--no-backup]`;
  const guardHelp = guarded
    ? [
        '',
        'With --db, it first counts the stored values under key ID (from their',
        'prefix: no key is needed) and refuses while any remain, printing the count.',
        `Without --db it cannot check, and needs --force: ${step.guard}.`,
      ]
    : [];
  const guardOptions = guarded ? [...DATA_HELP, '  --force                 go ahead without checking, or although values remain'] : [];
  const example = guarded
    ? [`  keyroll ${step.name} k1 --keyring keyring.json --db sqlite:app.db --table users --column token`, `  keyroll ${step.name} k1 --keyring keyring.json --force`]
    : [`  keyroll ${step.name} k1 --keyring keyring.json`];
  return {
    name: step.name,
    summary: step.summary,
    help: [usage, '', ...step.about, ...guardHelp, '', 'Options:', ...KEYRING_HELP, ...WRITE_HELP, ...guardOptions, '', 'Examples:', ...example].join('\n'),
    options: { ...KEYRING_OPTIONS, ...WRITE_OPTIONS, ...(guarded ? { ...DATA_OPTIONS, force: { type: 'boolean' } } : {}) },
    allowPositionals: true,
    async run({ values, positionals }, io) {
      const id = singleKeyId(positionals);
      const force = values['force'] === true;
      const data = guarded ? dataFromArgs(values, io) : undefined;
      if (guarded && data === undefined && !force) {
        throw new UsageError(`without a database keyroll cannot check that no stored value still needs key "${id}" (${step.guard}); pass --db URL --table T --column C to check, or --force`);
      }
      const loaded = await loadKeyringArg(values, io, { forUpdate: true });
      const next = step.apply(loaded.ring, id);
      if (data !== undefined) {
        const use = await countInData(data, id);
        if (use.total > 0 && !force) fail('ERR_KEY_IN_USE', `${describeUse(use)}; re-encrypt them first (keyroll reencrypt, or keyroll rotate finish), or pass --force`, { keyId: id });
        io.stderr.write(use.total > 0 ? `keyroll ${step.name}: warning: ${describeUse(use)} (--force)\n` : `keyroll ${step.name}: no stored value names key "${id}" (${use.places.map((p) => p.label).join(', ')})\n`);
      }
      const backup = await saveKeyring(loaded, next, io);
      io.stdout.write(`${step.done.replace('ID', `"${id}"`)} in ${loaded.path}${backup ? `; backup ${backup}` : ''}\n`);
      return EXIT.OK;
    },
  };
}

export const promoteCommand = lifecycleCommand({
  name: 'promote',
  summary: 'make a key the active key (the previous one becomes decrypt-only)',
  about: ['Makes key ID the active key now; the previous active key becomes decrypt-only.', 'A disabled key cannot be promoted (retire it first).'],
  apply: (ring, id) => ring.promote(id),
  done: 'key ID is now active',
});

export const retireCommand = lifecycleCommand({
  name: 'retire',
  summary: 'make a key decrypt-only',
  about: ['Makes key ID decrypt-only: it still decrypts but never encrypts.', 'A pending key stops being pending; a disabled key decrypts again. Never the active key.'],
  apply: (ring, id) => ring.retire(id),
  done: 'key ID is now decrypt-only',
});

export const disableCommand = lifecycleCommand({
  name: 'disable',
  summary: 'disable a key: it no longer decrypts (reversible with retire)',
  about: ['Disables key ID: it no longer decrypts (ERR_KEY_DISABLED), but stays in the file,', 'so `keyroll retire ID` can bring it back. Never the active key.'],
  apply: (ring, id) => ring.disable(id),
  done: 'key ID is now disabled',
  guard: 'values under a disabled key fail with ERR_KEY_DISABLED until it is retired again',
});

export const removeCommand = lifecycleCommand({
  name: 'remove',
  summary: 'remove a key for good (checks the data with --db, else needs --force)',
  about: [
    'Removes key ID from the keyring. Values it encrypted can no longer be read:',
    're-encrypt them first (disable the key for a while to find stragglers). Never the active key.',
    'The keyring remembers the removed id (with a fingerprint, never the secret), so',
    'it cannot come back with a different secret by mistake.',
  ],
  apply: (ring, id) => ring.remove(id),
  done: 'key ID was removed',
  guard: 'values under a removed key can never be read again',
});
