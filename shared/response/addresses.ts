/**
 * IP addresses and CIDR ranges, IPv4 and IPv6, for the response guard rails and the WAF IP sets.
 * Pure: parsing, canonical forms (what we compare and what we write to WAF), range membership.
 */

export type IpVersion = 4 | 6;

export interface ParsedAddress {
  version: IpVersion;
  /** The address as a number (128 bits for IPv6). */
  value: bigint;
}

export interface Cidr {
  version: IpVersion;
  /** Network address (host bits zero). */
  network: bigint;
  prefix: number;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseV4(text: string): bigint | undefined {
  const m = V4.exec(text);
  if (!m) return undefined;
  let value = 0n;
  for (let i = 1; i <= 4; i++) {
    const part = m[i] as string;
    if (part.length > 1 && part.startsWith('0')) return undefined; // no octal-looking octets
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  let input = text.toLowerCase();
  const zone = input.indexOf('%');
  if (zone >= 0) return undefined; // zone ids are never a client address
  // A trailing dotted quad (::ffff:1.2.3.4).
  let tail: bigint[] = [];
  const lastColon = input.lastIndexOf(':');
  if (input.includes('.', lastColon)) {
    const v4 = parseV4(input.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [(v4 >> 16n) & 0xffffn, v4 & 0xffffn];
    input = `${input.slice(0, lastColon + 1)}${tail.length ? '0:0' : ''}`;
  }
  const halves = input.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): string[] | undefined => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0] as string);
  const rest = halves.length === 2 ? groups(halves[1] as string) : [];
  if (!head || !rest) return undefined;
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...head, ...new Array<string>(8 - total).fill('0'), ...rest];
  let value = 0n;
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(g, 16));
  }
  if (tail.length === 2) value = (value & ~0xffffffffn) | ((tail[0] as bigint) << 16n) | (tail[1] as bigint);
  return value;
}

/** Parses an IPv4 or IPv6 address; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is the IPv4 address. */
export function parseAddress(text: string): ParsedAddress | undefined {
  const trimmed = text.trim();
  if (trimmed.includes(':')) {
    const value = parseV6(trimmed);
    if (value === undefined) return undefined;
    if (value >> 32n === 0xffffn) return { version: 4, value: value & 0xffffffffn };
    return { version: 6, value };
  }
  const value = parseV4(trimmed);
  return value === undefined ? undefined : { version: 4, value };
}

function bits(version: IpVersion): number {
  return version === 4 ? 32 : 128;
}

function mask(version: IpVersion, prefix: number): bigint {
  const width = BigInt(bits(version));
  const all = (1n << width) - 1n;
  return prefix === 0 ? 0n : (all >> (width - BigInt(prefix))) << (width - BigInt(prefix));
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128). Host bits are cleared. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = parseAddress(slash >= 0 ? text.slice(0, slash) : text);
  if (!address) return undefined;
  let prefix = bits(address.version);
  if (slash >= 0) {
    const p = text.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    // An IPv4-mapped IPv6 range is written with an IPv6 prefix: ::ffff:10.0.0.0/104 = 10.0.0.0/8.
    if (address.version === 4 && text.slice(0, slash).includes(':')) prefix -= 96;
    if (prefix < 0 || prefix > bits(address.version)) return undefined;
  }
  return { version: address.version, network: address.value & mask(address.version, prefix), prefix };
}

export function cidrContains(cidr: Cidr, address: ParsedAddress): boolean {
  return cidr.version === address.version && (address.value & mask(cidr.version, cidr.prefix)) === cidr.network;
}

function formatV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
}

/** RFC 5952: lower case, no leading zeros, the longest run (2+) of zero groups as `::`. */
function formatV6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function formatAddress(address: ParsedAddress): string {
  return address.version === 4 ? formatV4(address.value) : formatV6(address.value);
}

/** The canonical text of a CIDR, as Lantern writes it to WAF and compares it (`1.2.3.4/32`, `2001:db8::1/128`). */
export function formatCidr(cidr: Cidr): string {
  return `${formatAddress({ version: cidr.version, value: cidr.network })}/${cidr.prefix}`;
}

/** The single-address CIDR of an address (/32 or /128), canonical; undefined when it is not an address. */
export function hostCidr(text: string): string | undefined {
  const address = parseAddress(text);
  if (!address) return undefined;
  return formatCidr({ version: address.version, network: address.value, prefix: bits(address.version) });
}

/** Canonical form of a CIDR as written by anyone (WAF returns what it was given): for set comparisons. */
export function canonicalCidr(text: string): string | undefined {
  const cidr = parseCidr(text);
  return cidr ? formatCidr(cidr) : undefined;
}

/**
 * Addresses that are never a client on the internet: private, loopback, link-local, shared (CGNAT), documentation,
 * benchmarking, multicast and reserved ranges (IANA special-purpose registries). Blocking one would block our own
 * network, a NAT or nobody.
 */
export const RESERVED_CIDRS: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  '64:ff9b::/96',
  '64:ff9b:1::/48',
  '100::/64',
  '2001::/23',
  '2001:db8::/32',
  '2002::/16',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
];

/** A set of ranges to test addresses against. */
export class CidrList {
  private readonly cidrs: Cidr[] = [];

  constructor(ranges: Iterable<string> = []) {
    for (const range of ranges) this.add(range);
  }

  /** Throws on an unreadable range: lists come from configuration, validated at cold start. */
  add(range: string): void {
    const cidr = parseCidr(range);
    if (!cidr) throw new RangeError(`not a CIDR range: "${range}"`);
    this.cidrs.push(cidr);
  }

  get size(): number {
    return this.cidrs.length;
  }

  /** The first range holding the address, in canonical form, or undefined. */
  match(address: string | ParsedAddress): string | undefined {
    const parsed = typeof address === 'string' ? parseAddress(address) : address;
    if (!parsed) return undefined;
    for (const cidr of this.cidrs) if (cidrContains(cidr, parsed)) return formatCidr(cidr);
    return undefined;
  }
}

/**
 * The CloudFront edge ranges from AWS's published `ip-ranges.json` (https://ip-ranges.amazonaws.com/ip-ranges.json):
 * services CLOUDFRONT and CLOUDFRONT_ORIGIN_FACING, IPv4 and IPv6. The stack bundles a snapshot of that file with
 * the responder (refreshed on every deploy); the responder reads it at cold start.
 */
export function cloudFrontRanges(ipRanges: unknown): string[] {
  const doc = ipRanges as {
    prefixes?: Array<{ ip_prefix?: string; service?: string }>;
    ipv6_prefixes?: Array<{ ipv6_prefix?: string; service?: string }>;
  };
  const wanted = new Set(['CLOUDFRONT', 'CLOUDFRONT_ORIGIN_FACING']);
  const out = new Set<string>();
  for (const p of doc.prefixes ?? []) if (p.ip_prefix && wanted.has(p.service ?? '')) out.add(p.ip_prefix);
  for (const p of doc.ipv6_prefixes ?? []) if (p.ipv6_prefix && wanted.has(p.service ?? '')) out.add(p.ipv6_prefix);
  return [...out];
}
