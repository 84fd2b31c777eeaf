import { hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../src/keyring/keyring.js';
import { EXTRACT_SALT } from '../../src/suites/suite1.js';
import { hkdfExtract } from '../../src/suites/primitives.js';
import { deriveTokenKey, TOKEN_KEY_INFO, TOKEN_KEY_SALT } from '../../src/tokens/derive.js';
import { inspectToken, issueToken, MAX_TOKEN_LENGTH, verifyToken } from '../../src/tokens/index.js';
import { encryptV4Local, v4LocalKey } from '../../src/tokens/v4local.js';
import { codeOf, errorOf, ring, SECRET_1, SECRET_2, T0 } from './helpers.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const k2Key = () => deriveTokenKey(utf8(SECRET_2));
/** A token under k2's token key with any payload and footer: the MAC is valid, so only the content is at fault. */
const craft = (payload: string, footer = '{"kid":"k2"}', implicit = '') => encryptV4Local(k2Key(), utf8(payload), utf8(footer), utf8(implicit));
const HOUR = 3_600_000;

describe('issueToken / verifyToken', () => {
  it('round-trips claims with the active key named in the footer', () => {
    const token = issueToken(ring(), { role: 'viewer', n: 3, nested: { a: [1, null] } }, { expiresIn: '1h', now: T0, subject: 'user-42', issuer: 'auth' });
    expect(token.startsWith('v4.local.')).toBe(true);
    expect(token.endsWith(`.${Buffer.from('{"kid":"k2"}').toString('base64url')}`)).toBe(true);
    expect(inspectToken(token)).toEqual({ version: 'v4', purpose: 'local', keyId: 'k2' });
    const claims = verifyToken(ring(), token, { now: T0 + 1000, expect: { subject: 'user-42', issuer: 'auth' } });
    expect(claims).toMatchObject({ role: 'viewer', n: 3, nested: { a: [1, null] }, sub: 'user-42', iss: 'auth' });
    expect(claims.iat).toBe('2030-01-01T12:00:00+00:00');
    expect(claims.exp).toBe('2030-01-01T13:00:00+00:00');
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('writes a fresh random jti unless told otherwise', () => {
    const a = verifyToken(ring(), issueToken(ring(), {}, { expiresIn: 60, now: T0 }), { now: T0 });
    const b = verifyToken(ring(), issueToken(ring(), {}, { expiresIn: 60, now: T0 }), { now: T0 });
    expect(a.jti).not.toBe(b.jti);
    expect(verifyToken(ring(), issueToken(ring(), {}, { expiresIn: 60, now: T0, jti: false }), { now: T0 }).jti).toBeUndefined();
    expect(verifyToken(ring(), issueToken(ring(), {}, { expiresIn: 60, now: T0, jti: 'invite-7' }), { now: T0 }).jti).toBe('invite-7');
  });

  it('checks exp always, nbf and iat, with clock skew', () => {
    const token = issueToken(ring(), {}, { expiresIn: '1h', notBefore: '10m', now: T0 });
    expect(codeOf(() => verifyToken(ring(), token, { now: T0 }))).toBe('ERR_TOKEN_NOT_YET_VALID');
    expect(verifyToken(ring(), token, { now: T0 + 10 * 60_000 }).nbf).toBe('2030-01-01T12:10:00+00:00');
    expect(verifyToken(ring(), token, { now: T0 + 5 * 60_000, clockSkew: '5m' }).exp).toBeDefined();
    expect(codeOf(() => verifyToken(ring(), token, { now: T0 + HOUR }))).toBe('ERR_TOKEN_EXPIRED');
    expect(verifyToken(ring(), token, { now: T0 + HOUR, clockSkew: 30 }).exp).toBe('2030-01-01T13:00:00+00:00');
    const future = issueToken(ring(), {}, { expiresIn: '1h', now: T0 + HOUR });
    expect(codeOf(() => verifyToken(ring(), future, { now: T0 }))).toBe('ERR_TOKEN_NOT_YET_VALID');
  });

  it('refuses a token without exp, or with a malformed time, even when authentic', () => {
    expect(errorOf(() => verifyToken(ring(), craft('{"sub":"x"}'), { now: T0 })).message).toMatch(/no exp/);
    expect(codeOf(() => verifyToken(ring(), craft('{"exp":"2031-02-30T00:00:00Z"}'), { now: T0 }))).toBe('ERR_TOKEN_INVALID');
    expect(codeOf(() => verifyToken(ring(), craft('{"exp":1924992000}'), { now: T0 }))).toBe('ERR_TOKEN_INVALID');
    expect(codeOf(() => verifyToken(ring(), craft('{"exp":"2031-01-01T00:00:00Z","nbf":"soon"}'), { now: T0 }))).toBe('ERR_TOKEN_INVALID');
    expect(codeOf(() => verifyToken(ring(), craft('{"exp":"2031-01-01T00:00:00Z","aud":["a"]}'), { now: T0, audience: 'a' }))).toBe('ERR_TOKEN_INVALID');
    expect(codeOf(() => verifyToken(ring(), craft('["exp"]'), { now: T0 }))).toBe('ERR_TOKEN_INVALID');
    expect(codeOf(() => verifyToken(ring(), craft('not json'), { now: T0 }))).toBe('ERR_TOKEN_INVALID');
    // Other issuers may write Z or another offset: any RFC 3339 offset is read.
    expect(verifyToken(ring(), craft('{"exp":"2030-01-01T14:00:00+02:00"}'), { now: T0 - 1 }).exp).toBeDefined();
    expect(codeOf(() => verifyToken(ring(), craft('{"exp":"2030-01-01T14:00:00+02:00"}'), { now: T0 }))).toBe('ERR_TOKEN_EXPIRED');
  });

  it('checks the audience, failing closed when the verifier names none', () => {
    const token = issueToken(ring(), {}, { expiresIn: 60, now: T0, audience: 'cdn' });
    expect(verifyToken(ring(), token, { now: T0, audience: 'cdn' }).aud).toBe('cdn');
    expect(verifyToken(ring(), token, { now: T0, audience: ['api', 'cdn'] }).aud).toBe('cdn');
    expect(errorOf(() => verifyToken(ring(), token, { now: T0, audience: 'api' })).message).toMatch(/claim aud/);
    expect(codeOf(() => verifyToken(ring(), token, { now: T0 }))).toBe('ERR_TOKEN_CLAIM_MISMATCH');
    const noAud = issueToken(ring(), {}, { expiresIn: 60, now: T0 });
    expect(codeOf(() => verifyToken(ring(), noAud, { now: T0, audience: 'cdn' }))).toBe('ERR_TOKEN_CLAIM_MISMATCH');
  });

  it('checks expected subject and issuer', () => {
    const token = issueToken(ring(), {}, { expiresIn: 60, now: T0, subject: 'u1', issuer: 'auth' });
    expect(errorOf(() => verifyToken(ring(), token, { now: T0, expect: { subject: 'u2' } })).message).toMatch(/claim sub/);
    expect(errorOf(() => verifyToken(ring(), token, { now: T0, expect: { issuer: 'evil' } })).message).toMatch(/claim iss/);
  });

  it('binds the implicit assertion', () => {
    const token = issueToken(ring(), {}, { expiresIn: 60, now: T0, implicitAssertion: 'user:42' });
    expect(verifyToken(ring(), token, { now: T0, implicitAssertion: utf8('user:42') }).exp).toBeDefined();
    expect(codeOf(() => verifyToken(ring(), token, { now: T0, implicitAssertion: 'user:43' }))).toBe('ERR_TOKEN_INVALID');
    expect(codeOf(() => verifyToken(ring(), token, { now: T0 }))).toBe('ERR_TOKEN_INVALID');
  });

  it('accepts only the exact footer {"kid":"<id>"}', () => {
    const exp = '{"exp":"2031-01-01T00:00:00+00:00"}';
    expect(verifyToken(ring(), craft(exp), { now: T0 }).exp).toBeDefined();
    for (const footer of ['', '{"kid": "k2"}', '{"kid":"k2","x":1}', '{"x":1,"kid":"k2"}', 'k2', '{"kid":"k\\u0032"}', ' {"kid":"k2"}', `{"kid":"${'a'.repeat(65)}"}`, `{"kid":"k2","pad":"${'x'.repeat(200)}"}`]) {
      expect(codeOf(() => verifyToken(ring(), craft(exp, footer), { now: T0 })), footer).toBe('ERR_TOKEN_INVALID');
    }
    // A trailing dot is a second spelling of "no footer": refused.
    expect(codeOf(() => verifyToken(ring(), `${craft(exp, '')}.`, { now: T0 }))).toBe('ERR_TOKEN_INVALID');
  });

  it('refuses a swapped footer (another key id) as a forgery or an unknown key', () => {
    const token = issueToken(ring(), {}, { expiresIn: 60, now: T0 });
    const [h, p, b] = token.split('.');
    const k1Footer = Buffer.from('{"kid":"k1"}').toString('base64url');
    expect(codeOf(() => verifyToken(ring(), `${h}.${p}.${b}.${k1Footer}`, { now: T0 }))).toBe('ERR_TOKEN_INVALID');
    const k9Footer = Buffer.from('{"kid":"k9"}').toString('base64url');
    expect(codeOf(() => verifyToken(ring(), `${h}.${p}.${b}.${k9Footer}`, { now: T0 }))).toBe('ERR_UNKNOWN_KEY');
  });

  it('accepts v4.local only: other versions and purposes are ERR_TOKEN_UNSUPPORTED', () => {
    const body = Buffer.alloc(80, 1).toString('base64url');
    for (const header of ['v1.local', 'v2.local', 'v3.local', 'v4.public', 'v5.local', 'v4.secret']) {
      expect(codeOf(() => verifyToken(ring(), `${header}.${body}`, { now: T0 })), header).toBe('ERR_TOKEN_UNSUPPORTED');
    }
    for (const junk of ['', 'v4.local', 'v4.local.', 'kr1.k2.AAAA', 'V4.LOCAL.' + body, 'v4.local.' + body + '==', 'v4.local.a.b.c', 'hello']) {
      expect(codeOf(() => verifyToken(ring(), junk, { now: T0 })), junk).toBe('ERR_TOKEN_INVALID');
    }
    expect(codeOf(() => verifyToken(ring(), 42 as unknown as string))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('bounds the token length before any decoding', () => {
    const long = `v4.local.${'A'.repeat(MAX_TOKEN_LENGTH)}`;
    expect(errorOf(() => verifyToken(ring(), long)).message).toMatch(/at most 8192/);
    expect(codeOf(() => issueToken(ring(), { big: 'x'.repeat(MAX_TOKEN_LENGTH) }, { expiresIn: 60 }))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('picks keys like envelopes: unknown and disabled keys have their own codes', () => {
    const oldRing = Keyring.create({ keys: [{ id: 'k0', secret: 'some-other-secret-0' }] });
    const stranger = issueToken(oldRing, {}, { expiresIn: 60, now: T0 });
    expect(errorOf(() => verifyToken(ring(), stranger, { now: T0 }))).toMatchObject({ code: 'ERR_UNKNOWN_KEY', keyId: 'k0' });
    const fromK1 = issueToken(ring().promote('k1'), {}, { expiresIn: 60, now: T0 });
    expect(inspectToken(fromK1).keyId).toBe('k1');
    expect(verifyToken(ring(), fromK1, { now: T0 }).exp).toBeDefined();
    expect(errorOf(() => verifyToken(ring().disable('k1'), fromK1, { now: T0 }))).toMatchObject({ code: 'ERR_KEY_DISABLED', keyId: 'k1' });
  });

  it('verifies with a pending key and issues with it once its time has come', () => {
    let now = T0;
    const r = ring(() => now).add({ id: 'k3', secret: 'the-next-key-k3-secret' }, { activatesAt: new Date(T0 + HOUR) });
    const early = issueToken(r, {}, { expiresIn: '2h', now });
    expect(inspectToken(early).keyId).toBe('k2');
    now = T0 + HOUR;
    const late = issueToken(r, {}, { expiresIn: '2h', now });
    expect(inspectToken(late).keyId).toBe('k3');
    now = T0;
    expect(verifyToken(r, late, { now: T0 + HOUR }).exp).toBeDefined();
  });

  it('refuses reserved claim names and bad options at issue', () => {
    for (const name of ['exp', 'nbf', 'iat', 'aud', 'sub', 'iss', 'jti', 'kid', 'restrict']) {
      expect(codeOf(() => issueToken(ring(), { [name]: 'x' }, { expiresIn: 60 })), name).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(codeOf(() => issueToken(ring(), {}, {} as never))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => issueToken(ring(), {}, { expiresIn: 'forever' }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => issueToken(ring(), {}, { expiresIn: 0.5 }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => issueToken(ring(), {}, { expiresIn: '1h', notBefore: '2h' }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => issueToken(ring(), { n: 1n }, { expiresIn: 60 }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => issueToken({} as never, {}, { expiresIn: 60 }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => issueToken(ring(), [] as never, { expiresIn: 60 }))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('is typed: interfaces are accepted as claims, expiresIn is required', () => {
    interface Invite {
      readonly team: string;
    }
    const invite: Invite = { team: 'blue' };
    const token = issueToken(ring(), invite, { expiresIn: '7d', now: T0 });
    expect(verifyToken(ring(), token, { now: T0 })['team']).toBe('blue');
    // @ts-expect-error expiresIn is required: keyroll tokens always expire
    expect(codeOf(() => issueToken(ring(), invite, { audience: 'x' }))).toBe('ERR_INVALID_ARGUMENT');
    // @ts-expect-error the token must be a string
    expect(codeOf(() => verifyToken(ring(), new Uint8Array(4)))).toBe('ERR_INVALID_ARGUMENT');
    expect(verifyToken(ring(), issueToken(ring(), {}, { expiresIn: 60, now: T0, restrict: { countries: 'nl' } }), { now: T0, expect: { country: 'NL' } }).restrict).toEqual({ country: ['NL'] });
  });

  it('treats __proto__ as an ordinary claim name and key id', () => {
    const r = Keyring.create({ keys: [{ id: '__proto__', secret: 'proto-key-secret-16' }] });
    const claims = JSON.parse('{"__proto__":{"polluted":true},"constructor":"c"}') as Record<string, unknown>;
    const token = issueToken(r, claims, { expiresIn: 60, now: T0 });
    expect(inspectToken(token).keyId).toBe('__proto__');
    const out = verifyToken(r, token, { now: T0 });
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
    expect(out['constructor']).toBe('c');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('token key derivation', () => {
  it('is HKDF-SHA256 with keyroll\'s token labels (cross-checked with node:crypto)', () => {
    const secret = utf8(SECRET_2);
    const expected = Buffer.from(hkdfSync('sha256', secret, TOKEN_KEY_SALT, TOKEN_KEY_INFO, 32));
    expect(Buffer.from(deriveTokenKey(secret).bytes).equals(expected)).toBe(true);
    expect(new TextDecoder().decode(TOKEN_KEY_SALT)).toBe('keyroll/v1 tokens PASETO v4.local');
    expect(new TextDecoder().decode(TOKEN_KEY_INFO)).toBe('keyroll/v1 token key');
  });

  it('matches the frozen vectors in docs/tokens.md', () => {
    expect(Buffer.from(deriveTokenKey(utf8(SECRET_2)).bytes).toString('hex')).toBe('941c1dfc3fb3912dbce79bbdc9f1dd46d44ae033a91dbb0530b321d3645fbc98');
    const secret = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
    expect(Buffer.from(deriveTokenKey(secret).bytes).toString('hex')).toBe('b484605cd1ed6bbb4c0de903bf957e1ce7f02a2df3bcbb62a87cb61aa7fd2c40');
    const frozen =
      'v4.local.KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKipb1Ld8pQoj0WVQC1KUvjWWyk0hWYGPjwndzFjG83AlEpqZPrlLj4wf0H99dLjb5iHzxbNuQpTE5qDo3eMjkMdwC9ndq9zqnXvZLl82dCSu5NdpkT_ZqQmu4UAvqFUdraHBvxZExZtsXyysqIOequercXjGmqWEZLMoGlLqvwXiZIQPrOPszQmKid7UfNUfht4.eyJraWQiOiJrMiJ9';
    expect(verifyToken(ring(), frozen, { now: T0 })).toEqual({ sub: 'user-42', iat: '2026-01-01T00:00:00+00:00', exp: '2099-01-01T00:00:00+00:00', purpose: 'password-reset' });
  });

  it('never equals the secret, the envelope suite\'s PRK, or a raw-key token key', () => {
    const secret = new Uint8Array(32).fill(7);
    const tokenKey = Buffer.from(deriveTokenKey(secret).bytes);
    expect(tokenKey.equals(Buffer.from(secret))).toBe(false);
    expect(tokenKey.equals(hkdfExtract(EXTRACT_SALT, secret))).toBe(false);
    // A token made with the secret itself as the PASETO key does not verify: the key is always derived.
    const r = Keyring.create({ keys: [{ id: 'k', secret }] });
    const raw = encryptV4Local(v4LocalKey(secret), utf8('{"exp":"2099-01-01T00:00:00Z"}'), utf8('{"kid":"k"}'));
    expect(codeOf(() => verifyToken(r, raw, { now: T0 }))).toBe('ERR_TOKEN_INVALID');
  });

  it('works with every accepted secret length', () => {
    for (const length of [16, 17, 31, 32, 33, 64, 100, 250]) {
      const r = Keyring.create({ keys: [{ id: `k${length}`, secret: new Uint8Array(length).fill(length) }] });
      expect(verifyToken(r, issueToken(r, { length }, { expiresIn: 60, now: T0 }), { now: T0 })['length']).toBe(length);
    }
  });
});

describe('secrets stay out of errors', () => {
  it('no message names a secret, a token or a payload', () => {
    const token = issueToken(ring(), { secretNote: 'hunter2-payload' }, { expiresIn: 60, now: T0 });
    const tampered = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21);
    const errors = [
      errorOf(() => verifyToken(ring(), tampered, { now: T0 })),
      errorOf(() => verifyToken(ring(), token, { now: T0 + HOUR })),
      errorOf(() => verifyToken(ring(), token, { now: T0, audience: 'x' })),
      errorOf(() => verifyToken(ring(), craft('{"exp":"nope","secretNote":"hunter2-payload"}'), { now: T0 })),
      errorOf(() => verifyToken(ring(), craft('{"secretNote":"hunter2-payload"'), { now: T0 })),
    ];
    const key = Buffer.from(deriveTokenKey(utf8(SECRET_2)).bytes);
    const forbidden = [SECRET_2, SECRET_1, 'hunter2', token.slice(9, 40), key.toString('hex'), key.toString('base64url'), Buffer.from(SECRET_2).toString('hex')];
    for (const err of errors) {
      const text = `${err.message} ${String(err.cause ?? '')} ${JSON.stringify(err)}`;
      for (const f of forbidden) expect(text.includes(f), `${err.code} leaked`).toBe(false);
    }
  });
});
