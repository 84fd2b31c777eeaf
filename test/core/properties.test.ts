import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Keyring, KeyrollError, generateKey } from '../../src/index.js';
import { canonicalContext } from '../../src/envelope/context.js';

const writer = Keyring.create({ keys: [generateKey({ id: 'w1' })] });
const secret = writer.export().keys[0]!;
// The same key, held as decrypt-only by another keyring whose active key differs.
const reader = Keyring.create({ keys: [{ ...secret, state: 'decrypt-only' }, generateKey({ id: 'r2' })] });

const contextArb = fc.option(
  fc.oneof(
    fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 24 }), { maxKeys: 5 }),
    fc.uint8Array({ maxLength: 64 }),
  ),
  { nil: undefined },
);
/** Plaintexts from 0 bytes to 1 MiB: small ones often, large ones sometimes. */
const plaintextArb = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 2048 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1024 * 1024 }).map((n) => new Uint8Array(randomBytes(n))) },
);

function isKeyrollError(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    return err instanceof KeyrollError;
  }
}

describe('properties', () => {
  it('round trips any plaintext (0 B to 1 MiB) under any context, text and binary', () => {
    fc.assert(
      fc.property(plaintextArb, contextArb, (plaintext, context) => {
        const options = context === undefined ? {} : { context };
        expect(Buffer.from(writer.decrypt(writer.encrypt(plaintext, options), options)).equals(Buffer.from(plaintext))).toBe(true);
        expect(Buffer.from(writer.decrypt(writer.encryptToBytes(plaintext, options), options)).equals(Buffer.from(plaintext))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('round trips any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => writer.decryptString(writer.encrypt(s)) === s), { numRuns: 200 });
  });

  it('refuses any single-bit flip anywhere in a binary envelope', () => {
    const plaintext = randomBytes(40);
    const envelope = writer.encryptToBytes(plaintext, { context: { id: '7' } });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: envelope.length * 8 - 1 }), (bit) => {
        const flipped = Uint8Array.from(envelope);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        return isKeyrollError(() => writer.decrypt(flipped, { context: { id: '7' } }));
      }),
      { numRuns: 400 },
    );
    // And exhaustively, every bit of a short envelope.
    const small = writer.encryptToBytes('x');
    for (let bit = 0; bit < small.length * 8; bit++) {
      const flipped = Uint8Array.from(small);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expect(isKeyrollError(() => writer.decrypt(flipped))).toBe(true);
    }
  });

  it('refuses any single-bit flip of any character of a text envelope', () => {
    const text = writer.encrypt('text form', { context: { id: '9' } });
    for (let i = 0; i < text.length; i++) {
      for (let bit = 0; bit < 7; bit++) {
        const flipped = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ (1 << bit)) + text.slice(i + 1);
        expect(isKeyrollError(() => writer.decrypt(flipped, { context: { id: '9' } }))).toBe(true);
      }
    }
  });

  it('random strings and bytes give a KeyrollError, never another exception or plaintext', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), fc.string().map((s) => `kr1.w1.${s}`)), (input) =>
        isKeyrollError(() => writer.decrypt(input)),
      ),
      { numRuns: 1000 },
    );
  });

  it('random payloads behind a valid prefix and header never decrypt', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 48, maxLength: 200 }), (body) => {
        const header = Uint8Array.from([1, 1, 2, 0x77, 0x31]); // version 1, suite 1, id "w1"
        return isKeyrollError(() => writer.decrypt(Uint8Array.from([...header, ...body])));
      }),
      { numRuns: 500 },
    );
  });

  it('a keyring holding the same key as decrypt-only decrypts what another encrypted', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), contextArb, (plaintext, context) => {
        const options = context === undefined ? {} : { context };
        const opened = reader.open(writer.encrypt(plaintext, options), options);
        return Buffer.from(opened.plaintext).equals(Buffer.from(plaintext)) && opened.keyId === 'w1' && opened.stale;
      }),
      { numRuns: 100 },
    );
  });

  it('another context fails exactly as a forgery does', () => {
    fc.assert(
      fc.property(contextArb, contextArb, fc.uint8Array({ maxLength: 64 }), (a, b, plaintext) => {
        fc.pre(!Buffer.from(canonicalContext(a)).equals(Buffer.from(canonicalContext(b))));
        const stored = writer.encrypt(plaintext, a === undefined ? {} : { context: a });
        try {
          writer.decrypt(stored, b === undefined ? {} : { context: b });
          return false;
        } catch (err) {
          return err instanceof KeyrollError && err.code === 'ERR_DECRYPT_FAILED';
        }
      }),
      { numRuns: 200 },
    );
  });

  it('canonical context is injective over records', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 4 }), fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 4 }), (a, b) => {
        const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
        return Buffer.from(canonicalContext(a)).equals(Buffer.from(canonicalContext(b))) === same;
      }),
      { numRuns: 500 },
    );
  });

  it('two encryptions of the same plaintext differ (fresh salt)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (p) => writer.encrypt(p) !== writer.encrypt(p)), { numRuns: 100 });
  });
});
