/**
 * Typos fail closed: every public function of every entry point that takes an
 * options object refuses an unknown key with ERR_INVALID_ARGUMENT naming it,
 * and wrong value types are ERR_INVALID_ARGUMENT, never a TypeError. The
 * tables are checked against the entry points' exports, so a new export
 * without an entry here fails this test.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';
import * as rotation from '../../src/rotation/index.js';
import * as sqlite from '../../src/stores/sqlite.js';
import * as postgres from '../../src/stores/postgres.js';
import * as drizzle from '../../src/integrations/drizzle.js';
import * as prisma from '../../src/integrations/prisma.js';
import * as stream from '../../src/stream/index.js';
import * as web from '../../src/web/index.js';
import { Keyring, KeyrollError, generateKey, sealKeyring } from '../../src/index.js';
import { testKeyring } from '../../src/testing/index.js';
import { issueToken, verifyToken } from '../../src/tokens/index.js';
import type { RowStore } from '../../src/rotation/index.js';

const TYPO = 'contxt';
const ring = testKeyring({ keys: 2, seed: 'options' });
const stored = ring.encrypt('hello');
const webRing = web.WebKeyring.fromJSON(ring.export());
const store: RowStore = { target: { table: 't', column: 'c', id: 'id' }, count: async () => 0, scan: async () => [], update: async () => ({ written: 0, conflicts: 0 }) } as unknown as RowStore;
const withTypo = <T extends object>(valid: T): T => ({ ...valid, [TYPO]: 1 }) as T;
const watchDir = mkdtempSync(join(tmpdir(), 'keyroll-options-'));
writeFileSync(join(watchDir, 'keyring.json'), JSON.stringify(ring.export()));
const watcher = await Keyring.watch(join(watchDir, 'keyring.json'), { pollIntervalMs: false });
afterAll(async () => {
  await watcher.close();
  rmSync(watchDir, { recursive: true, force: true });
});

/** A call with a misspelt option, for each function that takes options. */
type Call = () => unknown;
const calls: Record<string, Record<string, Call[]>> = {
  root: {
    'Keyring.create': [() => Keyring.create(withTypo({ keys: [generateKey({ id: 'k1' })] }))],
    'Keyring.fromJSON': [() => Keyring.fromJSON(ring.export(), withTypo({}))],
    'Keyring.fromFile': [() => Keyring.fromFile('/nonexistent/keyring.json', withTypo({}))],
    'Keyring.fromSealedFile': [
      () => Keyring.fromSealedFile('/nonexistent/k.sealed', { passphrase: 'pw' }, withTypo({})),
      () => Keyring.fromSealedFile('/nonexistent/k.sealed', withTypo({ passphrase: 'pw' })),
    ],
    'Keyring.fromEnv': [() => Keyring.fromEnv({}, withTypo({}))],
    'Keyring.fromDirectory': [() => Keyring.fromDirectory('/nonexistent', withTypo({}))],
    'Keyring#encrypt': [() => ring.encrypt('x', withTypo({}))],
    'Keyring#encryptToBytes': [() => ring.encryptToBytes('x', withTypo({}))],
    'Keyring#decrypt': [() => ring.decrypt(stored, withTypo({}))],
    'Keyring#decryptString': [() => ring.decryptString(stored, withTypo({}))],
    'Keyring#open': [() => ring.open(stored, withTypo({}))],
    'Keyring#reencrypt': [() => ring.reencrypt(stored, withTypo({}))],
    'Keyring#blindIndex': [() => ring.blindIndex('x', withTypo({ purpose: 'p' })), () => ring.blindIndex('x', { purpose: 'p', normalize: withTypo({ trim: true }) }), () => ring.blindIndex('x', { purpose: 'p', slow: withTypo({ N: 2 ** 14 }) })],
    'Keyring#blindIndexCandidates': [() => ring.blindIndexCandidates('x', withTypo({ purpose: 'p' }))],
    'Keyring#add': [() => ring.add(generateKey({ id: 'k9' }), withTypo({})), () => ring.add(withTypo({ id: 'k9', secret: 'ASDFGHJKL1234567' }))],
    'Keyring.watch': [() => Keyring.watch(join(watchDir, 'keyring.json'), withTypo({}))],
    'KeyringWatcher#encrypt': [() => watcher.encrypt('x', withTypo({}))],
    'KeyringWatcher#encryptToBytes': [() => watcher.encryptToBytes('x', withTypo({}))],
    'KeyringWatcher#decrypt': [() => watcher.decrypt(stored, withTypo({}))],
    'KeyringWatcher#decryptString': [() => watcher.decryptString(stored, withTypo({}))],
    'KeyringWatcher#open': [() => watcher.open(stored, withTypo({}))],
    'KeyringWatcher#reencrypt': [() => watcher.reencrypt(stored, withTypo({}))],
    'KeyringWatcher#blindIndex': [() => watcher.blindIndex('x', withTypo({ purpose: 'p' }))],
    'KeyringWatcher#blindIndexCandidates': [() => watcher.blindIndexCandidates('x', withTypo({ purpose: 'p' }))],
    'Keyring#postpone': [() => ring.add(generateKey({ id: 'k9' }), { activatesIn: '1h' }).postpone('k9', withTypo({ by: '1m' }))],
    'Key.from': [() => root.Key.from(withTypo({ id: 'k9', secret: 'ASDFGHJKL1234567' }), { state: 'active', now: new Date() })],
    generateKey: [() => generateKey(withTypo({ id: 'k9' }))],
    writeKeyringFile: [() => root.writeKeyringFile('/nonexistent/keyring.json', ring, withTypo({}))],
    sealKeyring: [
      () => sealKeyring(ring, withTypo({ passphrase: 'pw' })),
      () => sealKeyring(ring, { passphrase: 'pw', scrypt: withTypo({ N: 2 ** 15 }) }),
      () => sealKeyring(ring, { masterKey: 'ab'.repeat(32) }, withTypo({ generation: 2 })),
    ],
    passphraseWrapper: [() => root.passphraseWrapper('pw', withTypo({ N: 2 ** 15 }))],
    readAndRefresh: [() => root.readAndRefresh(ring, stored, withTypo({}))],
    refreshOnRead: [() => root.refreshOnRead(ring, stored, withTypo({ swap: async () => true }))],
  },
  testing: { testKeyring: [() => testKeyring(withTypo({ keys: 1 }))] },
  tokens: {
    issueToken: [() => issueToken(ring, {}, withTypo({ expiresIn: 60 })), () => issueToken(ring, {}, { expiresIn: 60, restrict: withTypo({ ip: '10.0.0.0/8' }) })],
    verifyToken: [
      () => verifyToken(ring, issueToken(ring, {}, { expiresIn: 60 }), withTypo({})),
      () => verifyToken(ring, issueToken(ring, {}, { expiresIn: 60 }), { expect: withTypo({ ip: '10.0.0.1' }) }),
    ],
  },
  rotation: {
    cloakDecoder: [() => rotation.cloakDecoder(withTypo({ keys: 'k1.aesgcm256.' + 'A'.repeat(43) }))],
    layoutDecoder: [() => rotation.layoutDecoder(withTypo({ algorithm: 'aes-256-gcm', key: '00'.repeat(32), encoding: 'hex', order: ['iv', 'tag', 'ciphertext'] }))],
    reencryptAll: [() => rotation.reencryptAll(withTypo({ keyring: ring, store, batchSize: 10 }))],
    countKeyIds: [() => rotation.countKeyIds(withTypo({ store }))],
    fileCheckpoint: [() => rotation.fileCheckpoint('/nonexistent/job.json', withTypo({}))],
    checkShard: [() => rotation.checkShard(withTypo({ index: 0, count: 2 }))],
    readAndRefresh: [() => rotation.readAndRefresh(ring, stored, withTypo({}))],
    refreshOnRead: [() => rotation.refreshOnRead(ring, stored, withTypo({ swap: async () => true }))],
    assertUnused: [() => rotation.assertUnused(ring, 'k9', [], withTypo({}))],
    countKeyUse: [() => rotation.countKeyUse('k9', [], withTypo({}))],
    sampleRows: [() => rotation.sampleRows(ring, store, withTypo({}))],
  },
  stream: {
    encryptStream: [() => stream.encryptStream(ring, withTypo({}))],
    decryptStream: [() => stream.decryptStream(ring, withTypo({}))],
    encryptStreamWeb: [() => stream.encryptStreamWeb(ring, withTypo({}))],
    decryptStreamWeb: [() => stream.decryptStreamWeb(ring, withTypo({}))],
    encryptFile: [() => stream.encryptFile(ring, '/nonexistent/in', '/nonexistent/out', withTypo({}))],
    decryptFile: [() => stream.decryptFile(ring, '/nonexistent/in', '/nonexistent/out', withTypo({}))],
    reencryptFile: [() => stream.reencryptFile(ring, '/nonexistent/in', withTypo({}))],
    decryptRange: [() => stream.decryptRange(ring, '/nonexistent/in', 0, 1, withTypo({}))],
  },
  'stores/sqlite': { sqliteStore: [() => sqlite.sqliteStore(withTypo({ database: ':memory:', table: 't', column: 'c', id: 'id' }))] },
  'stores/postgres': { postgresStore: [() => postgres.postgresStore(withTypo({ client: 'postgres://localhost/x', table: 't', column: 'c', id: 'id' }))] },
  drizzle: { encryptedColumns: [() => drizzle.encryptedColumns(withTypo({ keyring: ring, table: 'users' }))] },
  web: {
    'WebKeyring.create': [() => web.WebKeyring.create(withTypo({ keys: [web.generateKey({ id: 'k1' })] }))],
    'WebKeyring.fromJSON': [() => web.WebKeyring.fromJSON(ring.export(), withTypo({}))],
    'WebKeyring#encrypt': [() => webRing.encrypt('x', withTypo({}))],
    'WebKeyring#encryptToBytes': [() => webRing.encryptToBytes('x', withTypo({}))],
    'WebKeyring#decrypt': [() => webRing.decrypt(stored, withTypo({}))],
    'WebKeyring#decryptString': [() => webRing.decryptString(stored, withTypo({}))],
    'WebKeyring#open': [() => webRing.open(stored, withTypo({}))],
    generateKey: [() => web.generateKey(withTypo({ id: 'k9' }))],
    'Key.from': [() => web.Key.from(withTypo({ id: 'k9', secret: 'ASDFGHJKL1234567' }), { state: 'active', now: new Date() })],
  },
  prisma: {
    fieldEncryption: [
      () => prisma.fieldEncryption(withTypo({ keyring: ring, models: {} })),
      () => prisma.fieldEncryption({ keyring: ring, models: { User: { email: withTypo({}) } } }),
      () => prisma.fieldEncryption({ keyring: ring, models: { User: { email: { index: withTypo({ field: 'emailIdx', purpose: 'p' }) } } } }),
    ],
  },
};

/** Functions that take no options object (and why), so the tables stay exhaustive. */
const noOptions: Record<string, Record<string, string>> = {
  root: {
    KeyrollError: 'an error constructor: building an error must never throw',
    inspect: 'takes an envelope only',
    checkKeyId: 'takes a key id only',
    parseDocument: 'the document itself is checked field by field (ERR_INVALID_KEYRING)',
    masterKeyWrapper: 'takes a master key and a salt, no options',
    sealedGeneration: 'takes the text of a sealed file',
    refreshCounters: 'takes nothing',
    'Keyring#now': 'takes nothing',
    'Keyring#fingerprint': 'takes nothing',
    'Keyring#keys': 'takes nothing',
    'Keyring#has': 'takes a key id',
    'Keyring#get': 'takes a key id',
    'Keyring#isStale': 'takes an envelope',
    'Keyring#promote': 'takes a key id',
    'Keyring#retire': 'takes a key id',
    'Keyring#disable': 'takes a key id',
    'Keyring#remove': 'takes a key id',
    'Keyring#stats': 'takes nothing',
    'Keyring#removed': 'takes nothing',
    'Keyring#export': 'takes nothing',
    'Keyring#toJSON': 'takes nothing',
    'Keyring#toString': 'takes nothing',
    'KeyringWatcher#reload': 'takes nothing',
    'KeyringWatcher#close': 'takes nothing',
    'KeyringWatcher#isStale': 'takes an envelope',
    'KeyringWatcher#now': 'takes nothing',
    'KeyringWatcher#keys': 'takes nothing',
    'KeyringWatcher#has': 'takes a key id',
    'KeyringWatcher#get': 'takes a key id',
    'KeyringWatcher#stats': 'takes nothing',
    'KeyringWatcher#fingerprint': 'takes nothing',
    'KeyringWatcher#toJSON': 'takes nothing',
    'KeyringWatcher#toString': 'takes nothing',
  },
  testing: {},
  tokens: { inspectToken: 'takes a token only' },
  rotation: {
    isEnvelope: 'takes a stored value',
    legacyDecoderFor: 'takes decoders and a stored value',
    memoryCheckpoint: 'takes a saved state (data), not options',
    parseContextTemplate: 'takes a template string',
    parseShard: 'takes a string',
    recommendedTemplate: 'takes a store target (data)',
    resolveRowContext: 'takes a function or template and a store target',
    shardCheckpointPath: 'takes a path and a checked shard',
    shardOf: 'takes a string and a count',
    zeroCounters: 'takes nothing',
    refreshCounters: 'takes nothing',
    describeUse: 'takes a count (data)',
  },
  stream: { inspectFile: 'takes a path only' },
  'stores/sqlite': {},
  'stores/postgres': {},
  drizzle: {},
  prisma: {},
  web: {
    KeyrollError: 'an error constructor: building an error must never throw',
    inspect: 'takes an envelope only',
    'WebKeyring#now': 'takes nothing',
    'WebKeyring#keys': 'takes nothing',
    'WebKeyring#has': 'takes a key id',
    'WebKeyring#get': 'takes a key id',
    'WebKeyring#isStale': 'takes an envelope',
    'WebKeyring#toJSON': 'takes nothing',
    'WebKeyring#toString': 'takes nothing',
  },
};

/**
 * The package's entry points, read from package.json's exports and the build's
 * entry map (tsup.config.ts), so a new entry point needs tables here.
 */
function entryPoints(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> };
  const config = readFileSync(new URL('../../tsup.config.ts', import.meta.url), 'utf8');
  const out = new Map<string, string>();
  for (const [subpath, conditions] of Object.entries(pkg.exports)) {
    if (subpath === './package.json') continue;
    // The build a subpath gives by default: keyroll/web/webcrypto is keyroll/web's, listed once.
    const name = /^\.\/dist\/(.+)\.js$/.exec((conditions as { import: { default: string } }).import.default)![1]!;
    if (out.has(name === 'index' ? 'root' : name)) continue;
    const source = new RegExp(`['"]?${name.replace('/', '\\/')}['"]?:\\s*'([^']+)'`).exec(config)?.[1];
    if (source === undefined) throw new Error(`no build entry for ${subpath}`);
    out.set(name === 'index' ? 'root' : name, source);
  }
  return out;
}

/** Every public function of an entry point: exported functions, plus the static and instance methods of exported classes. */
function publicFunctions(mod: Record<string, unknown>): string[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(mod)) {
    if (typeof value !== 'function') continue;
    const isClass = /^class\b/.test(Function.prototype.toString.call(value));
    if (!isClass) {
      names.push(name);
      continue;
    }
    const statics = Object.getOwnPropertyNames(value).filter((n) => !['length', 'name', 'prototype'].includes(n) && typeof (value as unknown as Record<string, unknown>)[n] === 'function');
    const methods = Object.getOwnPropertyNames(value.prototype).filter((n) => n !== 'constructor' && typeof Object.getOwnPropertyDescriptor(value.prototype, n)?.value === 'function');
    if (statics.length === 0 && methods.length === 0) names.push(name);
    names.push(...statics.filter((n) => n !== 'is').map((n) => `${name}.${n}`), ...methods.map((n) => `${name}#${n}`));
  }
  return names;
}

async function thrown(call: Call): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('unknown options are refused', () => {
  it('has tables for every entry point in package.json', () => {
    expect([...entryPoints().keys()].sort()).toEqual(Object.keys(calls).sort());
    expect(Object.keys(noOptions).sort()).toEqual(Object.keys(calls).sort());
  });

  for (const [entry, source] of entryPoints()) {
    it(`covers every public function of ${entry}`, async () => {
      const mod = (await import(`../../${source}`)) as Record<string, unknown>;
      const covered = new Set([...Object.keys(calls[entry] ?? {}), ...Object.keys(noOptions[entry] ?? {})]);
      // Key's instance methods and KeyrollError.is are not entry points for options.
      const missing = publicFunctions(mod).filter((n) => !covered.has(n) && !n.startsWith('Key#') && !n.startsWith('KeyrollError'));
      expect(missing, `add these to the tables of test/core/options.test.ts`).toEqual([]);
    });
  }

  for (const entry of Object.keys(calls)) {
    for (const [name, list] of Object.entries(calls[entry]!)) {
      it(`${entry}: ${name} refuses a misspelt option, naming it`, async () => {
        for (const call of list) {
          const err = await thrown(call);
          expect(KeyrollError.is(err, 'ERR_INVALID_ARGUMENT'), String(err)).toBe(true);
          expect((err as Error).message).toContain(`"${TYPO}"`);
        }
      });
    }
  }

  it('a misspelt restrict no longer issues an unrestricted token', () => {
    const err = (() => {
      try {
        issueToken(ring, {}, { expiresIn: 60, restrcit: { ip: '10.0.0.0/8' } } as never);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(KeyrollError.is(err, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/"restrcit"/);
  });

  it('escapes control characters in the option name it reports', () => {
    const err = (() => {
      try {
        ring.encrypt('x', { 'a\nERR_FORGED: b\u001b[31m': 1 } as never);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err?.message).toContain('a\\nERR_FORGED: b\\x1b[31m');
    expect(err?.message).not.toMatch(/[\n\u001b]/);
  });
});

describe('wrong value types are ERR_INVALID_ARGUMENT, never a TypeError', () => {
  const code = async (call: Call): Promise<string> => {
    const err = await thrown(call);
    if (err === undefined) return 'no error';
    return KeyrollError.is(err) ? err.code : `${(err as Error).name}: ${(err as Error).message}`;
  };
  const spec = { id: 'k1', secret: 'ASDFGHJKL1234567' };
  const revoked = Proxy.revocable([spec], {});
  revoked.revoke();

  it.each([
    ['restrict: { ip: null }', () => issueToken(ring, {}, { expiresIn: 60, restrict: { ip: null as never } })],
    ['restrict: { countries: 5 }', () => issueToken(ring, {}, { expiresIn: 60, restrict: { countries: 5 as never } })],
    ['restrict: {}', () => issueToken(ring, {}, { expiresIn: 60, restrict: {} })],
    ['issueToken options null', () => issueToken(ring, {}, null as never)],
    ['clock: 5', () => Keyring.create({ keys: [spec], clock: 5 as never })],
    ['clock returning a string', () => Keyring.create({ keys: [spec], clock: (() => 'now') as never })],
    ['clock returning an invalid Date (later)', () => testKeyring({ clock: () => new Date(Number.NaN) })],
    ['onDecrypt: "x"', () => Keyring.create({ keys: [spec], onDecrypt: 'x' as never })],
    ['a sparse keys array', () => Keyring.create({ keys: [spec, , { id: 'k2', secret: 'ASDFGHJKL1234567' }] as never })],
    ['a revoked Proxy as keys', () => Keyring.create({ keys: revoked.proxy as never })],
    ['a Proxy whose traps throw as keys', () => Keyring.create({ keys: new Proxy([spec], { get: () => { throw new RangeError('trap'); } }) as never })],
    ['a Proxy whose traps throw as options', () => ring.encrypt('x', new Proxy({}, { ownKeys: () => { throw new RangeError('trap'); } }) as never)],
    ['activate: "yes"', () => ring.add(generateKey({ id: 'k9' }), { activate: 'yes' as never })],
    ['generateKey createdAt: {}', () => generateKey({ id: 'k9', createdAt: {} as never })],
    ['store columns: "x"', () => sqlite.sqliteStore({ database: ':memory:', table: 't', column: 'c', id: 'id', columns: 'tenant' as never })],
    ['shard: "0/2"', () => rotation.checkShard('0/2' as never)],
  ])('%s', async (_name, call) => {
    let result = await code(call);
    if (_name === 'clock returning an invalid Date (later)') result = await code(() => (call() as Keyring).encrypt('x'));
    expect(result).toBe('ERR_INVALID_ARGUMENT');
  });

  it('a Proxy-wrapped keys array is refused, even one whose traps work', async () => {
    expect(await code(() => Keyring.create({ keys: new Proxy([spec], {}) }))).toBe('ERR_INVALID_ARGUMENT');
    expect(() => Keyring.create({ keys: new Proxy([spec], {}) })).toThrow(/keys must be a plain array, got a Proxy/);
    // The plain array itself is fine.
    expect(Keyring.create({ keys: [spec] }).activeKeyId).toBe('k1');
  });

  it('a KeyWrapper resolving to a string is refused when sealing and unsealing', async () => {
    const wrapper = { kind: 'test-kms', wrap: async () => 'not bytes', unwrap: async () => 'x'.repeat(32) };
    expect(await code(() => sealKeyring(ring, { wrapper: wrapper as never }))).toBe('ERR_INVALID_ARGUMENT');
    const good = { kind: 'test-kms', wrap: async (k: Uint8Array) => new Uint8Array(k), unwrap: async () => 'x'.repeat(32) };
    const text = await sealKeyring(ring, { wrapper: { ...good, wrap: good.wrap } as never });
    const { unsealText } = await import('../../src/sources/sealed.js');
    expect(await code(() => unsealText(text, { wrapper: good as never }))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('any odd value for any option is a KeyrollError, never an engine error (property)', async () => {
    // Values are picked by index, so fast-check never has to print a throwing Proxy.
    const oddValues: unknown[] = [null, 0, -1, Number.NaN, Infinity, '', 'x', true, [], [undefined], {}, Symbol('s'), 10n, new Date(Number.NaN), new Map(), new Uint8Array(2), () => 'returned',
      new Proxy({}, { get: () => { throw new RangeError('trap'); }, ownKeys: () => { throw new RangeError('trap'); } })];
    const odd = fc.integer({ min: 0, max: oddValues.length - 1 });
    const token = issueToken(ring, {}, { expiresIn: 60 });
    const targets: Array<[string[], (o: Record<string, unknown>) => unknown]> = [
      [['keys', 'policy', 'activeKeyId', 'clock'], (o) => Keyring.create({ keys: [spec], ...o } as never)],
      [['context'], (o) => ring.encrypt('x', o as never)],
      [['context'], (o) => ring.decrypt(stored, o as never)],
      [['activatesAt', 'activate'], (o) => ring.add(generateKey({ id: 'k9' }), o as never)],
      [['id', 'bytes', 'state', 'createdAt'], (o) => generateKey({ id: 'k9', ...o } as never)],
      [['expiresIn', 'notBefore', 'audience', 'subject', 'issuer', 'jti', 'restrict', 'now', 'implicitAssertion'], (o) => issueToken(ring, {}, { expiresIn: 60, ...o } as never)],
      [['audience', 'now', 'clockSkew', 'maxAge', 'implicitAssertion', 'expect'], (o) => verifyToken(ring, token, o as never)],
      [['keys', 'retired', 'seed', 'idPrefix', 'policy', 'deterministicEnvelopes'], (o) => testKeyring(o as never)],
      [['context', 'fromPlaintext', 'isLegacy', 'legacy', 'blindIndex', 'counters'], (o) => root.readAndRefresh(ring, stored, o as never)],
      [['legacy', 'blindIndex', 'fromPlaintext'], (o) => rotation.reencryptAll({ keyring: ring, store, ...o } as never)],
      [['legacy'], (o) => rotation.countKeyIds({ store, ...o } as never)],
      [['context', 'segmentSize'], (o) => stream.encryptStream(ring, o as never)],
      [['context'], (o) => stream.decryptStream(ring, o as never)],
      [['context', 'segmentSize', 'mode', 'output'], (o) => stream.reencryptFile(ring, '/nonexistent/in', o as never)],
    ];
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: targets.length - 1 }), fc.nat(), odd, async (t, k, v) => {
        const [names, call] = targets[t]!;
        const name = names[k % names.length]!;
        const value = oddValues[v];
        const err = await thrown(() => call({ [name]: value }));
        if (err !== undefined) expect(KeyrollError.is(err), `target ${t}, ${name} = value ${v}: ${String(err)}`).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('control characters from input are escaped in every message', () => {
  const messageOf = async (call: Call): Promise<string> => {
    const err = await thrown(call);
    expect(KeyrollError.is(err), String(err)).toBe(true);
    return (err as Error).message;
  };
  const forged = 'x\n[INFO] all good\r\u001b[2K\u202e';

  it.each([
    ['a file name', () => Keyring.fromFile(`/nonexistent/${forged}.json`)],
    ['a directory name', () => Keyring.fromDirectory(`/nonexistent/${forged}`)],
    ['a key id given to promote', () => ring.promote(forged)],
    ['an option name', () => ring.encrypt('x', { [forged]: 1 } as never)],
    ['a document field name', () => Keyring.fromJSON({ format: 'keyroll.keyring', version: 1, keys: [], [forged]: 1 })],
    ['a policy field name', () => Keyring.create({ keys: [generateKey({ id: 'k1' })], policy: { [forged]: 1 } as never })],
    ['a context key', () => ring.encrypt('x', { context: { [forged]: 5 } as never })],
    ['a table name', () => sqlite.sqliteStore({ database: ':memory:', table: forged, column: 'c', id: 'id' })],
    ['a checkpoint path', () => rotation.fileCheckpoint(`/etc/passwd/${forged}/job.json`).load()],
  ])('%s', async (_name, call) => {
    const message = await messageOf(call);
    expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028-\u202e]/);
  });
});
