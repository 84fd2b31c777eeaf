import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { generateKey, refreshCounters, writeKeyringFile, type Keyring } from 'keyroll';
import { testKeyring } from 'keyroll/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { startService } from '../src/main.js';
import { TokenStore, migrate, tokenContext } from '../src/token-store.js';

interface Harness {
  db: Database.Database;
  store: TokenStore;
  setRing(next: Keyring): void;
  url(path: string): string;
  errors: unknown[];
}
const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

async function listen(server: http.Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  open.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function harness(initial: Keyring = testKeyring({ seed: 'http-service' })): Promise<Harness> {
  let ring = initial;
  const db = new Database(':memory:');
  migrate(db);
  const store = new TokenStore(db, () => ring);
  const errors: unknown[] = [];
  const base = await listen(http.createServer(createApp({ store, ring: () => ring, onError: (err) => errors.push(err) })));
  return { db, store, errors, setRing: (next) => (ring = next), url: (path) => base + path };
}

const put = (url: string, body: unknown): Promise<Response> =>
  fetch(url, { method: 'PUT', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const stored = (db: Database.Database, id: string): string => (db.prepare('SELECT api_token FROM users WHERE id = ?').get(id) as { api_token: string }).api_token;

describe('http-service', () => {
  it('stores a token encrypted and gives it back', async () => {
    const h = await harness();
    expect((await put(h.url('/users/alice/token'), { token: 'sk_live_alice_0123456789' })).status).toBe(204);
    const row = stored(h.db, 'alice');
    expect(row.startsWith('kr1.test-key-1.')).toBe(true);
    expect(row).not.toContain('sk_live_alice');
    const res = await fetch(h.url('/users/alice/token'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ token: 'sk_live_alice_0123456789', keyId: 'test-key-1', reencrypted: false });
  });

  it('binds each value to its row: a ciphertext copied to another user fails and leaks nothing', async () => {
    const h = await harness();
    await put(h.url('/users/alice/token'), { token: 'sk_live_alice_secret' });
    await put(h.url('/users/mallory/token'), { token: 'sk_live_mallory' });
    h.db.prepare('UPDATE users SET api_token = ? WHERE id = ?').run(stored(h.db, 'alice'), 'mallory');
    const res = await fetch(h.url('/users/mallory/token'));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'ERR_DECRYPT_FAILED' });
    expect(text).not.toContain('sk_live_alice');
    expect(h.errors).toHaveLength(1);
  });

  it('re-encrypts lazily on read after a rotation, once', async () => {
    const h = await harness(testKeyring({ seed: 'rotation', keys: 1 }));
    await put(h.url('/users/bob/token'), { token: 'sk_live_bob' });
    expect(stored(h.db, 'bob').startsWith('kr1.test-key-1.')).toBe(true);
    // Same seed, one more key: test-key-1 becomes decrypt-only, test-key-2 active.
    h.setRing(testKeyring({ seed: 'rotation', keys: 2 }));
    const first = await (await fetch(h.url('/users/bob/token'))).json();
    expect(first).toEqual({ token: 'sk_live_bob', keyId: 'test-key-1', reencrypted: true });
    expect(stored(h.db, 'bob').startsWith('kr1.test-key-2.')).toBe(true);
    const second = await (await fetch(h.url('/users/bob/token'))).json();
    expect(second).toEqual({ token: 'sk_live_bob', keyId: 'test-key-2', reencrypted: false });
  });

  it('compare-and-swap never overwrites a token replaced in between', async () => {
    const ring1 = testKeyring({ seed: 'cas', keys: 1 });
    const h = await harness(ring1);
    h.store.put('carol', 'old-token');
    const before = stored(h.db, 'carol');
    h.store.put('carol', 'new-token'); // the user replaced the token meanwhile
    const fresh = testKeyring({ seed: 'cas', keys: 2 }).reencrypt(before, { context: tokenContext('carol') });
    expect(h.store.swap('carol', fresh, before)).toBe(false);
    expect((await h.store.get('carol'))?.token).toBe('new-token');
    expect(h.store.swap('carol', fresh, stored(h.db, 'carol'))).toBe(true);
  });

  it('counts stale reads and write-backs when given counters', async () => {
    let ring = testKeyring({ seed: 'counters', keys: 1 });
    const db = new Database(':memory:');
    migrate(db);
    const counters = refreshCounters();
    const store = new TokenStore(db, () => ring, counters);
    store.put('u1', 't1');
    store.put('u2', 't2');
    ring = testKeyring({ seed: 'counters', keys: 2 });
    for (const id of ['u1', 'u2', 'u1']) await store.get(id);
    expect(counters).toMatchObject({ reads: 3, stale: 2, written: 2, conflicts: 0 });
  });

  it('refuses bad requests with 4xx and stores nothing', async () => {
    const h = await harness();
    expect((await put(h.url('/users/dave/token'), '{"token": ')).status).toBe(400);
    expect((await put(h.url('/users/dave/token'), { token: 42 })).status).toBe(400);
    expect((await put(h.url('/users/dave/token'), { token: '' })).status).toBe(400);
    expect((await put(h.url('/users/dave/token'), { token: 'x'.repeat(20_000) })).status).toBe(400);
    expect((await fetch(h.url('/users/dave/token'))).status).toBe(404);
    expect((await fetch(h.url('/users/not%20an%20id/token'))).status).toBe(404);
    expect((await fetch(h.url('/users/dave/token'), { method: 'POST' })).status).toBe(405);
    expect((await fetch(h.url('/users/dave/token'), { method: 'DELETE' })).status).toBe(404);
    expect(h.db.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 0 });
  });

  it('deletes a token', async () => {
    const h = await harness();
    await put(h.url('/users/erin/token'), { token: 'sk_erin' });
    expect((await fetch(h.url('/users/erin/token'), { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(h.url('/users/erin/token'))).status).toBe(404);
  });

  it('property: any token round trips through the store, and the stored value never contains it', async () => {
    const ring = testKeyring({ seed: 'property' });
    const db = new Database(':memory:');
    migrate(db);
    const store = new TokenStore(db, () => ring);
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string({ unit: 'grapheme', minLength: 8, maxLength: 200 }), async (id, token) => {
        store.put(id, token);
        expect(stored(db, id)).not.toContain(token);
        expect((await store.get(id))?.token).toBe(token);
      }),
      { numRuns: 200 },
    );
  });
});

describe('startService', () => {
  it('loads its keyring with Keyring.fromEnv (KEYROLL_KEYRING) and serves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyroll-http-service-'));
    open.push(async () => rmSync(dir, { recursive: true, force: true }));
    const ring = testKeyring({ seed: 'env', keys: 2 });
    const env = { KEYROLL_KEYRING: JSON.stringify(ring.export()), DATABASE_PATH: join(dir, 'tokens.db') };
    const base = await listen(await startService(env));
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ ok: true, activeKeyId: 'test-key-2', keyring: ring.fingerprint(), pending: [] });
    expect((await put(`${base}/users/frank/token`, { token: 'sk_frank' })).status).toBe(204);
    expect(await (await fetch(`${base}/users/frank/token`)).json()).toMatchObject({ token: 'sk_frank', keyId: 'test-key-2' });
  });

  it('follows a watched keyring file: /health shows the pending key and the new fingerprint once it is loaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyroll-http-service-'));
    open.push(async () => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'keyring.json');
    const first = testKeyring({ seed: 'watch', keys: 1 });
    await writeKeyringFile(path, first);
    const base = await listen(await startService({ KEYROLL_KEYRING_WATCH: path, DATABASE_PATH: join(dir, 'tokens.db') }));
    const health = async () => (await (await fetch(`${base}/health`)).json()) as { keyring: string; pending: Array<{ id: string }> };
    expect((await health()).keyring).toBe(first.fingerprint());
    const next = first.add(generateKey({ id: 'k-next' }), { activatesAt: new Date(Date.now() + 3_600_000) });
    await writeKeyringFile(path, next);
    // What an operator does before the activation time: wait until the instance reports the new fingerprint.
    let seen = await health();
    while (seen.keyring !== next.fingerprint()) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen = await health();
    }
    expect(seen.pending.map((p) => p.id)).toEqual(['k-next']);
  });

  it('refuses to start without a keyring, naming what to set', async () => {
    await expect(startService({})).rejects.toMatchObject({ code: 'ERR_INVALID_KEYRING', message: expect.stringContaining('KEYROLL_KEYRING') });
  });
});
