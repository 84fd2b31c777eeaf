/**
 * Type tests for the subpath entries `keyroll/tokens`, `keyroll/rotation` and
 * `keyroll/stores/*`, through the package name (the shipped declarations).
 * Compiler only (see public-api.test-d.ts): `npm run typecheck` runs it.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { Keyring } from 'keyroll';
import { testKeyring } from 'keyroll/testing';
import { issueToken, verifyToken, type TokenClaims } from 'keyroll/tokens';
import { reencryptAll, type ReencryptResult, type RowStore } from 'keyroll/rotation';
import { sqliteStore } from 'keyroll/stores/sqlite';
import { postgresStore } from 'keyroll/stores/postgres';

const never = (_check: () => void): void => undefined;

describe('keyroll/tokens types', () => {
  it('issueToken and verifyToken', () => {
    const ring: Keyring = testKeyring();
    expectTypeOf(issueToken(ring, { role: 'admin' }, { expiresIn: '15m' })).toEqualTypeOf<string>();
    expectTypeOf(issueToken(ring, {}, { expiresIn: 900, audience: 'api' })).toEqualTypeOf<string>();
    const claims = verifyToken(ring, 'v4.local....', { audience: 'api' });
    expectTypeOf(claims).toEqualTypeOf<TokenClaims>();
    expectTypeOf(claims.exp).toEqualTypeOf<string>();
    expectTypeOf(claims['role']).toEqualTypeOf<unknown>();
    never(() => {
      // @ts-expect-error tokens always expire: expiresIn is required
      issueToken(ring, {}, {});
      // @ts-expect-error a token is a string
      verifyToken(ring, new Uint8Array(8));
      // @ts-expect-error a keyring, not a key id
      issueToken('k1', {}, { expiresIn: 60 });
    });
  });
});

describe('keyroll/rotation and keyroll/stores/* types', () => {
  it('reencryptAll over a RowStore', () => {
    const ring = testKeyring();
    const store = {} as RowStore;
    expectTypeOf(reencryptAll({ keyring: ring, store, batchSize: 500 })).toEqualTypeOf<Promise<ReencryptResult>>();
    // batchSize is optional: 500 by default, as `keyroll reencrypt --batch`.
    expectTypeOf(reencryptAll({ keyring: ring, store })).toEqualTypeOf<Promise<ReencryptResult>>();
    expectTypeOf(sqliteStore).returns.resolves.toMatchTypeOf<RowStore>();
    expectTypeOf(postgresStore).returns.resolves.toMatchTypeOf<RowStore>();
    never(() => {
      // @ts-expect-error batchSize is a number
      void reencryptAll({ keyring: ring, store, batchSize: '500' });
      // @ts-expect-error a store must be a RowStore
      void reencryptAll({ keyring: ring, store: 'users', batchSize: 10 });
      // @ts-expect-error sqliteStore needs the database
      void sqliteStore({ table: 'users', column: 'token', id: 'id' });
    });
  });
});
