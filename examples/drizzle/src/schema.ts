/**
 * The contacts table: the email is encrypted (bound to { table, column })
 * and has a blind index for lookups; the name is encrypted JSON-free text.
 * @module
 */
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Keyring } from 'keyroll';
import { encryptedColumns, type StaleValue } from 'keyroll/drizzle';

/** How the email index is computed: trimmed and case-folded, 64 bits. */
export const EMAIL_INDEX = { purpose: 'contacts.email', bits: 64, normalize: { trim: true, nfc: true, caseFold: true } } as const;

/** SQL for the table (create it with plain SQL, or with drizzle-kit from the schema below). */
export const CREATE_SQL = 'CREATE TABLE IF NOT EXISTS contacts (id INTEGER PRIMARY KEY, email TEXT NOT NULL, email_idx TEXT NOT NULL, name TEXT NOT NULL)';

/** The schema and its encryption helpers, reading the keyring through `ring()` on every value. */
export function contactsSchema(ring: () => Keyring, onStale?: (value: StaleValue) => void) {
  const enc = encryptedColumns({ keyring: ring, table: 'contacts', ...(onStale ? { onStale } : {}) });
  const contacts = sqliteTable('contacts', {
    id: integer('id').primaryKey(),
    email: enc.sqlite.text('email').notNull(),
    emailIdx: text('email_idx').notNull(),
    name: enc.sqlite.text('name').notNull(),
  });
  return { enc, contacts };
}
