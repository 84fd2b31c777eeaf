import { describe, expect, it } from 'vitest';
import { codeOf, errorOf } from './helpers.js';
import { Keyring, generateKey, type KeySpec } from '../../src/index.js';
import { checkEnvelopeVersion, normalizePolicy } from '../../src/keyring/policy.js';


const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const C = 'c'.repeat(32);

describe('the keyring rules', () => {
  it('needs exactly one active key, naming the keys', () => {
    const none = errorOf(() => Keyring.create({ keys: [{ id: 'k1', secret: A, state: 'decrypt-only' }] }));
    expect(none.code).toBe('ERR_INVALID_KEYRING');
    expect(none.message).toMatch(/no active key/);
    const two = errorOf(() =>
      Keyring.create({ keys: [{ id: 'k1', secret: A, state: 'active' }, { id: 'k2', secret: B, state: 'active' }] }),
    );
    expect(two.code).toBe('ERR_INVALID_KEYRING');
    expect(two.message).toContain('"k1"');
    expect(two.message).toContain('"k2"');
  });

  it('refuses duplicate ids, naming the id', () => {
    const err = errorOf(() => Keyring.create({ keys: [{ id: 'k1', secret: A, state: 'active' }, { id: 'k1', secret: B, state: 'decrypt-only' }] }));
    expect(err.code).toBe('ERR_INVALID_KEYRING');
    expect(err.keyId).toBe('k1');
    expect(err.message).not.toContain(A);
    expect(err.message).not.toContain(B);
  });

  it('validates key ids', () => {
    for (const id of ['', 'a'.repeat(65), 'has space', 'dot.ted', 'ünï', 42]) {
      expect(codeOf(() => Keyring.create({ keys: [{ id: id as string, secret: A }] }))).toBe('ERR_INVALID_KEY');
    }
    expect(Keyring.create({ keys: [{ id: 'a'.repeat(64), secret: A }] }).activeKeyId).toBe('a'.repeat(64));
  });

  it('needs at least 16 bytes of secret material, naming the key and never the secret', () => {
    const err = errorOf(() => Keyring.create({ keys: [{ id: 'short', secret: 'fifteen-chars!!' }] }));
    expect(err.code).toBe('ERR_INVALID_KEY');
    expect(err.message).toContain('"short"');
    expect(err.message).toContain('16');
    expect(err.message).not.toContain('fifteen-chars!!');
    expect(Keyring.create({ keys: [{ id: 'ok', secret: 'sixteen-chars!!!' }] }).activeKeyId).toBe('ok');
  });

  it('decodes explicit encodings strictly', () => {
    const hex = 'ab'.repeat(16);
    const fromHex = Keyring.create({ keys: [{ id: 'h', secret: hex, encoding: 'hex' }] });
    const fromBytes = Keyring.create({ keys: [{ id: 'h', secret: Buffer.from(hex, 'hex') }] });
    expect(fromBytes.decryptString(fromHex.encrypt('same key'))).toBe('same key');
    const fromB64 = Keyring.create({ keys: [{ id: 'h', secret: Buffer.from(hex, 'hex').toString('base64'), encoding: 'base64' }] });
    const fromB64url = Keyring.create({ keys: [{ id: 'h', secret: Buffer.from(hex, 'hex').toString('base64url'), encoding: 'base64url' }] });
    expect(fromB64.decryptString(fromB64url.encrypt('same'))).toBe('same');
    expect(codeOf(() => Keyring.create({ keys: [{ id: 'h', secret: 'zz'.repeat(16), encoding: 'hex' }] }))).toBe('ERR_INVALID_KEY');
    expect(codeOf(() => Keyring.create({ keys: [{ id: 'h', secret: 'ab'.repeat(16), encoding: 'rot13' as 'hex' }] }))).toBe('ERR_INVALID_KEY');
  });

  it('takes a bare string as its raw UTF-8 bytes, not as hex', () => {
    const typed = Keyring.create({ keys: [{ id: 'k', secret: '0EE0D33AC67E4389AB2B46123729B875' }] });
    const asBytes = Keyring.create({ keys: [{ id: 'k', secret: Buffer.from('0EE0D33AC67E4389AB2B46123729B875', 'utf8') }] });
    expect(asBytes.decryptString(typed.encrypt('x'))).toBe('x');
  });

  it('applies the secret-length policy to string secrets, naming the rule', () => {
    const long = 'x'.repeat(251);
    expect(errorOf(() => Keyring.create({ keys: [{ id: 'k', secret: long }] })).message).toMatch(/at most 250/);
    const twenty = 'x'.repeat(20);
    const err = errorOf(() => Keyring.create({ keys: [{ id: 'k', secret: twenty }], policy: { secretLengthMultipleOf: 16 } }));
    expect(err.code).toBe('ERR_INVALID_KEY');
    expect(err.message).toMatch(/multiple of 16/);
    expect(err.message).not.toContain(twenty);
  });

  it('applies the length rules to typed UTF-8 secrets only, so exported bytes keys load back', () => {
    const ring = Keyring.create({ keys: [generateKey({ id: 'g', bytes: 1024 })], policy: { secretLengthMultipleOf: 16 } });
    const copy = Keyring.fromJSON(JSON.stringify(ring.export()));
    expect(copy.decryptString(ring.encrypt('x'))).toBe('x');
    expect(Keyring.create({ keys: [{ id: 'h', secret: 'ab'.repeat(20), encoding: 'hex' }], policy: { secretLengthMultipleOf: 16 } }).activeKeyId).toBe('h');
  });

  it('names the active key with activeKeyId, others default to decrypt-only', () => {
    const ring = Keyring.create({ keys: [{ id: 'k1', secret: A }, { id: 'k2', secret: B }], activeKeyId: 'k2' });
    expect(ring.keys().map((k) => [k.id, k.state])).toEqual([['k1', 'decrypt-only'], ['k2', 'active']]);
    expect(codeOf(() => Keyring.create({ keys: [{ id: 'k1', secret: A }, { id: 'k2', secret: B }] }))).toBe('ERR_INVALID_KEYRING');
    expect(codeOf(() => Keyring.create({ keys: [{ id: 'k1', secret: A }], activeKeyId: 'nope' }))).toBe('ERR_INVALID_KEYRING');
  });

  it('a disabled key never decrypts', () => {
    const writer = Keyring.create({ keys: [{ id: 'old', secret: A }] });
    const stored = writer.encrypt('x');
    const ring = Keyring.create({ keys: [{ id: 'old', secret: A, state: 'disabled' }, { id: 'new', secret: B, state: 'active' }] });
    const err = errorOf(() => ring.decrypt(stored));
    expect(err.code).toBe('ERR_KEY_DISABLED');
    expect(err.keyId).toBe('old');
  });

  it('the active key cannot be disabled', () => {
    const ring = Keyring.create({ keys: [{ id: 'k1', secret: A }] });
    expect(codeOf(() => ring.disable('k1'))).toBe('ERR_INVALID_KEYRING');
  });
});

describe('encrypt and decrypt', () => {
  const ring = Keyring.create({ keys: [{ id: 'k1', secret: A, state: 'decrypt-only' }, { id: 'k2', secret: B, state: 'active' }] });

  it('always encrypts with the active key and decrypts with any known key', () => {
    expect(ring.encrypt('x').startsWith('kr1.k2.')).toBe(true);
    const oldRing = Keyring.create({ keys: [{ id: 'k1', secret: A }] });
    expect(ring.decryptString(oldRing.encrypt('from k1'))).toBe('from k1');
  });

  it('reports unknown keys with ERR_UNKNOWN_KEY naming the id', () => {
    const other = Keyring.create({ keys: [{ id: 'k9', secret: C }] });
    const err = errorOf(() => ring.decrypt(other.encrypt('x')));
    expect(err.code).toBe('ERR_UNKNOWN_KEY');
    expect(err.keyId).toBe('k9');
  });

  it('gives ERR_DECRYPT_FAILED for a wrong secret under a right id', () => {
    const impostor = Keyring.create({ keys: [{ id: 'k2', secret: C }] });
    expect(codeOf(() => ring.decrypt(impostor.encrypt('x')))).toBe('ERR_DECRYPT_FAILED');
  });

  it('open tells the key, the version and staleness', () => {
    const oldRing = Keyring.create({ keys: [{ id: 'k1', secret: A }] });
    expect(ring.open(oldRing.encrypt('a'))).toMatchObject({ keyId: 'k1', version: 1, suite: 1, stale: true });
    expect(ring.open(ring.encrypt('b'))).toMatchObject({ keyId: 'k2', stale: false });
    expect(ring.open(ring.encryptToBytes('c')).form).toBe('binary');
    expect(ring.open(Buffer.from(ring.encrypt('d'), 'latin1')).form).toBe('text');
    expect(ring.isStale(oldRing.encrypt('a'))).toBe(true);
  });

  it('reencrypt moves a value to the active key under the same context', () => {
    const oldRing = Keyring.create({ keys: [{ id: 'k1', secret: A }] });
    const context = { table: 't', column: 'c', id: '1' };
    const fresh = ring.reencrypt(oldRing.encrypt('move me', { context }), { context });
    expect(fresh.startsWith('kr1.k2.')).toBe(true);
    expect(ring.decryptString(fresh, { context })).toBe('move me');
  });

  it('decryptString refuses plaintext that is not UTF-8', () => {
    expect(codeOf(() => ring.decryptString(ring.encryptToBytes(Uint8Array.from([0xff, 0xfe]))))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('refuses plaintext that is neither string nor bytes', () => {
    expect(codeOf(() => ring.encrypt(42 as unknown as string))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('works with ids __proto__ and constructor', () => {
    const odd = Keyring.create({ keys: [{ id: '__proto__', secret: A, state: 'decrypt-only' }, { id: 'constructor', secret: B, state: 'active' }] });
    const fromProto = Keyring.create({ keys: [{ id: '__proto__', secret: A }] }).encrypt('p');
    expect(odd.decryptString(fromProto)).toBe('p');
    expect(odd.encrypt('c').startsWith('kr1.constructor.')).toBe(true);
    const copy = Keyring.fromJSON(JSON.stringify(odd.export()));
    expect(copy.decryptString(fromProto)).toBe('p');
    expect(copy.keys().map((k) => k.id)).toEqual(['__proto__', 'constructor']);
    expect(odd.stats().map((s) => s.keyId)).toEqual(['__proto__', 'constructor']);
  });
});

describe('the keyring document', () => {
  const keys: KeySpec[] = [
    { id: 'typed', secret: 'ASDFGHJKL1234567', state: 'decrypt-only', createdAt: '2025-01-01T00:00:00.000Z' },
    { id: 'hexkey', secret: 'ab'.repeat(32), encoding: 'hex', state: 'active', createdAt: '2026-01-01T00:00:00.000Z' },
  ];
  const ring = Keyring.create({ keys, policy: { secretLengthMultipleOf: 16 } });

  it('round trips through export and fromJSON, text or object', () => {
    const doc = ring.export();
    expect(doc.format).toBe('keyroll.keyring');
    expect(doc.version).toBe(1);
    expect(doc.keys[0]).toEqual({ id: 'typed', state: 'decrypt-only', createdAt: '2025-01-01T00:00:00.000Z', secret: 'ASDFGHJKL1234567', encoding: 'utf8' });
    const stored = ring.encrypt('x');
    expect(Keyring.fromJSON(JSON.stringify(doc)).decryptString(stored)).toBe('x');
    expect(Keyring.fromJSON(doc).policy).toEqual({ minVersion: 1, maxSecretLength: 250, secretLengthMultipleOf: 16 });
  });

  it('writes byte secrets as base64url', () => {
    const bytes = Keyring.create({ keys: [generateKey({ id: 'g' })] }).export();
    expect(bytes.keys[0]!.encoding).toBe('base64url');
    expect(Buffer.from(bytes.keys[0]!.secret, 'base64url')).toHaveLength(32);
  });

  const bad: Array<[string, unknown]> = [
    ['not JSON', '{"format": "keyroll.keyring", "keys": [ {"secret": "ASDFGHJKL1234567"'],
    ['an array', '[]'],
    ['wrong format', { format: 'other', version: 1, keys: [] }],
    ['future schema', { format: 'keyroll.keyring', version: 2, keys: [] }],
    ['unknown top field', { format: 'keyroll.keyring', version: 1, keys: [], polcy: {} }],
    ['keys not an array', { format: 'keyroll.keyring', version: 1, keys: {} }],
    ['key not an object', { format: 'keyroll.keyring', version: 1, keys: ['k'] }],
    ['unknown key field', { format: 'keyroll.keyring', version: 1, keys: [{ id: 'k', state: 'active', secret: A, encoding: 'utf8', extra: 1 }] }],
    ['missing secret', { format: 'keyroll.keyring', version: 1, keys: [{ id: 'k', state: 'active', encoding: 'utf8' }] }],
    ['unknown policy field', { format: 'keyroll.keyring', version: 1, policy: { minVersoin: 1 }, keys: [{ id: 'k', state: 'active', secret: A, encoding: 'utf8' }] }],
    ['minVersion above what this build writes', { format: 'keyroll.keyring', version: 1, policy: { minVersion: 2 }, keys: [{ id: 'k', state: 'active', secret: A, encoding: 'utf8' }] }],
  ];
  for (const [name, input] of bad) {
    it(`refuses ${name} with ERR_INVALID_KEYRING`, () => {
      expect(codeOf(() => Keyring.fromJSON(input as string))).toBe('ERR_INVALID_KEYRING');
    });
  }

  it('never quotes the document when the JSON is broken', () => {
    const err = errorOf(() => Keyring.fromJSON('{"keys":[{"secret":"ASDFGHJKL1234567",}]}'));
    expect(err.message).not.toContain('ASDFGHJKL');
    expect(err.cause).toBeUndefined();
  });
});

describe('policy minVersion', () => {
  it('refuses envelopes below the minimum version with ERR_VERSION_BELOW_POLICY', () => {
    const policy = normalizePolicy({ minVersion: 1 });
    expect(() => checkEnvelopeVersion(policy, 1, 'k')).not.toThrow();
    const strict = { ...policy, minVersion: 3 };
    expect(codeOf(() => checkEnvelopeVersion(strict, 2, 'k'))).toBe('ERR_VERSION_BELOW_POLICY');
  });

  it('refuses a policy this build cannot honour', () => {
    expect(codeOf(() => normalizePolicy({ minVersion: 0 }))).toBe('ERR_INVALID_KEYRING');
    expect(codeOf(() => normalizePolicy({ minVersion: 1.5 }))).toBe('ERR_INVALID_KEYRING');
    expect(codeOf(() => normalizePolicy({ maxSecretLength: 8 }))).toBe('ERR_INVALID_KEYRING');
  });
});
