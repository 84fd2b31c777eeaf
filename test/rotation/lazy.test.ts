import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Keyring, KeyrollError, inspect, readAndRefresh, refreshCounters, refreshOnRead } from '../../src/index.js';

const A = { id: 'A', secret: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' };
const B = { id: 'B', secret: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' };
const oldRing = Keyring.create({ keys: [A] });
const ring = Keyring.create({ keys: [B, A], activeKeyId: 'B' });
const context = { table: 'users', column: 'token', id: '42' };

describe('readAndRefresh', () => {
  it('returns the plaintext and, for a stale envelope, a fresh one under the active key and the same context', () => {
    const stored = oldRing.encrypt('s3cret', { context });
    const r = readAndRefresh(ring, stored, { context });
    expect(r.text).toBe('s3cret');
    expect(r.stale).toBe(true);
    expect(r.keyId).toBe('A');
    expect(inspect(r.fresh!).keyId).toBe('B');
    expect(ring.decryptString(r.fresh!, { context })).toBe('s3cret');
    expect(() => ring.decrypt(r.fresh!, { context: { ...context, id: '43' } })).toThrow(KeyrollError);
  });

  it('gives no fresh value for a current envelope', () => {
    const r = readAndRefresh(ring, ring.encrypt('x'));
    expect(r.stale).toBe(false);
    expect('fresh' in r).toBe(false);
  });

  it('keeps the form: binary stays binary, text in bytes stays text', () => {
    const bin = readAndRefresh(ring, oldRing.encryptToBytes('b'));
    expect(bin.fresh).toBeInstanceOf(Uint8Array);
    expect(inspect(bin.fresh!).form).toBe('binary');
    const textBytes = readAndRefresh(ring, new TextEncoder().encode(oldRing.encrypt('t')));
    expect(inspect(textBytes.fresh!)).toMatchObject({ form: 'text', keyId: 'B' });
  });

  it('refuses a non-envelope by default', () => {
    expect(() => readAndRefresh(ring, 'hunter2')).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED_ENVELOPE' }));
  });

  it('with fromPlaintext, a non-envelope is legacy plaintext, counted and encrypted', () => {
    const counters = refreshCounters();
    const r = readAndRefresh(ring, 'hunter2', { context, fromPlaintext: true, counters });
    expect(r).toMatchObject({ text: 'hunter2', stale: true, legacyPlaintext: true });
    expect(ring.decryptString(r.fresh as string, { context })).toBe('hunter2');
    expect(counters).toMatchObject({ reads: 1, stale: 1, legacyPlaintext: 1 });
    const bytes = readAndRefresh(ring, new Uint8Array([0xff, 0, 7]), { fromPlaintext: true });
    expect([...bytes.plaintext]).toEqual([0xff, 0, 7]);
    expect(inspect(bytes.fresh!).form).toBe('binary');
    expect(() => bytes.text).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('with fromPlaintext, a well-formed envelope that fails is still an error, never plaintext', () => {
    const stored = oldRing.encrypt('s', { context });
    for (const [value, code] of [
      [stored, 'ERR_DECRYPT_FAILED'], // wrong (missing) context
      [Keyring.create({ keys: [{ id: 'X', secret: 'x'.repeat(32) }] }).encrypt('s'), 'ERR_UNKNOWN_KEY'],
      ['kr9.A.AAAA', 'ERR_UNSUPPORTED_VERSION'],
    ] as const) {
      expect(() => readAndRefresh(ring, value, { fromPlaintext: true })).toThrow(expect.objectContaining({ code }));
    }
  });

  it('property: any plaintext and context round-trips and ends under the active key', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), fc.boolean(), (pt, ctx, binary) => {
        const stored = binary ? oldRing.encryptToBytes(pt, { context: ctx }) : oldRing.encrypt(pt, { context: ctx });
        const r = readAndRefresh(ring, stored, { context: ctx });
        expect(Buffer.from(r.plaintext).equals(Buffer.from(pt))).toBe(true);
        expect(Buffer.from(ring.decrypt(r.fresh!, { context: ctx })).equals(Buffer.from(pt))).toBe(true);
        expect(readAndRefresh(ring, r.fresh!, { context: ctx }).stale).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('property: in plaintext mode, random strings are either envelopes (error or open) or round-trip as plaintext', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        try {
          const r = readAndRefresh(ring, s, { fromPlaintext: true });
          if (r.legacyPlaintext) expect(ring.decryptString(r.fresh as string)).toBe(s);
        } catch (err) {
          expect(err).toBeInstanceOf(KeyrollError);
          expect((err as KeyrollError).code).not.toBe('ERR_MALFORMED_ENVELOPE');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('refreshOnRead', () => {
  it('writes the fresh value through the swap when stale', async () => {
    let cell = oldRing.encrypt('v', { context });
    const counters = refreshCounters();
    const r = await refreshOnRead(ring, cell, {
      context, counters,
      swap: (fresh, previous) => (cell === previous ? ((cell = fresh as string), true) : false),
    });
    expect(r).toMatchObject({ text: 'v', written: true, conflict: false });
    expect(inspect(cell).keyId).toBe('B');
    expect(counters).toMatchObject({ written: 1, conflicts: 0 });
  });

  it('never overwrites a value changed in between: the other writer wins', async () => {
    const first = oldRing.encrypt('old', { context });
    let cell = first;
    const r = await refreshOnRead(ring, first, {
      context,
      swap: async (fresh, previous) => {
        cell = ring.encrypt('changed by someone else', { context }); // the concurrent write lands first
        if (cell !== previous) return false;
        cell = fresh as string;
        return true;
      },
    });
    expect(r).toMatchObject({ text: 'old', written: false, conflict: true });
    expect(ring.decryptString(cell, { context })).toBe('changed by someone else');
  });

  it('does not call the swap for a current value, and needs a swap function', async () => {
    let calls = 0;
    await refreshOnRead(ring, ring.encrypt('x'), { swap: () => (calls++, true) });
    expect(calls).toBe(0);
    await expect(refreshOnRead(ring, ring.encrypt('x'), {} as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});
