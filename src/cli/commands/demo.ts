/**
 * `keyroll demo` (`npm run demo`): a whole rotation on an embedded SQLite
 * database in a temp dir: 20,000 secrets under key A, rotation to key B,
 * lazy re-encryption on read, the batch job finishing the rest, counts per
 * key id before and after, and a check that every row still decrypts.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Keyring } from '../../keyring/keyring.js';
import { generateKey } from '../../keyring/generate.js';
import { countKeyIds, reencryptAll, refreshCounters, refreshOnRead } from '../../rotation/index.js';
import { sqliteStore } from '../../stores/sqlite.js';
import { importOptional } from '../../stores/sql.js';
import { EXIT, UsageError, type CliIO, type Command } from '../command.js';
import { createProgress } from '../progress.js';

const TABLE = 'users';
const COLUMN = 'api_token';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'watch a full key rotation on a temporary SQLite database (20,000 secrets)',
  help: [
    'Usage: keyroll demo [--rows N] [--reads N] [--keep]',
    '',
    'Creates a SQLite database in a temp dir, encrypts N secrets (default 20000)',
    'under key A, rotates to key B, re-encrypts some rows lazily as they are read,',
    'runs the batch job for the rest and checks every row. Needs better-sqlite3.',
    '',
    'Options:',
    '  --rows N    rows to create (default 20000)',
    '  --reads N   rows read (and lazily re-encrypted) before the batch job (default 3000)',
    '  --keep      keep the temp dir and print its path',
  ].join('\n'),
  options: { rows: { type: 'string' }, reads: { type: 'string' }, keep: { type: 'boolean' } },
  async run({ values }, io) {
    const rows = intOption(values['rows'], 20_000, '--rows', 1, 10_000_000);
    const reads = intOption(values['reads'], Math.min(3000, rows), '--reads', 0, rows);
    const started = performance.now();
    const say = (line = ''): void => void io.stdout.write(`${line}\n`);
    const { default: Database } = await importOptional<{ default: typeof BetterSqlite3 }>('better-sqlite3', 'keyroll demo');
    const dir = await mkdtemp(join(tmpdir(), 'keyroll-demo-'));
    const db = new Database(join(dir, 'demo.db'));
    try {
      db.pragma('journal_mode = WAL');
      db.exec(`CREATE TABLE ${TABLE} (id INTEGER PRIMARY KEY, email TEXT NOT NULL, ${COLUMN} TEXT)`);
      const context = (id: number | bigint | string): Record<string, string> => ({ table: TABLE, column: COLUMN, id: String(id) });

      say('keyroll demo: a key rotation on a real (SQLite) database');
      say(`  database: ${join(dir, 'demo.db')}`);
      say();
      let ring = Keyring.create({ keys: [generateKey({ id: 'key-a' })] });
      const originals: string[] = new Array(rows + 1);
      const insert = db.prepare(`INSERT INTO ${TABLE} (id, email, ${COLUMN}) VALUES (?, ?, ?)`);
      db.transaction(() => {
        for (let id = 1; id <= rows; id++) {
          const token = `sk_live_${randomBytes(12).toString('hex')}`;
          originals[id] = token;
          insert.run(id, `user${id}@example.com`, ring.encrypt(token, { context: context(id) }));
        }
      })();
      say(`1. Encrypted ${rows.toLocaleString('en-US')} API tokens under key-a, each bound to its row`);
      say(`   with the context { table: '${TABLE}', column: '${COLUMN}', id }.`);
      const sample = db.prepare(`SELECT ${COLUMN} AS v FROM ${TABLE} WHERE id = 1`).get() as { v: string };
      say(`   A stored value: ${sample.v.slice(0, 32)}...`);
      const store = await sqliteStore({ database: db, table: TABLE, column: COLUMN, id: 'id' });
      await printCounts('   Rows per key id (from the text prefix, no key needed):', store, io);

      ring = ring.add(generateKey({ id: 'key-b' }), { activate: true });
      say();
      say('2. Rotated: key-b is now active, key-a is decrypt-only. Old rows still read fine.');

      const counters = refreshCounters();
      const select = db.prepare(`SELECT ${COLUMN} AS v FROM ${TABLE} WHERE id = ?`);
      const swap = db.prepare(`UPDATE ${TABLE} SET ${COLUMN} = ? WHERE id = ? AND ${COLUMN} = ?`);
      for (let i = 0; i < reads; i++) {
        const id = 1 + Math.floor(Math.random() * rows);
        const stored = (select.get(id) as { v: string }).v;
        const read = await refreshOnRead(ring, stored, { context: context(id), counters, swap: (fresh, previous) => swap.run(fresh, id, previous).changes === 1 });
        if (read.text !== originals[id]) throw new Error(`demo: row ${id} read back wrong`);
      }
      say();
      say(`3. The application read ${reads.toLocaleString('en-US')} random rows; ${counters.written.toLocaleString('en-US')} were stale and were re-encrypted`);
      say('   lazily on read (UPDATE ... WHERE id = $id AND value = $previous, so no write is lost).');
      await printCounts('   Rows per key id now:', store, io);

      say();
      say('4. The batch job re-encrypts the rest (keyset pages of 500, one transaction each):');
      const progress = createProgress(io, { label: '   reencrypt' });
      const result = await reencryptAll({ keyring: ring, store, batchSize: 500, context: 'recommended', onProgress: (p) => progress.update(p.done, p.total) });
      progress.finish(result.counters.scanned, result.total);
      const c = result.counters;
      say(`   re-encrypted ${c.reencrypted.toLocaleString('en-US')}, already current ${c.current.toLocaleString('en-US')}, failed ${c.failed}, changed concurrently ${c.conflicts}`);
      await printCounts('   Rows per key id after the job:', store, io);

      let good = 0;
      for (const row of db.prepare(`SELECT id, ${COLUMN} AS v FROM ${TABLE}`).iterate() as Iterable<{ id: number; v: string }>) {
        const opened = ring.open(row.v, { context: context(row.id) });
        if (opened.keyId === 'key-b' && new TextDecoder().decode(opened.plaintext) === originals[row.id]) good++;
      }
      say();
      say(`5. Checked every row: ${good.toLocaleString('en-US')} of ${rows.toLocaleString('en-US')} decrypt to their original value under key-b.`);
      if (good !== rows) {
        io.stderr.write('keyroll demo: some rows did not check out\n');
        return EXIT.FAILED;
      }
      say('   key-a encrypts nothing any more: it can be disabled, then removed.');
      say();
      say(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.${values['keep'] === true ? ` Kept ${dir}` : ''}`);
      return EXIT.OK;
    } finally {
      db.close();
      if (values['keep'] !== true) await rm(dir, { recursive: true, force: true });
    }
  },
};

async function printCounts(title: string, store: Parameters<typeof countKeyIds>[0]['store'], io: CliIO): Promise<void> {
  const counts = await countKeyIds({ store, batchSize: 5000 });
  io.stdout.write(`${title}\n`);
  for (const [keyId, n] of [...counts.byKeyId].sort()) io.stdout.write(`     ${keyId.padEnd(8)} ${n.toLocaleString('en-US').padStart(8)}\n`);
}

function intOption(value: unknown, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || n < min || n > max) throw new UsageError(`${name} must be an integer from ${min} to ${max}`);
  return n;
}
