/**
 * The variants measured at each payload size: raw node:crypto AES-256-GCM
 * (the baseline, twice for the A/A noise check), keyroll's binary and text
 * forms, and @47ng/cloak (awaited async API and its sync API).
 * @module
 */
import * as crypto from 'node:crypto';
import cloak from '@47ng/cloak';
import { Keyring, generateKey } from '../dist/index.js';

/** The id of the bench key: it is written into every envelope (2 bytes here). */
export const KEY_ID = 'k1';

/**
 * Raw AES-256-GCM as an application would write it by hand: a random
 * 12-byte IV from crypto.randomBytes per message, one key for every call.
 * Made by a factory so that the A/A copy has its own closures (and its own
 * call sites), exactly like a second, independent variant.
 */
export function rawGcm(key) {
  const encrypt = (plaintext) => {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    const ciphertext = cipher.update(plaintext);
    cipher.final();
    return { iv, ciphertext, tag: cipher.getAuthTag() };
  };
  const decrypt = ({ iv, ciphertext, tag }) => {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    const plaintext = decipher.update(ciphertext);
    decipher.final();
    return plaintext;
  };
  return { encrypt, decrypt };
}

/** An ASCII string of exactly `length` bytes (cloak and the string variant take strings). */
function asciiPayload(length) {
  return crypto.randomBytes(Math.ceil((length * 3) / 4) + 3).toString('base64url').slice(0, length);
}

/**
 * The variants for one payload size and one operation
 * (`'encrypt' | 'decrypt' | 'roundtrip'`); the first is the baseline.
 */
export function variantsFor(size, op, { cloakSync = true } = {}) {
  const bytes = crypto.randomBytes(size);
  const text = asciiPayload(size);
  const gcmKey = crypto.randomBytes(32);
  const base = rawGcm(gcmKey);
  const baseAA = rawGcm(gcmKey);
  const ring = Keyring.create({ keys: [generateKey({ id: KEY_ID })] });
  const cloakKey = cloak.parseKeySync(cloak.generateKey());

  const sealedBase = base.encrypt(bytes);
  const sealedBin = ring.encryptToBytes(bytes);
  const sealedText = ring.encrypt(bytes);
  const sealedStr = ring.encrypt(text);
  const sealedCloak = cloak.encryptStringSync(text, cloakKey);

  const ops = {
    encrypt: {
      base: () => base.encrypt(bytes),
      baseAA: () => baseAA.encrypt(bytes),
      bin: () => ring.encryptToBytes(bytes),
      text: () => ring.encrypt(bytes),
      str: () => ring.encrypt(text),
      cloak: () => cloak.encryptString(text, cloakKey),
      cloakSync: () => cloak.encryptStringSync(text, cloakKey),
    },
    decrypt: {
      base: () => base.decrypt(sealedBase),
      baseAA: () => baseAA.decrypt(sealedBase),
      bin: () => ring.decrypt(sealedBin),
      text: () => ring.decrypt(sealedText),
      str: () => ring.decryptString(sealedStr),
      cloak: () => cloak.decryptString(sealedCloak, cloakKey),
      cloakSync: () => cloak.decryptStringSync(sealedCloak, cloakKey),
    },
    roundtrip: {
      base: () => base.decrypt(base.encrypt(bytes)),
      baseAA: () => baseAA.decrypt(baseAA.encrypt(bytes)),
      bin: () => ring.decrypt(ring.encryptToBytes(bytes)),
      text: () => ring.decrypt(ring.encrypt(bytes)),
      str: () => ring.decryptString(ring.encrypt(text)),
      cloak: async () => cloak.decryptString(await cloak.encryptString(text, cloakKey), cloakKey),
      cloakSync: () => cloak.decryptStringSync(cloak.encryptStringSync(text, cloakKey), cloakKey),
    },
  }[op];

  const variants = [
    { name: 'raw GCM', fn: ops.base },
    { name: 'raw GCM (A/A)', fn: ops.baseAA },
    { name: 'keyroll binary', fn: ops.bin },
    { name: 'keyroll text', fn: ops.text },
    { name: 'keyroll text, string in/out', fn: ops.str },
    { name: 'cloak (async, awaited)', fn: ops.cloak, async: true },
  ];
  if (cloakSync) variants.push({ name: 'cloak (sync)', fn: ops.cloakSync });
  return variants;
}

/**
 * Bytes added to a `size`-byte plaintext by each format. keyroll's depend
 * on the key id length (here 2): binary = 3 + id + 16 salt + 32 commitment
 * + 16 tag; text adds `kr1.<id>.` and base64url.
 */
export function overheadFor(size) {
  const ring = Keyring.create({ keys: [generateKey({ id: KEY_ID })] });
  const plaintext = crypto.randomBytes(size);
  const cloakKey = cloak.parseKeySync(cloak.generateKey());
  return {
    size,
    binary: ring.encryptToBytes(plaintext).length - size,
    text: Buffer.byteLength(ring.encrypt(plaintext)) - size,
    cloak: Buffer.byteLength(cloak.encryptStringSync(asciiPayload(size), cloakKey)) - size,
  };
}
