import { describe, expect, it } from 'vitest';
import { Keyring, inspect, readAndRefresh, refreshOnRead } from '../../src/index.js';
import { countKeyIds, reencryptAll, type Row, type RowChange, type RowStore } from '../../src/rotation/index.js';

// A fleet mid-rotation from k1 to k2. Every instance holds both keys; they
// differ in what they take to be active.
const k1 = { id: 'k1', secret: '1'.repeat(32), createdAt: '2026-01-01T00:00:00Z' };
const k2 = { id: 'k2', secret: '2'.repeat(32), createdAt: '2026-06-01T00:00:00Z' };
const T = Date.parse('2026-07-01T00:00:00Z');
const context = { table: 'users', column: 'token', id: '1' };

/** Has the new key, has not reloaded since it was promoted: k1 still active. */
const oldInstance = Keyring.create({ keys: [{ ...k1, state: 'active' }, { ...k2, state: 'decrypt-only' }], clock: () => T + 3600_000 });
/** k2 pending until T; this instance's clock is an hour behind T. */
const behindInstance = Keyring.create({ keys: [{ ...k1, state: 'active' }, { ...k2, state: 'pending', activatesAt: T }], clock: () => T - 3600_000 });
/** The same keyring on a clock past T: k2 active. */
const newInstance = Keyring.create({ keys: [{ ...k1, state: 'active' }, { ...k2, state: 'pending', activatesAt: T }], clock: () => T + 3600_000 });
/** A reloaded instance: k2 promoted. */
const promoted = Keyring.create({ keys: [{ ...k1, state: 'decrypt-only' }, { ...k2, state: 'active' }], clock: () => T + 3600_000 });

function memoryStore(values: Map<number, string>): RowStore {
  return {
    async count() {
      return values.size;
    },
    async scan(after, limit) {
      const rows: Row[] = [];
      for (const [id, value] of [...values].sort((a, b) => a[0] - b[0])) {
        if (after !== undefined && id <= Number(after)) continue;
        rows.push({ id, value, fields: new Map<string, unknown>([['id', id]]) });
        if (rows.length === limit) break;
      }
      return rows;
    },
    async update(changes: readonly RowChange[]) {
      const done = [];
      for (const c of changes) {
        if (values.get(Number(c.id)) === c.previous) {
          values.set(Number(c.id), c.fresh as string);
          done.push(c.id);
        }
      }
      return done;
    },
  };
}

describe('stale goes forward only', () => {
  it('the instances agree on which key is active', () => {
    expect([oldInstance.activeKeyId, behindInstance.activeKeyId, newInstance.activeKeyId, promoted.activeKeyId]).toEqual(['k1', 'k1', 'k2', 'k2']);
  });

  for (const [name, writer] of [['new', newInstance], ['promoted', promoted]] as const) {
    it(`a value written by the ${name} instance is not stale for the old or the clock-behind instance`, async () => {
      const stored = writer.encrypt('v', { context });
      const bytes = writer.encryptToBytes('v', { context });
      for (const reader of [oldInstance, behindInstance]) {
        expect(reader.isStale(stored)).toBe(false);
        expect(reader.isStale(bytes)).toBe(false);
        expect(reader.open(stored, { context }).stale).toBe(false);
        const read = readAndRefresh(reader, stored, { context });
        expect(read).toMatchObject({ stale: false, text: 'v', keyId: 'k2' });
        expect('fresh' in read).toBe(false);
        let swaps = 0;
        const r = await refreshOnRead(reader, bytes, { context, swap: () => (swaps++, true) });
        expect(r.written).toBe(false);
        expect(swaps).toBe(0);
      }
    });
  }

  it('ping-pong: the old and the clock-behind instances never move values back under k1', async () => {
    const values = new Map<number, string>();
    for (let id = 1; id <= 6; id++) values.set(id, newInstance.encrypt(`v${id}`, { context: { ...context, id: String(id) } }));
    const before = new Map(values);
    const rowContext = (row: Row) => ({ ...context, id: String(row.id) });
    for (const ring of [oldInstance, behindInstance]) {
      const job = await reencryptAll({ store: memoryStore(values), keyring: ring, context: rowContext, batchSize: 4 });
      expect(job.counters).toMatchObject({ scanned: 6, reencrypted: 0, current: 6, failed: 0 });
      const dry = await countKeyIds({ store: memoryStore(values), keyring: ring });
      expect(dry.stale).toBe(0);
    }
    expect(values).toEqual(before);
    for (const value of values.values()) expect(inspect(value).keyId).toBe('k2');
  });

  it('forward still works: k1 values are stale for the new instance and move to k2, once', async () => {
    const values = new Map<number, string>([[1, oldInstance.encrypt('a', { context })]]);
    expect(newInstance.isStale(values.get(1)!)).toBe(true);
    const job = await reencryptAll({ store: memoryStore(values), keyring: newInstance, context: () => context, batchSize: 10 });
    expect(job.counters.reencrypted).toBe(1);
    expect(inspect(values.get(1)!).keyId).toBe('k2');
    for (const ring of [oldInstance, behindInstance, newInstance, promoted]) expect(ring.isStale(values.get(1)!)).toBe(false);
  });

  it('a pending key is never stale, even when its createdAt is older than the active key', () => {
    const early = { id: 'early', secret: 'e'.repeat(32), createdAt: '2025-01-01T00:00:00Z', state: 'pending' as const, activatesAt: T };
    const ring = Keyring.create({ keys: [{ ...k2, state: 'active' }, early], clock: () => T - 1 });
    const after = Keyring.create({ keys: [{ ...k2, state: 'active' }, early], clock: () => T });
    const stored = after.encrypt('x');
    expect(inspect(stored).keyId).toBe('early');
    expect(ring.isStale(stored)).toBe(false);
    expect(ring.open(stored).stale).toBe(false);
  });

  it('an envelope under a key the keyring does not hold is not stale (and does not open)', () => {
    const other = Keyring.create({ keys: [{ id: 'k3', secret: '3'.repeat(32) }] });
    expect(oldInstance.isStale(other.encrypt('x'))).toBe(false);
  });

  it('keys without dates (the platform layout) are older than the active key', async () => {
    const env = { ENCRYPTION_KEY: 'NEWKEY0123456789', ACTIVE_ENCRYPTION_KEY_NAME: 'newkey', 'oldEncKeys.json': '{"mykey":"ASDFGHJKL1234567"}' };
    const ring = await Keyring.fromEnv(env);
    const old = await Keyring.fromEnv({ ENCRYPTION_KEY: 'ASDFGHJKL1234567', ACTIVE_ENCRYPTION_KEY_NAME: 'mykey' });
    expect(ring.isStale(old.encrypt('x'))).toBe(true);
    expect(readAndRefresh(ring, old.encrypt('x')).stale).toBe(true);
    const undated = Keyring.create({ keys: [{ id: 'b', secret: 'b'.repeat(32), state: 'active' }, { id: 'a', secret: 'a'.repeat(32) }] });
    const a = Keyring.create({ keys: [{ id: 'a', secret: 'a'.repeat(32) }] });
    expect(undated.isStale(a.encrypt('x'))).toBe(true);
  });
});
