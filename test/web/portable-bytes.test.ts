// Without Buffer (browsers, workerd), bytes.ts uses portable loops: they must
// give exactly what Node's codecs give. (The conformance test also runs the
// whole WebCrypto edition in a Node process whose Buffer global is deleted.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { portableFromBase64url, portableLatin1, portableToBase64url } from '../../src/bytes.js';

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
});
