/**
 * Keyrings a command reads from something other than a keyroll keyring file:
 * a directory with one file per field (the platform layout or the keyroll
 * layout, as Kubernetes mounts a secret), a Kubernetes Secret manifest (YAML
 * or JSON), or the environment (`--keyring-env`). Writes go back in the same
 * layout where one file can hold it (a manifest); a directory and the
 * environment are refused with the command to use instead.
 * @module
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fail } from '../errors.js';
import { fromUtf8 } from '../bytes.js';
import type { KeyringDocument } from '../document/index.js';
import { Keyring } from '../keyring/keyring.js';
import { loadKeyringFromDirectory, loadKeyringFromEnv, platformKeysOf, serializeOldKeys, PLATFORM } from '../sources/index.js';
import { documentFromFields } from '../sources/fields.js';
import { isSealedText } from '../sources/sealed.js';
import { readFileChecked } from '../sources/read.js';
import { UsageError, type CliIO } from './command.js';
import { looksLikeManifest, readSecret, renderSecret, type SecretManifest } from './k8s-manifest.js';

/** The keyroll layout's field in a manifest or directory. */
export const KEYROLL_FIELD = 'keyring.json';

/** Where a keyring that is not a keyroll keyring file came from. */
export type KeyringLayout =
  | { readonly kind: 'directory'; readonly path: string }
  | { readonly kind: 'manifest'; readonly path: string; readonly manifest: SecretManifest; readonly layout: 'keyroll' | 'platform' }
  | { readonly kind: 'env' };

/** A keyring loaded from a layout. */
export interface LayoutKeyring {
  readonly ring: Keyring;
  readonly path: string;
  readonly layout: KeyringLayout;
  /** A manifest's bytes as read: a write checks the file still holds them. */
  readonly bytes?: Uint8Array;
}

/**
 * Loads `--keyring-env`, or `--keyring` when it names a directory or a
 * manifest; `undefined` when `--keyring` names a keyroll keyring file (plain
 * or sealed), which the caller loads as before. `minGeneration`
 * (`--min-generation`) applies to a sealed `KEYROLL_KEYRING_FILE`; a
 * directory or a manifest, which have no generation, is then refused.
 * @example
 * ```ts
 * const other = await loadLayoutArg(values, io); // undefined for keyring.json
 * ```
 */
export async function loadLayoutArg(values: Record<string, unknown>, io: CliIO, minGeneration?: number): Promise<LayoutKeyring | undefined> {
  const fromEnv = values['keyring-env'] === true;
  const given = values['keyring'];
  if (fromEnv) {
    if (given !== undefined) throw new UsageError('pass --keyring or --keyring-env, not both');
    if (values['master-key-env'] !== undefined || values['passphrase-env'] !== undefined) {
      throw new UsageError('--keyring-env reads KEYROLL_MASTER_KEY or KEYROLL_PASSPHRASE itself; --master-key-env and --passphrase-env apply to --keyring');
    }
    const document = await loadKeyringFromEnv(io.env, { minGeneration });
    return { ring: Keyring.fromJSON(document as object), path: 'the environment', layout: { kind: 'env' } };
  }
  if (typeof given !== 'string' || given === '') return undefined;
  const path = resolve(io.cwd, given);
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory() === true) {
    refuseUnlock(values, `${path} is a directory`);
    refuseGeneration(minGeneration, `directory ${path}`);
    return { ring: Keyring.fromJSON((await loadKeyringFromDirectory(path)) as object), path, layout: { kind: 'directory', path } };
  }
  if (info?.isFile() !== true) return undefined; // the keyring file loader reports it
  const { bytes } = await readFileChecked(path);
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch {
    return undefined;
  }
  if (isSealedText(text) || !looksLikeManifest(text)) return undefined;
  refuseUnlock(values, `${path} is a Kubernetes manifest`);
  refuseGeneration(minGeneration, `manifest ${path}`);
  const manifest = readSecret(text);
  const label = `manifest ${path}`;
  const document = await documentFromFields({
    get: (field) => manifest.fields.get(field),
    describe: (field) => `${label} field ${field}`,
    label,
    documentFields: [KEYROLL_FIELD, 'KEYROLL_KEYRING'],
  });
  const layout = manifest.fields.has(KEYROLL_FIELD) || manifest.fields.has('KEYROLL_KEYRING') ? 'keyroll' : 'platform';
  return { ring: Keyring.fromJSON(document as object), path, layout: { kind: 'manifest', path, manifest, layout }, bytes };
}

function refuseGeneration(minGeneration: number | undefined, what: string): void {
  if (minGeneration !== undefined) fail('ERR_INVALID_KEYRING', `${what} has no generation; --min-generation applies to sealed keyring files`);
}

function refuseUnlock(values: Record<string, unknown>, what: string): void {
  if (values['master-key-env'] !== undefined || values['passphrase-env'] !== undefined) {
    throw new UsageError(`${what}; --master-key-env and --passphrase-env apply to sealed keyring files`);
  }
}

/**
 * The fields of a Secret holding `document` in a layout, refused clearly when
 * the platform layout cannot express it.
 * @example
 * ```ts
 * secretFields(ring.export(), 'platform'); // Map { ACTIVE_ENCRYPTION_KEY_NAME => ..., ENCRYPTION_KEY => ..., oldEncKeys.json => ... }
 * ```
 */
export function secretFields(document: KeyringDocument, layout: 'keyroll' | 'platform'): Map<string, string> {
  if (layout === 'keyroll') return new Map([[KEYROLL_FIELD, JSON.stringify(document)]]);
  const keys = platformKeysOf(document);
  return new Map([
    [PLATFORM.name, keys.activeId],
    [PLATFORM.key, keys.secret],
    [PLATFORM.old, serializeOldKeys(keys.old)],
  ]);
}

/**
 * The new content of a layout that a command changed, or a refusal naming
 * what to do instead. Only manifests are written back (one file, replaced
 * atomically); the platform layout refuses keys it cannot hold. The
 * manifest's annotations are kept (but kubectl's last-applied copy, which
 * holds old secrets), or replaced by `annotations`.
 * @example
 * ```ts
 * const text = layoutText(loaded.layout, next);
 * ```
 */
export function layoutText(layout: KeyringLayout, ring: Keyring, annotations?: ReadonlyMap<string, string>): string {
  if (layout.kind === 'env') {
    return fail('ERR_INVALID_ARGUMENT', 'the environment cannot be written; convert it with keyroll import --keyring-env --out keyring.json, or print a Secret with keyroll k8s-secret');
  }
  if (layout.kind === 'directory') {
    return fail('ERR_INVALID_ARGUMENT', `${layout.path} is a directory of key files, which cannot be replaced in one atomic step; change the Secret it is mounted from (keyroll k8s-secret) or convert it with keyroll import --keyring ${layout.path} --out keyring.json`);
  }
  Keyring.fromJSON(ring.export());
  const { manifest } = layout;
  const fields = secretFields(ring.export(), layout.layout);
  if (layout.layout === 'keyroll' && manifest.fields.has('KEYROLL_KEYRING')) {
    fields.set('KEYROLL_KEYRING', fields.get(KEYROLL_FIELD)!);
    fields.delete(KEYROLL_FIELD);
  }
  // Other fields of the Secret are kept as they were.
  const known = new Set([KEYROLL_FIELD, 'KEYROLL_KEYRING', PLATFORM.key, PLATFORM.name, PLATFORM.old, PLATFORM.oldAlias]);
  for (const [field, value] of manifest.fields) if (!known.has(field)) fields.set(field, value);
  if (manifest.name === undefined) return fail('ERR_INVALID_ARGUMENT', `manifest ${layout.path} has no metadata.name; it cannot be written back`);
  return renderSecret({ name: manifest.name, namespace: manifest.namespace, fields, annotations: annotations ?? manifest.annotations, syntax: manifest.syntax });
}
