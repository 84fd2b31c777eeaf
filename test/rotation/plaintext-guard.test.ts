import { describe, expect, it } from 'vitest';
import { Keyring, KeyrollError, readAndRefresh } from '../../src/index.js';
import { reencryptAll, type Row, type RowChange, type RowStore } from '../../src/rotation/index.js';

const ring = Keyring.create({ keys: [{ id: 'A', secret: 'a'.repeat(32) }] });
const good = ring.encrypt('secret value');
const goodBytes = ring.encryptToBytes('secret value');

// Values that start like an envelope but do not parse: damaged envelopes, never data.
const damaged: Array<string | Uint8Array> = [
  good.slice(0, -3), // truncated text
  `${good.slice(0, 10)}!!${good.slice(12)}`, // a character outside base64url
  'kr1.A.', // empty payload
  'kr1.bad id.AAAA', // invalid key id in the prefix
  'kr01.A.AAAA', // a leading zero in the version
  'kr1.', // nothing after the version
  goodBytes.subarray(0, 40), // a truncated binary envelope
  new TextEncoder().encode(good.slice(0, -3)), // truncated text in a binary column
];

describe('plaintext migration never takes an envelope-like value for plaintext', () => {
  for (const [i, value] of damaged.entries()) {
    it(`damaged envelope #${i} is an error with fromPlaintext, never legacy data`, () => {
      expect(() => readAndRefresh(ring, value, { fromPlaintext: true })).toThrow(KeyrollError);
    });
  }

  it('ordinary legacy values are still migrated', () => {
    for (const value of ['hunter2', 'kr', 'krypton', 'kr.x', 'k1.A.AAAA', '', new Uint8Array([0xff, 0])]) {
      expect(readAndRefresh(ring, value, { fromPlaintext: true }).legacyPlaintext).toBe(true);
    }
  });

  it('isLegacy replaces the default rule', () => {
    const onlyDigits = (v: string | Uint8Array) => typeof v === 'string' && /^[0-9]+$/.test(v);
    expect(readAndRefresh(ring, '123', { fromPlaintext: true, isLegacy: onlyDigits }).text).toBe('123');
    expect(() => readAndRefresh(ring, 'hunter2', { fromPlaintext: true, isLegacy: onlyDigits })).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED_ENVELOPE' }));
    // A caller whose legacy data really starts with "kr1." can say so.
    expect(readAndRefresh(ring, 'kr1.', { fromPlaintext: true, isLegacy: () => true }).text).toBe('kr1.');
    // A well-formed envelope is never handed to the predicate.
    expect(readAndRefresh(ring, good, { fromPlaintext: true, isLegacy: () => true }).legacyPlaintext).toBe(false);
  });

  it('the batch job reports a damaged envelope by id and never rewrites it', async () => {
    const values = new Map<number, string>([
      [1, damaged[1] as string],
      [2, 'legacy'],
    ]);
    const store: RowStore = {
      count: async () => values.size,
      scan: async (after, limit) =>
        [...values]
          .filter(([id]) => after === undefined || id > Number(after))
          .slice(0, limit)
          .map(([id, value]): Row => ({ id, value, fields: new Map() })),
      update: async (changes: readonly RowChange[]) => changes.map((c) => (values.set(Number(c.id), c.fresh as string), c.id)),
    };
    const r = await reencryptAll({ store, keyring: ring, fromPlaintext: true, batchSize: 10 });
    expect(r.failures.map((f) => f.id)).toEqual([1]);
    expect(r.counters).toMatchObject({ failed: 1, legacyPlaintext: 1 });
    expect(values.get(1)).toBe(damaged[1]);
    expect(ring.decryptString(values.get(2)!)).toBe('legacy');
  });
});
