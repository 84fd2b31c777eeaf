/**
 * Users' API tokens in SQLite, encrypted with keyroll. Each value is bound to
 * its row with the context `{ table, column, id }`, so a ciphertext copied to
 * another row or column fails to decrypt instead of leaking the other user's
 * token. Reads re-encrypt stale values lazily with compare-and-swap.
 * @module
 */
import type Database from 'better-sqlite3';
import { refreshOnRead, type Keyring, type RefreshCounters } from 'keyroll';

const TABLE = 'users';
const COLUMN = 'api_token';

/** What a read returns: the token, and what the lazy re-encryption did. */
export interface TokenRead {
  readonly token: string;
  /** The key that had encrypted the stored value. */
  readonly keyId: string | undefined;
  /** True when the value was stale and the fresh envelope was written back. */
  readonly reencrypted: boolean;
}

/** The context that binds a value to its row: never stored, always recomputed. */
export function tokenContext(id: string): { table: string; column: string; id: string } {
  return { table: TABLE, column: COLUMN, id };
}

/** Creates the table when it is missing. */
export function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (id TEXT PRIMARY KEY, ${COLUMN} TEXT NOT NULL)`);
}

/** Token storage over one database and one keyring. */
export class TokenStore {
  readonly #db: Database.Database;
  readonly #ring: () => Keyring;
  readonly #counters: RefreshCounters | undefined;

  /**
   * @param ring a function, so that a service can swap in a reloaded keyring
   *   (a rotation) without rebuilding the store.
   */
  constructor(db: Database.Database, ring: () => Keyring, counters?: RefreshCounters) {
    this.#db = db;
    this.#ring = ring;
    this.#counters = counters;
  }

  /** Encrypts `token` under the active key and stores it for user `id`. */
  put(id: string, token: string): void {
    const envelope = this.#ring().encrypt(token, { context: tokenContext(id) });
    this.#db
      .prepare(`INSERT INTO ${TABLE} (id, ${COLUMN}) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET ${COLUMN} = excluded.${COLUMN}`)
      .run(id, envelope);
  }

  /** Reads and decrypts user `id`'s token; undefined when there is none. */
  async get(id: string): Promise<TokenRead | undefined> {
    const row = this.#db.prepare(`SELECT ${COLUMN} AS stored FROM ${TABLE} WHERE id = ?`).get(id) as { stored: string } | undefined;
    if (row === undefined) return undefined;
    const read = await refreshOnRead(this.#ring(), row.stored, {
      context: tokenContext(id),
      swap: (fresh, previous) => this.swap(id, fresh, previous),
      ...(this.#counters ? { counters: this.#counters } : {}),
    });
    return { token: read.text, keyId: read.keyId, reencrypted: read.written };
  }

  /**
   * Compare-and-swap: writes `fresh` only if the row still holds `previous`,
   * so a token the user replaced meanwhile is never overwritten by an old one.
   */
  swap(id: string, fresh: string | Uint8Array, previous: string | Uint8Array): boolean {
    const result = this.#db.prepare(`UPDATE ${TABLE} SET ${COLUMN} = ? WHERE id = ? AND ${COLUMN} = ?`).run(fresh, id, previous);
    return result.changes === 1;
  }

  /** Deletes user `id`'s token; true when there was one. */
  delete(id: string): boolean {
    return this.#db.prepare(`DELETE FROM ${TABLE} WHERE id = ?`).run(id).changes === 1;
  }
}
