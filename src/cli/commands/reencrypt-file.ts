/**
 * `keyroll reencrypt-file FILE...`: rewrite streaming-envelope files under
 * the active key, each atomically in place.
 * @module
 */
import { EXIT, UsageError, type Command } from '../command.js';
import { contextFromPairs } from '../context.js';
import { KEYRING_HELP, KEYRING_OPTIONS, loadKeyringArg } from '../keyring-file.js';
import { inspectFile, reencryptFile } from '../../stream/files.js';
import { CONTEXT_HELP, CONTEXT_OPTION } from './encrypt.js';

export const reencryptFileCommand: Command = {
  name: 'reencrypt-file',
  summary: 'rewrite streaming-envelope files under the active key, atomically',
  help: [
    'Usage: keyroll reencrypt-file --keyring FILE [--context K=V ...] [--all] FILE...',
    '',
    'Decrypts each streaming-envelope FILE and writes it again under the active key,',
    'with a fresh salt and the same segment size and file mode. The new file replaces',
    'the old one by an atomic rename, only once the whole stream authenticated: a',
    'failure leaves the file as it was (exit 1). Files already under the active key',
    'are left alone unless --all is given. The context must be the one given at',
    'encryption (one context for every FILE).',
    '',
    'Options:',
    ...KEYRING_HELP,
    CONTEXT_HELP,
    '  --all                   rewrite files already under the active key too',
    '',
    'Example:',
    '  keyroll reencrypt-file --keyring keyring.json backups/*.kr',
  ].join('\n'),
  options: { ...KEYRING_OPTIONS, ...CONTEXT_OPTION, all: { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length === 0) throw new UsageError('expected at least one FILE');
    const context = contextFromPairs((values['context'] as string[] | undefined) ?? []);
    const { ring } = await loadKeyringArg(values, io);
    for (const file of positionals) {
      const before = await inspectFile(file);
      if (before.keyId === ring.activeKeyId && values['all'] !== true) {
        io.stdout.write(`${file}: already under ${before.keyId}\n`);
        continue;
      }
      const { previousKeyId, keyId } = await reencryptFile(ring, file, context === undefined ? {} : { context });
      io.stdout.write(`${file}: ${previousKeyId} -> ${keyId}\n`);
    }
    return EXIT.OK;
  },
};
