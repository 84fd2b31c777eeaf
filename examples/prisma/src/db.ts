/**
 * The Prisma client with keyroll's field encryption: `Account.email` (with a
 * blind index), `Account.apiToken` and `Note.body` are encrypted; stale
 * values are collected for lazy re-encryption.
 * @module
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import Database from 'better-sqlite3';
import type { Keyring } from 'keyroll';
import { fieldEncryption, type PrismaStaleValue } from 'keyroll/prisma';

/** The email index: trimmed and case-folded, full length (so it can be UNIQUE once a rotation is over). */
export const EMAIL_INDEX = { field: 'emailIdx', purpose: 'accounts.email', normalize: { trim: true, caseFold: true } } as const;

/** Tables, created with plain SQL (the schema in prisma/schema.prisma describes them). */
export function migrate(file: string): void {
  const db = new Database(file);
  db.exec(`CREATE TABLE IF NOT EXISTS "Account" (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL, emailIdx TEXT NOT NULL, apiToken TEXT);
           CREATE TABLE IF NOT EXISTS "Note" (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, accountId INTEGER NOT NULL REFERENCES "Account"(id));`);
  db.close();
}

/** A client over `file`, given the generated PrismaClient class. */
export function createClient<C extends { $extends(e: unknown): unknown }>(PrismaClient: new (o: { adapter: unknown }) => C, file: string, ring: () => Keyring, stale: PrismaStaleValue[]) {
  const base = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
  return base.$extends(
    fieldEncryption({
      keyring: ring,
      models: { Account: { email: { index: EMAIL_INDEX }, apiToken: {} }, Note: { body: {} } },
      onStale: (value) => stale.push(value),
    }),
  );
}
