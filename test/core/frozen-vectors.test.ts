import { readFileSync } from 'node:fs';
import { createDecipheriv, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring, inspect, type Context } from '../../src/index.js';
import { canonicalContext } from '../../src/envelope/context.js';
import { seal1, suite1Key } from '../../src/suites/suite1.js';
import { EXTRACT_SALT, INFO_LABEL } from '../../src/suites/suite1.js';

interface Vector {
  name: string;
  keyId: string;
  secret: string;
  encoding: 'utf8' | 'hex' | 'base64url';
  context: Record<string, string> | { bytes: string } | null;
  plaintext: string;
  salt: string;
  canonicalContextHex: string;
  envelopeHex: string;
  envelopeText: string;
}

const file = new URL('../fixtures/frozen-vectors.json', import.meta.url);
const { vectors } = JSON.parse(readFileSync(file, 'utf8')) as { vectors: Vector[] };
const docs = readFileSync(new URL('../../docs/format.md', import.meta.url), 'utf8');

function contextOf(v: Vector): Context | undefined {
  if (v.context === null) return undefined;
  if ('bytes' in v.context && typeof v.context.bytes === 'string' && Object.keys(v.context).length === 1) return Buffer.from(v.context.bytes, 'hex');
  return v.context as Record<string, string>;
}

function secretBytes(v: Vector): Buffer {
  return v.encoding === 'utf8' ? Buffer.from(v.secret, 'utf8') : Buffer.from(v.secret, v.encoding);
}

/**
 * An independent decoder written from docs/format.md with node:crypto's own
 * HKDF (not keyroll's HMAC): if the documented layout and derivation were
 * wrong, this would disagree with the library.
 */
function referenceDecrypt(envelope: Buffer, secret: Buffer, context: Uint8Array): Buffer {
  const idLength = envelope[2]!;
  const saltEnd = 3 + idLength + 16;
  const bodyStart = saltEnd + 32;
  const info = Buffer.concat([INFO_LABEL, envelope.subarray(0, saltEnd)]);
  const okm = Buffer.from(hkdfSync('sha256', secret, EXTRACT_SALT, info, 64));
  expect(okm.subarray(32).equals(envelope.subarray(saltEnd, bodyStart))).toBe(true);
  const decipher = createDecipheriv('aes-256-gcm', okm.subarray(0, 32), Buffer.alloc(12));
  decipher.setAAD(Buffer.concat([envelope.subarray(0, bodyStart), context]));
  decipher.setAuthTag(envelope.subarray(envelope.length - 16));
  return Buffer.concat([decipher.update(envelope.subarray(bodyStart, envelope.length - 16)), decipher.final()]);
}

describe('frozen format v1 vectors', () => {
  it('has at least three vectors', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(3);
  });

  for (const v of vectors) {
    describe(v.name, () => {
      const ring = Keyring.create({ keys: [{ id: v.keyId, secret: v.secret, encoding: v.encoding, state: 'active' }] });
      const context = contextOf(v);

      it('decrypts the text form to the plaintext', () => {
        expect(ring.decryptString(v.envelopeText, context === undefined ? {} : { context })).toBe(v.plaintext);
      });

      it('decrypts the binary form to the plaintext', () => {
        const bytes = ring.decrypt(Buffer.from(v.envelopeHex, 'hex'), context === undefined ? {} : { context });
        expect(Buffer.from(bytes).toString('utf8')).toBe(v.plaintext);
      });

      it('is reproduced byte for byte from the same salt', () => {
        const sealed = seal1(v.keyId, suite1Key(secretBytes(v)), Buffer.from(v.plaintext, 'utf8'), canonicalContext(context), Buffer.from(v.salt, 'hex'));
        expect(sealed.toString('hex')).toBe(v.envelopeHex);
      });

      it('has the documented canonical context bytes', () => {
        expect(Buffer.from(canonicalContext(context)).toString('hex')).toBe(v.canonicalContextHex);
      });

      it('decrypts with an independent decoder built from the documentation', () => {
        const plaintext = referenceDecrypt(Buffer.from(v.envelopeHex, 'hex'), secretBytes(v), Buffer.from(v.canonicalContextHex, 'hex'));
        expect(plaintext.toString('utf8')).toBe(v.plaintext);
      });

      it('text form is the documented prefix plus base64url of the binary form', () => {
        expect(v.envelopeText).toBe(`kr1.${v.keyId}.${Buffer.from(v.envelopeHex, 'hex').toString('base64url')}`);
        expect(inspect(v.envelopeText)).toMatchObject({ version: 1, keyId: v.keyId, form: 'text', suite: { id: 1 } });
      });

      it('is printed in docs/format.md', () => {
        expect(docs).toContain(v.envelopeText);
        expect(docs).toContain(v.envelopeHex);
      });
    });
  }
});

describe('frozen vectors pin the spec where decoders disagreed', () => {
  const byName = (name: string) => vectors.find((v) => v.name === name)!;

  it('context keys sort by UTF-8 bytes, not UTF-16 code units', () => {
    const v = byName('context keys whose UTF-8 and UTF-16 orders differ');
    const keys = Object.keys(v.context as Record<string, string>);
    const utf16 = [...keys].sort();
    const utf8 = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(utf16).not.toEqual(utf8);
    const hex = (s: string) => Buffer.from(s).toString('hex');
    const at = (key: string) => v.canonicalContextHex.indexOf(hex(key));
    expect(utf8.map(at)).toEqual([...utf8.map(at)].sort((a, b) => a - b));
  });

  it('{} is no context', () => {
    const v = byName('empty record context {}');
    const ring = Keyring.create({ keys: [{ id: v.keyId, secret: v.secret, encoding: v.encoding }] });
    expect(ring.decryptString(v.envelopeText)).toBe(v.plaintext);
    expect(v.canonicalContextHex).toBe('');
  });

  it('a 64-character key id and a non-ASCII UTF-8 secret are covered', () => {
    expect(byName('a 64-character key id').keyId).toHaveLength(64);
    const secret = byName('a non-ASCII UTF-8 secret').secret;
    expect(Buffer.byteLength(secret)).toBeGreaterThan(secret.length);
  });

  it('a typed secret is measured in code points for the policy', () => {
    const secret = `${'🔑'.repeat(15)}a`; // 16 code points, 31 UTF-16 units
    const ring = Keyring.create({ keys: [{ id: 'k', secret }], policy: { secretLengthMultipleOf: 16, maxSecretLength: 16 } });
    expect(ring.activeKeyId).toBe('k');
    expect(() => Keyring.create({ keys: [{ id: 'k', secret: `${secret}b` }], policy: { secretLengthMultipleOf: 16 } })).toThrow(/17 characters/);
  });
});
