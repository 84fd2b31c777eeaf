/**
 * AES-GCM is not key-committing: with one free ciphertext block, a ciphertext
 * and tag can be solved for that verify under two chosen keys (the
 * "invisible salamanders" / partitioning-oracle construction). These tests
 * build such files and show that the version 2 commitments refuse them.
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyrollError } from '../../src/index.js';
import { unsealText } from '../../src/sources/index.js';

const R = 0xe1n << 120n;
const MASK = (1n << 128n) - 1n;
const toInt = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
const toBlock = (x: bigint): Buffer => Buffer.from(x.toString(16).padStart(32, '0'), 'hex');

/** Multiplication in GF(2^128) with GCM's bit order (NIST SP 800-38D, algorithm 1). */
function mul(x: bigint, y: bigint): bigint {
  let z = 0n;
  let v = y;
  for (let i = 127n; i >= 0n; i--) {
    if ((x >> i) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z & MASK;
}
function pow(x: bigint, e: bigint): bigint {
  let result = 1n << 127n; // the field's one in GCM's bit order
  let base = x;
  for (let k = e; k > 0n; k >>= 1n) {
    if (k & 1n) result = mul(result, base);
    base = mul(base, base);
  }
  return result;
}
const inverse = (x: bigint): bigint => pow(x, (1n << 128n) - 2n);

function blocks(data: Uint8Array): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < data.length; i += 16) {
    const block = Buffer.alloc(16);
    Buffer.from(data.subarray(i, i + 16)).copy(block);
    out.push(toInt(block));
  }
  return out;
}
function ghash(h: bigint, aad: Uint8Array, ct: Uint8Array): bigint {
  const lengths = (BigInt(aad.length * 8) << 64n) | BigInt(ct.length * 8);
  let y = 0n;
  for (const x of [...blocks(aad), ...blocks(ct), lengths]) y = mul(y ^ x, h);
  return y;
}
const aesBlock = (key: Uint8Array, block: Uint8Array): bigint => toInt(createCipheriv('aes-256-ecb', key, null).setAutoPadding(false).update(block));

/** A 32-byte ciphertext and a tag that AES-256-GCM accepts under both keys (same nonce and AAD). */
function collide(k1: Uint8Array, k2: Uint8Array, iv: Uint8Array, aad: Uint8Array): Buffer {
  const [h1, h2] = [aesBlock(k1, Buffer.alloc(16)), aesBlock(k2, Buffer.alloc(16))];
  const j0 = Buffer.concat([iv, Buffer.from([0, 0, 0, 1])]);
  const [e1, e2] = [aesBlock(k1, j0), aesBlock(k2, j0)];
  const ct = Buffer.alloc(32); // block 1 is solved for, block 2 stays zero
  const exponent = BigInt(blocks(ct).length + 1); // block 1's power of H: it is followed by block 2 and the lengths block
  const rhs = ghash(h1, aad, ct) ^ ghash(h2, aad, ct) ^ e1 ^ e2;
  toBlock(mul(rhs, inverse(pow(h1, exponent) ^ pow(h2, exponent)))).copy(ct, 0);
  const tag = toBlock(ghash(h1, aad, ct) ^ e1);
  expect(tag.equals(toBlock(ghash(h2, aad, ct) ^ e2))).toBe(true);
  return Buffer.concat([ct, tag]);
}
function gcmOpen(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, iv);
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
}
const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string, length: number): Buffer => Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

const MK1 = Buffer.alloc(32, 0x11);
const MK2 = Buffer.alloc(32, 0x22);
const salt = Buffer.alloc(16, 0x33);
const wrapIv = Buffer.alloc(12, 0x44);
const iv = Buffer.alloc(12, 0x55);

async function codeOf(text: string, masterKey: Uint8Array): Promise<string> {
  try {
    await unsealText(text, { masterKey });
    return 'opened';
  } catch (err) {
    expect(err).toBeInstanceOf(KeyrollError);
    const { code, message } = err as KeyrollError;
    // Refused only after authentication: the junk plaintext is not a document.
    return code === 'ERR_INVALID_KEYRING' && /not valid UTF-8 JSON/.test(message) ? 'authenticated' : code;
  }
}

describe('no sealed file is valid under two master keys', () => {
  it('a version 1 file (0.1.0, no commitment) can be crafted to authenticate under two master keys', async () => {
    const [kek1, kek2] = [MK1, MK2].map((mk) => hkdf(mk, salt, 'keyroll.sealed-keyring/1 master-key KEK', 32)) as [Buffer, Buffer];
    const wrapAad = Buffer.from('keyroll.sealed-keyring/1 data key');
    const wrappedKey = Buffer.concat([wrapIv, collide(kek1, kek2, wrapIv, wrapAad)]);
    const [dk1, dk2] = [gcmOpen(kek1, wrapIv, wrapAad, wrappedKey.subarray(12)), gcmOpen(kek2, wrapIv, wrapAad, wrappedKey.subarray(12))];
    expect(dk1.equals(dk2)).toBe(false);
    const header = JSON.stringify({ format: 'keyroll.sealed-keyring', version: 1, cipher: 'aes-256-gcm', wrapper: { kind: 'master-key', kdf: 'hkdf-sha256', salt: b64u(salt) }, wrappedKey: b64u(wrappedKey), iv: b64u(iv) });
    const text = `${header}\n${b64u(collide(dk1, dk2, iv, Buffer.from(header)))}\n`;
    // Both keys get past authentication.
    expect(await codeOf(text, MK1)).toBe('authenticated');
    expect(await codeOf(text, MK2)).toBe('authenticated');
  });

  it('the same construction in version 2 opens under the first key only: the commitments refuse the second', async () => {
    const [okm1, okm2] = [MK1, MK2].map((mk) => hkdf(mk, salt, 'keyroll.sealed-keyring/2 master-key', 64)) as [Buffer, Buffer];
    const wrapAad = Buffer.from('keyroll.sealed-keyring/2 data key');
    const [kek1, kek2] = [okm1.subarray(0, 32), okm2.subarray(0, 32)];
    const wrappedKey = Buffer.concat([wrapIv, collide(kek1, kek2, wrapIv, wrapAad)]);
    const [dk1, dk2] = [gcmOpen(kek1, wrapIv, wrapAad, wrappedKey.subarray(12)), gcmOpen(kek2, wrapIv, wrapAad, wrappedKey.subarray(12))];
    const [p1, p2] = [dk1, dk2].map((dk) => hkdf(dk, Buffer.alloc(0), 'keyroll.sealed-keyring/2 payload', 64)) as [Buffer, Buffer];
    const header = JSON.stringify({
      format: 'keyroll.sealed-keyring',
      version: 2,
      generation: 1,
      cipher: 'aes-256-gcm',
      wrapper: { kind: 'master-key', kdf: 'hkdf-sha256', salt: b64u(salt), commitment: b64u(okm1.subarray(32)) },
      wrappedKey: b64u(wrappedKey),
      keyCommitment: b64u(p1.subarray(32)),
      iv: b64u(iv),
    });
    const payload = collide(p1.subarray(0, 32), p2.subarray(0, 32), iv, Buffer.from(header));
    // AES-GCM alone accepts the file under either key, at both steps...
    expect(() => gcmOpen(p2.subarray(0, 32), iv, Buffer.from(header), payload)).not.toThrow();
    const text = `${header}\n${b64u(payload)}\n`;
    // ...but the first key's commitments are in the header: the second key is refused.
    expect(await codeOf(text, MK1)).toBe('authenticated');
    expect(await codeOf(text, MK2)).toBe('ERR_DECRYPT_FAILED');
  });
});
