/**
 * One strict time parser for every time read from text: RFC 3339 with a
 * required offset, the calendar checked, no Date.parse leniency, and results
 * that do not depend on the process's time zone (checked in child processes
 * under three zones against the built package).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTime, timeValue } from '../../src/document/index.js';
import { Keyring, generateKey } from '../../src/index.js';
import { KeyrollError } from '../../src/errors.js';

const REFUSED = [
  '1',
  '0',
  'Dec 1, 2026',
  'Tue, 01 Dec 2026 00:00:00 GMT',
  '2026-02-30T00:00:00Z',
  '2026-02-29T00:00:00Z', // 2026 is not a leap year
  '2100-02-29T00:00:00Z', // nor is 2100
  '2026-04-31T00:00:00Z',
  '2030-12-01T00:00:00', // no offset: Date would read it in the local zone
  '2030-12-01',
  '2030-12-01T00:00Z',
  '2030-12-01 00:00:00Z',
  '2030-12-01T00:00:00+0100',
  '2030-12-01T00:00:00+01',
  '2030-12-01T00:00:00+24:00',
  '2030-12-01T00:00:60Z',
  '2030-12-01T24:00:00Z',
  '+002030-12-01T00:00:00Z',
  ' 2030-12-01T00:00:00Z',
  '2030-12-01T00:00:00Z\n',
  '2030-12-01T00:00:00.Z',
  '2030-12-01T00:00:00.1234567890Z',
];

const doc = (createdAt: string) => ({ format: 'keyroll.keyring', version: 1, keys: [{ id: 'k1', state: 'active', secret: 'ASDFGHJKL1234567', encoding: 'utf8', createdAt }] });

describe('parseTime', () => {
  it('reads RFC 3339 with Z or an offset', () => {
    expect(parseTime('2026-12-01T00:00:00Z')).toBe(Date.UTC(2026, 11, 1));
    expect(parseTime('2026-12-01T09:00:00+09:00')).toBe(Date.UTC(2026, 11, 1));
    expect(parseTime('2026-11-30T19:00:00-05:00')).toBe(Date.UTC(2026, 11, 1));
    expect(parseTime('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29));
    expect(parseTime('2000-02-29T00:00:00Z')).toBe(Date.UTC(2000, 1, 29));
    expect(parseTime('2026-12-01T00:00:00.123456789Z')).toBe(Date.UTC(2026, 11, 1) + 123);
  });

  it('refuses everything Date.parse would guess at', () => {
    for (const text of REFUSED) expect(parseTime(text), JSON.stringify(text)).toBeUndefined();
    // What the old code accepted: Date.parse reads several of them.
    expect(Number.isNaN(Date.parse('Dec 1, 2026'))).toBe(false);
    expect(Number.isNaN(Date.parse('2030-12-01T00:00:00'))).toBe(false);
  });

  it('agrees with Date on every valid RFC 3339 text with any offset (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 86_400_000, max: 253402300799999 - 86_400_000 }), fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }), (ms, offsetMinutes) => {
        const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
        const sign = offsetMinutes < 0 ? '-' : '+';
        const abs = Math.abs(offsetMinutes);
        const text = `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        expect(parseTime(text)).toBe(ms);
      }),
    );
  });

  it('refuses every impossible calendar date (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
        const text = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T00:00:00Z`;
        const real = new Date(Date.UTC(2000, m - 1, d));
        real.setUTCFullYear(y, m - 1, d);
        const exists = real.getUTCMonth() === m - 1 && real.getUTCDate() === d;
        expect(parseTime(text) !== undefined).toBe(exists);
      }),
    );
  });

  it('timeValue takes Dates and finite milliseconds too', () => {
    expect(timeValue(new Date(5))).toBe(5);
    expect(timeValue(5)).toBe(5);
    for (const bad of [new Date(Number.NaN), Number.NaN, Infinity, 9e15, '1', null, {}, true]) expect(timeValue(bad)).toBeUndefined();
  });
});

describe('times in keys and keyring documents', () => {
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (err) {
      return KeyrollError.is(err) ? err.code : `not a KeyrollError: ${String(err)}`;
    }
    return undefined;
  };

  it('refuses lenient times in documents, key specs and ring.add', () => {
    const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
    for (const text of REFUSED) {
      expect(code(() => Keyring.fromJSON(doc(text))), text).toBe('ERR_INVALID_KEY');
      expect(code(() => Keyring.create({ keys: [{ id: 'k1', secret: 'ASDFGHJKL1234567', createdAt: text }] })), text).toBe('ERR_INVALID_KEY');
      expect(code(() => ring.add(generateKey({ id: 'k2' }), { activatesAt: text })), text).toBe('ERR_INVALID_ARGUMENT');
      expect(code(() => generateKey({ id: 'k2', createdAt: text as never })), text).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(Keyring.fromJSON(doc('2026-01-01T09:00:00+09:00')).keys()[0]!.createdAt).toBe('2026-01-01T00:00:00.000Z');
  });
});

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

describe('time zone independence (child processes against dist)', () => {
  const script = `
    import { Keyring, generateKey } from ${JSON.stringify(join(dist, 'index.js'))};
    import { issueToken, verifyToken } from ${JSON.stringify(join(dist, 'tokens.js'))};
    const out = {};
    const code = (f) => { try { f(); return 'ok'; } catch (e) { return e.code ?? String(e); } };
    const ring = Keyring.create({ keys: [{ id: 'k1', secret: 'ASDFGHJKL1234567', createdAt: '2026-03-08T02:30:00-05:00' }], clock: () => Date.UTC(2026, 0, 1) });
    out.created = ring.keys()[0].createdAt;
    const next = ring.add(generateKey({ id: 'k2' }), { activatesAt: '2026-11-01T01:30:00+09:00' });
    out.activates = next.keys().find((k) => k.id === 'k2').activatesAt;
    out.refused = ${JSON.stringify(REFUSED)}.map((t) => code(() => ring.add(generateKey({ id: 'k3' }), { activatesAt: t })));
    const token = issueToken(ring, {}, { expiresIn: '1h', now: Date.UTC(2026, 0, 1) });
    out.exp = verifyToken(ring, token, { now: Date.UTC(2026, 0, 1) }).exp;
    process.stdout.write(JSON.stringify(out));
  `;

  it('parses the same instants under UTC, America/New_York and Asia/Tokyo, and the CLI refuses a zone-less --activate-at', () => {
    expect(existsSync(join(dist, 'index.js')), 'run `npx tsup` (npm test builds it)').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'keyroll-tz-'));
    try {
      const file = join(dir, 'probe.mjs');
      writeFileSync(file, script);
      writeFileSync(join(dir, 'keyring.json'), JSON.stringify(doc('2026-01-01T00:00:00Z')));
      const results = new Set<string>();
      for (const TZ of ['UTC', 'America/New_York', 'Asia/Tokyo']) {
        const env = { PATH: process.env['PATH'] ?? '', TZ };
        const r = spawnSync(process.execPath, [file], { env, encoding: 'utf8', timeout: 20_000 });
        expect(r.status, r.stderr).toBe(0);
        const out = JSON.parse(r.stdout) as { created: string; activates: string; refused: string[]; exp: string };
        expect(out.created).toBe('2026-03-08T07:30:00.000Z');
        expect(out.activates).toBe('2026-10-31T16:30:00.000Z');
        expect(out.refused.every((c) => c === 'ERR_INVALID_ARGUMENT')).toBe(true);
        expect(out.exp).toBe('2026-01-01T01:00:00+00:00');
        results.add(r.stdout);
        const cli = (at: string) => spawnSync(process.execPath, [join(dist, 'cli.js'), 'add', 'k2', '--keyring', 'keyring.json', '--generate', '--activate-at', at], { cwd: dir, env, encoding: 'utf8', timeout: 20_000 });
        for (const at of ['2030-12-01T00:00:00', 'Dec 1, 2030', '2030-02-30T00:00:00Z', '1']) {
          const refused = cli(at);
          expect(refused.status, `${TZ} ${at}: ${refused.stderr}`).toBe(2);
          expect(refused.stderr).toMatch(/RFC 3339/);
        }
      }
      expect(results.size).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
