/**
 * `keyroll k8s-secret`: a Kubernetes Secret manifest from a keyring (keyroll
 * or platform layout), or `--rotate` an existing platform manifest in one step.
 * @module
 */
import { resolve } from 'node:path';
import { fromUtf8 } from '../../bytes.js';
import { Keyring } from '../../keyring/keyring.js';
import { generateKey } from '../../keyring/generate.js';
import { checkPlatformSecret, PLATFORM } from '../../sources/index.js';
import { documentFromFields } from '../../sources/fields.js';
import { readFileChecked } from '../../sources/read.js';
import { EXIT, UsageError, type CliIO, type Command } from '../command.js';
import { checkK8sName, readSecret, renderSecret } from '../k8s-manifest.js';
import { KEYRING_HELP, KEYRING_OPTIONS, loadKeyringArg } from '../keyring-file.js';
import { KEYROLL_FIELD, secretFields } from '../keyring-source.js';
import { keyIdArg } from '../key-id.js';
import { readSecretStdin, readStdin } from '../stdin.js';
import { platformSecret } from './keygen.js';

export { KEYROLL_FIELD };

export const k8sSecretCommand: Command = {
  name: 'k8s-secret',
  summary: 'print a Kubernetes Secret manifest, or rotate an existing one',
  help: [
    'Usage: keyroll k8s-secret --keyring FILE --name NAME [--layout keyroll|platform] [--namespace NS]',
    '       keyroll k8s-secret --rotate --from MANIFEST (--generate | --secret-stdin) --new-id ID',
    '                          [--name NAME] [--namespace NS]',
    '',
    'Prints a Secret (apiVersion v1, kind Secret, type Opaque) with base64 data values.',
    'It holds secrets: pipe it to kubectl apply -f - rather than into a file.',
    `  keyroll layout: one field, ${KEYROLL_FIELD}, holding the keyring document.`,
    `  platform layout: exactly ${PLATFORM.key}, ${PLATFORM.name}, ${PLATFORM.old}; every key`,
    '    must be a printable-ASCII utf8 secret of a length that is a multiple of 16, and',
    '    only the active key and decrypt-only keys can be expressed.',
    '',
    '--rotate reads an existing manifest (YAML or JSON; data: or stringData:), makes the',
    'new key active and the old active key decrypt-only (in the platform layout: moves it',
    `into ${PLATFORM.old}), and prints the new manifest in the same layout and syntax`,
    '(name and namespace kept unless overridden; other metadata is not). In the keyroll',
    'layout --generate makes a 32-byte random key; in the platform layout, 32 hex characters.',
    '',
    'Options:',
    ...KEYRING_HELP,
    '  --name NAME             metadata.name of the Secret',
    '  --namespace NS          metadata.namespace',
    '  --layout L              keyroll (default) or platform',
    '  --rotate                rotate the manifest given by --from',
    '  --from MANIFEST         the current manifest file ("-" for stdin, with --generate)',
    '  --new-id ID             the new active key id',
    '  --generate              a new random secret',
    '  --secret-stdin          read the new secret from stdin (one trailing newline trimmed)',
    '',
    'Examples:',
    '  keyroll k8s-secret --keyring keyring.json --name app-keys --namespace prod | kubectl apply -f -',
    '  kubectl get secret app-keys -o yaml > current.yaml',
    '  keyroll k8s-secret --rotate --from current.yaml --generate --new-id key-2026-12 | kubectl apply -f -',
  ].join('\n'),
  options: {
    ...KEYRING_OPTIONS,
    name: { type: 'string' },
    namespace: { type: 'string' },
    layout: { type: 'string' },
    rotate: { type: 'boolean' },
    from: { type: 'string' },
    'new-id': { type: 'string' },
    generate: { type: 'boolean' },
    'secret-stdin': { type: 'boolean' },
  },
  async run({ values }, io) {
    const name = values['name'] === undefined ? undefined : checkK8sName(values['name'] as string, 'name');
    const namespace = values['namespace'] === undefined ? undefined : checkK8sName(values['namespace'] as string, 'namespace');
    if (values['rotate'] === true) return rotate(values, io, name, namespace);
    for (const option of ['from', 'new-id', 'generate', 'secret-stdin']) {
      if (values[option] !== undefined) throw new UsageError(`--${option} applies to --rotate only`);
    }
    if (name === undefined) throw new UsageError('--name NAME is required');
    const layout = (values['layout'] as string | undefined) ?? 'keyroll';
    if (layout !== 'keyroll' && layout !== 'platform') throw new UsageError('--layout must be keyroll or platform');
    const { ring } = await loadKeyringArg(values, io);
    const fields = secretFields(ring.export(), layout);
    io.stdout.write(renderSecret({ name, namespace, fields }));
    return EXIT.OK;
  },
};

async function rotate(values: Record<string, unknown>, io: CliIO, name: string | undefined, namespace: string | undefined): Promise<number> {
  for (const option of ['keyring', 'keyring-env', 'layout', 'master-key-env', 'passphrase-env']) {
    if (values[option] !== undefined) throw new UsageError(`--${option} does not apply to --rotate`);
  }
  const from = values['from'] as string | undefined;
  if (from === undefined || from === '') throw new UsageError('--rotate needs --from MANIFEST');
  const newId = keyIdArg(values['new-id'] as string | undefined, '--new-id');
  const generate = values['generate'] === true;
  const fromStdin = values['secret-stdin'] === true;
  if (generate === fromStdin) throw new UsageError('pass exactly one of --generate and --secret-stdin');
  if (from === '-' && fromStdin) throw new UsageError('--from - and --secret-stdin both want stdin; pass the manifest as a file');

  const path = from === '-' ? undefined : resolve(io.cwd, from);
  const bytes = path === undefined ? await readStdin(io, 'the manifest') : (await readFileChecked(path)).bytes;
  const manifest = readSecret(fromUtf8(bytes, 'the manifest'));
  const label = path === undefined ? 'the manifest on stdin' : `manifest ${path}`;
  const layout = manifest.fields.has(KEYROLL_FIELD) || manifest.fields.has('KEYROLL_KEYRING') ? 'keyroll' : 'platform';
  const current = await documentFromFields({
    get: (field) => manifest.fields.get(field),
    describe: (field) => `${label} field ${field}`,
    label,
    documentFields: [KEYROLL_FIELD, 'KEYROLL_KEYRING'],
  });
  const ring = Keyring.fromJSON(current as object); // every rule, before anything is printed
  const previousId = ring.activeKeyId;
  if (ring.has(newId)) throw new UsageError(`key id "${newId}" is already in ${label}; choose a new id`);
  let next: Keyring;
  if (layout === 'platform') {
    const secret = generate ? platformSecret() : checkPlatformSecret(await readSecretStdin(io), newId, 'the new secret');
    next = ring.add({ id: newId, secret, encoding: 'utf8' }, { activate: true });
  } else {
    next = ring.add(generate ? generateKey({ id: newId }) : { id: newId, secret: await readSecretStdin(io), encoding: 'utf8' }, { activate: true });
  }
  const fields = secretFields(next.export(), layout);
  if (layout === 'keyroll' && manifest.fields.has('KEYROLL_KEYRING')) {
    fields.set('KEYROLL_KEYRING', fields.get(KEYROLL_FIELD)!);
    fields.delete(KEYROLL_FIELD);
  }
  const outName = name ?? (manifest.name === undefined ? undefined : checkK8sName(manifest.name, 'name'));
  if (outName === undefined) throw new UsageError(`${label} has no metadata.name; pass --name NAME`);
  const outNamespace = namespace ?? (manifest.namespace === undefined ? undefined : checkK8sName(manifest.namespace, 'namespace'));
  io.stdout.write(renderSecret({ name: outName, namespace: outNamespace, fields, syntax: manifest.syntax }));
  const old = next.keys().filter((k) => k.state === 'decrypt-only').length;
  const where = layout === 'platform' ? PLATFORM.old : 'decrypt-only';
  io.stderr.write(`keyroll k8s-secret: new active key "${newId}"; "${previousId}" moved to ${where} (${old} old key${old === 1 ? '' : 's'})\n`);
  return EXIT.OK;
}
