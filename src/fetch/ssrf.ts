// The SSRF guard: decides whether an address (the one actually connected to)
// or a host name may be reached. Private space is closed unless allow-listed.
import { BlockList, isIP } from 'node:net';

const BLOCKED_V4: [string, number][] = [
  ['0.0.0.0', 8], // "this" network, unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast 255.255.255.255
];

const BLOCKED_V6: [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique-local, incl. AWS metadata fd00:ec2::254
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const BLOCKED_NAMES = new Set(['localhost', 'metadata.google.internal', 'metadata', 'instance-data']);

const blocked = new BlockList();
for (const [a, p] of BLOCKED_V4) blocked.addSubnet(a, p, 'ipv4');
for (const [a, p] of BLOCKED_V6) blocked.addSubnet(a, p, 'ipv6');

/** IPv4 hidden in an IPv6 address (mapped, compatible, NAT64, 6to4), or undefined. */
function embeddedV4(v6: string): string | undefined {
  const words = expandV6(v6);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zero(0, 5) && (words[5] === 0xffff || words[5] === 0) && !(words[5] === 0 && words[6] === 0)) {
    return v4(words[6], words[7]); // ::ffff:a.b.c.d and ::a.b.c.d
  }
  if (words[0] === 0x64 && words[1] === 0xff9b && zero(2, 6)) return v4(words[6], words[7]); // NAT64
  if (words[0] === 0x2002) return v4(words[1], words[2]); // 6to4
  return undefined;
}

function expandV6(addr: string): number[] | undefined {
  let s = addr.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const parts = last.split('.').map(Number);
    if (parts.length !== 4 || parts.some((n) => !(n >= 0 && n <= 255))) return undefined;
    tail = [(parts[0] << 8) | parts[1], (parts[2] << 8) | parts[3]];
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const [head, rest] = s.split('::');
  const h = head ? head.split(':') : [];
  const r = rest !== undefined ? (rest ? rest.split(':') : []) : undefined;
  const fill = r !== undefined ? 8 - h.length - r.length : 0;
  const all = [...h, ...Array(Math.max(fill, 0)).fill('0'), ...(r ?? [])].map((w) => parseInt(w, 16));
  if (all.length !== 8 || all.some((n) => Number.isNaN(n))) return undefined;
  if (tail.length) { all[6] = tail[0]; all[7] = tail[1]; }
  return all;
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Compiled allow-list + the decision functions. */
export class AddressGuard {
  private readonly allowNets = new BlockList();
  private readonly allowNames = new Set<string>();

  constructor(allow: string[] = []) {
    for (const raw of allow) {
      const entry = stripBrackets(raw.trim().toLowerCase());
      if (!entry) continue;
      const slash = entry.indexOf('/');
      const ip = slash >= 0 ? entry.slice(0, slash) : entry;
      const family = isIP(ip);
      if (family) {
        const max = family === 4 ? 32 : 128;
        const prefix = slash >= 0 ? Number(entry.slice(slash + 1)) : max;
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new Error(`invalid allow-list entry: ${raw}`);
        this.allowNets.addSubnet(ip, prefix, family === 4 ? 'ipv4' : 'ipv6');
      } else if (slash >= 0) {
        throw new Error(`invalid allow-list entry: ${raw}`);
      } else {
        this.allowNames.add(entry.replace(/\.$/, ''));
      }
    }
  }

  /** Host names on the allow-list skip the address checks entirely. */
  nameAllowed(host: string): boolean {
    return this.allowNames.has(stripBrackets(host).toLowerCase().replace(/\.$/, ''));
  }

  /** Names refused before any resolution (metadata endpoints, localhost). */
  nameBlocked(host: string): boolean {
    const h = stripBrackets(host).toLowerCase().replace(/\.$/, '');
    if (this.allowNames.has(h)) return false;
    return BLOCKED_NAMES.has(h) || h.endsWith('.localhost');
  }

  /** May this concrete address be connected to? */
  addressAllowed(address: string): boolean {
    const a = stripBrackets(address);
    const family = isIP(a);
    if (!family) return false;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (this.allowNets.check(a, type)) return true;
    if (family === 6) {
      const v4 = embeddedV4(a);
      if (v4 !== undefined) {
        if (this.allowNets.check(v4, 'ipv4')) return true;
        if (blocked.check(v4, 'ipv4')) return false;
      }
    }
    return !blocked.check(a, type);
  }
}
