/**
 * `keyroll import`: a keyroll keyring file from the platform's key file, a
 * Kubernetes Secret manifest (YAML or JSON), a directory of key files, or
 * the environment.
 * @module
 */
import { stat } from 'node:fs/promises';
import { fromUtf8 } from '../../bytes.js';
import { Keyring } from '../../keyring/keyring.js';
import { isPlatformKeyFile, isSealedText, platformKeyFileDocument } from '../../sources/index.js';
import { readFileChecked } from '../../sources/read.js';
import { EXIT, UsageError, type CliIO, type Command } from '../command.js';
import { keyringFileText, refuseOverwrite, requirePath, scryptFromArgs, unlockFromArgs, withScrypt, writeOut } from '../keyring-file.js';
import { loadLayoutArg } from '../keyring-source.js';

export const importCommand: Command = {
  name: 'import',
  summary: 'convert the platform key file, a Secret manifest or the environment into a keyroll keyring',
  help: [
    'Usage: keyroll import (--from FILE | --keyring-env) --out FILE',
    '                      [--master-key-env NAME | --passphrase-env NAME] [--scrypt-n N] [--force]',
    '',
    'Writes a keyroll keyring file (mode 0600, sealed when --master-key-env or',
    '--passphrase-env is given) from:',
    '  - the platform key file: {"activeKeyName": "...", "keys": {"<id>": "<secret>", ...}}',
    '  - a Kubernetes Secret manifest, YAML or JSON (platform or keyroll layout)',
    '  - a directory of key files, as a mounted secret',
    '  - with --keyring-env, the environment: ENCRYPTION_KEY, ACTIVE_ENCRYPTION_KEY_NAME and',
    '    OLD_ENC_KEYS (or oldEncKeys.json), or KEYROLL_KEYRING',
    'The active key stays active and every other key becomes decrypt-only; keys from the',
    'platform layout keep its rule (secrets whose length is a multiple of 16) as policy.',
    '',
    'Options:',
    '  --from FILE             the file or directory to convert',
    '  --keyring-env           convert the keyring in the environment',
    '  --out FILE              the keyroll keyring file to write',
    '  --master-key-env NAME   seal the output with the master key in this variable',
    '  --passphrase-env NAME   seal the output with the passphrase in this variable',
    '  --scrypt-n N            scrypt cost for a passphrase (power of two, default 131072)',
    '  --force                 replace an existing --out file (a backup is kept)',
    '',
    'Examples:',
    '  keyroll import --from keys.json --out keyring.json',
    '  kubectl get secret app-keys -o json > secret.json',
    '  keyroll import --from secret.json --out keyring.sealed --master-key-env KEYROLL_MASTER_KEY',
    '  keyroll import --keyring-env --out keyring.json',
  ].join('\n'),
  options: {
    from: { type: 'string' },
    'keyring-env': { type: 'boolean' },
    out: { type: 'string' },
    'master-key-env': { type: 'string' },
    'passphrase-env': { type: 'string' },
    'scrypt-n': { type: 'string' },
    force: { type: 'boolean' },
  },
  async run({ values }, io) {
    const fromEnv = values['keyring-env'] === true;
    if (fromEnv === (values['from'] !== undefined)) throw new UsageError('pass exactly one of --from FILE and --keyring-env');
    const out = requirePath(values, 'out', io);
    const unlock = unlockFromArgs(values, io);
    const seal = unlock === undefined ? undefined : withScrypt(unlock, scryptFromArgs(values));
    if (unlock === undefined && values['scrypt-n'] !== undefined) throw new UsageError('--scrypt-n applies to --passphrase-env only');
    const from = fromEnv ? undefined : requirePath(values, 'from', io);
    if (from !== undefined && from === out) throw new UsageError('--out must differ from --from');
    await refuseOverwrite(out, values['force'] === true);
    const { ring, label } = await readInput(from, io);
    const backup = await writeOut(out, await keyringFileText(ring, seal), io);
    const keys = ring.keys();
    io.stdout.write(`imported ${keys.length} key${keys.length === 1 ? '' : 's'} from ${label} into ${out}${seal ? ' (sealed)' : ''}; active key "${ring.activeKeyId}"${backup ? `; backup ${backup}` : ''}\n`);
    return EXIT.OK;
  },
};

async function readInput(from: string | undefined, io: CliIO): Promise<{ ring: Keyring; label: string }> {
  if (from === undefined) {
    const loaded = await loadLayoutArg({ 'keyring-env': true }, io);
    return { ring: loaded!.ring, label: 'the environment' };
  }
  const info = await stat(from).catch(() => undefined);
  if (info?.isFile() === true) {
    const text = fromUtf8((await readFileChecked(from)).bytes, from);
    if (isSealedText(text)) throw new UsageError(`${from} is already a sealed keyroll keyring; use keyroll unseal or keyroll seal`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined; // YAML, or not JSON at all: the manifest reader reports it
    }
    if (isPlatformKeyFile(parsed)) return { ring: Keyring.fromJSON(platformKeyFileDocument(text, `key file ${from}`)), label: `key file ${from}` };
    if (typeof parsed === 'object' && parsed !== null && (parsed as { format?: unknown }).format === 'keyroll.keyring') {
      throw new UsageError(`${from} is already a keyroll keyring; use keyroll seal to seal it`);
    }
  }
  const loaded = await loadLayoutArg({ keyring: from }, io);
  if (loaded === undefined) {
    throw new UsageError(`${from} is neither the platform key file ({"activeKeyName", "keys"}), a Kubernetes Secret manifest nor a directory of key files`);
  }
  return { ring: loaded.ring, label: loaded.layout.kind === 'directory' ? `directory ${from}` : `manifest ${from}` };
}
