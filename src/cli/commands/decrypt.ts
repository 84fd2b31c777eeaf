/**
 * `keyroll decrypt`: an envelope on stdin to the plaintext on stdout.
 * @module
 */
import { EXIT, UsageError, type Command } from '../command.js';
import { KEYRING_HELP, KEYRING_OPTIONS, loadKeyringArg } from '../keyring-file.js';
import { contextFromPairs } from '../context.js';
import { readStdin } from '../stdin.js';
import { CONTEXT_HELP, CONTEXT_OPTION } from './encrypt.js';

export const decryptCommand: Command = {
  name: 'decrypt',
  summary: 'decrypt an envelope from stdin; print the plaintext',
  help: [
    'Usage: keyroll decrypt --keyring FILE [--context K=V ...] [--master-key-env NAME | --passphrase-env NAME]',
    '',
    'Reads one text envelope from stdin (surrounding whitespace ignored) and writes',
    'the plaintext bytes to stdout exactly, with no newline added. The context must',
    'be the one given at encryption, else ERR_DECRYPT_FAILED (exit 1).',
    '',
    'Options:',
    ...KEYRING_HELP,
    CONTEXT_HELP,
    '',
    'Example:',
    '  psql -Atc "select token from users where id = 42" | keyroll decrypt --keyring keyring.json --context table=users --context id=42',
  ].join('\n'),
  options: { ...KEYRING_OPTIONS, ...CONTEXT_OPTION },
  async run({ values }, io) {
    const context = contextFromPairs((values['context'] as string[] | undefined) ?? []);
    const { ring } = await loadKeyringArg(values, io);
    const envelope = (await readStdin(io, 'the envelope')).toString('utf8').trim();
    if (envelope.length === 0) throw new UsageError('no envelope on stdin');
    const plaintext = ring.decrypt(envelope, context === undefined ? {} : { context });
    io.stdout.write(plaintext);
    return EXIT.OK;
  },
};
