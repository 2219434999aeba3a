import { isIPv4, isIPv6 } from 'node:net';

/** An IP address as a number: IPv4 in 32 bits, IPv6 in 128. */
export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

/** A block of addresses: `base` with its first `prefix` bits fixed. */
export interface IpRange {
  family: 4 | 6;
  base: bigint;
  prefix: number;
}

const bitsOf = (family: 4 | 6) => (family === 4 ? 32 : 128);

/** Parses an IPv4 or IPv6 address (without brackets or a zone); undefined when it is neither. */
export function parseIp(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { family: 4, value: v4Value(text) };
  if (!isIPv6(text) || text.includes('%')) return undefined;
  return { family: 6, value: v6Value(text) };
}

function v4Value(text: string): bigint {
  return text.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
}

function v6Value(text: string): bigint {
  let s = text.toLowerCase();
  // A trailing dotted IPv4 (::ffff:10.0.0.1) is the last two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s)?.[1];
  if (dotted) {
    const v4 = v4Value(dotted);
    s = `${s.slice(0, -dotted.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = s.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros =
    tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].reduce(
    (n, g) => (n << 16n) | BigInt(parseInt(g, 16)),
    0n,
  );
}

/**
 * Parses `a.b.c.d/n`, `x::y/n` or a single address (a whole-address range). Throws naming the
 * problem, for config validation.
 */
export function parseRange(text: string): IpRange {
  const [addr = '', prefixText, extra] = text.trim().split('/');
  const ip = parseIp(addr);
  if (!ip || extra !== undefined) throw new Error(`"${text}" is not an IP address or CIDR range`);
  const bits = bitsOf(ip.family);
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? '0') || prefix > bits)
    throw new Error(`"${text}": the prefix must be 0-${bits}`);
  return { family: ip.family, base: ip.value & mask(ip.family, prefix), prefix };
}

function mask(family: 4 | 6, prefix: number): bigint {
  const bits = BigInt(bitsOf(family));
  const all = (1n << bits) - 1n;
  return prefix === 0 ? 0n : (all << (bits - BigInt(prefix))) & all;
}

export function inRange(ip: IpAddress, range: IpRange): boolean {
  return ip.family === range.family && (ip.value & mask(ip.family, range.prefix)) === range.base;
}

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one the network delivers to: an
 * IPv4-mapped address (::ffff:a.b.c.d), an IPv4-compatible one (::a.b.c.d, deprecated), NAT64's
 * well-known prefix (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::). A policy that judged these as
 * IPv6 would let ::ffff:127.0.0.1 reach loopback.
 */
export function embeddedIpv4(ip: IpAddress): IpAddress | undefined {
  if (ip.family !== 6) return undefined;
  const low32 = ip.value & 0xffffffffn;
  const high96 = ip.value >> 32n;
  if (high96 === 0xffffn || high96 === 0x64ff9b0000000000000000n)
    return { family: 4, value: low32 };
  // ::a.b.c.d, but not :: and ::1 themselves (unspecified and loopback in their own right).
  if (high96 === 0n && low32 > 1n) return { family: 4, value: low32 };
  if (ip.value >> 112n === 0x2002n) return { family: 4, value: (ip.value >> 80n) & 0xffffffffn };
  return undefined;
}

/** The address as text (IPv4 dotted, IPv6 in full groups), for messages. */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4)
    return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((ip.value >> s) & 0xffffn).toString(16));
  return groups.join(':');
}
