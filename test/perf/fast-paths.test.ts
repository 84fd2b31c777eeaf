/**
 * The fast paths of src/suites/primitives.ts (issue 5) give exactly what
 * node:crypto's plain calls give: HMAC and HKDF built on latin1 digests and
 * shared scratch buffers, and AES-GCM chunked above 1 MiB. Speed itself is
 * measured by `npm run bench`, never here.
 */
import * as nodeCrypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aesGcmOpen, aesGcmSealInto, equalsLatin1Digest, hkdf, hkdfExpand, hkdfExpand64Plan, hkdfExpandInto, hkdfExtract, hmacKey, hmacSha256, randomBytes } from '../../src/suites/primitives.js';

const MiB = 1024 * 1024;
const bytes = (max: number) => fc.uint8Array({ maxLength: max });

describe('HMAC-SHA256 and HKDF-SHA256 fast paths', () => {
  it('hmacSha256 equals createHmac for any key and message parts, including keys longer than a block', () => {
    fc.assert(
      fc.property(bytes(200), fc.array(bytes(300), { maxLength: 4 }), (key, parts) => {
        const expected = parts.reduce((h, p) => h.update(p), nodeCrypto.createHmac('sha256', key)).digest('hex');
        expect(hmacSha256(hmacKey(key), ...parts).toString('hex')).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('hmacSha256 works past the shared scratch size (fresh buffer path)', () => {
    const key = nodeCrypto.randomBytes(32);
    const message = nodeCrypto.randomBytes(5000);
    expect(hmacSha256(hmacKey(key), message)).toEqual(nodeCrypto.createHmac('sha256', key).update(message).digest());
  });

  it('hkdf, hkdfExpand and hkdfExpandInto equal crypto.hkdfSync for any lengths and info', () => {
    fc.assert(
      fc.property(bytes(80), bytes(80), bytes(300), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 7 }), (ikm, salt, info, length, offset) => {
        const expected = Buffer.from(nodeCrypto.hkdfSync('sha256', ikm, salt, info, length));
        expect(hkdf(ikm, salt, info, length)).toEqual(expected);
        const prk = hmacKey(hkdfExtract(salt, ikm));
        expect(hkdfExpand(prk, info, length)).toEqual(expected);
        const out = Buffer.alloc(length + offset + 3, 0xaa);
        const cut = Math.min(info.length, 5);
        hkdfExpandInto(prk, [info.subarray(0, cut), info.subarray(cut)], length, out, offset);
        expect(out.subarray(offset, offset + length)).toEqual(expected);
        expect([...out.subarray(0, offset), ...out.subarray(offset + length)].every((b) => b === 0xaa)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('an HKDF-Expand-64 plan equals crypto.hkdfSync, call after call, for any prefix and variable bytes', () => {
    fc.assert(
      fc.property(bytes(64), bytes(80), fc.array(bytes(90), { minLength: 1, maxLength: 4 }), (ikm, prefix, messages) => {
        const length = messages[0]!.length;
        const prk = hmacKey(hkdfExtract(new Uint8Array(0), ikm));
        const plan = hkdfExpand64Plan(prk, prefix, length);
        for (const message of messages) {
          const variable = Buffer.concat([message, Buffer.alloc(length)]).subarray(0, length);
          const source = Buffer.concat([Buffer.from([9, 9]), variable]);
          const out = Buffer.alloc(40, 0xaa);
          const second = plan(source, 2, out, 3);
          const expected = Buffer.from(nodeCrypto.hkdfSync('sha256', ikm, new Uint8Array(0), Buffer.concat([prefix, variable]), 64));
          expect(out.subarray(3, 35)).toEqual(expected.subarray(0, 32));
          expect(Buffer.from(second, 'latin1')).toEqual(expected.subarray(32));
          expect([...out.subarray(0, 3), ...out.subarray(35)].every((b) => b === 0xaa)).toBe(true);
          expect(equalsLatin1Digest(second, Buffer.concat([Buffer.alloc(5), expected.subarray(32)]), 5)).toBe(true);
          const flipped = Buffer.from(expected.subarray(32));
          flipped[message.length % 32]! ^= 0x80;
          expect(equalsLatin1Digest(second, flipped, 0)).toBe(false);
          expect(equalsLatin1Digest(second, expected.subarray(33), 0)).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses an HKDF-Expand length over 255 blocks, as before', () => {
    const prk = hmacKey(Buffer.alloc(32, 1));
    expect(() => hkdfExpand(prk, new Uint8Array(0), 255 * 32 + 1)).toThrow(RangeError);
    expect(hkdfExpand(prk, new Uint8Array(0), 0)).toHaveLength(0);
  });
});

describe('AES-256-GCM above the 1 MiB chunk size', () => {
  const key = nodeCrypto.randomBytes(32);
  const iv = nodeCrypto.randomBytes(12);
  const aad = nodeCrypto.randomBytes(40);

  function reference(plaintext: Uint8Array): Buffer {
    const cipher = nodeCrypto.createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    cipher.setAAD(aad);
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  }

  for (const size of [MiB - 1, MiB, MiB + 1, 3 * MiB + 17]) {
    it(`seals and opens ${size} bytes exactly as one-shot node:crypto does`, () => {
      const plaintext = nodeCrypto.randomBytes(size);
      const out = Buffer.alloc(size + 16 + 5);
      expect(aesGcmSealInto(key, iv, aad, plaintext, out, 5)).toBe(size + 16);
      const sealed = out.subarray(5);
      expect(sealed.equals(reference(plaintext))).toBe(true);
      const opened = aesGcmOpen(key, iv, aad, sealed.subarray(0, size), sealed.subarray(size));
      expect(opened?.equals(plaintext)).toBe(true);
    });
  }

  it('refuses a chunked ciphertext with one flipped bit, in the last chunk or the first', () => {
    const size = 2 * MiB + 3;
    const plaintext = nodeCrypto.randomBytes(size);
    const sealed = reference(plaintext);
    for (const at of [0, MiB + 1, size - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[at]! ^= 0x01;
      expect(aesGcmOpen(key, iv, aad, tampered.subarray(0, size), tampered.subarray(size))).toBeUndefined();
    }
  });
});

describe('pooled randomBytes', () => {
  it('never hands out the same bytes twice across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const value = randomBytes(16).toString('hex');
      expect(seen.has(value)).toBe(false);
      seen.add(value);
    }
    expect(randomBytes(300)).toHaveLength(300);
  });
});
