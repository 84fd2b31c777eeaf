/**
 * The batch job's throughput on one SQLite database against two loops: the
 * bare loop selects and rewrites the same bytes (keyset pages, one
 * transaction per batch, the same batch size and compare-and-swap UPDATE)
 * with no crypto (each value is rewritten to a same-length value: its key id
 * swapped in the prefix, so SQLite really writes); the minimum loop does the
 * same with a raw AES-256-GCM decrypt and encrypt of each value (a second
 * column of the same rows holds raw GCM ciphertexts). The job runs on one
 * thread and with two worker threads. Runs rotate on fresh copies of one
 * seeded file. Each run is timed by wall time and by the process's CPU
 * time; ratios are per round (variants of one round run back to back) and
 * reported as the median over rounds with their spread.
 * Imports the built package (../dist).
 *
 *   node bench/reencrypt.mjs [--quick] [--rows N]      N rows instead of 200,000
 *   node --expose-gc bench/reencrypt.mjs --million     1,000,000 rows, default workers: rows/s and peak RSS
 *
 * `npm run bench` calls benchReencrypt({ quick }) from its own runner.
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
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

// Raw AES-256-GCM keys of the minimum loop.
const RAW_OLD = randomBytes(32);
const RAW_NEW = randomBytes(32);

/** `raw`: base64url(iv || ciphertext || tag) of the same plaintext under RAW_OLD. */
function rawSeal(key, plaintext) {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = c.update(plaintext);
  c.final();
  return Buffer.concat([iv, body, c.getAuthTag()]).toString('base64url');
}

function seed(path, rows) {
  const ring = Keyring.create({ keys: [OLD] });
  const db = new Database(path);
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, token TEXT, raw TEXT)');
  const insert = db.prepare('INSERT INTO users VALUES (?, ?, ?)');
  const chunk = 50_000;
  for (let from = 1; from <= rows; from += chunk) {
    db.transaction(() => {
      for (let id = from; id < from + chunk && id <= rows; id++) {
        const secret = `sk_live_${id.toString(36).padStart(24, '0')}`;
        insert.run(id, ring.encrypt(secret, { context: { table: 'users', column: 'token', id: String(id) } }), rawSeal(RAW_OLD, Buffer.from(secret)));
      }
    })();
  }
  db.close();
}

async function job(path, keyring, workers = 0) {
  const db = new Database(path);
  const store = await sqliteStore({ database: db, table: 'users', column: 'token', id: 'id' });
  const start = performance.now();
  const cpu = cpuSeconds();
  const result = await reencryptAll({ keyring, store, batchSize: BATCH, context: 'recommended', workers });
  const cpuUsed = cpuSeconds() - cpu;
  const seconds = (performance.now() - start) / 1000;
  db.close();
  if (result.counters.reencrypted !== result.total) throw new Error('bench: the job did not re-encrypt every row');
  return { wall: result.total / seconds, cpu: result.total / cpuUsed };
}

function bare(path) {
  const db = new Database(path);
  const first = db.prepare('SELECT id, token FROM users WHERE token IS NOT NULL ORDER BY id LIMIT ?');
  const next = db.prepare('SELECT id, token FROM users WHERE token IS NOT NULL AND id > ? ORDER BY id LIMIT ?');
  // The store's compare-and-swap, byte-wise (keyroll/stores/sqlite).
  const cas = db.prepare('UPDATE users SET token = ? WHERE id = ? AND CAST(token AS BLOB) = CAST(? AS BLOB)');
  const write = db.transaction((rows) => {
    let n = 0;
    // Same length, different bytes (the key id in the prefix): SQLite skips writing a cell
    // rewritten with identical content, which would make the bare loop do no I/O at all.
    for (const r of rows) n += cas.run(r.token.startsWith('kr1.ka.') ? `kr1.kb.${r.token.slice(7)}` : `kr1.ka.${r.token.slice(7)}`, r.id, r.token).changes;
    return n;
  });
  const start = performance.now();
  const cpu = cpuSeconds();
  let cursor;
  let total = 0;
  for (;;) {
    const rows = cursor === undefined ? first.all(BATCH) : next.all(cursor, BATCH);
    if (rows.length === 0) break;
    total += write(rows);
    cursor = rows[rows.length - 1].id;
    if (rows.length < BATCH) break;
  }
  const cpuUsed = cpuSeconds() - cpu;
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return { wall: total / seconds, cpu: total / cpuUsed };
}

/**
 * The minimum loop any re-encryption must do, on one thread: the same keyset
 * select and compare-and-swap update in one transaction per batch, and per
 * value a raw node:crypto AES-256-GCM decrypt (tag checked) and encrypt
 * (fresh random IV), with the base64url decoding and encoding a text column
 * needs. It works on the `raw` column of the same rows.
 */
function minimal(path) {
  const db = new Database(path);
  const first = db.prepare('SELECT id, raw FROM users WHERE raw IS NOT NULL ORDER BY id LIMIT ?');
  const next = db.prepare('SELECT id, raw FROM users WHERE raw IS NOT NULL AND id > ? ORDER BY id LIMIT ?');
  const cas = db.prepare('UPDATE users SET raw = ? WHERE id = ? AND CAST(raw AS BLOB) = CAST(? AS BLOB)');
  const write = db.transaction((rows) => {
    let n = 0;
    for (const r of rows) {
      const bytes = Buffer.from(r.raw, 'base64url');
      const d = createDecipheriv('aes-256-gcm', RAW_OLD, bytes.subarray(0, 12));
      d.setAuthTag(bytes.subarray(bytes.length - 16));
      const plaintext = d.update(bytes.subarray(12, bytes.length - 16));
      d.final();
      n += cas.run(rawSeal(RAW_NEW, plaintext), r.id, r.raw).changes;
    }
    return n;
  });
  const start = performance.now();
  const cpu = cpuSeconds();
  let cursor;
  let total = 0;
  for (;;) {
    const rows = cursor === undefined ? first.all(BATCH) : next.all(cursor, BATCH);
    if (rows.length === 0) break;
    total += write(rows);
    cursor = rows[rows.length - 1].id;
    if (rows.length < BATCH) break;
  }
  const cpuUsed = cpuSeconds() - cpu;
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return { wall: total / seconds, cpu: total / cpuUsed };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * One run, on copies of one seeded SQLite file, alternating: the bare loop,
 * the minimum loop, the job on one thread and the job with two workers.
 * Rates are medians over rounds; ratios are medians of per-round ratios.
 * @param {{ quick?: boolean }} options
 */
export async function benchReencrypt({ quick = false, rows: rowsOption } = {}) {
  // 200,000 rows: a job's fixed costs (starting worker threads, which load and compile the
  // package afresh) are a fifth of a 50,000-row run and would hide what the workers do per row.
  const rows = rowsOption ?? (quick ? 5_000 : 200_000);
  const rounds = quick ? 1 : 3;
  const dir = mkdtempSync(join(tmpdir(), 'keyroll-bench-'));
  try {
    const seeded = join(dir, 'seed.db');
    seed(seeded, rows);
    const keyring = Keyring.create({ keys: [NEW, OLD], activeKeyId: NEW.id });
    const runs = { bare: [], minimal: [], job: [], job2: [] };
    const kinds = Object.keys(runs);
    for (let i = 0; i < rounds + 1; i++) {
      // Rotate the order, so no variant always runs on a warmer cache.
      const order = kinds.map((_, k) => kinds[(k + i) % kinds.length]);
      for (const which of order) {
        const file = join(dir, `${which}-${i}.db`);
        copyFileSync(seeded, file);
        const rate = which === 'bare' ? bare(file) : which === 'minimal' ? minimal(file) : await job(file, keyring, which === 'job2' ? 2 : 0);
        if (i > 0 || quick) runs[which].push(rate); // round 0 warms up the JIT
        rmSync(file);
      }
    }
    // Per round, each variant against the minimum loop (or the one-thread job) of the same round:
    // the median over rounds, and the spread (min-max) in brackets.
    const perRound = (a, b, clock) => runs[a].map((r, i) => r[clock] / runs[b][i][clock]);
    const summary = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
    const rate = (k, clock) => median(runs[k].map((r) => r[clock]));
    return {
      rows,
      rounds: runs.job.length,
      jobRowsPerSecond: rate('job', 'wall'),
      job2RowsPerSecond: rate('job2', 'wall'),
      minimalRowsPerSecond: rate('minimal', 'wall'),
      bareRowsPerSecond: rate('bare', 'wall'),
      jobRowsPerCpuSecond: rate('job', 'cpu'),
      minimalRowsPerCpuSecond: rate('minimal', 'cpu'),
      // One thread: by process CPU time (what the code costs, whatever else the machine runs) and by wall time.
      ratioToMinimalCpu: summary(perRound('job', 'minimal', 'cpu')),
      ratioToMinimalWall: summary(perRound('job', 'minimal', 'wall')),
      ratioToBareWall: summary(perRound('job', 'bare', 'wall')),
      // Two workers against one thread: wall time only (CPU time adds up across threads).
      workersSpeedup: summary(perRound('job2', 'job', 'wall')),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The 1,000,000-row run (not part of `npm run bench`): the job with its
 * default worker count on a seeded file, reporting rows/s and the peak RSS
 * (sampled every 50 ms and the kernel's high-water mark) next to the RSS
 * before the job.
 */
export async function benchMillion(rows = 1_000_000) {
  const dir = mkdtempSync(join(tmpdir(), 'keyroll-bench-'));
  try {
    const file = join(dir, 'million.db');
    seed(file, rows);
    const keyring = Keyring.create({ keys: [NEW, OLD], activeKeyId: NEW.id });
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const db = new Database(file);
    const store = await sqliteStore({ database: db, table: 'users', column: 'token', id: 'id' });
    const samples = [];
    const start = performance.now();
    const result = await reencryptAll({ keyring, store, batchSize: BATCH, context: 'recommended', onProgress: (p) => p.done % 100_000 < BATCH && samples.push([p.done, process.memoryUsage().rss]) });
    const seconds = (performance.now() - start) / 1000;
    clearInterval(timer);
    db.close();
    if (result.counters.reencrypted !== rows) throw new Error('bench: the job did not re-encrypt every row');
    return { rows, seconds, rowsPerSecond: rows / seconds, rssBeforeMiB: before / 2 ** 20, peakRssMiB: Math.max(peak, process.resourceUsage().maxRSS * 1024) / 2 ** 20, rssEvery100k: samples.map(([d, r]) => `${d}: ${(r / 2 ** 20).toFixed(0)} MiB`) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const f = (n) => Math.round(n).toLocaleString('en-US');
const x = (v) => `${v.median.toFixed(2)} (${v.min.toFixed(2)}-${v.max.toFixed(2)})`;

/** `npm run bench` section: {@link benchReencrypt} as text. */
export async function benchReencryptReport({ quick = false, rows } = {}) {
  const r = await benchReencrypt({ quick, rows });
  return [
    `SQLite, ${f(r.rows)} rows, batch ${BATCH}, ${r.rounds} rounds on copies of one seeded file; ratios: median over rounds (min-max).`,
    '',
    `- job on one thread: ${f(r.jobRowsPerSecond)} rows/s wall (${f(r.jobRowsPerCpuSecond)} rows per CPU second)`,
    `- job with 2 worker threads: ${f(r.job2RowsPerSecond)} rows/s wall`,
    `- minimum loop (same select and update, raw AES-256-GCM decrypt + encrypt, one thread): ${f(r.minimalRowsPerSecond)} rows/s wall (${f(r.minimalRowsPerCpuSecond)} rows per CPU second)`,
    `- bare select + rewrite, no crypto: ${f(r.bareRowsPerSecond)} rows/s wall`,
    `- one thread / minimum loop: ${x(r.ratioToMinimalCpu)} by CPU time, ${x(r.ratioToMinimalWall)} by wall time`,
    `- 2 workers / one thread: ${x(r.workersSpeedup)} by wall time`,
    `- one thread / bare loop: ${x(r.ratioToBareWall)} by wall time`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--million')) {
    console.log(JSON.stringify(await benchMillion(), null, 2));
  } else {
    const at = process.argv.indexOf('--rows');
    const rows = at === -1 ? undefined : Number(process.argv[at + 1]);
    if (rows !== undefined && !(Number.isInteger(rows) && rows >= 1000)) throw new Error('bench: --rows takes a whole number of at least 1000');
    console.log(await benchReencryptReport({ quick: process.argv.includes('--quick'), rows }));
  }
}
