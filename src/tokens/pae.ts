/**
 * PASETO's Pre-Authentication Encoding (PAE): an unambiguous encoding of a
 * list of byte strings, so that the MAC input can never be read two ways.
 * https://github.com/paseto-standard/paseto-spec/blob/master/docs/01-Protocol-Versions/Common.md#pae-definition
 * @module
 */

/**
 * LE64: `n` as 8 little-endian bytes with the top bit cleared (the spec
 * clears it so the encoding survives languages without unsigned 64-bit ints).
 * @example
 * ```ts
 * le64(1); // Uint8Array [1, 0, 0, 0, 0, 0, 0, 0]
 * ```
 */
export function le64(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('LE64 takes a non-negative safe integer');
  const out = new Uint8Array(8);
  let value = n;
  for (let i = 0; i < 8; i++) {
    // Division, not bit shifts: JS shifts are 32-bit.
    out[i] = value % 256;
    value = Math.floor(value / 256);
  }
  out[7]! &= 0x7f;
  return out;
}

/**
 * PAE(pieces) = LE64(count) || for each piece: LE64(length) || piece.
 * @example
 * ```ts
 * pae([utf8('v4.local.'), nonce, ciphertext, footer, implicit]);
 * ```
 */
export function pae(pieces: readonly Uint8Array[]): Uint8Array {
  let length = 8;
  for (const piece of pieces) length += 8 + piece.length;
  const out = new Uint8Array(length);
  out.set(le64(pieces.length), 0);
  let offset = 8;
  for (const piece of pieces) {
    out.set(le64(piece.length), offset);
    out.set(piece, offset + 8);
    offset += 8 + piece.length;
  }
  return out;
}
