/**
 * Streaming envelopes against raw node:crypto AES-256-GCM over the same
 * segment size, both directions, and the 1 GiB memory check (in a child
 * process, bench/stream-memory.mjs). Imports the built package (../dist).
 *
 * Raw GCM per segment: createCipheriv with a 12-byte nonce, setAAD (a header
 * of the same length), update, final, getAuthTag (decrypt: setAuthTag and
 * final) over the segments of one buffer, outputs dropped. keyroll: that
 * buffer, cut into 64 KiB chunks as a file stream reads it, through
 * encryptStream / decryptStream, outputs drained. Runs alternate (raw,
 * keyroll, raw, ...) and each is timed by the process's CPU time; the ratio
 * is the median of per-pair ratios.
 *
 *   node bench/stream.mjs [--quick]
 * @module
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Keyring, generateKey } from '../dist/index.js';
import { encryptStream, decryptStream } from '../dist/stream.js';

const MiB = 1 << 20;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function chunks(buffer, size) {
  const out = [];
  for (let i = 0; i < buffer.length; i += size) out.push(buffer.subarray(i, i + size));
  return out;
}

const drain = () => new Writable({ write: (_c, _e, cb) => cb(), writev: (_c, cb) => cb() });

function rawEncrypt(data, segment, key, aad) {
  const nonce = Buffer.alloc(12);
  let index = 0;
  for (let at = 0; at < data.length || index === 0; at += segment, index++) {
    nonce.writeUInt32BE(index, 7);
    nonce[11] = at + segment >= data.length ? 1 : 0;
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(aad);
    c.update(data.subarray(at, at + segment));
    c.final();
    c.getAuthTag();
  }
}

function rawSealed(data, segment, key, aad) {
  const nonce = Buffer.alloc(12);
  const out = [];
  let index = 0;
  for (let at = 0; at < data.length; at += segment, index++) {
    nonce.writeUInt32BE(index, 7);
    nonce[11] = at + segment >= data.length ? 1 : 0;
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(aad);
    const body = c.update(data.subarray(at, at + segment));
    c.final();
    out.push({ body, tag: c.getAuthTag(), last: at + segment >= data.length });
  }
  return out;
}

function rawDecrypt(sealed, key, aad) {
  const nonce = Buffer.alloc(12);
  sealed.forEach((s, index) => {
    nonce.writeUInt32BE(index, 7);
    nonce[11] = s.last ? 1 : 0;
    const d = createDecipheriv('aes-256-gcm', key, nonce);
    d.setAAD(aad);
    d.setAuthTag(s.tag);
    d.update(s.body);
    d.final();
  });
}

/** Throughput ratios, keyroll stream over raw GCM, for one segment size. */
export async function streamRatios({ sizeMiB = 64, segment = 64 * 1024, rounds = 9 } = {}) {
  const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
  const data = randomBytes(sizeMiB * MiB);
  const key = randomBytes(32);
  const aad = randomBytes(80);
  const input = chunks(data, 64 * 1024);
  const sealedParts = [];
  await pipeline(Readable.from(input), encryptStream(ring, { segmentSize: segment }), new Writable({ write: (c, _e, cb) => (sealedParts.push(c), cb()) }));
  const sealedStream = chunks(Buffer.concat(sealedParts), 64 * 1024);
  const raw = rawSealed(data, segment, key, aad);
  const time = async (fn) => {
    const start = cpu();
    await fn();
    return cpu() - start;
  };
  const enc = [];
  const dec = [];
  let encSeconds = 0;
  let decSeconds = 0;
  for (let r = 0; r < rounds; r++) {
    const rawE = await time(() => rawEncrypt(data, segment, key, aad));
    const oursE = await time(() => pipeline(Readable.from(input), encryptStream(ring, { segmentSize: segment }), drain()));
    const rawD = await time(() => rawDecrypt(raw, key, aad));
    const oursD = await time(() => pipeline(Readable.from(sealedStream), decryptStream(ring), drain()));
    enc.push(rawE / oursE);
    dec.push(rawD / oursD);
    encSeconds += oursE;
    decSeconds += oursD;
  }
  return {
    segment,
    encrypt: median(enc),
    decrypt: median(dec),
    encryptMiBs: (sizeMiB * rounds) / encSeconds,
    decryptMiBs: (sizeMiB * rounds) / decSeconds,
  };
}

/** `npm run bench` section: a markdown table and the memory line. */
export async function benchStream({ quick = false } = {}) {
  const rows = [];
  for (const segment of [16 * 1024, 64 * 1024, 1024 * 1024]) {
    const r = await streamRatios({ sizeMiB: quick ? 4 : 64, segment, rounds: quick ? 1 : 9 });
    const mark = (v) => v.toFixed(2);
    rows.push(`| ${segment / 1024} KiB | ${mark(r.encrypt)} | ${mark(r.decrypt)} | ${r.encryptMiBs.toFixed(0)} | ${r.decryptMiBs.toFixed(0)} |`);
  }
  const lines = [
    'Streaming throughput, ratio to raw AES-256-GCM over the same segments (median of interleaved runs):',
    '',
    '| segment | encrypt ratio | decrypt ratio | encrypt MiB/s (CPU) | decrypt MiB/s (CPU) |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ];
  const script = fileURLToPath(new URL('./stream-memory.mjs', import.meta.url));
  try {
    const out = execFileSync(process.execPath, [script, quick ? '64' : '1024'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const m = JSON.parse(out.trim().split('\n').pop());
    lines.push(
      `Memory: ${m.sizeMiB} MiB encrypted and decrypted in one pipeline: RSS before ${m.rssBeforeMiB.toFixed(1)} MiB, peak ${m.peakRssMiB.toFixed(1)} MiB, ` +
        `growth ${m.growthMiB.toFixed(1)} MiB, ${m.mibPerSecond.toFixed(0)} MiB/s wall`,
    );
  } catch (error) {
    lines.push(`Memory check FAILED: ${String(error.stderr ?? error.message).split('\n').find((l) => /Error/.test(l)) ?? 'see stderr'}`);
    process.exitCode = 1;
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await benchStream({ quick: process.argv.includes('--quick') }));
}
