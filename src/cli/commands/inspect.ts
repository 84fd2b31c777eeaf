/**
 * `keyroll inspect ENVELOPE`: header facts, no key needed.
 * @module
 */
import { inspect } from '../../envelope/format.js';
import { EXIT, UsageError, type Command } from '../command.js';

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'show an envelope\'s version, suite and key id (no key needed)',
  help: [
    'Usage: keyroll inspect ENVELOPE [--json]',
    '',
    'Reads the header of a text envelope (kr1.<keyId>.<...>) without any key and',
    'without decrypting. Reads the envelope from stdin when ENVELOPE is "-".',
    '',
    'Options:',
    '  --json    print JSON',
    '',
    'Example:',
    '  keyroll inspect "$(psql -Atc "select token from users where id = 42")"',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError('expected exactly one ENVELOPE argument');
    let text = positionals[0]!;
    if (text === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
      text = Buffer.concat(chunks).toString('utf8').trim();
    }
    const info = inspect(text);
    if (values['json'] === true) io.stdout.write(`${JSON.stringify(info)}\n`);
    else io.stdout.write(`version ${info.version}\nsuite ${info.suite.id} (${info.suite.name})\nkey ${info.keyId}\nform ${info.form}\nplaintext ${info.plaintextLength} bytes\n`);
    return EXIT.OK;
  },
};
