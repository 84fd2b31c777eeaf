// Without Buffer (browsers, workerd), bytes.ts uses portable loops: they must
// give exactly what Node's codecs give. (The conformance test also runs the
// whole WebCrypto edition in a Node process whose Buffer global is deleted.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nativeFromBase64url, portableFromBase64url, portableLatin1, portableToBase64url } from '../../src/bytes.js';

describe('bytes without Buffer', () => {
  it('encodes base64url and latin1 as Node does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(portableToBase64url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
        expect(portableLatin1(bytes)).toBe(Buffer.from(bytes).toString('latin1'));
      }),
    );
    const large = new Uint8Array(50000).map((_, i) => i * 7);
    expect(portableToBase64url(large)).toBe(Buffer.from(large).toString('base64url'));
    expect(portableLatin1(large)).toBe(Buffer.from(large).toString('latin1'));
  });

  it('decodes base64url as Node does, and refuses characters outside the alphabet', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64url');
        expect(Buffer.from(portableFromBase64url(text, bytes.length)!).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
    for (const bad of ['A+BC', 'A/BC', 'AB=C', 'AB C', 'ABé']) expect(portableFromBase64url(bad, 2)).toBeUndefined();
  });

  // Uint8Array.fromBase64 where the runtime has it (a browser's); on Node 20 a stand-in that behaves as the
  // standard does in what matters here: it skips ASCII whitespace and throws outside the alphabet.
  const standIn = (text: string): Uint8Array => {
    const kept = text.replace(/[\t\n\f\r ]/g, '');
    if (!/^[A-Za-z0-9_-]*$/.test(kept) || kept.length % 4 === 1) throw new SyntaxError('not base64url');
    return new Uint8Array(Buffer.from(kept, 'base64url'));
  };
  const native = (Uint8Array as { fromBase64?: (text: string, options: object) => Uint8Array }).fromBase64;
  type FromBase64 = (text: string, options: object) => Uint8Array;
  const codecs: [string, FromBase64][] = [['a stand-in', standIn], ...(native === undefined ? [] : [['the runtime\'s', native] as [string, FromBase64]])];
  it.each(codecs)(
    'decodes with %s Uint8Array.fromBase64 as Node does, and refuses what it would skip or refuse',
    (_name, fromBase64) => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          const text = Buffer.from(bytes).toString('base64url');
          expect(Buffer.from(nativeFromBase64url(text, bytes.length, fromBase64)!).equals(Buffer.from(bytes))).toBe(true);
          // A whitespace character anywhere is skipped by the codec: the length check refuses it.
          const at = text.length === 0 ? 0 : bytes[0]! % text.length;
          for (const space of [' ', '\n', '\t']) {
            const spaced = text.slice(0, at) + space + text.slice(at);
            const length = (spaced.length >> 2) * 3 + (spaced.length % 4 === 0 ? 0 : (spaced.length % 4) - 1);
            if (spaced.length % 4 !== 1) expect(nativeFromBase64url(spaced, length, fromBase64)).toBeUndefined();
          }
        }),
      );
      for (const bad of ['A+BC', 'A/BC', 'ABé']) expect(nativeFromBase64url(bad, 3, fromBase64)).toBeUndefined();
    },
  );
});
