/**
 * `keyroll inspect ENVELOPE`: header facts, no key needed.
 * @module
 */
import { open, readFile } from 'node:fs/promises';
import { inspect, type EnvelopeInfo } from '../../envelope/format.js';
import { inspectFile } from '../../stream/files.js';
import { looksLikeStream } from '../../envelope/stream-header.js';
import { fail } from '../../errors.js';
import { EXIT, UsageError, type Command } from '../command.js';

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'show an envelope\'s version, suite and key id (no key needed)',
  help: [
    'Usage: keyroll inspect ENVELOPE [--json]',
    '       keyroll inspect --in FILE [--json]',
    '',
    'Reads the header of a text envelope (kr1.<keyId>.<...>) without any key and',
    'without decrypting. Reads the envelope from stdin when ENVELOPE is "-". With',
    '--in FILE, reads a file: a streaming envelope (only its header and size are read)',
    'or a text envelope.',
    '',
    'Options:',
    '  --json     print JSON',
    '  --in FILE  read the envelope from a file',
    '',
    'Example:',
    '  keyroll inspect "$(psql -Atc "select token from users where id = 42")"',
  ].join('\n'),
  options: { json: { type: 'boolean' }, in: { type: 'string' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const file = values['in'] as string | undefined;
    if (positionals.length !== (file === undefined ? 1 : 0)) throw new UsageError(file === undefined ? 'expected exactly one ENVELOPE argument' : 'give either ENVELOPE or --in FILE');
    let text = positionals[0] ?? '';
    let info: EnvelopeInfo | undefined;
    if (file !== undefined) {
      const ioError = (err: NodeJS.ErrnoException): never => fail('ERR_IO', `could not read ${file}: ${err.code ?? 'error'}`, { file });
      const handle = await open(file, 'r').catch(ioError);
      const head = new Uint8Array(2);
      try {
        await handle.read(head, 0, 2, 0);
      } finally {
        await handle.close();
      }
      if (looksLikeStream(head)) info = await inspectFile(file);
      else text = (await readFile(file).catch(ioError)).toString('utf8').trim();
    } else if (text === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
      text = Buffer.concat(chunks).toString('utf8').trim();
    }
    info ??= inspect(text);
    if (values['json'] === true) io.stdout.write(`${JSON.stringify(info)}\n`);
    else io.stdout.write(`version ${info.version}\nsuite ${info.suite.id} (${info.suite.name})\nkey ${info.keyId}\nform ${info.form}\n${info.segmentSize === undefined ? '' : `segment ${info.segmentSize} bytes\n`}plaintext ${info.plaintextLength} bytes\n`);
    return EXIT.OK;
  },
};
