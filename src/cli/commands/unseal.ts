/**
 * `keyroll unseal`: decrypt a sealed keyring to stdout or a file.
 * @module
 */
import { EXIT, UsageError, type Command } from '../command.js';
import { KEYRING_HELP, KEYRING_OPTIONS, WRITE_HELP, WRITE_OPTIONS, keyringFileText, loadKeyringArg, refuseOverwrite, requirePath, writeOut } from '../keyring-file.js';

export const unsealCommand: Command = {
  name: 'unseal',
  summary: 'decrypt a sealed keyring to stdout or a file (prints secrets)',
  help: [
    'Usage: keyroll unseal --keyring FILE (--master-key-env NAME | --passphrase-env NAME) [--out FILE] [--force] [--no-backup]',
    '',
    'Prints the plain keyring document (secrets included: that is the purpose) on',
    'stdout, or writes it to --out with mode 0600. A wrong master key or passphrase',
    'fails with ERR_DECRYPT_FAILED and exit code 1.',
    '',
    'Options:',
    ...KEYRING_HELP,
    ...WRITE_HELP,
    '  --out FILE              write the plain keyring here instead of stdout',
    '  --force                 replace an existing --out file (a backup is kept)',
    '',
    'Example:',
    '  keyroll unseal --keyring keyring.sealed --passphrase-env KEYROLL_PASSPHRASE --out keyring.json',
  ].join('\n'),
  options: { ...KEYRING_OPTIONS, ...WRITE_OPTIONS, out: { type: 'string' }, force: { type: 'boolean' } },
  async run({ values }, io) {
    if (values['master-key-env'] === undefined && values['passphrase-env'] === undefined) throw new UsageError('pass --master-key-env NAME or --passphrase-env NAME');
    const out = values['out'] === undefined ? undefined : requirePath(values, 'out', io);
    if (out !== undefined) await refuseOverwrite(out, values['force'] === true);
    const loaded = await loadKeyringArg(values, io);
    if (out !== undefined && out === loaded.path) throw new UsageError('--out must differ from --keyring');
    const text = await keyringFileText(loaded.ring, undefined);
    if (out === undefined) {
      io.stdout.write(text);
      return EXIT.OK;
    }
    const backup = await writeOut(out, text, io, { backup: values['no-backup'] !== true });
    io.stdout.write(`unsealed ${loaded.path} into ${out}${backup ? `; backup ${backup}` : ''}\n`);
    return EXIT.OK;
  },
};
