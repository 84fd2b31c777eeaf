/**
 * Token hardening: the path restriction is an allowlist checked on the raw
 * path, an empty restriction set is refused, clock skew is capped, maxAge
 * bounds a token's age, and messages never carry claim values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { issueToken, verifyToken, MAX_CLOCK_SKEW } from '../../src/tokens/index.js';
import { observedPath, plainPath } from '../../src/tokens/path.js';
import { codeOf, errorOf, ring, T0 } from './helpers.js';

const HOUR = 3_600_000;
const issue = (options: Record<string, unknown> = {}) => issueToken(ring(), {}, { expiresIn: '1h', now: T0, ...options });

describe('path restriction', () => {
  const token = issue({ restrict: { pathPrefix: '/videos/' } });
  const verify = (path: string) => verifyToken(ring(), token, { now: T0, expect: { path } });

  it.each([
    '/videos/..;/admin',
    '/videos/%252e%252e/admin',
    '/videos/%C0%AE%C0%AE/admin',
    '/videos/．．/admin',
    'https://x/videos/a/../b',
    'https://x/videos/a/%2e%2e/b',
    'https://x/videos\\a',
    '/videos/a/%2E%2E/b',
    '/videos/.%2e/admin',
    '/videos/%2e/a',
    '/videos/a%2fb',
    '/videos/a%5cb',
    '/videos/a%00b',
    '/videos/a\u0000b',
    '/videos//a',
    '/videos/a;jsessionid=1',
    '/videos/%ZZ',
    '/videos/%',
    '/videos/é',
    '/videos/%C3%A9',
    '//videos/a',
    'https://x\\videos/a',
    'javascript:/videos/a',
    '/videos/a\nb',
  ])('refuses %j under /videos/', (path) => {
    const err = errorOf(() => verify(path));
    expect(err.code).toBe('ERR_TOKEN_CLAIM_MISMATCH');
    expect(err.message).toMatch(/restrict\.path/);
  });

  it('accepts plain paths and URLs under the prefix, decoding once', () => {
    for (const ok of ['/videos/a.mp4', '/videos/', '/videos/a%20b.mp4', '/videos/sub/a.mp4?x=1#t', 'https://cdn.example/videos/a.mp4?sig=..', 'https://u@cdn.example:8443/videos/a']) {
      expect(verify(ok).exp, ok).toBeDefined();
    }
    expect(verifyToken(ring(), issue({ restrict: { pathPrefix: '/a%20b/' } }), { now: T0, expect: { path: '/a%20b/c' } }).exp).toBeDefined();
  });

  it('refuses unsafe prefixes at issue time', () => {
    for (const prefix of ['videos/', '/videos/../admin', '/videos/%2e%2e/', '/videos;x/', '/vidéos/', '/a//b', '/%2525']) {
      expect(codeOf(() => issue({ restrict: { pathPrefix: prefix } })), prefix).toBe('ERR_INVALID_ARGUMENT');
    }
  });

  it('no path that decodes to a dot segment, a backslash or non-ASCII is ever accepted (property)', () => {
    const piece = fc.constantFrom('a', '.', '..', '%2e', '%2E', '%25', '%2f', '%5c', '\\', ';', '%C0%AE', '．', '/', '%20', '%00', 'é');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const raw = `/videos/${pieces.join('')}`;
        const checked = plainPath(raw);
        if (checked === undefined) return;
        expect(checked.split('/').slice(1, -1).every((s) => s !== '' && s !== '.' && s !== '..')).toBe(true);
        expect(checked.split('/').every((s) => s !== '.' && s !== '..')).toBe(true);
        expect(/[^\x20-\x7e]|\\|%/.test(checked)).toBe(false);
      }),
    );
  });

  it('reads the raw path of a URL, never URL().pathname', () => {
    expect(new URL('https://x/videos/a/../b').pathname).toBe('/videos/b'); // what a URL-based check would have compared
    expect(observedPath('https://x/videos/a/../b')).toBeUndefined();
    expect(observedPath('https://x/videos/a?q=/../')).toBe('/videos/a');
    expect(observedPath('https://x')).toBe('/');
  });
});

describe('restrict, clockSkew, maxAge', () => {
  it('refuses restrict: {} (it would pass for a restricted token)', () => {
    expect(codeOf(() => issue({ restrict: {} }))).toBe('ERR_INVALID_ARGUMENT');
  });

  it(`caps clockSkew at ${MAX_CLOCK_SKEW} seconds`, () => {
    const token = issue();
    expect(verifyToken(ring(), token, { now: T0, clockSkew: MAX_CLOCK_SKEW }).exp).toBeDefined();
    expect(verifyToken(ring(), token, { now: T0, clockSkew: '5m' }).exp).toBeDefined();
    expect(codeOf(() => verifyToken(ring(), token, { now: T0, clockSkew: MAX_CLOCK_SKEW + 1 }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => verifyToken(ring(), token, { now: T0, clockSkew: '1d' }))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('maxAge refuses tokens issued too long ago, and tokens without iat', () => {
    const token = issueToken(ring(), {}, { expiresIn: '7d', now: T0 });
    expect(verifyToken(ring(), token, { now: T0 + HOUR, maxAge: '2h' }).exp).toBeDefined();
    const err = errorOf(() => verifyToken(ring(), token, { now: T0 + 3 * HOUR, maxAge: '2h' }));
    expect(err.code).toBe('ERR_TOKEN_EXPIRED');
    expect(err.details).toMatchObject({ iat: new Date(T0).toISOString(), maxAgeSeconds: 7200 });
    expect(codeOf(() => verifyToken(ring(), token, { now: T0, maxAge: 'soon' }))).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('messages carry no claim values', () => {
  it('expiry and not-before put the times in err.details, not in the message', () => {
    const expired = errorOf(() => verifyToken(ring(), issue(), { now: T0 + 2 * HOUR }));
    expect(expired.code).toBe('ERR_TOKEN_EXPIRED');
    expect(expired.message).not.toMatch(/20\d\d-/);
    expect(expired.details).toEqual({ exp: new Date(T0 + HOUR).toISOString(), now: new Date(T0 + 2 * HOUR).toISOString() });
    const early = errorOf(() => verifyToken(ring(), issue({ notBefore: '10m' }), { now: T0 }));
    expect(early.code).toBe('ERR_TOKEN_NOT_YET_VALID');
    expect(early.message).not.toMatch(/20\d\d-/);
    expect(early.details).toMatchObject({ nbf: new Date(T0 + 10 * 60_000).toISOString() });
  });

  it('no failing verification quotes a claim value (property)', () => {
    const marker = 'MARKER-7f3a';
    const token = issueToken(ring(), { note: marker }, { expiresIn: '1h', now: T0, audience: `aud-${marker}`, subject: `sub-${marker}`, issuer: `iss-${marker}`, jti: `jti-${marker}`, restrict: { ip: '10.0.0.0/8', pathPrefix: '/p/', countries: 'NL', referrer: 'example.com', protocol: 'https' } });
    fc.assert(
      fc.property(
        fc.record({
          now: fc.constantFrom(T0 - HOUR, T0, T0 + 2 * HOUR),
          audience: fc.constantFrom(undefined, 'other', `aud-${marker}`),
          expect: fc.record({ subject: fc.constantFrom(undefined, 'x'), issuer: fc.constantFrom(undefined, 'y'), ip: fc.constantFrom(undefined, '192.0.2.1', '10.0.0.1'), path: fc.constantFrom(undefined, '/q', '/p/a') }, { requiredKeys: [] }),
        }, { requiredKeys: ['now'] }),
        (options) => {
          const clean = JSON.parse(JSON.stringify(options)) as Parameters<typeof verifyToken>[2];
          try {
            verifyToken(ring(), token, clean);
          } catch (err) {
            expect((err as Error).message).not.toContain(marker);
            expect((err as Error).message).not.toMatch(/20\d\d-\d\d/);
          }
        },
      ),
    );
  });
});
