/**
 * `keyroll encrypt`: stdin to an envelope on stdout.
 * @module
 */
import { EXIT, type Command } from '../command.js';
import { contextFromPairs } from '../context.js';
import { KEYRING_HELP, KEYRING_OPTIONS, loadKeyringArg } from '../keyring-file.js';
import { readStdin } from '../stdin.js';

/** `--context k=v`, repeatable. */
export const CONTEXT_OPTION = { context: { type: 'string', multiple: true } } as const;
/** Help line for {@link CONTEXT_OPTION}. */
export const CONTEXT_HELP = '  --context K=V           context bound to the envelope (repeat for more keys; V may contain =)';

export const encryptCommand: Command = {
  name: 'encrypt',
  summary: 'encrypt stdin with the active key; print the envelope',
  help: [
    'Usage: keyroll encrypt --keyring FILE [--context K=V ...] [--master-key-env NAME | --passphrase-env NAME]',
    '',
    'Reads the plaintext from stdin (every byte, newlines included) and prints the',
    'text envelope kr1.<keyId>.<base64url> and a newline.',
    '',
    'Options:',
    ...KEYRING_HELP,
    CONTEXT_HELP,
    '',
    'Example:',
    '  printf %s "$TOKEN" | keyroll encrypt --keyring keyring.json --context table=users --context id=42',
  ].join('\n'),
  options: { ...KEYRING_OPTIONS, ...CONTEXT_OPTION },
  async run({ values }, io) {
    const context = contextFromPairs((values['context'] as string[] | undefined) ?? []);
    const { ring } = await loadKeyringArg(values, io);
    const plaintext = await readStdin(io, 'the plaintext');
    try {
      io.stdout.write(`${ring.encrypt(plaintext, context === undefined ? {} : { context })}\n`);
    } finally {
      plaintext.fill(0);
    }
    return EXIT.OK;
  },
};
