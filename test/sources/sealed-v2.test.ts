import { createDecipheriv, hkdfSync, scryptSync } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Keyring, sealKeyring, sealedGeneration, writeKeyringFile } from '../../src/index.js';
import { sealedHeader, unsealText } from '../../src/sources/index.js';
import { expectKeyrollError, tempDir } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/sealed/', import.meta.url));
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const documentJson = JSON.parse(fixture('document.json')) as object;
const MASTER = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const PASSPHRASE = 'correct horse battery staple';
interface Vector { file: string; masterKey?: string; passphrase?: string; generation: number }
const vectors = (JSON.parse(fixture('v2-vectors.json')) as { vectors: Vector[] }).vectors;

/** docs/format.md, "Sealed keyring files", version 2, written again with node:crypto alone. */
function openFromSpec(text: string, secret: { masterKey?: string; passphrase?: string }): unknown {
  const [headerLine, payloadLine] = text.split('\n') as [string, string];
  const h = JSON.parse(headerLine) as { wrapper: Record<string, string | number>; wrappedKey: string; keyCommitment: string; iv: string; version: number };
  expect(h.version).toBe(2);
  const b64 = (s: string | number): Buffer => Buffer.from(String(s), 'base64url');
  const salt = b64(h.wrapper['salt']!);
  const okm =
    secret.masterKey !== undefined
      ? Buffer.from(hkdfSync('sha256', Buffer.from(secret.masterKey, 'hex'), salt, 'keyroll.sealed-keyring/2 master-key', 64))
      : Buffer.from(
          hkdfSync(
            'sha256',
            scryptSync(secret.passphrase!, salt, 32, { N: Number(h.wrapper['N']), r: Number(h.wrapper['r']), p: Number(h.wrapper['p']), maxmem: 256 * 1024 * 1024 }),
            Buffer.alloc(0),
            'keyroll.sealed-keyring/2 passphrase',
            64,
          ),
        );
  expect(okm.subarray(32).equals(b64(h.wrapper['commitment']!))).toBe(true);
  const wrapped = b64(h.wrappedKey);
  expect(wrapped).toHaveLength(60);
  const unwrap = createDecipheriv('aes-256-gcm', okm.subarray(0, 32), wrapped.subarray(0, 12));
  unwrap.setAAD(Buffer.from('keyroll.sealed-keyring/2 data key'));
  unwrap.setAuthTag(wrapped.subarray(44));
  const dataKey = Buffer.concat([unwrap.update(wrapped.subarray(12, 44)), unwrap.final()]);
  const payloadOkm = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'keyroll.sealed-keyring/2 payload', 64));
  expect(payloadOkm.subarray(32).equals(b64(h.keyCommitment))).toBe(true);
  const payload = b64(payloadLine);
  const open = createDecipheriv('aes-256-gcm', payloadOkm.subarray(0, 32), b64(h.iv));
  open.setAAD(Buffer.from(headerLine, 'utf8'));
  open.setAuthTag(payload.subarray(payload.length - 16));
  return JSON.parse(Buffer.concat([open.update(payload.subarray(0, payload.length - 16)), open.final()]).toString('utf8'));
}

describe('sealed-file version 2 vectors', () => {
  for (const v of vectors) {
    it(`${v.file} opens with the library and with an implementation written from docs/format.md`, async () => {
      const text = fixture(v.file);
      const unlock = v.masterKey !== undefined ? { masterKey: v.masterKey } : { passphrase: v.passphrase! };
      const { document, generation } = await unsealText(text, unlock, v.file);
      expect(document).toEqual(documentJson);
      expect(generation).toBe(v.generation);
      expect(sealedGeneration(text)).toBe(v.generation);
      expect(openFromSpec(text, v)).toEqual(documentJson);
    });
  }

  it('writes version 2 with the fields in the documented order and a 60-byte wrapped key', async () => {
    const ring = Keyring.fromJSON(documentJson);
    for (const unlock of [{ masterKey: MASTER }, { passphrase: PASSPHRASE, scrypt: { N: 2 ** 15 } }]) {
      const text = await sealKeyring(ring, unlock, { generation: 9 });
      const line = text.split('\n')[0]!;
      expect(Object.keys(JSON.parse(line) as object)).toEqual(['format', 'version', 'generation', 'cipher', 'wrapper', 'wrappedKey', 'keyCommitment', 'iv']);
      const header = sealedHeader(text);
      expect(header.version).toBe(2);
      expect(header.generation).toBe(9);
      expect(header.wrappedKey).toHaveLength(60);
      expect(Buffer.from(String(header.wrapper.params.get('commitment')), 'base64url')).toHaveLength(32);
      expect(header.keyCommitment).toHaveLength(32);
      expect(openFromSpec(text, 'masterKey' in unlock ? { masterKey: MASTER } : { passphrase: PASSPHRASE })).toEqual(ring.export());
    }
  });
});

describe('files sealed by 0.1.0 (version 1)', () => {
  it('still open, with a master key or a passphrase, as generation 0', async () => {
    for (const [file, unlock] of [['v1-master-key.sealed', { masterKey: MASTER }], ['v1-passphrase.sealed', { passphrase: PASSPHRASE }]] as const) {
      const text = fixture(file);
      expect(sealedHeader(text).version).toBe(1);
      const { document, generation } = await unsealText(text, unlock, file);
      expect(document).toEqual(documentJson);
      expect(generation).toBe(0);
    }
  });

  it('are re-sealed as version 2 by the next write', async () => {
    const dir = tempDir();
    const path = join(dir, 'old.sealed');
    copyFileSync(join(FIXTURES, 'v1-master-key.sealed'), path);
    const ring = await Keyring.fromSealedFile(path, { masterKey: MASTER });
    const text = await sealKeyring(ring, { masterKey: MASTER }, { generation: sealedGeneration(readFileSync(path, 'utf8')) + 1 });
    expect(sealedHeader(text).version).toBe(2);
    expect(sealedHeader(text).generation).toBe(1);
    expect(openFromSpec(text, { masterKey: MASTER })).toEqual(documentJson);
  });

  it('writeKeyringFile over one (master key or passphrase) writes version 2, generation 1, and keeps the 0.1.0 bytes as the backup', async () => {
    for (const [file, unlock] of [['v1-master-key.sealed', { masterKey: MASTER }], ['v1-passphrase.sealed', { passphrase: PASSPHRASE, scrypt: { N: 2 ** 15 } }]] as const) {
      const path = join(tempDir(), 'old.sealed');
      copyFileSync(join(FIXTURES, file), path);
      const ring = await Keyring.fromSealedFile(path, unlock);
      expect(await writeKeyringFile(path, ring, { seal: unlock })).toBe(`${path}.bak`);
      const text = readFileSync(path, 'utf8');
      expect([sealedHeader(text).version, sealedHeader(text).generation], file).toEqual([2, 1]);
      expect(readFileSync(`${path}.bak`, 'utf8')).toBe(fixture(file));
      expect((await Keyring.fromSealedFile(path, unlock, { minGeneration: 1 })).export()).toEqual(documentJson);
      expect(openFromSpec(text, 'masterKey' in unlock ? { masterKey: MASTER } : { passphrase: PASSPHRASE })).toEqual(documentJson);
    }
  });

  it('one sealed below the cost floor is refused before any scrypt work, naming the floor', async () => {
    const err = await expectKeyrollError(() => unsealText(fixture('v1-weak-passphrase.sealed'), { passphrase: PASSPHRASE }, 'weak.sealed'), 'ERR_INVALID_KEYRING');
    expect(err.message).toMatch(/N must be at least 2\^15 \(32768\)/);
  });

  it('a minimum generation of 1 refuses them', async () => {
    const err = await expectKeyrollError(() => unsealText(fixture('v1-master-key.sealed'), { masterKey: MASTER }, 'old.sealed', { minGeneration: 1 }), 'ERR_INVALID_KEYRING');
    expect(err.message).toMatch(/generation 0, older than the minimum 1/);
  });
});
