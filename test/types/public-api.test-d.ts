/**
 * Type tests for the public API, against the shipped declarations: every
 * import goes through the package name, so `tsc --noEmit` (run by `npm test`
 * after the build) checks dist/*.d.ts exactly as a user's compiler sees it.
 * `expectTypeOf` pins result types; each `@ts-expect-error` line must stay a
 * compile error (tsc fails on an unused one). This file is for the compiler
 * only: vitest's runtime run skips `*.test-d.ts` (its include is `*.test.ts`),
 * and tsconfig.json includes test/, so `npm run typecheck` is what runs it.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  ERROR_CODES,
  Key,
  Keyring,
  KeyrollError,
  generateKey,
  inspect,
  readAndRefresh,
  refreshOnRead,
  type Context,
  type EnvelopeInfo,
  type KeyInfo,
  type KeyState,
  type KeyrollErrorCode,
  type KeyringDocument,
  type OpenResult,
  type RefreshOnReadResult,
  type RefreshResult,
  type SealOptions,
  type SealedLoadOptions,
  type StoredValue,
  sealKeyring,
  sealedGeneration,
} from 'keyroll';
import { testKeyring } from 'keyroll/testing';

const never = (_check: () => void): void => undefined;

describe('keyroll (root entry) types', () => {
  it('Keyring construction and loading', () => {
    expectTypeOf(Keyring.create).parameter(0).toHaveProperty('keys');
    expectTypeOf(Keyring.create({ keys: [generateKey({ id: 'k1' })] })).toEqualTypeOf<Keyring>();
    expectTypeOf(Keyring.create({ keys: [{ id: 'k1', secret: 'ASDFGHJKL1234567' }] })).toEqualTypeOf<Keyring>();
    expectTypeOf(Keyring.fromJSON('{}')).toEqualTypeOf<Keyring>();
    expectTypeOf(Keyring.fromEnv).returns.toEqualTypeOf<Promise<Keyring>>();
    expectTypeOf(Keyring.fromFile).returns.toEqualTypeOf<Promise<Keyring>>();
    expectTypeOf(Keyring.fromDirectory).returns.toEqualTypeOf<Promise<Keyring>>();
    expectTypeOf(Keyring.fromSealedFile).returns.toEqualTypeOf<Promise<Keyring>>();
    expectTypeOf(Keyring.fromSealedFile).parameter(2).toEqualTypeOf<SealedLoadOptions | undefined>();
    expectTypeOf<SealedLoadOptions['minGeneration']>().toEqualTypeOf<number | undefined>();
    expectTypeOf(sealKeyring).parameter(2).toEqualTypeOf<SealOptions | undefined>();
    expectTypeOf(sealedGeneration).returns.toEqualTypeOf<number>();
    expectTypeOf(generateKey({ id: 'k1' })).toEqualTypeOf<Key>();
    never(() => {
      // @ts-expect-error keys are required
      Keyring.create({});
      // @ts-expect-error a key needs an id
      Keyring.create({ keys: [{ secret: 'ASDFGHJKL1234567' }] });
      // @ts-expect-error a secret is a string or bytes
      Keyring.create({ keys: [{ id: 'k1', secret: 1234567890123456 }] });
      // @ts-expect-error 'retired' is not a key state
      Keyring.create({ keys: [{ id: 'k1', secret: 'ASDFGHJKL1234567', state: 'retired' }] });
      // @ts-expect-error 'latin1' is not a secret encoding
      Keyring.create({ keys: [{ id: 'k1', secret: 'ASDFGHJKL1234567', encoding: 'latin1' }] });
      // @ts-expect-error generateKey needs an id
      generateKey({});
      // @ts-expect-error Keyring.fromFile needs a path
      void Keyring.fromFile();
      // @ts-expect-error a generation is a number
      void sealKeyring(Keyring.fromJSON('{}'), { masterKey: 'ab' }, { generation: '2' });
    });
  });

  it('encrypt, decrypt, open and reencrypt', () => {
    const ring = testKeyring();
    const context = { table: 'users', column: 'token', id: '42' };
    expectTypeOf(ring.encrypt('x')).toEqualTypeOf<string>();
    expectTypeOf(ring.encrypt(new Uint8Array(1), { context })).toEqualTypeOf<string>();
    expectTypeOf(ring.encryptToBytes('x', { context: new Uint8Array(4) })).toEqualTypeOf<Uint8Array>();
    expectTypeOf(ring.decrypt('kr1...', { context })).toEqualTypeOf<Uint8Array>();
    expectTypeOf(ring.decrypt(new Uint8Array(1))).toEqualTypeOf<Uint8Array>();
    expectTypeOf(ring.decryptString('kr1...')).toEqualTypeOf<string>();
    expectTypeOf(ring.reencrypt('kr1...', { context })).toEqualTypeOf<string>();
    expectTypeOf(ring.isStale('kr1...')).toEqualTypeOf<boolean>();
    const opened = ring.open('kr1...');
    expectTypeOf(opened).toEqualTypeOf<OpenResult>();
    expectTypeOf(opened.plaintext).toEqualTypeOf<Uint8Array>();
    expectTypeOf(opened.keyId).toEqualTypeOf<string>();
    expectTypeOf(opened.version).toEqualTypeOf<number>();
    expectTypeOf(opened.stale).toEqualTypeOf<boolean>();
    expectTypeOf<{ table: string }>().toMatchTypeOf<Context>();
    expectTypeOf<Uint8Array>().toMatchTypeOf<Context>();
    never(() => {
      // @ts-expect-error plaintext is a string or bytes
      ring.encrypt(42);
      // @ts-expect-error context values are strings
      ring.encrypt('x', { context: { id: 42 } });
      // @ts-expect-error a context is a record or bytes, not a string
      ring.encrypt('x', { context: 'users:42' });
      // @ts-expect-error an envelope is a string or bytes
      ring.decrypt(null);
      // @ts-expect-error decrypt gives bytes, not a string
      const s: string = ring.decrypt('kr1...');
      void s;
      // @ts-expect-error open's result is read-only
      opened.stale = false;
    });
  });

  it('keys, states and lifecycle return new keyrings', () => {
    const ring = testKeyring({ keys: 2 });
    expectTypeOf(ring.activeKeyId).toEqualTypeOf<string>();
    expectTypeOf(ring.keys()).toEqualTypeOf<KeyInfo[]>();
    expectTypeOf(ring.keys()[0]!.state).toEqualTypeOf<KeyState>();
    expectTypeOf<KeyState>().toEqualTypeOf<'active' | 'decrypt-only' | 'disabled' | 'pending'>();
    expectTypeOf(ring.has('k1')).toEqualTypeOf<boolean>();
    expectTypeOf(ring.get('k1')).toEqualTypeOf<Key | undefined>();
    expectTypeOf(ring.add(generateKey({ id: 'k3' }), { activate: true })).toEqualTypeOf<Keyring>();
    expectTypeOf(ring.add({ id: 'k3', secret: 'ASDFGHJKL1234567' }, { activatesAt: new Date() })).toEqualTypeOf<Keyring>();
    expectTypeOf(ring.promote('k1')).toEqualTypeOf<Keyring>();
    expectTypeOf(ring.retire('k1')).toEqualTypeOf<Keyring>();
    expectTypeOf(ring.disable('k1')).toEqualTypeOf<Keyring>();
    expectTypeOf(ring.remove('k1')).toEqualTypeOf<Keyring>();
    expectTypeOf(ring.export()).toEqualTypeOf<KeyringDocument>();
    never(() => {
      // @ts-expect-error activeKeyId is read-only
      ring.activeKeyId = 'k9';
      // @ts-expect-error promote takes a key id
      ring.promote(generateKey({ id: 'k3' }));
    });
  });

  it('errors have a closed code union', () => {
    expectTypeOf<KeyrollErrorCode>().toEqualTypeOf<(typeof ERROR_CODES)[number]>();
    expectTypeOf<'ERR_DECRYPT_FAILED'>().toMatchTypeOf<KeyrollErrorCode>();
    expectTypeOf<'ERR_UNKNOWN_KEY'>().toMatchTypeOf<KeyrollErrorCode>();
    expectTypeOf<'ERR_MALFORMED_ENVELOPE'>().toMatchTypeOf<KeyrollErrorCode>();
    const err: unknown = new Error('x');
    if (KeyrollError.is(err, 'ERR_DECRYPT_FAILED')) {
      expectTypeOf(err).toEqualTypeOf<KeyrollError>();
      expectTypeOf(err.code).toEqualTypeOf<KeyrollErrorCode>();
      expectTypeOf(err.keyId).toEqualTypeOf<string | undefined>();
    }
    never(() => {
      // @ts-expect-error not a keyroll error code
      KeyrollError.is(err, 'ERR_NOPE');
      // @ts-expect-error not a keyroll error code
      new KeyrollError('ERR_NOPE', 'message');
    });
  });

  it('inspect needs no key and says what an envelope is', () => {
    const info = inspect('kr1...');
    expectTypeOf(info).toEqualTypeOf<EnvelopeInfo>();
    expectTypeOf(info.keyId).toEqualTypeOf<string>();
    expectTypeOf(info.form).toEqualTypeOf<'text' | 'binary' | 'stream'>();
    expectTypeOf(info.version).toEqualTypeOf<number>();
    never(() => {
      // @ts-expect-error inspect takes the envelope only, no keyring
      inspect('kr1...', testKeyring());
    });
  });

  it('lazy re-encryption helpers', async () => {
    const ring = testKeyring();
    expectTypeOf<string | Uint8Array>().toEqualTypeOf<StoredValue>();
    const read = readAndRefresh(ring, 'kr1...', { context: { id: '1' } });
    expectTypeOf(read).toEqualTypeOf<RefreshResult>();
    expectTypeOf(read.text).toEqualTypeOf<string>();
    expectTypeOf(read.fresh).toEqualTypeOf<StoredValue | undefined>();
    // The result narrows: an envelope (not legacy plaintext, not another library's value) always names its key; stale always has fresh.
    if (!read.legacyPlaintext && read.legacyKind === undefined) expectTypeOf(read.keyId).toEqualTypeOf<string>();
    else expectTypeOf(read.keyId).toEqualTypeOf<undefined>();
    if (read.stale) expectTypeOf(read.fresh).toEqualTypeOf<StoredValue>();
    never(() => {
      // @ts-expect-error keyId is only known to be a string once legacyPlaintext is ruled out
      const id: string = read.keyId;
      void id;
      if (!read.legacyPlaintext) {
        // @ts-expect-error a legacy decoder's value (legacyKind) names no key either
        const id2: string = read.keyId;
        void id2;
      }
    });
    const swap = async (fresh: StoredValue, previous: StoredValue): Promise<boolean> => fresh !== previous;
    expectTypeOf(refreshOnRead(ring, 'kr1...', { swap })).toEqualTypeOf<Promise<RefreshOnReadResult>>();
    const written = await refreshOnRead(ring, 'kr1...', { swap });
    if (!written.legacyPlaintext && written.legacyKind === undefined) expectTypeOf(written.keyId).toEqualTypeOf<string>();
    expectTypeOf(written.conflict).toEqualTypeOf<boolean>();
    never(() => {
      // @ts-expect-error refreshOnRead needs a swap (compare-and-swap) function
      void refreshOnRead(ring, 'kr1...', { context: { id: '1' } });
      // @ts-expect-error swap must answer whether it wrote
      void refreshOnRead(ring, 'kr1...', { swap: (_fresh: StoredValue) => 'yes' });
    });
  });
});

describe('keyroll/testing types', () => {
  it('testKeyring returns a Keyring', () => {
    expectTypeOf(testKeyring()).toEqualTypeOf<Keyring>();
    expectTypeOf(testKeyring({ keys: 3, retired: 1, seed: 'snap', deterministicEnvelopes: true })).toEqualTypeOf<Keyring>();
    never(() => {
      // @ts-expect-error keys is a number
      testKeyring({ keys: '3' });
      // @ts-expect-error unknown option
      testKeyring({ secret: 'x' });
    });
  });
});
