/**
 * What both SQL stores share: identifier validation and quoting (table,
 * column and id names are never spliced in raw), the options shape, and
 * loading an optional driver package with a clear error when it is missing.
 * @module
 */
import { fail } from '../errors.js';
import { checkArray, checkOptions, printable } from '../args.js';
import type { RowStoreTarget } from '../rotation/store.js';

/** One SQL identifier: letters, digits and `_`, not starting with a digit, at most 63 characters. */
export const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Options every SQL store takes. */
export interface SqlTableOptions {
  /** Table name, optionally schema-qualified (`billing.users`). Matched exactly (quoted). */
  readonly table: string;
  /** The column holding envelopes (TEXT, or BLOB/BYTEA). */
  readonly column: string;
  /** The primary key column (any orderable type; integers and text are the common cases). */
  readonly id: string;
  /** Extra columns to read for per-row contexts (the id column is always read). */
  readonly columns?: readonly string[];
  /**
   * A blind index column kept with the value: rewritten in the same
   * compare-and-swap update when the job computes an index
   * (`reencryptAll({ blindIndex })`, `keyroll reencrypt --index-column`).
   */
  readonly indexColumn?: string;
}

const TABLE_OPTIONS = ['table', 'column', 'id', 'columns', 'indexColumn'];

/** Validated, quoted names for one store. */
export interface QuotedTable {
  readonly target: RowStoreTarget;
  readonly table: string;
  readonly column: string;
  readonly id: string;
  /** Extra column names (raw) and their quoted forms, id excluded. */
  readonly extra: ReadonlyArray<readonly [string, string]>;
  /** The quoted blind index column, when there is one. */
  readonly index?: string;
}

/**
 * Validates and double-quotes an identifier (each part of a dotted name).
 * @example
 * ```ts
 * quoteIdentifier('billing.users', 'table'); // '"billing"."users"'
 * ```
 */
export function quoteIdentifier(name: string, what: string, allowSchema = false): string {
  if (typeof name !== 'string') fail('ERR_INVALID_ARGUMENT', `${what} name must be a string`);
  const parts = allowSchema ? name.split('.') : [name];
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER_PATTERN.test(p))) {
    fail('ERR_INVALID_ARGUMENT', `${what} name "${printable(name, 70)}" is not a plain identifier (letters, digits and _, not starting with a digit, at most 63 characters${allowSchema ? ', optionally schema.name' : ''})`);
  }
  return parts.map((p) => `"${p}"`).join('.');
}

/**
 * Validates a store's options and quotes every name.
 * @example
 * ```ts
 * quoteTable({ table: 'users', column: 'token', id: 'id' }).column; // '"token"'
 * ```
 */
export function quoteTable(options: SqlTableOptions, storeOptions: readonly string[] = [], label = 'store options'): QuotedTable {
  if (options === null || typeof options !== 'object') fail('ERR_INVALID_ARGUMENT', 'a store needs { table, column, id }');
  checkOptions(options, [...TABLE_OPTIONS, ...storeOptions], label);
  const table = quoteIdentifier(options.table, 'table', true);
  const column = quoteIdentifier(options.column, 'column');
  const id = quoteIdentifier(options.id, 'id column');
  if (options.column === options.id) fail('ERR_INVALID_ARGUMENT', 'the value column and the id column must differ');
  const extra: Array<readonly [string, string]> = [];
  for (const name of new Set(options.columns === undefined ? [] : checkArray<string>(options.columns, `${label}: columns`))) {
    if (name === options.id) continue;
    extra.push([name, quoteIdentifier(name, 'context column')]);
  }
  const target = { table: options.table, column: options.column, id: options.id };
  if (options.indexColumn === undefined) return { target, table, column, id, extra };
  const index = quoteIdentifier(options.indexColumn, 'index column');
  if (options.indexColumn === options.column || options.indexColumn === options.id) fail('ERR_INVALID_ARGUMENT', 'the index column must differ from the value column and the id column');
  return { target: { ...target, indexColumn: options.indexColumn }, table, column, id, extra, index };
}

/**
 * Imports an optional peer dependency, or fails with `ERR_MISSING_DEPENDENCY`
 * naming the package and the command that installs it.
 * @example
 * ```ts
 * const mod = await importOptional<typeof import('pg')>('pg', 'the PostgreSQL store');
 * ```
 */
export async function importOptional<T>(name: string, purpose: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      fail('ERR_MISSING_DEPENDENCY', `${purpose} needs the optional package "${name}", which is not installed: run \`npm install ${name}\``, { cause: err });
    }
    throw err;
  }
}
