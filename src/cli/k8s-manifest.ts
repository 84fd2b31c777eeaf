/**
 * Kubernetes `Secret` manifests: rendering (apiVersion v1, kind Secret, type
 * Opaque, base64 `data:`) and reading back the fields of an existing one
 * (`data:` base64 values or `stringData:` plain values).
 * @module
 */
import { fail } from '../errors.js';
import { printable } from '../args.js';
import { fromBase64Strict, fromUtf8 } from '../bytes.js';
import { UsageError } from './command.js';
import { parseSecretJson } from '../sources/read.js';
import { parseYaml, type YamlMap, type YamlNode } from './yaml-lite.js';

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const FIELD = /^[-._a-zA-Z0-9]+$/;

/**
 * Checks a Secret name (DNS subdomain) or namespace (DNS label); bad usage otherwise.
 * @example
 * ```ts
 * checkK8sName('app-keys', 'name');
 * ```
 */
export function checkK8sName(value: string, what: 'name' | 'namespace'): string {
  const ok = what === 'name' ? NAME.test(value) && value.length <= 253 : NAMESPACE.test(value) && value.length <= 63;
  if (!ok) throw new UsageError(`--${what} must be ${what === 'name' ? 'a DNS subdomain (a-z 0-9 - ., at most 253)' : 'a DNS label (a-z 0-9 -, at most 63)'}`);
  return value;
}

/** What a Secret manifest holds, for keyroll's purposes. */
export interface SecretManifest {
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  /** Decoded field values, by field name. */
  readonly fields: Map<string, string>;
  /** `metadata.annotations` with string values (never secrets: `keyroll rotate` keeps its record there). */
  readonly annotations?: ReadonlyMap<string, string>;
  /** The manifest's syntax: what a command that writes it back writes. */
  readonly syntax: 'yaml' | 'json';
}

/**
 * True when `text` looks like a Kubernetes manifest (YAML or JSON) rather
 * than a keyring document: JSON with `kind` or `apiVersion`, or YAML whose
 * first mapping key is one of a manifest's top-level keys.
 * @example
 * ```ts
 * looksLikeManifest('apiVersion: v1\nkind: Secret\n'); // true
 * ```
 */
export function looksLikeManifest(text: string): boolean {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body.startsWith('{')) return /^\{\s*"(apiVersion|kind)"\s*:/.test(body) || /"kind"\s*:\s*"Secret"/.test(body.slice(0, 4096));
  const first = body.split('\n').find((l) => l.trim() !== '' && !l.trimStart().startsWith('#') && !/^---\s*$/.test(l));
  return first !== undefined && /^(apiVersion|kind|metadata|data|stringData|type)\s*:/.test(first);
}

/**
 * Renders a Secret manifest with base64 `data:` values, fields in the given order.
 * @example
 * ```ts
 * renderSecret({ name: 'app-keys', namespace: 'prod', fields: new Map([['keyring.json', json]]) });
 * ```
 */
export function renderSecret(manifest: RenderedSecret): string {
  if (manifest.syntax === 'json') return renderSecretJson(manifest);
  const lines = ['apiVersion: v1', 'kind: Secret', 'metadata:', `  name: ${manifest.name}`];
  if (manifest.namespace !== undefined) lines.push(`  namespace: ${manifest.namespace}`);
  const annotations = keptAnnotations(manifest.annotations);
  if (annotations.size > 0) {
    lines.push('  annotations:');
    // Single-quoted scalars: any printable text, with ' doubled.
    for (const [key, value] of annotations) lines.push(`    ${key}: '${value.replace(/'/g, "''")}'`);
  }
  lines.push('type: Opaque', 'data:');
  for (const [field, value] of manifest.fields) {
    if (!FIELD.test(field)) fail('ERR_INVALID_ARGUMENT', 'a Secret field name must be made of - . _ a-z A-Z 0-9');
    lines.push(`  ${field}: ${Buffer.from(value, 'utf8').toString('base64')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** What {@link renderSecret} writes. */
export interface RenderedSecret {
  readonly name: string;
  readonly namespace?: string | undefined;
  readonly fields: ReadonlyMap<string, string>;
  readonly annotations?: ReadonlyMap<string, string> | undefined;
  readonly syntax?: 'yaml' | 'json';
}

/** kubectl's last-applied copy holds the previous data (old secrets): never carried over. */
const DROPPED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const ANNOTATION_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function keptAnnotations(annotations: ReadonlyMap<string, string> | undefined): Map<string, string> {
  const kept = new Map<string, string>();
  for (const [key, value] of annotations ?? []) {
    if (key === DROPPED_ANNOTATION) continue;
    if (!ANNOTATION_KEY.test(key) || key.length > 316) fail('ERR_INVALID_ARGUMENT', `manifest: annotation "${printable(key, 64)}" is not a valid annotation key`);
    if (!/^[\x20-\x7e]*$/.test(value)) fail('ERR_INVALID_ARGUMENT', `manifest: annotation "${printable(key, 64)}" holds a character outside printable ASCII`);
    kept.set(key, value);
  }
  return kept;
}

function renderSecretJson(manifest: RenderedSecret): string {
  const data = new Map<string, string>();
  for (const [field, value] of manifest.fields) {
    if (!FIELD.test(field)) fail('ERR_INVALID_ARGUMENT', 'a Secret field name must be made of - . _ a-z A-Z 0-9');
    data.set(field, Buffer.from(value, 'utf8').toString('base64'));
  }
  const annotations = keptAnnotations(manifest.annotations);
  const metadata = {
    name: manifest.name,
    ...(manifest.namespace === undefined ? {} : { namespace: manifest.namespace }),
    ...(annotations.size === 0 ? {} : { annotations: Object.fromEntries(annotations) }),
  };
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', data: Object.fromEntries(data) }, null, 2)}\n`;
}

const isMap = (node: YamlNode | undefined): node is YamlMap => node instanceof Map;

/** A JSON manifest as the YAML reader's nodes (Maps, so any field name is safe). */
function jsonToNode(value: unknown): YamlNode {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, jsonToNode(v)]));
  }
  return { opaque: true };
}

/**
 * Reads a Secret manifest's name, namespace and fields. `data` values are
 * strict base64 of UTF-8 text; `stringData` values are taken as they are; a
 * field in both with different values is refused.
 * @example
 * ```ts
 * const { fields } = readSecret(fs.readFileSync('secret.yaml', 'utf8'));
 * fields.get('ACTIVE_ENCRYPTION_KEY_NAME'); // 'mykey'
 * ```
 */
export function readSecret(text: string): SecretManifest {
  const json = text.replace(/^\uFEFF/, '').trimStart().startsWith('{');
  const doc = json ? jsonToNode(parseSecretJson(text, 'manifest')) : parseYaml(text);
  if (!isMap(doc)) fail('ERR_INVALID_ARGUMENT', 'manifest: not a JSON object');
  const kind = doc.get('kind');
  if (kind !== undefined && kind !== 'Secret') fail('ERR_INVALID_ARGUMENT', 'manifest: kind is not Secret');
  const meta = doc.get('metadata');
  const name = isMap(meta) && typeof meta.get('name') === 'string' ? (meta.get('name') as string) : undefined;
  const namespace = isMap(meta) && typeof meta.get('namespace') === 'string' ? (meta.get('namespace') as string) : undefined;
  const annotations = new Map<string, string>();
  const notes = isMap(meta) ? meta.get('annotations') : undefined;
  if (isMap(notes)) for (const [key, value] of notes) if (typeof value === 'string') annotations.set(key, value);
  const fields = new Map<string, string>();
  const data = doc.get('data');
  if (data !== undefined && data !== '' && !isMap(data)) fail('ERR_INVALID_ARGUMENT', 'manifest: data is not a mapping');
  if (isMap(data)) {
    for (const [field, value] of data) {
      const bytes = typeof value === 'string' ? fromBase64Strict(value.replace(/\s+/g, '')) : undefined;
      if (bytes === undefined) fail('ERR_INVALID_ARGUMENT', `manifest: data.${printable(field, 64)} is not valid base64`);
      try {
        fields.set(field, fromUtf8(bytes));
      } catch {
        fail('ERR_INVALID_ARGUMENT', `manifest: data.${printable(field, 64)} is not UTF-8 text`);
      }
    }
  }
  const stringData = doc.get('stringData');
  if (stringData !== undefined && stringData !== '' && !isMap(stringData)) fail('ERR_INVALID_ARGUMENT', 'manifest: stringData is not a mapping');
  if (isMap(stringData)) {
    for (const [field, value] of stringData) {
      if (typeof value !== 'string') fail('ERR_INVALID_ARGUMENT', `manifest: stringData.${printable(field, 64)} is not a plain value`);
      if (fields.has(field) && fields.get(field) !== value) fail('ERR_INVALID_ARGUMENT', `manifest: ${printable(field, 64)} is in both data and stringData with different values`);
      fields.set(field, value);
    }
  }
  return { name, namespace, fields, annotations, syntax: json ? 'json' : 'yaml' };
}
