/**
 * `keyroll decrypt`: a text envelope or a streaming envelope, from stdin or
 * `--in`, to the plaintext on stdout or `--out` (written atomically).
 * @module
 */
import { Readable } from 'node:stream';
import { EXIT, UsageError, type Command } from '../command.js';
import { KEYRING_HELP, KEYRING_OPTIONS, loadKeyringArg } from '../keyring-file.js';
import { contextFromPairs } from '../context.js';
import { MAX_STDIN } from '../stdin.js';
import { openInput, progressMeter, STREAM_IO_HELP, STREAM_IO_OPTIONS, writeOutput } from '../stream-io.js';
import { looksLikeStream } from '../../envelope/stream-header.js';
import { decryptStream } from '../../stream/node.js';
import { CONTEXT_HELP, CONTEXT_OPTION } from './encrypt.js';

export const decryptCommand: Command = {
  name: 'decrypt',
  summary: 'decrypt an envelope or a streaming envelope; write the plaintext',
  help: [
    'Usage: keyroll decrypt --keyring FILE [--in FILE] [--out FILE] [--context K=V ...] [--master-key-env NAME | --passphrase-env NAME]',
    '',
    'Reads a text envelope (surrounding whitespace ignored) or a streaming envelope',
    '(written by `keyroll encrypt --in/--out/--stream`) from stdin or --in, and writes',
    'the plaintext bytes exactly, with no newline added. The context must be the one',
    'given at encryption, else ERR_DECRYPT_FAILED (exit 1).',
    '',
    'A streaming envelope is decrypted segment by segment; each segment is written',
    'only once it authenticates, and a stream cut short fails at its end (exit 1).',
    'With --out nothing appears unless the whole stream succeeded; on stdout the',
    'segments before a failure have already been written, so check the exit code.',
    '',
    'Options:',
    ...KEYRING_HELP,
    CONTEXT_HELP,
    ...STREAM_IO_HELP,
    '',
    'Examples:',
    '  psql -Atc "select token from users where id = 42" | keyroll decrypt --keyring keyring.json --context table=users --context id=42',
    '  keyroll decrypt --keyring keyring.json --in db.dump.kr --out db.dump --context file=db.dump',
  ].join('\n'),
  options: { ...KEYRING_OPTIONS, ...CONTEXT_OPTION, ...STREAM_IO_OPTIONS },
  async run({ values }, io) {
    const context = contextFromPairs((values['context'] as string[] | undefined) ?? []);
    const options = context === undefined ? {} : { context };
    const out = values['out'] as string | undefined;
    const { ring } = await loadKeyringArg(values, io);
    const { stream, size } = await openInput(io, values['in'] as string | undefined, 'the envelope');
    // Look at the first bytes: a streaming envelope starts with version 1, suite 2.
    const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const head: Buffer[] = [];
    let length = 0;
    while (length < 2) {
      const next = await iterator.next();
      if (next.done === true) break;
      head.push(next.value);
      length += next.value.length;
    }
    const rest = Readable.from(
      (async function* () {
        yield* head;
        for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
      })(),
      { objectMode: false },
    );
    if (looksLikeStream(Buffer.concat(head))) {
      await writeOutput(io, out, rest, [progressMeter(io, 'decrypt', size), decryptStream(ring, options)]);
      return EXIT.OK;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of rest) {
      total += (chunk as Buffer).length;
      if (total > MAX_STDIN) throw new UsageError(`a text envelope larger than ${MAX_STDIN} bytes; large payloads belong in streaming envelopes`);
      chunks.push(chunk as Buffer);
    }
    const envelope = Buffer.concat(chunks).toString('utf8').trim();
    if (envelope.length === 0) throw new UsageError('no envelope on stdin');
    const plaintext = ring.decrypt(envelope, options);
    await writeOutput(io, out, Readable.from([Buffer.from(plaintext)]), []);
    return EXIT.OK;
  },
};
