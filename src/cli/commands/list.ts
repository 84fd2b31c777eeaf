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
    'Lists every key with its state now, its creation time and, for pending keys,',
    'when it activates. A pending key whose time has come is active now, and the',
    'key it replaces decrypt-only, while the file still records the states it was',
    'written with: the list says so under the table (with --json, "fileState").',
    'For a sealed keyring it also prints the file\'s generation (incremented by',
    'every write; keep the latest out of band and pass it as --min-generation).',
    'Every process reading the file switches at the same moment; the next command',
    'that writes the file (add, promote, retire, ...) records the new states.',
    '',
    'Options:',
    ...KEYRING_HELP,
    '  --json                  print {"activeKeyId", "keys": [{"id", "state", "createdAt", "activatesAt"?, "fileState"?}], "policy", "generation"?}',
    '',
    'Example:',
    '  keyroll list --keyring keyring.json --json | jq -r \'.keys[] | select(.state == "decrypt-only") | .id\'',
  ].join('\n'),
  options: { ...KEYRING_OPTIONS, json: { type: 'boolean' } },
  async run({ values }, io) {
    const { ring, generation } = await loadKeyringArg(values, io);
    // State now (the keyring's view) next to the state the file records.
    const keys = ring.keys().map((info) => {
      const stored = ring.get(info.id);
      const fileState = stored !== undefined && stored.state !== info.state ? stored.state : undefined;
      const activatesAt = info.activatesAt ?? (stored?.state === 'pending' ? stored.activatesAt?.toISOString() : undefined);
      return { ...info, ...(activatesAt === undefined ? {} : { activatesAt }), ...(fileState === undefined ? {} : { fileState }) };
    });
    if (values['json'] === true) {
      io.stdout.write(`${JSON.stringify({ ...ring.toJSON(), keys, ...(generation === undefined ? {} : { generation }) })}\n`);
      return EXIT.OK;
    }
    const rows = keys.map((k) => [k.id, k.state, k.createdAt, k.activatesAt ?? '']);
    const header = ['ID', 'STATE', 'CREATED', 'ACTIVATES'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows]) io.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
    const changed = keys.filter((k) => k.fileState !== undefined);
    if (changed.length > 0) {
      io.stdout.write(
        `\nThe file still records ${changed.map((k) => `${k.id} as ${k.fileState}`).join(' and ')}: ` +
          `${ring.activeKeyId}'s activation time has passed, so it is active now for every process that reads the file. ` +
          'The next command that writes the file records the new states.\n',
      );
    }
    if (generation !== undefined) io.stdout.write(`sealed keyring, generation ${generation}\n`);
    return EXIT.OK;
  },
};
