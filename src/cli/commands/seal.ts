/**
 * `keyroll seal`: encrypt a plain keyring file with a master key or passphrase.
 * @module
 */
import { Keyring } from '../../keyring/keyring.js';
import { EXIT, UsageError, type Command } from '../command.js';
import { nextGenerationAt } from '../../sources/index.js';
import { readKeyringText } from '../../sources/read.js';
import { loadLayoutArg } from '../keyring-source.js';
import { NEW_KEYRING_HELP, NEW_KEYRING_OPTIONS, WRITE_HELP, WRITE_OPTIONS, keyringFileText, parseDocumentText, refuseOverwrite, requirePath, scryptFromArgs, unlockFromArgs, withScrypt, writeOut } from '../keyring-file.js';

export const sealCommand: Command = {
  name: 'seal',
  summary: 'encrypt a plain keyring file with a master key or passphrase',
  help: [
    'Usage: keyroll seal --keyring FILE --out FILE (--master-key-env NAME | --passphrase-env NAME)',
    '                    [--scrypt-n N] [--force] [--no-backup]',
    '',
    'Writes a sealed copy of a plain keyring (format: docs/format.md, "Sealed keyring',
    'files"). The plain file is left as it is: delete it yourself once the sealed one',
    'works (e.g. `keyroll list --keyring OUT ...`).',
    '',
    'Options:',
    ...NEW_KEYRING_HELP,
    ...WRITE_HELP,
    '  --out FILE              where to write the sealed keyring',
    '  --scrypt-n N            scrypt cost for a passphrase (power of two, 32768 to 524288, default 131072)',
    '  --force                 replace an existing --out file (a backup is kept)',
    '',
    'Example:',
    '  export KEYROLL_MASTER_KEY="$(keyroll keygen)"',
    '  keyroll seal --keyring keyring.json --out keyring.sealed --master-key-env KEYROLL_MASTER_KEY',
  ].join('\n'),
  options: { ...NEW_KEYRING_OPTIONS, ...WRITE_OPTIONS, out: { type: 'string' }, 'scrypt-n': { type: 'string' }, force: { type: 'boolean' } },
  async run({ values }, io) {
    const path = requirePath(values, 'keyring', io);
    const out = requirePath(values, 'out', io);
    if (out === path) throw new UsageError('--out must differ from --keyring');
    const unlock = unlockFromArgs(values, io);
    if (unlock === undefined) throw new UsageError('pass --master-key-env NAME or --passphrase-env NAME');
    const sealedWith = withScrypt(unlock, scryptFromArgs(values));
    await refuseOverwrite(out, values['force'] === true);
    const other = await loadLayoutArg({ ...values, 'master-key-env': undefined, 'passphrase-env': undefined }, io);
    let ring: Keyring;
    if (other !== undefined) {
      ring = other.ring; // a manifest or a directory of key files: sealed as a keyroll keyring
    } else {
      const { text, sealed } = await readKeyringText(path);
      if (sealed) throw new UsageError(`${path} is already sealed`);
      ring = Keyring.fromJSON(parseDocumentText(text, path));
    }
    const backup = await writeOut(out, await keyringFileText(ring, sealedWith, await nextGenerationAt(out)), io, { backup: values['no-backup'] !== true });
    io.stdout.write(`sealed ${path} into ${out}${backup ? `; backup ${backup}` : ''}\n`);
    return EXIT.OK;
  },
};
