import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../src/index.js';
import { materialOf } from '../../src/keyring/key.js';
import { EXTRACT_SALT, suite1Key } from '../../src/suites/suite1.js';
import { hkdf, randomBytes } from '../../src/suites/primitives.js';
import { parseMasterKey } from '../../src/sources/master-key.js';
import { fromBase64Strict, fromBase64urlStrict, fromHexStrict } from '../../src/bytes.js';

/** True when `bytes` has an ArrayBuffer of its own (not a slice of Node's shared pool). */
const ownStore = (bytes: Uint8Array): boolean => bytes.buffer.byteLength === bytes.byteLength && bytes.byteOffset === 0;

function contains(haystack: ArrayBuffer, needle: Uint8Array): boolean {
  // Views only: copying `needle` with Buffer.from would itself put it into the pool.
  return Buffer.from(haystack).indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength)) !== -1;
}

function secretsOf(secret: Uint8Array): Array<[string, Uint8Array]> {
  const prk = createHmac('sha256', EXTRACT_SALT).update(secret).digest();
  const pad = (byte: number) => Uint8Array.from(prk, (b) => b ^ byte);
  return [
    ['secret', secret],
    ['PRK', prk],
    ['HMAC inner pad', pad(0x36)],
    ['HMAC outer pad', pad(0x5c)],
  ];
}

describe('key material never lands in the shared Buffer pool', () => {
  const specs = [
    { encoding: 'hex' as const, text: (b: Buffer) => b.toString('hex') },
    { encoding: 'base64' as const, text: (b: Buffer) => b.toString('base64') },
    { encoding: 'base64url' as const, text: (b: Buffer) => b.toString('base64url') },
  ];

  it('every key buffer has its own backing store', () => {
    for (const [i, spec] of specs.entries()) {
      const raw = Buffer.alloc(32, 0xa0 + i);
      const ring = Keyring.create({ keys: [{ id: 'k', secret: spec.text(raw), encoding: spec.encoding }] });
      const material = materialOf(ring.get('k')!);
      expect(ownStore(material.bytes())).toBe(true);
      const derived = material.derived(1, suite1Key);
      expect(ownStore(derived.prk.inner)).toBe(true);
      expect(ownStore(derived.prk.outer)).toBe(true);
    }
    const typed = Keyring.create({ keys: [{ id: 't', secret: 'typed secret, UTF-8 ü' }] });
    expect(ownStore(materialOf(typed.get('t')!).bytes())).toBe(true);
    expect(ownStore(hkdf(new Uint8Array(32), new Uint8Array(16), new Uint8Array(0), 32))).toBe(true);
    expect(ownStore(randomBytes(32))).toBe(true);
    expect(ownStore(parseMasterKey('ab'.repeat(32)))).toBe(true);
    expect(ownStore(fromHexStrict('abcd')!)).toBe(true);
    expect(ownStore(fromBase64Strict('q83v')!)).toBe(true);
    expect(ownStore(fromBase64urlStrict('q83v')!)).toBe(true);
  });

  it("an envelope's .buffer holds no secret, PRK or HMAC pad", () => {
    for (let round = 0; round < 6; round++) {
      const spec = specs[round % specs.length]!;
      const raw = Buffer.alloc(32);
      for (let i = 0; i < 32; i++) raw[i] = (i * 7 + round * 31 + 1) & 0xff;
      const ring = Keyring.create({ keys: [{ id: `k${round}`, secret: spec.text(raw), encoding: spec.encoding }] });
      const envelope = ring.encryptToBytes('hello');
      for (const [what, bytes] of secretsOf(raw)) {
        expect({ what, found: contains(envelope.buffer as ArrayBuffer, bytes.subarray(0, 16)) }).toEqual({ what, found: false });
      }
    }
  });
});
