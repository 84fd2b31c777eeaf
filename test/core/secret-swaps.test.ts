import { inspect as utilInspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Keyring, KeyrollError } from '../../src/index.js';
import { looksLikeSecret } from '../../src/document/index.js';

const HEX32 = '0EE0D33AC67E4389AB2B46123729B875';
const HEX64 = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const B64URL = 'v3Jx2Yl8wq0R9p7fZ6nU1dC4bA5eH3kM0oS2tW8yQ1E';
const PLATFORM16 = 'ASDFGHJKL1234567';

/** Every place an error can show: message, keyId, details, inspect, JSON. */
async function caught(action: () => unknown): Promise<KeyrollError> {
  try {
    await action();
  } catch (err) {
    expect(err).toBeInstanceOf(KeyrollError);
    return err as KeyrollError;
  }
  throw new Error('expected a KeyrollError');
}

function expectHidden(err: KeyrollError, secret: string): void {
  const views = [err.message, String(err.keyId), JSON.stringify(err.details ?? {}), String(err.file), utilInspect(err, { depth: 10, showHidden: true }), JSON.stringify(err), JSON.stringify({ ...err }), String(err.stack)];
  for (const view of views) expect(view).not.toContain(secret);
}

describe('a secret never shows when values are swapped', () => {
  for (const [n, secret] of [HEX32, PLATFORM16, `${PLATFORM16}${PLATFORM16}`].entries()) {
    it(`ENCRYPTION_KEY and ACTIVE_ENCRYPTION_KEY_NAME exchanged (secret #${n}, ${secret.length} chars)`, async () => {
      const err = await caught(() => Keyring.fromEnv({ ENCRYPTION_KEY: 'newkey', ACTIVE_ENCRYPTION_KEY_NAME: secret }));
      expectHidden(err, secret);
      expect(err.message).toMatch(/look exchanged/);
      const withOld = await caught(() => Keyring.fromEnv({ ENCRYPTION_KEY: 'newkey', ACTIVE_ENCRYPTION_KEY_NAME: secret, 'oldEncKeys.json': '{}' }));
      expectHidden(withOld, secret);
    });

    it(`an inverted oldEncKeys.json, secret -> name (secret #${n}, ${secret.length} chars)`, async () => {
      const env = { ENCRYPTION_KEY: 'NEWKEY0123456789', ACTIVE_ENCRYPTION_KEY_NAME: 'newkey' };
      for (const old of [`{"${secret}":"mykey"}`, `{"${secret}":"mykey","${secret}":"other"}`]) {
        const err = await caught(() => Keyring.fromEnv({ ...env, 'oldEncKeys.json': old }));
        expectHidden(err, secret);
      }
    });
  }

  for (const secret of [HEX32, HEX64, B64URL, PLATFORM16]) {
    it(`id and secret swapped in a keyring document (${secret.length}-char secret)`, async () => {
      for (const key of [
        { id: secret, state: 'active', secret: 'k1', encoding: 'utf8' },
        { id: secret, state: 'active', secret: 'k1', encoding: 'hex' },
        { id: secret, state: 'active', secret: 'payments-primary-key', encoding: 'utf8' },
      ]) {
        const doc = { format: 'keyroll.keyring', version: 1, policy: { secretLengthMultipleOf: 16 }, keys: [key] };
        const err = await caught(() => Keyring.fromJSON(doc));
        expectHidden(err, secret);
        const direct = await caught(() => Keyring.create({ keys: [{ id: secret, secret: 'k1' }] }));
        expectHidden(direct, secret);
      }
    });
  }

  it('a secret-looking id is masked in the rules too, and the message says so', async () => {
    const err = await caught(() =>
      Keyring.create({ keys: [{ id: HEX64, secret: 'a'.repeat(32), state: 'active' }, { id: 'k2', secret: 'b'.repeat(32), state: 'active' }] }),
    );
    expectHidden(err, HEX64);
    expect(err.message).toMatch(/redacted 64-char value.*looks like a secret/);
  });

  it('the heuristic: long hex, or long base64 with mixed case and digits', () => {
    for (const s of [HEX32, HEX64, B64URL, Buffer.alloc(32, 7).toString('base64') + 'aB1']) expect(looksLikeSecret(s)).toBe(true);
    for (const s of ['k1', 'payments-2026-01', 'a-very-long-but-plain-key-name-for-payments', PLATFORM16]) expect(looksLikeSecret(s)).toBe(false);
  });

  it('ordinary ids are still named in errors', async () => {
    const err = await caught(() => Keyring.create({ keys: [{ id: 'k1', secret: 'short' }] }));
    expect(err.message).toContain('key "k1"');
    expect(err.keyId).toBe('k1');
  });
});
