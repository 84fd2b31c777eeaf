/**
 * Moving in from other libraries: the lazy helper reads another library's
 * values, and a table holding 10,000 @47ng/cloak values (as
 * prisma-field-encryption writes them) and 10,000 values of a hand-rolled
 * AES-GCM layout migrates to keyroll envelopes (with their blind indexes)
 * with nothing lost, counted per kind by the dry run, and resumes after a
 * SIGKILL. The job runs in a child process over the BUILT package.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cloak from '@47ng/cloak';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Keyring, generateKey, readAndRefresh, refreshCounters } from '../../src/index.js';
import { cloakDecoder, countKeyIds, layoutDecoder, reencryptAll, type LegacyDecoder } from '../../src/rotation/index.js';
import { sqliteStore } from '../../src/stores/sqlite.js';
import { codeOf } from '../core/helpers.js';
import { expectKeyrollError } from '../sources/helpers.js';
import { atProgress, runKillable, type KillableResult } from '../helpers/sigkill.js';
import { KEYRING_DOC, ringAB } from '../stores/helpers.js';

const CHILD = join(import.meta.dirname, '../stores/fixtures/job-child.mjs');
const runJob = (args: object, killAtFraction?: number): Promise<KillableResult> =>
  runKillable(CHILD, [JSON.stringify(args), JSON.stringify(KEYRING_DOC)], killAtFraction === undefined ? undefined : atProgress(killAtFraction));
const lastDone = (c: KillableResult): number => Number([...c.stdout.matchAll(/progress (\d+) \d+/g)].pop()?.[1] ?? 0);

const dir = mkdtempSync(join(tmpdir(), 'keyroll-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cloakKeys = [cloak.generateKey(), cloak.generateKey()];
const layoutKey = randomBytes(32);
const layout = { algorithm: 'aes-256-gcm', key: layoutKey.toString('hex'), encoding: 'base64', separator: ':', order: ['iv', 'tag', 'ciphertext'] } as const;
const handRolled = (plaintext: string): string => {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', layoutKey, iv);
  const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return [iv, c.getAuthTag(), body].map((b) => b.toString('base64')).join(':');
};
const decoders = (): LegacyDecoder[] => [cloakDecoder({ keys: cloakKeys.join(',') }), layoutDecoder(layout)];
const ring = Keyring.create({ keys: [generateKey({ id: 'k1', state: 'active' })] });
const bySecret = { purpose: 'secrets.value', bits: 64 };

describe('migrating cloak and hand-rolled values', () => {
  it('the lazy helper reads a legacy value and returns its keyroll replacement; unknown shapes stay errors', () => {
    const counters = refreshCounters();
    const value = cloak.encryptStringSync('from cloak', cloakKeys[1]!);
    const read = readAndRefresh(ring, value, { legacy: decoders(), counters, context: { table: 't', column: 'c' }, blindIndex: bySecret });
    expect(read.text).toBe('from cloak');
    expect(read.legacyKind).toBe('cloak');
    expect(read.keyId).toBeUndefined();
    expect(read.index).toBe(ring.blindIndex('from cloak', bySecret));
    expect(ring.decryptString(read.fresh as string, { context: { table: 't', column: 'c' } })).toBe('from cloak');
    expect(counters).toMatchObject({ reads: 1, stale: 1, legacyDecoded: 1, legacyPlaintext: 0 });
    expect(readAndRefresh(ring, handRolled('by hand'), { legacy: decoders() }).text).toBe('by hand');
    // Bytes in a BLOB column stay bytes.
    const bytes = readAndRefresh(ring, Buffer.from(value), { legacy: decoders() });
    expect(bytes.fresh).toBeInstanceOf(Uint8Array);
    expect(ring.decryptString(bytes.fresh!)).toBe('from cloak');
    // Not an envelope and not recognised: an error, never data (even with decoders configured).
    expect(codeOf(() => readAndRefresh(ring, 'plain text', { legacy: decoders() }))).toBe('ERR_MALFORMED_ENVELOPE');
    // Recognised but tampered: the decoder's error, never plaintext mode.
    const tampered = value.slice(0, -4) + (value.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(codeOf(() => readAndRefresh(ring, tampered, { legacy: decoders(), fromPlaintext: true }))).toBe('ERR_DECRYPT_FAILED');
    // Under a cloak key that was not given.
    expect(codeOf(() => readAndRefresh(ring, cloak.encryptStringSync('x', cloak.generateKey()), { legacy: decoders() }))).toBe('ERR_UNKNOWN_KEY');
    expect(codeOf(() => readAndRefresh(ring, value, { legacy: [{ kind: 'x' }] as never }))).toBe('ERR_INVALID_ARGUMENT');
    // A keyroll envelope is read as one even with decoders.
    expect(readAndRefresh(ring, read.fresh!, { legacy: decoders(), context: { table: 't', column: 'c' } }).stale).toBe(false);
  });

  it('a decoder written by the application runs on the job thread; an explicit worker count is refused', async () => {
    const database = join(dir, 'custom.db');
    const db = new Database(database);
    db.exec("CREATE TABLE secrets (id INTEGER PRIMARY KEY, value TEXT); INSERT INTO secrets VALUES (1, 'rot13:uryyb'), (2, 'junk')");
    db.close();
    const rot13: LegacyDecoder = {
      kind: 'rot13',
      recognizes: (v) => typeof v === 'string' && v.startsWith('rot13:'),
      decode: (v) => new TextEncoder().encode(String(v).slice(6).replace(/[a-z]/g, (c) => String.fromCharCode(((c.charCodeAt(0) - 97 + 13) % 26) + 97))),
    };
    const store = await sqliteStore({ database, table: 'secrets', column: 'value', id: 'id' });
    await expectKeyrollError(() => reencryptAll({ keyring: ring, store, legacy: [rot13], workers: 2 }), 'ERR_INVALID_ARGUMENT');
    const result = await reencryptAll({ keyring: ring, store, legacy: [rot13] });
    expect(result.counters).toMatchObject({ legacyDecoded: 1, reencrypted: 1, failed: 1 });
    expect(result.failures).toEqual([{ id: 2, code: 'ERR_MALFORMED_ENVELOPE' }]);
    await store.close();
  });

  it('10,000 cloak and 10,000 hand-rolled values: dry run per kind, SIGKILL halfway (worker threads), resume (one thread), nothing lost', async () => {
    const database = join(dir, 'legacy.db');
    const db = new Database(database);
    db.exec('CREATE TABLE secrets (id INTEGER PRIMARY KEY, value TEXT, value_idx TEXT)');
    const originals = new Map<number, string>();
    const insert = db.prepare('INSERT INTO secrets (id, value) VALUES (?, ?)');
    db.transaction(() => {
      for (let id = 1; id <= 20_000; id++) {
        const plaintext = `secret #${id} ${randomBytes(6).toString('hex')}`;
        originals.set(id, plaintext);
        insert.run(id, id % 2 === 0 ? cloak.encryptStringSync(plaintext, cloakKeys[id % 4 === 0 ? 0 : 1]!) : handRolled(plaintext));
      }
    })();
    db.close();

    const store = await sqliteStore({ database, table: 'secrets', column: 'value', id: 'id' });
    const dry = await countKeyIds({ store, legacy: decoders() });
    expect(dry.notEnvelope).toBe(20_000);
    expect(Object.fromEntries(dry.legacy!)).toEqual({ cloak: 10_000, 'aes-256-gcm': 10_000 });
    await store.close();

    const args = {
      kind: 'sqlite',
      location: database,
      table: 'secrets',
      column: 'value',
      indexColumn: 'value_idx',
      blindIndex: bySecret,
      checkpoint: join(dir, 'migrate.json'),
      legacy: [{ type: 'cloak', keys: cloakKeys }, { type: 'layout', options: layout }],
      batchSize: 500,
    };
    const killed = await runJob({ ...args, workers: 2, delayMs: 40 }, 0.4);
    expect(killed.signal).toBe('SIGKILL');
    expect(lastDone(killed)).toBeGreaterThan(0);
    expect(lastDone(killed)).toBeLessThan(20_000);

    const resumed = await runJob({ ...args, workers: 0 });
    expect(resumed.code).toBe(0);
    const result = JSON.parse(/result (.*)/.exec(resumed.stdout)![1]!) as { resumed: boolean; failures: number; counters: Record<string, number> };
    expect(result.resumed).toBe(true);
    expect(result.failures).toBe(0);
    // Counted across both runs through the checkpoint. Batches that committed after the last
    // checkpoint the killed run saved (workers keep several in flight) are read again as current.
    const c = result.counters;
    expect(c).toMatchObject({ scanned: 20_000, failed: 0, conflicts: 0 });
    expect(c['reencrypted']! + c['current']!).toBe(20_000);
    expect(c['legacyDecoded']).toBe(c['reencrypted']);
    expect(c['current']).toBeLessThanOrEqual(3 * 500);

    const keys = ringAB();
    const check = new Database(database, { readonly: true });
    const rows = check.prepare('SELECT id, value, value_idx FROM secrets').all() as { id: number; value: string; value_idx: string }[];
    check.close();
    expect(rows).toHaveLength(20_000);
    for (const { id, value, value_idx } of rows) {
      expect(value.startsWith('kr1.B.')).toBe(true);
      expect(keys.decryptString(value, { context: { table: 'secrets', column: 'value', id: String(id) } })).toBe(originals.get(id));
      expect(value_idx).toBe(keys.blindIndex(originals.get(id)!, bySecret));
    }
  }, 240_000);
});
