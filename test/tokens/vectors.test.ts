/**
 * The published PASETO v4 test vectors, through the same low-level functions
 * the token API uses (encryptV4Local / decryptV4Local over raw 32-byte keys).
 * The v4.public cases (4-S-*) are out of scope: they are Ed25519 signatures,
 * and keyroll implements v4.local only. Must-fail cases that carry a
 * v4.public token (4-F-2) are still run: they must be refused.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KeyrollError } from '../../src/errors.js';
import { decryptV4Local, encryptV4Local, v4LocalKey, type PasetoKey } from '../../src/tokens/v4local.js';

interface Vector {
  name: string;
  'expect-fail': boolean;
  key?: string;
  nonce?: string;
  'public-key'?: string;
  'secret-key-seed'?: string;
  token: string;
  payload: string | null;
  footer: string;
  'implicit-assertion': string;
}
const file = new URL('../vectors/paseto/v4.json', import.meta.url);
const vectors = (JSON.parse(readFileSync(file, 'utf8')) as { tests: Vector[] }).tests;
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const localKey = (s: string) => v4LocalKey(hex(s));
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

const local = vectors.filter((v) => !v['expect-fail'] && v.token.startsWith('v4.local.'));
const mustFail = vectors.filter((v) => v['expect-fail']);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof KeyrollError) return err.code;
    return `not a KeyrollError: ${String(err)}`;
  }
  return 'no error';
}

describe('PASETO v4.local vectors', () => {
  it('covers every v4.local case and every must-fail case', () => {
    expect(local.map((v) => v.name)).toEqual(['4-E-1', '4-E-2', '4-E-3', '4-E-4', '4-E-5', '4-E-6', '4-E-7', '4-E-8', '4-E-9']);
    expect(mustFail.map((v) => v.name)).toEqual(['4-F-1', '4-F-2', '4-F-3', '4-F-4', '4-F-5']);
  });

  for (const v of local) {
    it(`${v.name}: encrypts to the exact token with the vector's nonce`, () => {
      const token = encryptV4Local(localKey(v.key!), utf8(v.payload!), utf8(v.footer), utf8(v['implicit-assertion']), hex(v.nonce!));
      expect(token).toBe(v.token);
    });
    it(`${v.name}: decrypts to the payload and footer`, () => {
      const opened = decryptV4Local(localKey(v.key!), v.token, utf8(v['implicit-assertion']));
      expect(text(opened.payload)).toBe(v.payload);
      expect(text(opened.footer)).toBe(v.footer);
    });
    it(`${v.name}: a different implicit assertion is refused`, () => {
      expect(codeOf(() => decryptV4Local(localKey(v.key!), v.token, utf8(`${v['implicit-assertion']}x`)))).toBe('ERR_TOKEN_INVALID');
    });
  }
});

describe('PASETO v4 must-fail vectors', () => {
  const expected: Record<string, string> = {
    // A v4.local token offered to a v4.public key: PASETO keys carry their purpose, so the key is refused.
    '4-F-1': 'ERR_INVALID_ARGUMENT',
    '4-F-2': 'ERR_TOKEN_UNSUPPORTED', // v4.public given to v4.local
    '4-F-3': 'ERR_TOKEN_UNSUPPORTED', // v3.local
    '4-F-4': 'ERR_TOKEN_INVALID', // tag changed
    '4-F-5': 'ERR_TOKEN_INVALID', // padded base64url
  };
  for (const v of mustFail) {
    it(`${v.name} is refused with ${expected[v.name]}`, () => {
      // 4-F-1 carries an Ed25519 key pair only: it is offered as the v4.public key it is.
      const keys: PasetoKey[] = v.key !== undefined ? [localKey(v.key)] : [{ version: 'v4', purpose: 'public', bytes: hex(v['public-key']!) }];
      for (const key of keys) {
        expect(codeOf(() => decryptV4Local(key, v.token, utf8(v['implicit-assertion'])))).toBe(expected[v.name]);
      }
    });
  }
});
