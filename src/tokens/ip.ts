/**
 * IPv4 and IPv6 addresses and CIDR ranges for the `ip` restriction. Strict
 * parsing (no leading zeros in IPv4, no zone ids, one `::` at most), and
 * IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`, what a dual-stack server
 * reports for an IPv4 client) are treated as the IPv4 address they carry.
 * @module
 */

/** An address (4 or 16 bytes) or a range of them (`prefix` leading bits fixed). */
export interface IpRange {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

const V4_PART = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseV4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!V4_PART.test(part) || Number(part) > 255) return undefined;
    out[i] = Number(part);
  }
  return out;
}

function parseGroups(text: string, allowV4Tail: boolean): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (allowV4Tail && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseV4(part);
      if (v4 === undefined) return undefined;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else if (HEX_GROUP.test(part)) groups.push(parseInt(part, 16));
    else return undefined;
  }
  return groups;
}

function parseV6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  // A dotted IPv4 part may only end the address.
  const head = parseGroups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1]!, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const count = head.length + tail.length;
  // '::' stands for at least one zero group; without it there must be exactly eight.
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined;
  const groups = [...head, ...new Array<number>(8 - count).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function isMapped(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/**
 * The bytes of an IPv4 or IPv6 address (IPv4-mapped IPv6 as IPv4), or `undefined`.
 * @example
 * ```ts
 * parseIp('::ffff:192.0.2.1'); // Uint8Array [192, 0, 2, 1]
 * ```
 */
export function parseIp(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length > 45) return undefined;
  const bytes = text.includes(':') ? parseV6(text) : parseV4(text);
  if (bytes === undefined) return undefined;
  return isMapped(bytes) ? bytes.slice(12) : bytes;
}

/**
 * Parses an address or a CIDR range (`192.0.2.0/24`, `2001:db8::/32`). Returns
 * the range, or a reason (never the input) when it is not one. Bits past the
 * prefix must be zero: `10.0.0.1/8` is refused as the likely typo it is.
 * @example
 * ```ts
 * parseCidr('2001:db8::/32'); // { bytes: Uint8Array(16), prefix: 32 }
 * ```
 */
export function parseCidr(text: unknown): IpRange | string {
  if (typeof text !== 'string') return 'not a string';
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const raw = address.includes(':') ? parseV6(address) : parseV4(address);
  if (raw === undefined) return 'not an IPv4 or IPv6 address';
  const bits = raw.length * 8;
  let prefix = bits;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > bits) return `the prefix length must be 0 to ${bits}`;
    prefix = Number(p);
  }
  for (let bit = prefix; bit < bits; bit++) {
    if ((raw[bit >> 3]! >> (7 - (bit & 7))) & 1) return 'bits past the prefix length are set';
  }
  // A range inside ::ffff:0:0/96 is an IPv4 range written the IPv6 way.
  if (isMapped(raw) && prefix >= 96) return { bytes: raw.slice(12), prefix: prefix - 96 };
  return { bytes: raw, prefix };
}

/**
 * True when `address` (from {@link parseIp}) lies in `range`. IPv4 never matches an IPv6 range and back.
 * @example
 * ```ts
 * inRange(parseIp('192.0.2.77')!, parseCidr('192.0.2.0/24') as IpRange); // true
 * ```
 */
export function inRange(address: Uint8Array, range: IpRange): boolean {
  if (address.length !== range.bytes.length) return false;
  const full = range.prefix >> 3;
  for (let i = 0; i < full; i++) if (address[i] !== range.bytes[i]) return false;
  const rest = range.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (address[full]! & mask) === (range.bytes[full]! & mask);
}
