/**
 * A contacts service on node:http and Drizzle (SQLite):
 *   POST /contacts                 body `{"email", "name"}` -> 201 `{"id"}`
 *   GET  /contacts?email=...       -> 200 `[{"id", "email", "name"}]` (a lookup through the blind index)
 *   GET  /contacts/:id             -> 200 `{"id", "email", "name"}` or 404
 *   GET  /health                   -> 200 `{"ok", "activeKeyId", "stale"}`
 * Values read under an older key are re-written under the active key on the
 * way (the same plaintext, re-encrypted, with its index), if the row has not
 * changed in between.
 * @module
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { KeyrollError, type Keyring } from 'keyroll';
import { CREATE_SQL, EMAIL_INDEX, contactsSchema } from './schema.js';

/** What {@link createContactsService} returns. */
export interface ContactsService {
  readonly handler: RequestListener;
  /** The SQLite handle (tests and the batch job use it). */
  readonly raw: Database.Database;
  readonly counters: { staleSeen: number; rewritten: number };
  close(): void;
}

/** The service: its request handler and the pieces tests look at. */
export function createContactsService(file: string, ring: () => Keyring): ContactsService {
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  raw.exec(CREATE_SQL);
  const counters = { staleSeen: 0, rewritten: 0 };
  const { enc, contacts } = contactsSchema(ring, () => counters.staleSeen++);
  const db = drizzle(raw);

  /**
   * Lazy re-encryption: a row whose values name an older key is rewritten
   * under the active key, value and index together, with a compare-and-swap
   * on the stored envelopes, so a concurrent write is never overwritten.
   */
  const refresh = (id: number) => {
    const before = raw.prepare('SELECT email, name FROM contacts WHERE id = ?').get(id) as { email: string; name: string } | undefined;
    const r = ring();
    if (before === undefined || (!r.isStale(before.email) && !r.isStale(before.name))) return;
    const ctx = (column: string) => ({ context: { table: 'contacts', column } });
    const email = r.decryptString(before.email, ctx('email'));
    const name = r.decryptString(before.name, ctx('name'));
    const { changes } = raw
      .prepare('UPDATE contacts SET email = ?, email_idx = ?, name = ? WHERE id = ? AND email = ? AND name = ?')
      .run(r.encrypt(email, ctx('email')), r.blindIndex(email, EMAIL_INDEX), r.encrypt(name, ctx('name')), id, before.email, before.name);
    if (changes === 1) counters.rewritten++;
  };

  const handler: RequestListener = (req, res) => {
    route(req, res).catch((err: unknown) => {
      const code = err instanceof KeyrollError ? err.code : 'ERR_INTERNAL';
      if (!res.headersSent) send(res, err instanceof KeyrollError && err.code === 'ERR_INVALID_ARGUMENT' ? 400 : 500, { error: code });
    });
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/contacts') {
      const body = JSON.parse(await readBody(req)) as { email?: unknown; name?: unknown };
      if (typeof body.email !== 'string' || typeof body.name !== 'string') return send(res, 400, { error: 'email and name are strings' });
      const [row] = db.insert(contacts).values({ email: body.email, name: body.name, emailIdx: enc.index(body.email, EMAIL_INDEX) }).returning({ id: contacts.id }).all();
      return send(res, 201, { id: row!.id });
    }
    if (req.method === 'GET' && url.pathname === '/contacts') {
      const email = url.searchParams.get('email') ?? '';
      const wanted = email.trim().normalize('NFC').toUpperCase().toLowerCase();
      const rows = db.select().from(contacts).where(enc.lookup(contacts.emailIdx, email, EMAIL_INDEX)).all();
      // A 64-bit index can collide: keep the rows whose decrypted email really matches.
      const found = rows.filter((r) => r.email.trim().normalize('NFC').toUpperCase().toLowerCase() === wanted);
      for (const r of found) refresh(r.id);
      return send(res, 200, found.map(({ id, email: e, name }) => ({ id, email: e, name })));
    }
    const one = /^\/contacts\/(\d{1,12})$/.exec(url.pathname);
    if (req.method === 'GET' && one) {
      const row = db.select().from(contacts).where(eq(contacts.id, Number(one[1]))).get();
      if (row === undefined) return send(res, 404, { error: 'not found' });
      refresh(row.id);
      return send(res, 200, { id: row.id, email: row.email, name: row.name });
    }
    if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { ok: true, activeKeyId: ring().activeKeyId, stale: counters.staleSeen });
    return send(res, 404, { error: 'not found' });
  }

  return { handler, raw, counters, close: () => raw.close() };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 16 * 1024) throw new KeyrollError('ERR_INVALID_ARGUMENT', 'request body too large');
  }
  return text;
}
