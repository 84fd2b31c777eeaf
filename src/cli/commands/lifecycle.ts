/**
 * `keyroll promote|retire|disable|remove ID`: one lifecycle step on a
 * keyring file, written atomically with a backup.
 * @module
 */
import type { Keyring } from '../../keyring/keyring.js';
import { EXIT, UsageError, type Command } from '../command.js';
import { KEYRING_HELP, KEYRING_OPTIONS, loadKeyringArg, saveKeyring } from '../keyring-file.js';
import { singleKeyId } from '../key-id.js';

interface Step {
  readonly name: string;
  readonly summary: string;
  readonly about: readonly string[];
  readonly apply: (ring: Keyring, id: string) => Keyring;
  readonly done: string;
  readonly force?: boolean;
}

function lifecycleCommand(step: Step): Command {
  const usage = `Usage: keyroll ${step.name} ID --keyring FILE${step.force ? ' --force' : ''} [--master-key-env NAME | --passphrase-env NAME]`;
  return {
    name: step.name,
    summary: step.summary,
    help: [usage, '', ...step.about, '', 'Options:', ...KEYRING_HELP, ...(step.force ? ['  --force                 required: confirms the removal'] : []), '', 'Example:', `  keyroll ${step.name} k1 --keyring keyring.json${step.force ? ' --force' : ''}`].join('\n'),
    options: { ...KEYRING_OPTIONS, ...(step.force ? { force: { type: 'boolean' } } : {}) },
    allowPositionals: true,
    async run({ values, positionals }, io) {
      const id = singleKeyId(positionals);
      if (step.force && values['force'] !== true) {
        throw new UsageError(`removing key "${id}" makes every value it encrypted unreadable; pass --force to confirm`);
      }
      const loaded = await loadKeyringArg(values, io);
      const next = step.apply(loaded.ring, id);
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
});

export const removeCommand = lifecycleCommand({
  name: 'remove',
  summary: 'remove a key for good (needs --force)',
  about: ['Removes key ID from the keyring. Values it encrypted can no longer be read:', 're-encrypt them first (disable the key for a while to find stragglers). Never the active key.'],
  apply: (ring, id) => ring.remove(id),
  done: 'key ID was removed',
  force: true,
});
