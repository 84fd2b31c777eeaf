import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { KeyrollError, generateKey, type Keyring } from 'keyroll';
import type { PrismaStaleValue } from 'keyroll/prisma';
import { reencryptAll } from 'keyroll/rotation';
import { sqliteStore } from 'keyroll/stores/sqlite';
import { testKeyring } from 'keyroll/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, migrate } from '../src/db.js';
import { generateClient } from '../src/generate.js';

const dir = mkdtempSync(join(tmpdir(), 'keyroll-example-prisma-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/prisma: accounts with encrypted fields', () => {
  it('writes, reads, looks up by email and follows a rotation (lazy and batch)', async () => {
    const { PrismaClient } = (await import(generateClient())) as { PrismaClient: new (o: { adapter: unknown }) => { $extends(e: unknown): unknown } };
    const file = join(dir, 'accounts.db');
    migrate(file);
    let ring: Keyring = testKeyring({ keys: 1, seed: 'prisma-example' });
    const stale: PrismaStaleValue[] = [];
    // deno-lint-ignore no-explicit-any
    const prisma = createClient(PrismaClient, file, () => ring, stale) as any;

    for (let i = 0; i < 10; i++) {
      await prisma.account.create({ data: { email: `Owner${i}@Example.com`, apiToken: `tok_${i}_secret`, notes: { create: [{ body: `note for ${i}` }] } } });
    }
    const raw = new Database(file);
    const rows = raw.prepare('SELECT email, apiToken FROM "Account"').all() as { email: string; apiToken: string }[];
    expect(rows.every((r) => r.email.startsWith('kr1.') && !r.apiToken.includes('secret'))).toBe(true);

    const found = await prisma.account.findFirst({ where: { email: ' owner4@example.COM' }, include: { notes: true } });
    expect(found.apiToken).toBe('tok_4_secret');
    expect(found.notes[0].body).toBe('note for 4');

    // Rotation: reads report stale values; writing them back moves them (lazy), the job moves the rest (batch).
    ring = ring.add(generateKey({ id: 'next' }), { activate: true });
    const accounts = await prisma.account.findMany({ include: { notes: true }, orderBy: { id: 'asc' } });
    expect(accounts).toHaveLength(10);
    expect(stale.filter((s) => s.model === 'Account' && s.field === 'email')).toHaveLength(10);
    const first = accounts[0];
    await prisma.account.update({ where: { id: first.id }, data: { email: first.email, apiToken: first.apiToken } });
    expect((raw.prepare('SELECT email FROM "Account" WHERE id = ?').get(first.id) as { email: string }).email.startsWith('kr1.next.')).toBe(true);
    for (const [table, column] of [['Account', 'email'], ['Account', 'apiToken'], ['Note', 'body']] as const) {
      const store = await sqliteStore({ database: raw, table, column, id: 'id' });
      const result = await reencryptAll({ keyring: ring, store, batchSize: 100, context: () => ({ table, column }) });
      expect(result.failures).toEqual([]);
    }
    const left = raw.prepare(`SELECT (SELECT count(*) FROM "Account" WHERE email NOT LIKE 'kr1.next.%' OR apiToken NOT LIKE 'kr1.next.%') + (SELECT count(*) FROM "Note" WHERE body NOT LIKE 'kr1.next.%') AS n`).get() as { n: number };
    expect(left.n).toBe(0);
    expect((await prisma.account.findFirst({ where: { email: 'owner9@example.com' } })).apiToken).toBe('tok_9_secret');

    // A tampered value never reads as data.
    const victim = raw.prepare('SELECT id, apiToken FROM "Account" LIMIT 1').get() as { id: number; apiToken: string };
    raw.prepare('UPDATE "Account" SET apiToken = ? WHERE id = ?').run(victim.apiToken.slice(0, -2) + (victim.apiToken.endsWith('AA') ? 'BB' : 'AA'), victim.id);
    await expect(prisma.account.findUnique({ where: { id: victim.id } })).rejects.toSatisfy((e: unknown) => KeyrollError.is(e));
    raw.close();
  }, 240_000);
});
