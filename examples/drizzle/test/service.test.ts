import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey, type Keyring } from 'keyroll';
import { reencryptAll } from 'keyroll/rotation';
import { sqliteStore } from 'keyroll/stores/sqlite';
import { testKeyring } from 'keyroll/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createContactsService } from '../src/app.js';

const dir = mkdtempSync(join(tmpdir(), 'keyroll-example-drizzle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/drizzle: a contacts service', () => {
  it('stores encrypted contacts, finds them by email through the index, and follows a rotation', async () => {
    let ring: Keyring = testKeyring({ keys: 1, seed: 'drizzle-example' });
    const service = createContactsService(join(dir, 'contacts.db'), () => ring);
    const server = http.createServer(service.handler).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const post = (body: unknown) => fetch(`${base}/contacts`, { method: 'POST', body: JSON.stringify(body) });
    try {
      const ids: number[] = [];
      for (let i = 0; i < 12; i++) ids.push(((await (await post({ email: `Person${i}@Example.com`, name: `Person ${i}` })).json()) as { id: number }).id);
      // The database holds envelopes only.
      const raw = service.raw.prepare('SELECT email, name FROM contacts').all() as { email: string; name: string }[];
      expect(raw.every((r) => r.email.startsWith('kr1.') && !r.email.includes('Person') && !r.name.includes('Person'))).toBe(true);

      const byEmail = async (email: string) => (await (await fetch(`${base}/contacts?email=${encodeURIComponent(email)}`)).json()) as { id: number; email: string }[];
      expect((await byEmail(' person3@EXAMPLE.com ')).map((c) => c.id)).toEqual([ids[3]]);
      expect(await byEmail('nobody@example.com')).toEqual([]);
      expect((await (await fetch(`${base}/contacts/${ids[5]}`)).json())).toEqual({ id: ids[5], email: 'Person5@Example.com', name: 'Person 5' });

      // Rotation: a new active key. Reads still work, lookups find old rows (candidates), and reads move rows lazily.
      const oldKey = ring.activeKeyId;
      ring = ring.add(generateKey({ id: 'next' }), { activate: true });
      expect((await byEmail('person7@example.com')).map((c) => c.id)).toEqual([ids[7]]);
      expect(service.counters.rewritten).toBe(1);
      const moved = service.raw.prepare('SELECT email FROM contacts WHERE id = ?').get(ids[7]) as { email: string };
      expect(moved.email.startsWith('kr1.next.')).toBe(true);
      expect((await byEmail('person7@example.com')).map((c) => c.id)).toEqual([ids[7]]);

      // The batch job moves the rest, column by column, with the same { table, column } context.
      for (const column of ['email', 'name']) {
        const store = await sqliteStore({ database: service.raw, table: 'contacts', column, id: 'id' });
        const result = await reencryptAll({ keyring: ring, store, batchSize: 100, context: () => ({ table: 'contacts', column }) });
        expect(result.failures).toEqual([]);
      }
      // The batch job does not know the index: refresh it by reading (the service rewrites stale indexes lazily), or
      // recompute it in the same job. Here every row's values are under the new key; lookups still find all rows.
      const left = service.raw.prepare(`SELECT count(*) AS n FROM contacts WHERE email LIKE ?`).get(`kr1.${oldKey}.%`) as { n: number };
      expect(left.n).toBe(0);
      for (let i = 0; i < 12; i++) expect((await byEmail(`person${i}@example.com`)).length).toBe(1);
      const health = (await (await fetch(`${base}/health`)).json()) as { activeKeyId: string; stale: number };
      expect(health.activeKeyId).toBe('next');
      expect(health.stale).toBeGreaterThan(0);
    } finally {
      server.close();
      service.close();
    }
  });
});
