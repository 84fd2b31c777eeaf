import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKeyrollError, openSync, sealSync, segmentsOf } from './helpers.js';

const plaintextArb = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 600 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 60_000 }).map((n) => new Uint8Array(randomBytes(n))) },
);
const segmentArb = fc.oneof(fc.integer({ min: 16, max: 80 }), fc.constantFrom(1024, 4096, 65536, 131072));
const contextArb = fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }), { nil: undefined });

/** Whatever was released before a failure is whole, authentic leading segments. */
function expectAuthenticPrefix(released: Buffer, plaintext: Uint8Array, segmentSize: number, beforeSegment: number): void {
  expect(released.length % segmentSize).toBe(0);
  expect(released.length).toBeLessThanOrEqual(beforeSegment * segmentSize);
  expect(released.equals(Buffer.from(plaintext).subarray(0, released.length))).toBe(true);
}

describe('streaming envelopes: properties', () => {
  it('any plaintext of any length round-trips for any segment size and any input chunking', () => {
    fc.assert(
      fc.property(plaintextArb, segmentArb, fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), contextArb, (plaintext, size, inChunk, outChunk, context) => {
        const options = context === undefined ? {} : { context };
        const { stream, headerLength } = sealSync(plaintext, size, { ...options, chunk: inChunk });
        expect(segmentsOf(stream, headerLength, size)).toHaveLength(Math.max(1, Math.ceil(plaintext.length / size)));
        const { released, error } = openSync(stream, { ...options, chunk: outChunk });
        expect(error).toBeUndefined();
        expect(released.equals(Buffer.from(plaintext))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('every truncation at a segment boundary fails (header kept), releasing only authentic earlier segments', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.integer({ min: 16, max: 48 }), fc.integer({ min: 1, max: 100 }), (plaintext, size, chunk) => {
        const { stream, headerLength } = sealSync(plaintext, size);
        const segments = segmentsOf(stream, headerLength, size);
        for (let keep = 0; keep < segments.length; keep++) {
          const cut = Buffer.concat([stream.subarray(0, headerLength), ...segments.slice(0, keep)]);
          // Fed in pieces that split segments anywhere (segments gathered across chunks).
          const { released, error } = openSync(cut, { chunk });
          expect(isKeyrollError(error)).toBe(true);
          expectAuthenticPrefix(released, plaintext, size, keep);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('every reordering, duplicated or dropped segment fails', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 17, maxLength: 300 }), fc.integer({ min: 16, max: 40 }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 100 }), (plaintext, size, a, b, chunk) => {
        const { stream, headerLength } = sealSync(plaintext, size);
        const header = stream.subarray(0, headerLength);
        const segments = segmentsOf(stream, headerLength, size);
        const n = segments.length;
        const i = a % n;
        const j = b % n;
        const variants: Buffer[][] = [];
        if (i !== j) {
          const swapped = [...segments];
          [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
          variants.push(swapped);
        }
        variants.push([...segments.slice(0, i + 1), segments[i]!, ...segments.slice(i + 1)]); // duplicated
        variants.push([...segments.slice(0, i), ...segments.slice(i + 1)]); // dropped
        variants.push([...segments, segments[n - 1]!]); // extended by a copy of the last
        for (const variant of variants) {
          const { released, error } = openSync(Buffer.concat([header, ...variant]), { chunk });
          expect(isKeyrollError(error)).toBe(true);
          let differs = 0;
          while (differs < Math.min(n, variant.length) && variant[differs] === segments[differs]) differs++;
          // Released: at most the segments before the first change, and never the one opened as last.
          expectAuthenticPrefix(released, plaintext, size, Math.max(0, Math.min(differs, n - 1, variant.length - 1)));
        }
      }),
      { numRuns: 80 },
    );
  });

  it('every bit flip anywhere (header or segment) fails, and no plaintext of the flipped segment is released', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.integer({ min: 16, max: 64 }), fc.nat(), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 100 }), (plaintext, size, at, bit, chunk) => {
        const { stream, headerLength } = sealSync(plaintext, size);
        const position = at % stream.length;
        const tampered = Buffer.from(stream);
        tampered[position]! ^= 1 << bit;
        const { released, error } = openSync(tampered, { chunk });
        expect(isKeyrollError(error)).toBe(true);
        const segment = position < headerLength ? 0 : Math.floor((position - headerLength) / (size + 16));
        expectAuthenticPrefix(released, plaintext, size, segment);
      }),
      { numRuns: 300 },
    );
  });

  it('a wrong context fails before any plaintext is released', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.string({ minLength: 1, maxLength: 8 }), (plaintext, value) => {
        const { stream } = sealSync(plaintext, 32, { context: { name: value } });
        const { released, error } = openSync(stream, { context: { name: `${value}!` } });
        expect(isKeyrollError(error)).toBe(true);
        expect(released.length).toBe(0);
      }),
      { numRuns: 50 },
    );
  });
});
