/**
 * `keyroll token issue` and `keyroll token verify`: PASETO v4.local tokens
 * (keyroll/tokens) from the command line, for scripts, smoke tests and the
 * rotation playbook in docs/tokens.md.
 * @module
 */
import { RESERVED_CLAIMS } from '../../tokens/claims.js';
import { parseDateTime } from '../../tokens/time.js';
import { issueToken, verifyToken, type IssueOptions, type Restrictions, type VerifyOptions } from '../../tokens/index.js';
import { EXIT, UsageError, type Command } from '../command.js';
import { parsePair } from '../context.js';
import { KEYRING_HELP, KEYRING_OPTIONS, loadKeyringArg } from '../keyring-file.js';
import { readStdin } from '../stdin.js';

const str = (values: Record<string, unknown>, name: string): string | undefined => values[name] as string | undefined;
const strs = (values: Record<string, unknown>, name: string): string[] => (values[name] as string[] | undefined) ?? [];
const only = <T extends object>(entries: Array<[string, unknown]>): T => Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as T;

function claimsFromPairs(pairs: readonly string[]): Record<string, string> {
  const seen = new Map<string, string>();
  for (const text of pairs) {
    const [name, value] = parsePair(text, '--claim');
    if (RESERVED_CLAIMS.has(name)) throw new UsageError(`--claim ${name} is reserved; use --ttl, --nbf, --aud, --sub, --iss or the restriction options`);
    if (seen.has(name)) throw new UsageError(`--claim names "${name.slice(0, 40)}" twice`);
    seen.set(name, value);
  }
  // fromEntries defines own properties, so a claim named "__proto__" is an ordinary claim.
  return Object.fromEntries(seen);
}

/**
 * `keyroll token issue`: prints a new token made with the active key.
 * @example
 * ```sh
 * keyroll token issue --keyring keyring.json --ttl 1h --aud cdn --claim file=/videos/42.mp4
 * ```
 */
export const tokenIssueCommand: Command = {
  name: 'token issue',
  summary: 'issue an expiring PASETO v4.local token with the active key',
  help: [
    'Usage: keyroll token issue --keyring FILE --ttl DURATION [--claim K=V ...] [--aud A] [options]',
    '',
    'Prints a v4.local token made with the keyring\'s active key (its id is in the',
    'footer, {"kid":"<keyId>"}) and a newline. Durations: 90s, 15m, 1h, 7d, 1h30m.',
    '',
    'Options:',
    ...KEYRING_HELP,
    '  --ttl DURATION          lifetime (required: tokens always expire)',
    '  --claim K=V             a custom string claim (repeat for more)',
    '  --aud A                 audience     --sub S   subject     --iss I   issuer',
    '  --nbf DURATION          not valid until this long from now',
    '  --ip ADDR|CIDR          restrict to client addresses (repeat; IPv4 or IPv6)',
    '  --country CC            restrict to countries, ISO 3166-1 alpha-2 (repeat)',
    '  --path PREFIX           restrict to a URL path prefix',
    '  --referrer HOST         restrict to referrer hosts; *.example.com for subdomains (repeat)',
    '  --protocol P            restrict to protocols, e.g. https (repeat)',
    '  --implicit TEXT         implicit assertion: bound to the token, not carried in it',
    '',
    'Example:',
    '  keyroll token issue --keyring keyring.json --ttl 1h --aud cdn --claim file=/videos/42.mp4 --path /videos/',
  ].join('\n'),
  options: {
    ...KEYRING_OPTIONS,
    ttl: { type: 'string' },
    claim: { type: 'string', multiple: true },
    aud: { type: 'string' },
    sub: { type: 'string' },
    iss: { type: 'string' },
    nbf: { type: 'string' },
    ip: { type: 'string', multiple: true },
    country: { type: 'string', multiple: true },
    path: { type: 'string' },
    referrer: { type: 'string', multiple: true },
    protocol: { type: 'string', multiple: true },
    implicit: { type: 'string' },
  },
  async run({ values }, io) {
    const ttl = str(values, 'ttl');
    if (ttl === undefined) throw new UsageError('--ttl DURATION is required (for example --ttl 1h)');
    const claims = claimsFromPairs(strs(values, 'claim'));
    const restrict = only<Restrictions>([
      ['ip', strs(values, 'ip').length > 0 ? strs(values, 'ip') : undefined],
      ['countries', strs(values, 'country').length > 0 ? strs(values, 'country') : undefined],
      ['pathPrefix', str(values, 'path')],
      ['referrer', strs(values, 'referrer').length > 0 ? strs(values, 'referrer') : undefined],
      ['protocol', strs(values, 'protocol').length > 0 ? strs(values, 'protocol') : undefined],
    ]);
    const { ring } = await loadKeyringArg(values, io);
    const options = only<IssueOptions>([
      ['expiresIn', ttl],
      ['notBefore', str(values, 'nbf')],
      ['audience', str(values, 'aud')],
      ['subject', str(values, 'sub')],
      ['issuer', str(values, 'iss')],
      ['implicitAssertion', str(values, 'implicit')],
      ['restrict', Object.keys(restrict).length > 0 ? restrict : undefined],
    ]);
    io.stdout.write(`${issueToken(ring, claims, options)}\n`);
    return EXIT.OK;
  },
};

/**
 * `keyroll token verify`: prints a valid token's claims as JSON; exit 1 with the reason otherwise.
 * @example
 * ```sh
 * printf %s "$TOKEN" | keyroll token verify --keyring keyring.json --aud cdn --ip 203.0.113.7
 * ```
 */
export const tokenVerifyCommand: Command = {
  name: 'token verify',
  summary: 'verify a token; print its claims as JSON (exit 1 with the reason when invalid)',
  help: [
    'Usage: keyroll token verify --keyring FILE [TOKEN | -] [--aud A ...] [--ip ADDR] [options]',
    '',
    'Verifies a v4.local token with the key its footer names (active, pending or',
    'decrypt-only) and prints its claims as one line of JSON. An invalid, expired',
    'or mismatched token exits 1 with the error code and reason on stderr.',
    'Without TOKEN (or with "-") the token is read from stdin, which keeps it',
    'out of the process list and shell history.',
    '',
    'Options:',
    ...KEYRING_HELP,
    '  --aud A                 accepted audience (repeat); required for tokens that name one',
    '  --sub S / --iss I       expected subject / issuer',
    '  --ip ADDR               the client address to check the token\'s ip restriction against',
    '  --country CC            the client country',
    '  --path PATH             the request path or URL',
    '  --referrer URL          the Referer header or host',
    '  --protocol P            the request protocol (https)',
    '  --implicit TEXT         the implicit assertion given at issue',
    '  --skew DURATION         tolerated clock difference (default 0, at most 5m)',
    '  --max-age DURATION      refuse tokens issued longer ago than this (by their iat)',
    '  --now TIME              verify as of this RFC 3339 time with an offset (default now)',
    '',
    'Example:',
    '  printf %s "$TOKEN" | keyroll token verify --keyring keyring.json --aud cdn --ip 203.0.113.7',
  ].join('\n'),
  options: {
    ...KEYRING_OPTIONS,
    aud: { type: 'string', multiple: true },
    sub: { type: 'string' },
    iss: { type: 'string' },
    ip: { type: 'string' },
    country: { type: 'string' },
    path: { type: 'string' },
    referrer: { type: 'string' },
    protocol: { type: 'string' },
    implicit: { type: 'string' },
    skew: { type: 'string' },
    'max-age': { type: 'string' },
    now: { type: 'string' },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length > 1) throw new UsageError('expected at most one TOKEN argument (none, or "-", reads stdin)');
    const nowText = str(values, 'now');
    const now = nowText === undefined ? undefined : parseDateTime(nowText);
    if (nowText !== undefined && now === undefined) throw new UsageError('--now must be an RFC 3339 time with an offset, e.g. 2030-01-01T00:00:00Z');
    const { ring } = await loadKeyringArg(values, io);
    const token = positionals[0] === undefined || positionals[0] === '-' ? (await readStdin(io, 'the token')).toString('utf8').trim() : positionals[0];
    if (token === '') throw new UsageError('no token: pass TOKEN, or pipe it in on stdin');
    const expect = only<NonNullable<VerifyOptions['expect']>>(['sub', 'iss', 'ip', 'country', 'path', 'referrer', 'protocol'].map((n) => [n === 'sub' ? 'subject' : n === 'iss' ? 'issuer' : n, str(values, n)]));
    const audiences = strs(values, 'aud');
    const options = only<VerifyOptions>([
      ['audience', audiences.length > 0 ? audiences : undefined],
      ['now', now],
      ['clockSkew', str(values, 'skew')],
      ['maxAge', str(values, 'max-age')],
      ['implicitAssertion', str(values, 'implicit')],
      ['expect', Object.keys(expect).length > 0 ? expect : undefined],
    ]);
    io.stdout.write(`${JSON.stringify(verifyToken(ring, token, options))}\n`);
    return EXIT.OK;
  },
};
