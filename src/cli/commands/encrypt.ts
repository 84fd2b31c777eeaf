/**
 * `keyroll encrypt`: stdin to an envelope on stdout, or, with `--in`,
 * `--out` or `--stream`, a streaming envelope of any size.
 * @module
 */
import { EXIT, UsageError, type Command } from '../command.js';
import { contextFromPairs } from '../context.js';
import { KEYRING_HELP, KEYRING_OPTIONS, loadKeyringArg } from '../keyring-file.js';
import { readStdin } from '../stdin.js';
import { openInput, progressMeter, STREAM_IO_HELP, STREAM_IO_OPTIONS, writeOutput } from '../stream-io.js';
import { encryptStream } from '../../stream/node.js';

/** `--context k=v`, repeatable. */
export const CONTEXT_OPTION = { context: { type: 'string', multiple: true } } as const;
/** Help line for {@link CONTEXT_OPTION}. */
export const CONTEXT_HELP = '  --context K=V           context bound to the envelope (repeat for more keys; V may contain =)';

export const encryptCommand: Command = {
  name: 'encrypt',
  summary: 'encrypt stdin or a file with the active key',
  help: [
    'Usage: keyroll encrypt --keyring FILE [--context K=V ...] [--master-key-env NAME | --passphrase-env NAME]',
    '       keyroll encrypt --keyring FILE [--in FILE] [--out FILE] [--stream] [--segment-size BYTES] [--context K=V ...]',
    '',
    'Without --in, --out or --stream: reads the plaintext from stdin (every byte,',
    'newlines included, up to 64 MiB) and prints the text envelope',
    'kr1.<keyId>.<base64url> and a newline.',
    '',
    'With --in, --out or --stream: writes a streaming envelope (binary, any size,',
    'constant memory), read back by `keyroll decrypt`. A progress bar shows on a',
    'terminal for inputs of 16 MiB or more.',
    '',
    'Options:',
    ...KEYRING_HELP,
    CONTEXT_HELP,
    ...STREAM_IO_HELP,
    '  --stream                write a streaming envelope even from stdin to stdout',
    '  --segment-size BYTES    plaintext bytes per segment (16 to 16777216, default 65536)',
    '',
    'Examples:',
    '  printf %s "$TOKEN" | keyroll encrypt --keyring keyring.json --context table=users --context id=42',
    '  keyroll encrypt --keyring keyring.json --in db.dump --out db.dump.kr --context file=db.dump',
    '  pg_dump app | keyroll encrypt --keyring keyring.json --stream > app.sql.kr',
  ].join('\n'),
  options: { ...KEYRING_OPTIONS, ...CONTEXT_OPTION, ...STREAM_IO_OPTIONS, stream: { type: 'boolean' }, 'segment-size': { type: 'string' } },
  async run({ values }, io) {
    const context = contextFromPairs((values['context'] as string[] | undefined) ?? []);
    const input = values['in'] as string | undefined;
    const out = values['out'] as string | undefined;
    const streaming = input !== undefined || out !== undefined || values['stream'] === true;
    const segmentText = values['segment-size'] as string | undefined;
    if (segmentText !== undefined && !streaming) throw new UsageError('--segment-size applies to streaming envelopes (--in, --out or --stream)');
    if (segmentText !== undefined && !/^[1-9][0-9]{0,8}$/.test(segmentText)) throw new UsageError('--segment-size expects a number of bytes');
    const { ring } = await loadKeyringArg(values, io);
    if (streaming) {
      const transform = encryptStream(ring, {
        ...(context === undefined ? {} : { context }),
        ...(segmentText === undefined ? {} : { segmentSize: Number(segmentText) }),
      });
      const { stream, size } = await openInput(io, input, 'the plaintext');
      await writeOutput(io, out, stream, [progressMeter(io, 'encrypt', size), transform]);
      return EXIT.OK;
    }
    const plaintext = await readStdin(io, 'the plaintext');
    try {
      io.stdout.write(`${ring.encrypt(plaintext, context === undefined ? {} : { context })}\n`);
    } finally {
      plaintext.fill(0);
    }
    return EXIT.OK;
  },
};
