/**
 * The batch job's throughput against a bare loop on the same SQLite database:
 * the bare loop selects and rewrites the same bytes (keyset pages, one
 * transaction per batch, the same batch size and compare-and-swap UPDATE)
 * with no crypto (each value is rewritten to a same-length value: its key id
 * swapped in the prefix, so SQLite really writes). Runs alternate (bare, job, bare, job, ...) on fresh copies
 * of one seeded file; the ratio is median job rows/s over median bare rows/s.
 * Imports the built package (../dist).
 *
 *   node bench/reencrypt.mjs [--quick]
 *
 * `npm run bench` calls benchReencrypt({ quick }) from its own runner.
 * @module
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { Keyring } from '../dist/index.js';
import { reencryptAll } from '../dist/rotation.js';
import { sqliteStore } from '../dist/stores/sqlite.js';

const BATCH = 500;
// Same id length for both keys, so old and new envelopes are the same size on disk.
const OLD = { id: 'ka', secret: 'a'.repeat(32) };
const NEW = { id: 'kb', secret: 'b'.repeat(32) };

function seed(path, rows) {
  const ring = Keyring.create({ keys: [OLD] });
  const db = new Database(path);
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, token TEXT)');
  const insert = db.prepare('INSERT INTO users VALUES (?, ?)');
  db.transaction(() => {
    for (let id = 1; id <= rows; id++) {
      insert.run(id, ring.encrypt(`sk_live_${id.toString(36).padStart(24, '0')}`, { context: { table: 'users', column: 'token', id: String(id) } }));
    }
  })();
  db.close();
}

async function job(path, keyring) {
  const db = new Database(path);
  const store = await sqliteStore({ database: db, table: 'users', column: 'token', id: 'id' });
  const start = performance.now();
  const result = await reencryptAll({ keyring, store, batchSize: BATCH, context: 'recommended' });
  const seconds = (performance.now() - start) / 1000;
  db.close();
  if (result.counters.reencrypted !== result.total) throw new Error('bench: the job did not re-encrypt every row');
  return result.total / seconds;
}

function bare(path) {
  const db = new Database(path);
  const first = db.prepare('SELECT id, token FROM users WHERE token IS NOT NULL ORDER BY id LIMIT ?');
  const next = db.prepare('SELECT id, token FROM users WHERE token IS NOT NULL AND id > ? ORDER BY id LIMIT ?');
  const cas = db.prepare('UPDATE users SET token = ? WHERE id = ? AND token = ?');
  const write = db.transaction((rows) => {
    let n = 0;
    // Same length, different bytes (the key id in the prefix): SQLite skips writing a cell
    // rewritten with identical content, which would make the bare loop do no I/O at all.
    for (const r of rows) n += cas.run(r.token.startsWith('kr1.ka.') ? `kr1.kb.${r.token.slice(7)}` : `kr1.ka.${r.token.slice(7)}`, r.id, r.token).changes;
    return n;
  });
  const start = performance.now();
  let cursor;
  let total = 0;
  for (;;) {
    const rows = cursor === undefined ? first.all(BATCH) : next.all(cursor, BATCH);
    if (rows.length === 0) break;
    total += write(rows);
    cursor = rows[rows.length - 1].id;
    if (rows.length < BATCH) break;
  }
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return total / seconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Job rows/s, bare rows/s and their ratio, measured in one run.
 * @param {{ quick?: boolean }} options
 * @returns {Promise<{ rows: number, jobRowsPerSecond: number, bareRowsPerSecond: number, ratio: number }>}
 */
export async function benchReencrypt({ quick = false } = {}) {
  const rows = quick ? 5_000 : 50_000;
  const rounds = quick ? 1 : 5;
  const dir = mkdtempSync(join(tmpdir(), 'keyroll-bench-'));
  try {
    const seeded = join(dir, 'seed.db');
    seed(seeded, rows);
    const keyring = Keyring.create({ keys: [NEW, OLD], activeKeyId: NEW.id });
    const jobs = [];
    const bares = [];
    for (let i = 0; i < rounds + 1; i++) {
      const a = join(dir, `bare-${i}.db`);
      const b = join(dir, `job-${i}.db`);
      copyFileSync(seeded, a);
      copyFileSync(seeded, b);
      // Alternate which goes first, so neither always runs on a warmer cache.
      const order = i % 2 === 0 ? ['bare', 'job'] : ['job', 'bare'];
      for (const which of order) {
        const rate = which === 'bare' ? bare(a) : await job(b, keyring);
        if (i > 0 || quick) (which === 'bare' ? bares : jobs).push(rate); // round 0 warms up the JIT
      }
      rmSync(a);
      rmSync(b);
    }
    const jobRowsPerSecond = median(jobs);
    const bareRowsPerSecond = median(bares);
    return { rows, jobRowsPerSecond, bareRowsPerSecond, ratio: jobRowsPerSecond / bareRowsPerSecond };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await benchReencrypt({ quick: process.argv.includes('--quick') });
  const f = (n) => Math.round(n).toLocaleString('en-US');
  console.log(`reencrypt (SQLite, ${f(r.rows)} rows, batch ${BATCH}): job ${f(r.jobRowsPerSecond)} rows/s, bare select+rewrite ${f(r.bareRowsPerSecond)} rows/s, ratio ${r.ratio.toFixed(2)}`);
}
