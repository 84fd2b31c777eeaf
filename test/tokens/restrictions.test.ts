import { BlockList, isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { issueToken, verifyToken, type Restrictions } from '../../src/tokens/index.js';
import { inRange, parseCidr, parseIp, type IpRange } from '../../src/tokens/ip.js';
import { checkRestrictions } from '../../src/tokens/restrictions.js';
import { deriveTokenKey } from '../../src/tokens/derive.js';
import { encryptV4Local } from '../../src/tokens/v4local.js';
import { codeOf, errorOf, ring, SECRET_2, T0 } from './helpers.js';

const range = (text: string) => {
  const r = parseCidr(text);
  if (typeof r === 'string') throw new Error(`${text}: ${r}`);
  return r;
};
const matches = (cidr: string, ip: string) => inRange(parseIp(ip)!, range(cidr));

describe('IP addresses and CIDR ranges', () => {
  it('matches IPv4 edges', () => {
    expect(matches('192.0.2.0/24', '192.0.2.0')).toBe(true);
    expect(matches('192.0.2.0/24', '192.0.2.255')).toBe(true);
    expect(matches('192.0.2.0/24', '192.0.3.0')).toBe(false);
    expect(matches('192.0.2.0/24', '192.0.1.255')).toBe(false);
    expect(matches('0.0.0.0/0', '255.255.255.255')).toBe(true);
    expect(matches('203.0.113.7', '203.0.113.7')).toBe(true);
    expect(matches('203.0.113.7/32', '203.0.113.8')).toBe(false);
    expect(matches('10.0.0.0/9', '10.127.255.255')).toBe(true);
    expect(matches('10.0.0.0/9', '10.128.0.0')).toBe(false);
  });

  it('matches IPv6 edges, compressed forms and embedded IPv4', () => {
    expect(matches('2001:db8::/32', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(matches('2001:db8::/32', '2001:db9::')).toBe(false);
    expect(matches('::/0', '::1')).toBe(true);
    expect(matches('::1/128', '0:0:0:0:0:0:0:1')).toBe(true);
    expect(matches('2001:db8::/127', '2001:db8::1')).toBe(true);
    expect(matches('2001:db8::/127', '2001:db8::2')).toBe(false);
    expect(matches('64:ff9b::/96', '64:ff9b::192.0.2.1')).toBe(true);
    expect(matches('2001:DB8::/32', '2001:db8::abcd')).toBe(true);
  });

  it('reads IPv4-mapped IPv6 as IPv4, and never matches across families otherwise', () => {
    expect(matches('192.0.2.0/24', '::ffff:192.0.2.9')).toBe(true);
    expect(matches('192.0.2.0/24', '::ffff:c000:209')).toBe(true);
    expect(matches('::ffff:192.0.2.0/120', '192.0.2.9')).toBe(true);
    expect(matches('::/0', '192.0.2.9')).toBe(false);
    expect(matches('0.0.0.0/0', '2001:db8::1')).toBe(false);
    expect(matches('0.0.0.0/0', '::192.0.2.1')).toBe(false);
  });

  it('refuses malformed addresses and ranges', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.256', '1.2.3.-1', ' 1.2.3.4', '1.2.3.4 ', '::1%eth0', '1::2::3', ':1', '1:', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8:9', '1.2.3.4::', '::1.2.3.4:5', 'g::', '[::1]']) {
      expect(parseIp(bad), bad).toBeUndefined();
      expect(typeof parseCidr(bad), bad).toBe('string');
    }
    for (const bad of ['10.0.0.0/33', '10.0.0.0/08', '10.0.0.0/', '10.0.0.1/8', '::/129', '2001:db8::1/32', '10.0.0.0/-1', '10.0.0.0/8/8']) {
      expect(typeof parseCidr(bad), bad).toBe('string');
    }
  });

  it('agrees with node:net on random addresses and ranges (IPv4 and IPv6)', () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
    const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((g) => g.map((x) => x.toString(16)).join(':'));
    const cases = fc.oneof(
      fc.tuple(v4, v4, fc.integer({ min: 0, max: 32 })).map(([a, n, p]) => ({ family: 'ipv4' as const, a, n, p })),
      fc.tuple(v6, v6, fc.integer({ min: 0, max: 128 })).map(([a, n, p]) => ({ family: 'ipv6' as const, a, n, p })),
    );
    fc.assert(
      fc.property(cases, ({ family, a, n, p }) => {
        // Build the network by masking, as node's BlockList does, then compare verdicts.
        const bits = parseIp(n)!;
        const net = new Uint8Array(bits);
        for (let bit = p; bit < net.length * 8; bit++) net[bit >> 3]! &= ~(1 << (7 - (bit & 7)));
        const list = new BlockList();
        list.addSubnet(n, p, family);
        const r: IpRange = { bytes: net, prefix: p };
        expect(isIP(a)).toBe(family === 'ipv4' ? 4 : 6);
        // Mapped addresses are folded to IPv4 on our side; skip those for the cross-check.
        fc.pre(!(family === 'ipv6' && /^0:0:0:0:0:ffff:/.test(a)));
        expect(inRange(parseIp(a)!, r)).toBe(list.check(a, family));
      }),
      { numRuns: 500 },
    );
  });

  it('parses every address node:net accepts, compressed or not', () => {
    const v6 = fc.array(fc.oneof(fc.constant(0), fc.nat(0xffff)), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(v6, (groups) => {
        const full = groups.map((x) => x.toString(16)).join(':');
        const zeros = full.replace(/(^|:)0(:0)+(:|$)/, '::');
        expect(isIP(zeros)).toBe(6);
        const a = parseIp(full);
        const b = parseIp(zeros);
        expect(a).toBeDefined();
        expect(Buffer.from(b!).equals(Buffer.from(a!))).toBe(true);
      }),
    );
  });
});

describe('restrictions in tokens', () => {
  const issue = (restrict: Restrictions) => issueToken(ring(), {}, { expiresIn: 60, now: T0, restrict });
  const verify = (token: string, expect: Record<string, string>) => verifyToken(ring(), token, { now: T0, expect });

  it('ip: matched and mismatched, failing closed when the verifier gives none', () => {
    const token = issue({ ip: ['203.0.113.0/24', '2001:db8::/32'] });
    expect(verify(token, { ip: '203.0.113.99' }).restrict).toEqual({ ip: ['203.0.113.0/24', '2001:db8::/32'] });
    expect(verify(token, { ip: '2001:db8::42' }).exp).toBeDefined();
    expect(verify(token, { ip: '::ffff:203.0.113.1' }).exp).toBeDefined();
    expect(errorOf(() => verify(token, { ip: '198.51.100.1' })).message).toMatch(/restrict\.ip/);
    expect(codeOf(() => verify(token, {}))).toBe('ERR_TOKEN_CLAIM_MISMATCH');
    expect(codeOf(() => verify(token, { ip: 'not an ip' }))).toBe('ERR_TOKEN_CLAIM_MISMATCH');
    expect(codeOf(() => issue({ ip: '10.0.0.1/8' }))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('country: case-insensitive on the observed side', () => {
    const token = issue({ countries: ['de', 'FR'] });
    expect(verify(token, { country: 'de' }).restrict).toEqual({ country: ['DE', 'FR'] });
    expect(errorOf(() => verify(token, { country: 'US' })).message).toMatch(/restrict\.country/);
    expect(codeOf(() => verify(token, {}))).toBe('ERR_TOKEN_CLAIM_MISMATCH');
    expect(codeOf(() => issue({ countries: ['DEU'] }))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('path: prefix at a segment boundary, query ignored, dot segments refused', () => {
    const token = issue({ pathPrefix: '/videos' });
    for (const ok of ['/videos', '/videos/', '/videos/a.mp4?x=1', 'https://cdn.example.com/videos/b/c.mp4#t=3']) expect(verify(token, { path: ok }).exp, ok).toBeDefined();
    for (const bad of ['/videos-private/a', '/video', '/', '/videos/../private', '/videos/%2e%2e/private', '/videos/..%2fprivate', '/videos\\..\\x', 'videos/a']) {
      expect(errorOf(() => verify(token, { path: bad })).message, bad).toMatch(/restrict\.path/);
    }
    expect(verify(issue({ pathPrefix: '/a/' }), { path: '/a/b' }).exp).toBeDefined();
    expect(codeOf(() => issue({ pathPrefix: 'videos' }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => issue({ pathPrefix: '/a/../b' }))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('referrer: exact hosts, or subdomains with *.', () => {
    const token = issue({ referrer: ['example.com', '*.shop.example'] });
    expect(verify(token, { referrer: 'https://example.com/page' }).exp).toBeDefined();
    expect(verify(token, { referrer: 'EXAMPLE.com' }).exp).toBeDefined();
    expect(verify(token, { referrer: 'https://a.b.shop.example/' }).exp).toBeDefined();
    for (const bad of ['https://shop.example/', 'https://evil-example.com/', 'https://example.com.evil.net/', 'https://www.example.com/', 'not a url']) {
      expect(codeOf(() => verify(token, { referrer: bad })), bad).toBe('ERR_TOKEN_CLAIM_MISMATCH');
    }
  });

  it('protocol: https: and HTTPS are https', () => {
    const token = issue({ protocol: 'https' });
    expect(verify(token, { protocol: 'HTTPS:' }).exp).toBeDefined();
    expect(errorOf(() => verify(token, { protocol: 'http' })).message).toMatch(/restrict\.protocol/);
  });

  it('all restrictions together, the first failure named', () => {
    const token = issue({ ip: '10.0.0.0/8', countries: ['NL'], pathPrefix: '/p/', referrer: 'example.com', protocol: ['https'] });
    const all = { ip: '10.1.1.1', country: 'NL', path: '/p/x', referrer: 'https://example.com/', protocol: 'https' };
    expect(verify(token, all).exp).toBeDefined();
    expect(errorOf(() => verify(token, { ...all, country: 'BE', protocol: 'http' })).message).toMatch(/restrict\.country/);
  });

  it('an unknown restriction in a token (another issuer, a newer version) makes it invalid', () => {
    const key = deriveTokenKey(new TextEncoder().encode(SECRET_2));
    const craft = (restrict: string) => encryptV4Local(key, new TextEncoder().encode(`{"exp":"2031-01-01T00:00:00Z","restrict":${restrict}}`), new TextEncoder().encode('{"kid":"k2"}'));
    expect(verify(craft('{"ip":["10.0.0.0/8"]}'), { ip: '10.0.0.1' }).exp).toBeDefined();
    expect(codeOf(() => verify(craft('{"colour":["red"]}'), {}))).toBe('ERR_TOKEN_INVALID');
    expect(codeOf(() => verify(craft('{"ip":"10.0.0.0/8"}'), { ip: '10.0.0.1' }))).toBe('ERR_TOKEN_INVALID');
    expect(codeOf(() => verify(craft('{"ip":[]}'), { ip: '10.0.0.1' }))).toBe('ERR_TOKEN_INVALID');
    expect(codeOf(() => verify(craft('["ip"]'), {}))).toBe('ERR_TOKEN_INVALID');
    expect(codeOf(() => verify(craft('{"country":["de"]}'), { country: 'de' }))).toBe('ERR_TOKEN_INVALID');
    expect(() => checkRestrictions({}, {})).not.toThrow();
    expect(codeOf(() => issue({ colour: 'red' } as never))).toBe('ERR_INVALID_ARGUMENT');
  });
});
