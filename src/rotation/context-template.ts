/**
 * Per-row contexts. Values encrypted with a context must be re-encrypted
 * under the same one, so the job rebuilds it from each row: a function in
 * the API, or a template such as `table=users,column=token,id={id}` (the
 * CLI's `--context`), or `recommended` for the README's `{ table, column, id }`.
 *
 * Template syntax: comma-separated `name=value` pairs. In a value, `{col}`
 * is replaced by the row's column `col` as text, and `{{` / `}}` are literal
 * braces. Names and literal text may not contain `,` or `=`.
 * @module
 */
import { KeyrollError, fail } from '../errors.js';
import { canonicalContext, canonicalRecordOf, type Context } from '../envelope/context.js';
import type { Row, RowStoreTarget } from './store.js';

/**
 * Builds the context of one row.
 * @example
 * ```ts
 * const context: RowContext = (row) => ({ table: 'users', column: 'token', id: String(row.id) });
 * ```
 */
export type RowContext = (row: Row) => Context | undefined;

/**
 * A parsed template: the function, and the columns it reads (so the store selects them).
 * @example
 * ```ts
 * const { columns, build } = parseContextTemplate('tenant={tenant_id},id={id}'); // columns: ['tenant_id', 'id']
 * ```
 */
export interface ContextTemplate {
  readonly columns: readonly string[];
  readonly build: RowContext;
}

type Part = { literal: string } | { column: string };
const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Parses a context template.
 * @example
 * ```ts
 * const t = parseContextTemplate('table=users,column=token,id={id}');
 * t.columns; // ['id']
 * t.build({ id: 7, value: '', fields: new Map([['id', 7]]) }); // { table: 'users', column: 'token', id: '7' }
 * ```
 */
export function parseContextTemplate(template: string): ContextTemplate {
  if (typeof template !== 'string' || template.trim() === '') fail('ERR_INVALID_ARGUMENT', 'a context template is name=value pairs separated by commas, e.g. table=users,column=token,id={id}');
  const entries: Array<[string, Part[]]> = [];
  const seen = new Set<string>();
  const columns = new Set<string>();
  for (const pair of template.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) fail('ERR_INVALID_ARGUMENT', `context template: each pair must be name=value (got "${clip(pair)}")`);
    const name = pair.slice(0, eq).trim();
    if (seen.has(name)) fail('ERR_INVALID_ARGUMENT', `context template: "${clip(name)}" appears twice`);
    seen.add(name);
    const parts = parseValue(pair.slice(eq + 1));
    for (const p of parts) if ('column' in p) columns.add(p.column);
    entries.push([name, parts]);
  }
  const text = (row: Row, parts: readonly Part[]): string => parts.map((p) => ('literal' in p ? p.literal : columnText(row, p.column))).join('');
  const build: RowContext = (row) => {
    const context: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [name, parts] of entries) context[name] = text(row, parts);
    return context;
  };
  const record = canonicalRecordOf(entries.map(([name]) => name));
  CANONICAL.set(build, (row) => {
    const values = entries.map(([, parts]) => text(row, parts));
    return refusedAsValue(() => record(values));
  });
  return { columns: [...columns], build };
}

/*
 * A template's canonical-bytes builder, by its `build` function: the batch
 * job makes each row's canonical context from it directly, without
 * building the record and checking it as a caller's context.
 */
const CANONICAL = new WeakMap<RowContext, RowCanonical>();

/**
 * A row's canonical context bytes, or the KeyrollError that refuses them.
 * Building the context may throw (that is the job's configuration, and
 * stops it); a context that builds but cannot be made canonical (a value
 * that is not a string, or not well-formed Unicode) belongs to the row and
 * comes back as the error.
 */
export type RowCanonical = (row: Row) => Uint8Array | KeyrollError;

/**
 * Package-internal: {@link RowCanonical} for a job's context. Gives exactly
 * `canonicalContext(build(row))`; a parsed template takes a shorter path.
 */
export function rowCanonicalContext(build: RowContext | undefined): RowCanonical {
  if (build === undefined) return () => canonicalContext(undefined);
  return CANONICAL.get(build) ?? ((row) => {
    const context = build(row);
    return refusedAsValue(() => canonicalContext(context));
  });
}

function refusedAsValue(canonical: () => Uint8Array): Uint8Array | KeyrollError {
  try {
    return canonical();
  } catch (err) {
    if (err instanceof KeyrollError) return err;
    throw err;
  }
}

/**
 * The template of the README's recommended context `{ table, column, id }` for a store's target.
 * @example
 * ```ts
 * recommendedTemplate({ table: 'users', column: 'token', id: 'id' }); // 'table=users,column=token,id={id}'
 * ```
 */
export function recommendedTemplate(target: RowStoreTarget): string {
  return `table=${target.table},column=${target.column},id={${target.id}}`;
}

/**
 * Resolves the `context` option of the batch job: a function, a template,
 * `'recommended'` (needs the store's target) or undefined (no context).
 * @example
 * ```ts
 * const build = resolveRowContext('recommended', store.target);
 * ```
 */
export function resolveRowContext(option: RowContext | string | undefined, target: RowStoreTarget | undefined): RowContext | undefined {
  if (option === undefined || typeof option === 'function') return option;
  if (option === 'recommended') {
    if (target === undefined) fail('ERR_INVALID_ARGUMENT', "context 'recommended' needs a store that names its table, column and id");
    return parseContextTemplate(recommendedTemplate(target)).build;
  }
  return parseContextTemplate(option).build;
}

function parseValue(text: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if ((ch === '{' || ch === '}') && text[i + 1] === ch) {
      literal += ch;
      i++;
    } else if (ch === '{') {
      const end = text.indexOf('}', i);
      const column = end === -1 ? '' : text.slice(i + 1, end);
      if (!COLUMN.test(column)) fail('ERR_INVALID_ARGUMENT', `context template: a placeholder must be {column_name} (got "${clip(text.slice(i, i + 20))}")`);
      if (literal !== '') parts.push({ literal });
      literal = '';
      parts.push({ column });
      i = end;
    } else if (ch === '}') {
      fail('ERR_INVALID_ARGUMENT', 'context template: a lone "}" (write "}}" for a literal brace)');
    } else if (ch === '=') {
      fail('ERR_INVALID_ARGUMENT', 'context template: "=" inside a value');
    } else {
      literal += ch;
    }
  }
  if (literal !== '') parts.push({ literal });
  return parts;
}

function columnText(row: Row, column: string): string {
  if (!row.fields.has(column)) fail('ERR_INVALID_ARGUMENT', `context template needs column "${column}", which the store did not read (add it to the store's columns)`);
  const value = row.fields.get(column);
  if (value === null || value === undefined) fail('ERR_INVALID_ARGUMENT', `context template: column "${column}" is NULL for a row`);
  if (value instanceof Uint8Array) fail('ERR_INVALID_ARGUMENT', `context template: column "${column}" is binary; only text and numbers can be placed in a context`);
  return value instanceof Date ? value.toISOString() : String(value);
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
