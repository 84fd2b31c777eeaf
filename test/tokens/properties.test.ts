import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyrollError } from '../../src/errors.js';
import { RESERVED_CLAIMS } from '../../src/tokens/claims.js';
import { issueToken, verifyToken } from '../../src/tokens/index.js';
import { ring, T0 } from './helpers.js';

const r = ring();
const claimName = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !RESERVED_CLAIMS.has(k));
const claims = fc.dictionary(claimName, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 });

/** The code `fn` throws; any non-KeyrollError (or success) fails the property. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof KeyrollError) return err.code;
    throw err;
  }
  throw new Error('a tampered token was accepted');
}

describe('token properties', () => {
  it('any claims round-trip (as JSON sees them)', () => {
    fc.assert(
      fc.property(claims, fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }), (custom, subject) => {
        const token = issueToken(r, custom, { expiresIn: '5m', now: T0, ...(subject === undefined ? {} : { subject }) });
        const out = verifyToken(r, token, { now: T0 + 1000 });
        const { exp, iat, jti, sub, ...rest } = out;
        expect(rest).toEqual(JSON.parse(JSON.stringify(custom)));
        expect(sub).toBe(subject);
        expect([typeof exp, typeof iat, typeof jti]).toEqual(['string', 'string', 'string']);
      }),
      { numRuns: 200 },
    );
  });

  it('any change to any character of the body is refused', () => {
    const token = issueToken(r, { role: 'admin' }, { expiresIn: '5m', now: T0, implicitAssertion: 'row:7' });
    const bodyStart = 'v4.local.'.length;
    const bodyEnd = token.lastIndexOf('.');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(
      fc.property(fc.integer({ min: bodyStart, max: bodyEnd - 1 }), fc.integer({ min: 1, max: 63 }), (at, shift) => {
        const c = alphabet[(alphabet.indexOf(token[at]!) + shift) % 64]!;
        const tampered = token.slice(0, at) + c + token.slice(at + 1);
        expect(['ERR_TOKEN_INVALID']).toContain(refusal(() => verifyToken(r, tampered, { now: T0, implicitAssertion: 'row:7' })));
      }),
      { numRuns: 300 },
    );
  });

  it('any bit flip in the decoded body is refused', () => {
    const token = issueToken(r, { n: 1 }, { expiresIn: '5m', now: T0 });
    const [h1, h2, body, footer] = token.split('.');
    const bytes = Buffer.from(body!, 'base64url');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length * 8 - 1 }), (bit) => {
        const copy = Buffer.from(bytes);
        copy[bit >> 3]! ^= 1 << (bit & 7);
        const tampered = `${h1}.${h2}.${copy.toString('base64url')}.${footer}`;
        expect(refusal(() => verifyToken(r, tampered, { now: T0 }))).toBe('ERR_TOKEN_INVALID');
      }),
    );
  });

  it('any other footer or implicit assertion is refused', () => {
    const token = issueToken(r, {}, { expiresIn: '5m', now: T0, implicitAssertion: 'a' });
    const [h1, h2, body] = token.split('.');
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 10 }), (footer, implicit) => {
        fc.pre(footer !== '{"kid":"k2"}' && footer.length > 0);
        const swapped = `${h1}.${h2}.${body}.${Buffer.from(footer).toString('base64url')}`;
        expect(['ERR_TOKEN_INVALID', 'ERR_UNKNOWN_KEY']).toContain(refusal(() => verifyToken(r, swapped, { now: T0, implicitAssertion: 'a' })));
        fc.pre(implicit !== 'a');
        expect(refusal(() => verifyToken(r, token, { now: T0, implicitAssertion: implicit }))).toBe('ERR_TOKEN_INVALID');
      }),
    );
  });

  it('random strings are refused with a KeyrollError, never another exception', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }).map((s) => `v4.local.${s}`), fc.base64String().map((s) => `v4.local.${s}`)), (text) => {
        expect(refusal(() => verifyToken(r, text, { now: T0 }))).toMatch(/^ERR_/);
      }),
      { numRuns: 300 },
    );
  });
});
