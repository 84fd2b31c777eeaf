/**
 * `keyroll list`: key ids, states and dates; never secrets.
 * @module
 */
import { EXIT, type Command } from '../command.js';
import { KEYRING_HELP, KEYRING_OPTIONS, loadKeyringArg } from '../keyring-file.js';

export const listCommand: Command = {
  name: 'list',
  summary: 'list key ids, states and dates (never secrets)',
  help: [
    'Usage: keyroll list --keyring FILE [--json] [--master-key-env NAME | --passphrase-env NAME]',
    '',
    'Lists every key with its state now (a pending key whose time has come shows',
    'as active), its creation time and, for pending keys, when it activates.',
    '',
    'Options:',
    ...KEYRING_HELP,
    '  --json                  print {"activeKeyId", "keys": [{"id", "state", "createdAt", "activatesAt"?}], "policy"}',
    '',
    'Example:',
    '  keyroll list --keyring keyring.json --json | jq -r \'.keys[] | select(.state == "decrypt-only") | .id\'',
  ].join('\n'),
  options: { ...KEYRING_OPTIONS, json: { type: 'boolean' } },
  async run({ values }, io) {
    const { ring } = await loadKeyringArg(values, io);
    if (values['json'] === true) {
      io.stdout.write(`${JSON.stringify(ring.toJSON())}\n`);
      return EXIT.OK;
    }
    const rows = ring.keys().map((k) => [k.id, k.state, k.createdAt, k.activatesAt ?? '']);
    const header = ['ID', 'STATE', 'CREATED', 'ACTIVATES'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows]) io.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
    return EXIT.OK;
  },
};
