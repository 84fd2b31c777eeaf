/**
 * docs/format.md is what an independent decoder is written from. Each point
 * where such a decoder found the text vague is stated there now, and the
 * library does what the text says: both are checked here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Keyring, inspect } from '../../src/index.js';
import { codeOf } from './helpers.js';

const spec = readFileSync(new URL('../../docs/format.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
const inspectCode = (input: string | Uint8Array): string | undefined => codeOf(() => inspect(input));
const doc = (overrides: Record<string, unknown> = {}, key: Record<string, unknown> = {}): unknown => ({
  format: 'keyroll.keyring',
  version: 1,
  keys: [{ id: 'k1', state: 'active', secret: 'ASDFGHJKL1234567', encoding: 'utf8', ...key }],
  ...overrides,
});
const loadCode = (document: unknown): string | undefined => codeOf(() => Keyring.fromJSON(JSON.parse(JSON.stringify(document)) as object));

describe('docs/format.md states, and the library does', () => {
  it('the order of checks for inputs under 4 bytes: length before version', () => {
    expect(spec).toMatch(/fewer than 4 bytes: `ERR_MALFORMED_ENVELOPE`, before any field is read/);
    expect(spec).toMatch(/start with `0x6b 0x72` \(`"kr"`\) and are longer than 3 bytes are the text form/);
    expect(inspectCode(Uint8Array.from([9, 1, 1]))).toBe('ERR_MALFORMED_ENVELOPE'); // an unknown version, but too short first
    expect(inspectCode(Uint8Array.from([9, 1, 1, 65]))).toBe('ERR_UNSUPPORTED_VERSION');
    expect(inspectCode(Buffer.from('kr1', 'latin1'))).toBe('ERR_MALFORMED_ENVELOPE');
    expect(inspectCode(new Uint8Array(0))).toBe('ERR_MALFORMED_ENVELOPE');
  });

  it('the text prefix version: [1-9][0-9]{0,2}, no leading zero, 1 to 999', () => {
    expect(spec).toMatch(/`\[1-9\]\[0-9\]\{0,2\}`, so 1 to 999; `kr01\.` and `kr0\.` are malformed/);
    for (const text of ['kr01.k1.AAAA', 'kr0.k1.AAAA', 'kr1000.k1.AAAA', 'kr+1.k1.AAAA', 'kr1e0.k1.AAAA', 'kr.k1.AAAA']) expect(inspectCode(text), text).toBe('ERR_MALFORMED_ENVELOPE');
    for (const text of ['kr2.k1.AAAA', 'kr999.k1.AAAA']) expect(inspectCode(text), text).toBe('ERR_UNSUPPORTED_VERSION');
  });

  it('the IV in bytes, the commitment once in the AAD, the salt from a CSPRNG', () => {
    expect(spec).toMatch(/`0\^12` is 12 zero bytes \(a 96-bit IV\)/);
    expect(spec).toMatch(/AAD = header \|\| ctx \(the commitment appears once\)/);
    expect(spec).toMatch(/The `salt` MUST come from a cryptographically secure random number generator/);
  });

  it('the policy bounds', () => {
    expect(spec).toMatch(/`maxSecretLength`: an integer from 16 to 4096/);
    expect(spec).toMatch(/`secretLengthMultipleOf`: optional, an integer from 1 to 1024/);
    expect(spec).toMatch(/`minVersion`: an integer from 1 to the newest envelope version this build writes \(1\)/);
    for (const policy of [{ maxSecretLength: 16 }, { maxSecretLength: 4096 }, { secretLengthMultipleOf: 1 }, { minVersion: 1 }]) expect(loadCode(doc({ policy })), JSON.stringify(policy)).toBe('no error');
    for (const policy of [{ maxSecretLength: 15 }, { maxSecretLength: 4097 }, { secretLengthMultipleOf: 0 }, { secretLengthMultipleOf: 1025 }, { minVersion: 0 }, { minVersion: 2 }, { maxSecretLength: 16.5 }, { unknown: 1 }]) {
      expect(loadCode(doc({ policy })), JSON.stringify(policy)).toBe('ERR_INVALID_KEYRING');
    }
  });

  it('a character of a typed secret is a code point', () => {
    expect(spec).toMatch(/A character is one Unicode code point/);
    const sixteen = `${'🔑'.repeat(15)}a`; // 16 code points, 31 UTF-16 units
    expect(loadCode(doc({ policy: { maxSecretLength: 16, secretLengthMultipleOf: 16 } }, { secret: sixteen }))).toBe('no error');
    expect(loadCode(doc({ policy: { maxSecretLength: 16 } }, { secret: `${sixteen}b` }))).toBe('ERR_INVALID_KEY');
  });

  it('base64 padding: none or exactly the = that complete the length; base64url never padded', () => {
    expect(spec).toMatch(/`base64` \(RFC 4648 §4\): either no padding, or exactly the `=` that make the length a multiple of 4; unused bits zero\. `base64url` \(§5\): no padding at all/);
    const padded = Buffer.alloc(16, 9).toString('base64'); // 22 characters and '=='
    expect(padded.endsWith('==')).toBe(true);
    expect(loadCode(doc({}, { secret: padded, encoding: 'base64' }))).toBe('no error');
    expect(loadCode(doc({}, { secret: padded.slice(0, -2), encoding: 'base64' }))).toBe('no error');
    for (const secret of [padded.slice(0, -1), `${padded}=`, `${padded.slice(0, -3)}R==`]) expect(loadCode(doc({}, { secret, encoding: 'base64' })), secret).toBe('ERR_INVALID_KEY');
    const url = Buffer.alloc(16, 9).toString('base64url');
    expect(loadCode(doc({}, { secret: url, encoding: 'base64url' }))).toBe('no error');
    expect(loadCode(doc({}, { secret: `${url}==`, encoding: 'base64url' }))).toBe('ERR_INVALID_KEY');
  });

  it('which document fields are required', () => {
    for (const field of ['format', 'version', 'keys', 'keys\\[\\]\\.id', 'keys\\[\\]\\.state']) expect(spec).toMatch(new RegExp(`\\| \`${field}\` \\| required`));
    expect(spec).toMatch(/\| `keys\[\]\.secret`, `encoding` \| both required/);
    for (const missing of ['format', 'version', 'keys']) {
      const document = doc() as Record<string, unknown>;
      delete document[missing];
      expect(loadCode(document), missing).toBe('ERR_INVALID_KEYRING');
    }
    for (const missing of ['id', 'state', 'secret', 'encoding']) expect(loadCode(doc({}, { [missing]: undefined })), missing).toMatch(/^ERR_INVALID_KEY/);
  });
});
