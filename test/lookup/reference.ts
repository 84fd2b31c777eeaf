/**
 * A second implementation of blind indexes, written from docs/format.md
 * ("Blind indexes") with node:crypto's own HKDF, HMAC and scrypt, to
 * cross-check src/lookup and to produce the frozen vectors.
 */
import { createHmac, hkdfSync, scryptSync } from 'node:crypto';

export interface RefDefinition {
  purpose: string;
  bits?: number;
  normalize?: { trim?: boolean; nfc?: boolean; caseFold?: boolean };
  slow?: { N: number; r: number; p: number };
}

function normalize(value: string, n: RefDefinition['normalize'] = {}): string {
  let out = value;
  if (n.trim) out = out.trim();
  if (n.nfc) out = out.normalize('NFC');
  if (n.caseFold) {
    out = out.toUpperCase().toLowerCase();
    if (n.nfc) out = out.normalize('NFC');
  }
  return out;
}

function field(value: string | Uint8Array, def: RefDefinition): Buffer {
  return typeof value === 'string' ? Buffer.from(normalize(value, def.normalize), 'utf8') : Buffer.from(value);
}

export function refIndex(secret: Uint8Array, def: RefDefinition, value: string | Uint8Array | (string | Uint8Array)[]): string {
  const bits = def.bits ?? 256;
  const n = def.normalize ?? {};
  const flags = (n.trim ? 1 : 0) | (n.nfc ? 2 : 0) | (n.caseFold ? 4 : 0);
  const purpose = Buffer.from(def.purpose, 'utf8');
  const slow = def.slow ? Buffer.from([Math.log2(def.slow.N), def.slow.r, def.slow.p]) : Buffer.alloc(0);
  const params = Buffer.concat([Buffer.from([def.slow ? 2 : 1, flags, bits >> 8, bits & 255]), slow, Buffer.from([purpose.length >> 8, purpose.length & 255]), purpose]);
  const info = Buffer.concat([Buffer.from('keyroll/v1 blind index key'), Buffer.from([0]), params]);
  const ik = Buffer.from(hkdfSync('sha256', secret, Buffer.from('keyroll/v1 blind index'), info, 32));
  let message: Buffer;
  if (Array.isArray(value)) {
    const parts = value.map((v) => field(v, def));
    message = Buffer.concat([Buffer.from([2, parts.length]), ...parts.flatMap((p) => { const len = Buffer.alloc(4); len.writeUInt32BE(p.length); return [len, p]; })]);
  } else {
    message = Buffer.concat([Buffer.from([1]), field(value as string | Uint8Array, def)]);
  }
  const digest = def.slow
    ? scryptSync(message, ik, 32, { ...def.slow, maxmem: 512 * 1024 * 1024 })
    : createHmac('sha256', ik).update(message).digest();
  const length = Math.ceil(bits / 8);
  const out = Buffer.from(digest.subarray(0, length));
  const spare = length * 8 - bits;
  if (spare > 0) out[length - 1] = out[length - 1]! & ((0xff << spare) & 0xff);
  return out.toString('hex');
}
