import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import cloak from '@47ng/cloak';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Keyring, generateKey } from '../../src/index.js';
import { cloakDecoder, layoutDecoder, legacyDecoderFor, type LayoutDecoderOptions, type LayoutPart } from '../../src/rotation/legacy/index.js';
import { codeOf } from '../core/helpers.js';

const keyA = cloak.generateKey();
const keyB = cloak.generateKey();
const decoder = cloakDecoder({ keys: `${keyA}, ${keyB}` });
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** A hand-rolled encoder, as a service might have written it with node:crypto. */
function handRolled(opts: { gcm: boolean; key: Buffer; macKey?: Buffer; encoding: BufferEncoding; separator: string; order: LayoutPart[]; prefix?: string; ivLength?: number }, plaintext: Buffer): string {
  const iv = randomBytes(opts.ivLength ?? (opts.gcm ? 12 : 16));
  let ciphertext: Buffer;
  let tag: Buffer;
  if (opts.gcm) {
    const c = createCipheriv('aes-256-gcm', opts.key, iv);
    ciphertext = Buffer.concat([c.update(plaintext), c.final()]);
    tag = c.getAuthTag();
  } else {
    const c = createCipheriv('aes-256-cbc', opts.key, iv);
    ciphertext = Buffer.concat([c.update(plaintext), c.final()]);
    tag = createHmac('sha256', opts.macKey!).update(iv).update(ciphertext).digest();
  }
  const parts = { iv, ciphertext, tag };
  const enc = (b: Buffer) => (opts.encoding === 'base64url' ? b.toString('base64url') : b.toString(opts.encoding));
  return (opts.prefix ?? '') + opts.order.map((p) => enc(parts[p])).join(opts.separator);
}

describe('cloak decoder (values made by the real @47ng/cloak)', () => {
  it('decodes values under every key of the keychain', () => {
    for (const key of [keyA, keyB]) {
      const value = cloak.encryptStringSync('hello, wörld', key);
      expect(decoder.recognizes(value)).toBe(true);
      expect(text(decoder.decode(value))).toBe('hello, wörld');
    }
  });

  it('property: any string round trips; any changed character fails with a KeyrollError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.nat(), (plaintext, at) => {
        const value = cloak.encryptStringSync(plaintext, keyA);
        expect(text(decoder.decode(value))).toBe(plaintext);
        const i = 13 + (at % (value.length - 13)); // after "v1.aesgcm256." : fingerprint, iv or body
        const swapped = value[i] === 'A' ? 'B' : 'A';
        const tampered = value.slice(0, i) + swapped + value.slice(i + 1);
        if (tampered[i - 1] === '.' || value[i] === '.' || value[i] === '=') return;
        const code = codeOf(() => decoder.decode(tampered));
        // A change that only touches unused base64 bits or the case of the hex
        // fingerprint is another spelling of the same bytes: it opens to the same plaintext.
        if (code === 'no error') expect(text(decoder.decode(tampered))).toBe(plaintext);
        else expect(['ERR_DECRYPT_FAILED', 'ERR_UNKNOWN_KEY', 'ERR_MALFORMED_ENVELOPE']).toContain(code);
      }),
      { numRuns: 200 },
    );
  });

  it('a value under a key not given is ERR_UNKNOWN_KEY naming the fingerprint only', () => {
    const other = cloak.generateKey();
    const value = cloak.encryptStringSync('x', other);
    const err = (() => { try { decoder.decode(value); } catch (e) { return e as Error & { code: string }; } })()!;
    expect(err.code).toBe('ERR_UNKNOWN_KEY');
    expect(err.message).not.toContain(other.slice(13));
  });

  it('recognises only its own shape: not keyroll envelopes, not plaintext, not a layout value', () => {
    const ring = Keyring.create({ keys: [generateKey({ id: 'k1', state: 'active' })] });
    for (const v of [ring.encrypt('x'), 'plain text', '', 'v1.aesgcm256.zzzzzzzz.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA', 'v2.aesgcm256.0123abcd.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA']) {
      expect(decoder.recognizes(v)).toBe(false);
    }
  });

  it('bad keys and options are refused', () => {
    expect(codeOf(() => cloakDecoder({ keys: 'not-a-key' }))).toBe('ERR_INVALID_KEY');
    expect(codeOf(() => cloakDecoder({ keys: [] }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => cloakDecoder({ keys: keyA, extra: 1 } as never))).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('layout decoder (values made by a hand-rolled node:crypto encoder)', () => {
  const key = randomBytes(32);
  const macKey = randomBytes(32);
  const layouts: { name: string; gcm: boolean; encoding: 'hex' | 'base64' | 'base64url'; separator: string; order: LayoutPart[]; prefix?: string; ivLength?: number }[] = [
    { name: 'GCM iv:tag:ciphertext hex', gcm: true, encoding: 'hex', separator: ':', order: ['iv', 'tag', 'ciphertext'] },
    { name: 'GCM iv.ciphertext.tag base64, 16-byte IV', gcm: true, encoding: 'base64', separator: '.', order: ['iv', 'ciphertext', 'tag'], ivLength: 16 },
    { name: 'GCM enc:<ciphertext>$<iv>$<tag> base64url with a prefix', gcm: true, encoding: 'base64url', separator: '$', order: ['ciphertext', 'iv', 'tag'], prefix: 'enc:' },
    { name: 'CBC+HMAC iv:ciphertext:mac hex', gcm: false, encoding: 'hex', separator: ':', order: ['iv', 'ciphertext', 'tag'] },
    { name: 'CBC+HMAC mac|iv|ciphertext base64', gcm: false, encoding: 'base64', separator: '|', order: ['tag', 'iv', 'ciphertext'] },
  ];
  for (const layout of layouts) {
    const options: LayoutDecoderOptions = {
      algorithm: layout.gcm ? 'aes-256-gcm' : 'aes-256-cbc-hmac-sha256',
      key: key.toString('hex'),
      ...(layout.gcm ? {} : { macKey: macKey.toString('hex') }),
      encoding: layout.encoding,
      separator: layout.separator,
      order: layout.order,
      ...(layout.prefix ? { prefix: layout.prefix } : {}),
      ...(layout.ivLength ? { ivLength: layout.ivLength } : {}),
    };
    const dec = layoutDecoder(options);
    const encode = (p: Buffer) => handRolled({ ...layout, key, macKey }, p);

    it(`${layout.name}: any plaintext round trips; any flipped bit of any part fails`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (plaintext, at, bit) => {
          const value = encode(Buffer.from(plaintext));
          expect(dec.recognizes(value)).toBe(true);
          expect(Buffer.from(dec.decode(value)).equals(Buffer.from(plaintext))).toBe(true);
          // Flip one bit of one decoded part and re-encode it in the same layout.
          const pieces = value.slice(layout.prefix?.length ?? 0).split(layout.separator);
          const which = at % 3;
          const raw = layout.encoding === 'hex' ? Buffer.from(pieces[which]!, 'hex') : Buffer.from(pieces[which]!, layout.encoding === 'base64' ? 'base64' : 'base64url');
          if (raw.length === 0) return;
          raw[at % raw.length] = raw[at % raw.length]! ^ (1 << bit);
          pieces[which] = layout.encoding === 'hex' ? raw.toString('hex') : raw.toString(layout.encoding === 'base64' ? 'base64' : 'base64url');
          expect(codeOf(() => dec.decode((layout.prefix ?? '') + pieces.join(layout.separator)))).toBe('ERR_DECRYPT_FAILED');
        }),
        { numRuns: 150 },
      );
    });
  }

  it('does not recognise values of another shape', () => {
    const gcmHex = layoutDecoder({ algorithm: 'aes-256-gcm', key, encoding: 'hex', order: ['iv', 'tag', 'ciphertext'] });
    const ring = Keyring.create({ keys: [generateKey({ id: 'k1', state: 'active' })] });
    for (const v of [ring.encrypt('x'), 'a:b:c', '00:11:22', 'plain', cloak.encryptStringSync('x', keyA), `${'00'.repeat(12)}:${'00'.repeat(15)}:aa`]) {
      expect(gcmHex.recognizes(v)).toBe(false);
    }
    expect(gcmHex.recognizes(`${'00'.repeat(12)}:${'00'.repeat(16)}:`)).toBe(true); // empty plaintext is a valid GCM value
    expect(legacyDecoderFor([decoder, gcmHex], cloak.encryptStringSync('x', keyA))).toBe(decoder);
  });

  it('bad options are refused with ERR_INVALID_ARGUMENT or ERR_INVALID_KEY', () => {
    const base = { algorithm: 'aes-256-gcm', key, encoding: 'hex', order: ['iv', 'tag', 'ciphertext'] } as const;
    expect(codeOf(() => layoutDecoder({ ...base, separator: 'a' }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => layoutDecoder({ ...base, order: ['iv', 'iv', 'tag'] }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => layoutDecoder({ ...base, key: randomBytes(16) }))).toBe('ERR_INVALID_KEY');
    expect(codeOf(() => layoutDecoder({ ...base, macKey: key }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => layoutDecoder({ ...base, algorithm: 'aes-256-cbc-hmac-sha256' }))).toBe('ERR_INVALID_KEY');
    expect(codeOf(() => layoutDecoder({ ...base, sepparator: ':' } as never))).toBe('ERR_INVALID_ARGUMENT');
  });
});
