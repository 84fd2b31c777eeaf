/**
 * `keyroll/prisma`: a Prisma Client extension that encrypts configured
 * fields on every write (create, update, upsert, the `*Many` forms and
 * nested writes), decrypts them on every read (including `select`,
 * `include` and relations), rewrites `where` on an indexed field into a
 * blind index lookup over the candidates, and reports stale values for lazy
 * re-encryption. Values are bound to `{ table: model, column: field }`.
 *
 * @example
 * ```ts
 * import { PrismaClient } from './generated/prisma/client';
 * import { fieldEncryption } from 'keyroll/prisma';
 * const prisma = new PrismaClient({ adapter }).$extends(fieldEncryption({
 *   keyring: ring,
 *   models: { User: { email: { index: { field: 'emailIdx', purpose: 'users.email', normalize: { trim: true, caseFold: true } } } } },
 * }));
 * await prisma.user.create({ data: { email: 'ann@example.com' } }); // emailIdx filled in
 * await prisma.user.findFirst({ where: { email: 'Ann@Example.com' } }); // found through the index
 * ```
 * @module keyroll/prisma
 */
import { fail } from '../errors.js';
import { checkOptions, printable } from '../args.js';
import { indexSpec, type BlindIndexOptions } from '../lookup/index.js';
import type { Keyring } from '../keyring/keyring.js';
import { checkKeyringSource, resolveKeyring, type KeyringSource } from './source.js';

export type { KeyringSource } from './source.js';

/**
 * A blind index kept next to an encrypted field: the index field's name and the index definition.
 * @example
 * ```ts
 * const index: PrismaIndexConfig = { field: 'emailIdx', purpose: 'users.email', bits: 256 };
 * ```
 */
export interface PrismaIndexConfig extends BlindIndexOptions {
  /** The scalar field (a String column) holding the index. */
  readonly field: string;
}

/**
 * How one field is encrypted.
 * @example
 * ```ts
 * const email: PrismaFieldConfig = { index: { field: 'emailIdx', purpose: 'users.email' } };
 * ```
 */
export interface PrismaFieldConfig {
  /** A blind index to fill on writes and to use for `where` on this field. */
  readonly index?: PrismaIndexConfig;
}

/**
 * A stale value seen on read (its key is older than the active key).
 * @example
 * ```ts
 * onStale: ({ model, field, id }) => refreshQueue.push({ model, field, id })
 * ```
 */
export interface PrismaStaleValue {
  readonly model: string;
  readonly field: string;
  readonly keyId: string;
  /** The record's id field, when the result selected it. */
  readonly id?: unknown;
}

/**
 * Options of {@link fieldEncryption}.
 * @example
 * ```ts
 * fieldEncryption({ keyring: watcher, models: { User: { email: {}, phone: {} } }, onStale: (s) => queue.push(s) });
 * ```
 */
export interface PrismaEncryptionOptions {
  /** The keyring, a watcher (`{ current }`) or a function returning the keyring. */
  readonly keyring: KeyringSource;
  /** Encrypted fields per model (model names as in the schema): String fields only. */
  readonly models: Readonly<Record<string, Readonly<Record<string, PrismaFieldConfig>>>>;
  /** Called for each value read under a key older than the active key. */
  readonly onStale?: (value: PrismaStaleValue) => void;
  /** The id field reported with stale values (default `id`). */
  readonly idField?: string;
}

interface RuntimeField { readonly name: string; readonly kind: string; readonly type: string; readonly relationName?: string }
interface RuntimeDataModel { readonly models: Record<string, { readonly fields: readonly RuntimeField[] }> }
type Data = Record<string, unknown>;

const OPTION_KEYS = ['keyring', 'models', 'onStale', 'idField'] as const;
const FIELD_KEYS = ['index'] as const;
const READS_RESULT = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'create', 'createManyAndReturn', 'update', 'updateManyAndReturn', 'upsert', 'delete']);
const isObject = (v: unknown): v is Data => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);

/**
 * The Prisma Client extension. Pass it to `$extends`; it reads the client's
 * data model for relations.
 * @example
 * ```ts
 * const prisma = new PrismaClient({ adapter }).$extends(fieldEncryption({ keyring: ring, models: { User: { email: {} } } }));
 * ```
 */
export function fieldEncryption(options: PrismaEncryptionOptions): (client: unknown) => unknown {
  if (options === undefined) fail('ERR_INVALID_ARGUMENT', 'fieldEncryption takes { keyring, models }');
  checkOptions(options, OPTION_KEYS, 'fieldEncryption options');
  const source = checkKeyringSource(options.keyring);
  const { onStale, idField = 'id' } = options;
  if (onStale !== undefined && typeof onStale !== 'function') fail('ERR_INVALID_ARGUMENT', 'fieldEncryption: onStale must be a function');
  if (!isObject(options.models)) fail('ERR_INVALID_ARGUMENT', 'fieldEncryption: models must map model names to their encrypted fields');
  const models = new Map<string, Map<string, PrismaFieldConfig>>();
  for (const [model, fields] of Object.entries(options.models)) {
    if (!isObject(fields)) fail('ERR_INVALID_ARGUMENT', `fieldEncryption: models.${model} must map field names to { index? }`);
    const map = new Map<string, PrismaFieldConfig>();
    for (const [field, config] of Object.entries(fields)) {
      if (!isObject(config)) fail('ERR_INVALID_ARGUMENT', `fieldEncryption: models.${model}.${field} must be an object ({} or { index })`);
      checkOptions(config, FIELD_KEYS, `fieldEncryption models.${printable(model, 40)}.${printable(field, 40)}`);
      const index = (config as PrismaFieldConfig).index;
      if (index !== undefined) {
        const { field: indexField, ...definition } = index;
        if (typeof indexField !== 'string' || indexField === '') fail('ERR_INVALID_ARGUMENT', `fieldEncryption: models.${model}.${field}.index.field must name the index field`);
        indexSpec(definition); // checks the definition once, at configuration
      }
      map.set(field, config as PrismaFieldConfig);
    }
    models.set(model, map);
  }

  return (client: unknown) => {
    const dataModel = (client as { _runtimeDataModel?: RuntimeDataModel })._runtimeDataModel;
    if (dataModel === undefined || !isObject(dataModel.models)) fail('ERR_MISSING_DEPENDENCY', 'keyroll/prisma needs a Prisma Client (5 or later) with its runtime data model');
    for (const [model, fields] of models) {
      const known = dataModel.models[model];
      if (known === undefined) fail('ERR_INVALID_ARGUMENT', `fieldEncryption: the schema has no model "${model}"`);
      for (const [field, config] of fields) {
        const f = known.fields.find((x) => x.name === field);
        if (f === undefined || f.kind !== 'scalar' || f.type !== 'String') fail('ERR_INVALID_ARGUMENT', `fieldEncryption: ${model}.${field} must be a String field of the schema`);
        const idx = config.index && known.fields.find((x) => x.name === config.index!.field);
        if (config.index && (idx === undefined || idx.kind !== 'scalar' || idx.type !== 'String')) fail('ERR_INVALID_ARGUMENT', `fieldEncryption: ${model}.${config.index.field} (the index of ${field}) must be a String field of the schema`);
      }
    }
    const rules = new Rules(source, models, dataModel, onStale, idField);
    return (client as { $extends(ext: unknown): unknown }).$extends({
      name: 'keyroll-field-encryption',
      query: {
        $allModels: {
          async $allOperations({ model, operation, args, query }: { model: string; operation: string; args: Data; query: (args: Data) => Promise<unknown> }) {
            const ring = rules.ring();
            const next = rules.prepareArgs(ring, model, operation, args ?? {});
            const result = await query(next);
            return READS_RESULT.has(operation) ? rules.decryptResult(ring, model, result) : result;
          },
        },
      },
    });
  };
}

/** The write, where and read transformations over the schema's relations. */
class Rules {
  constructor(
    private readonly source: KeyringSource,
    private readonly models: Map<string, Map<string, PrismaFieldConfig>>,
    private readonly dataModel: RuntimeDataModel,
    private readonly onStale: PrismaEncryptionOptions['onStale'],
    private readonly idField: string,
  ) {}

  ring(): Keyring {
    return resolveKeyring(this.source);
  }

  private relation(model: string, field: string): string | undefined {
    const f = this.dataModel.models[model]?.fields.find((x) => x.name === field);
    return f !== undefined && f.kind === 'object' ? f.type : undefined;
  }

  prepareArgs(ring: Keyring, model: string, operation: string, args: Data): Data {
    const out: Data = { ...args };
    if ('where' in out) out['where'] = this.where(ring, model, out['where']);
    if (operation === 'upsert') {
      out['create'] = this.writeData(ring, model, out['create']);
      out['update'] = this.writeData(ring, model, out['update']);
    } else if ('data' in out) {
      out['data'] = Array.isArray(out['data']) ? out['data'].map((d) => this.writeData(ring, model, d)) : this.writeData(ring, model, out['data']);
    }
    for (const key of ['include', 'select'] as const) if (isObject(out[key])) out[key] = this.selection(ring, model, out[key] as Data);
    return out;
  }

  /** Filters inside include/select of relations (`include: { posts: { where: ... } }`). */
  private selection(ring: Keyring, model: string, selection: Data): Data {
    const out: Data = { ...selection };
    for (const [field, value] of Object.entries(selection)) {
      const target = this.relation(model, field);
      if (target === undefined || !isObject(value)) continue;
      const nested: Data = { ...value };
      if ('where' in nested) nested['where'] = this.where(ring, target, nested['where']);
      for (const key of ['include', 'select'] as const) if (isObject(nested[key])) nested[key] = this.selection(ring, target, nested[key] as Data);
      out[field] = nested;
    }
    return out;
  }

  private writeData(ring: Keyring, model: string, data: unknown): unknown {
    if (!isObject(data)) return data;
    const fields = this.models.get(model);
    const out: Data = { ...data };
    for (const [key, value] of Object.entries(data)) {
      const config = fields?.get(key);
      if (config !== undefined) {
        const plain = isObject(value) && 'set' in value ? value['set'] : value;
        if (plain === null || plain === undefined) continue;
        if (typeof plain !== 'string') fail('ERR_INVALID_ARGUMENT', `${model}.${key} is encrypted: write a string (or null)`);
        out[key] = ring.encrypt(plain, { context: { table: model, column: key } });
        if (config.index !== undefined && !(config.index.field in data)) {
          const { field, ...definition } = config.index;
          out[field] = ring.blindIndex(plain, definition);
        }
        continue;
      }
      const target = this.relation(model, key);
      if (target !== undefined && isObject(value)) out[key] = this.nestedWrite(ring, target, value);
    }
    return out;
  }

  private nestedWrite(ring: Keyring, model: string, ops: Data): Data {
    const each = (v: unknown, fn: (x: unknown) => unknown) => (Array.isArray(v) ? v.map(fn) : fn(v));
    const out: Data = { ...ops };
    for (const [op, value] of Object.entries(ops)) {
      switch (op) {
        case 'create':
          out[op] = each(value, (d) => this.writeData(ring, model, d));
          break;
        case 'createMany':
          out[op] = isObject(value) ? { ...value, data: each(value['data'], (d) => this.writeData(ring, model, d)) } : value;
          break;
        case 'connectOrCreate':
          out[op] = each(value, (v) => (isObject(v) ? { ...v, where: this.where(ring, model, v['where']), create: this.writeData(ring, model, v['create']) } : v));
          break;
        case 'upsert':
          out[op] = each(value, (v) => (isObject(v) ? { ...v, ...('where' in v ? { where: this.where(ring, model, v['where']) } : {}), create: this.writeData(ring, model, v['create']), update: this.writeData(ring, model, v['update']) } : v));
          break;
        case 'update':
        case 'updateMany':
          out[op] = each(value, (v) => (isObject(v) && 'data' in v ? { ...v, ...('where' in v ? { where: this.where(ring, model, v['where']) } : {}), data: this.writeData(ring, model, v['data']) } : this.writeData(ring, model, v)));
          break;
        case 'connect':
        case 'disconnect':
        case 'delete':
        case 'deleteMany':
        case 'set':
          out[op] = each(value, (v) => this.where(ring, model, v));
          break;
        default:
          break;
      }
    }
    return out;
  }

  /** Rewrites filters on encrypted fields into index lookups. */
  private where(ring: Keyring, model: string, where: unknown): unknown {
    if (!isObject(where)) return where;
    const fields = this.models.get(model);
    const out: Data = {};
    for (const [key, value] of Object.entries(where)) {
      if (key === 'AND' || key === 'OR' || key === 'NOT') {
        out[key] = Array.isArray(value) ? value.map((w) => this.where(ring, model, w)) : this.where(ring, model, value);
        continue;
      }
      const config = fields?.get(key);
      if (config !== undefined) {
        const wanted = isObject(value) ? (Object.keys(value).length === 1 && 'equals' in value ? value['equals'] : undefined) : value;
        if (config.index === undefined || typeof wanted !== 'string') {
          fail('ERR_INVALID_ARGUMENT', `${model}.${key} is encrypted: it can only be matched for equality with a string${config.index === undefined ? ', through a blind index (configure index for it)' : ''}`);
        }
        const { field, ...definition } = config.index;
        const candidates = ring.blindIndexCandidates(wanted, definition);
        const existing = out[field];
        out[field] = { in: candidates };
        if (existing !== undefined) out['AND'] = [...(Array.isArray(out['AND']) ? out['AND'] : out['AND'] ? [out['AND']] : []), { [field]: existing }];
        continue;
      }
      const target = this.relation(model, key);
      if (target !== undefined && isObject(value)) {
        const nested: Data = {};
        for (const [op, filter] of Object.entries(value)) nested[op] = ['some', 'every', 'none', 'is', 'isNot'].includes(op) ? this.where(ring, target, filter) : filter;
        out[key] = nested;
        continue;
      }
      out[key] = value;
    }
    return out;
  }

  decryptResult(ring: Keyring, model: string, result: unknown): unknown {
    if (Array.isArray(result)) return result.map((r) => this.decryptResult(ring, model, r));
    if (!isObject(result)) return result;
    const fields = this.models.get(model);
    const out: Data = { ...result };
    for (const [key, value] of Object.entries(result)) {
      if (fields?.has(key) && typeof value === 'string') {
        const opened = ring.open(value, { context: { table: model, column: key } });
        if (opened.stale && this.onStale !== undefined) this.onStale({ model, field: key, keyId: opened.keyId, ...(this.idField in result ? { id: result[this.idField] } : {}) });
        out[key] = new TextDecoder('utf-8', { fatal: true }).decode(opened.plaintext);
        continue;
      }
      const target = this.relation(model, key);
      if (target !== undefined && value !== null && typeof value === 'object') out[key] = this.decryptResult(ring, target, value);
    }
    return out;
  }
}
