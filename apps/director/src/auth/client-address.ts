// Who the client is, by address: the socket's peer, or — only when that peer is a configured
// trusted reverse proxy — the rightmost X-Forwarded-For address that is not itself a trusted
// proxy (everything left of it could have been written by the client). Without a trusted proxy
// list X-Forwarded-For is ignored, so nobody chooses the address their login attempts count on.
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

export class TrustedProxies {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(entries: readonly string[]) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const [address = '', prefix] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(normalizeAddress(address), family);
      else this.list.addSubnet(address, Number(prefix), family);
    }
  }

  has(address: string): boolean {
    if (this.empty) return false;
    const normalized = normalizeAddress(address);
    const family = isIP(normalized);
    return family !== 0 && this.list.check(normalized, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** The client's address for this request. */
  clientAddress(req: IncomingMessage): string {
    const peer = normalizeAddress(req.socket.remoteAddress ?? 'unknown');
    if (!this.has(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((hop) => hopAddress(hop.trim()))
      .filter((hop) => hop !== '');
    for (let i = hops.length - 1; i >= 0; i -= 1) {
      const hop = hops[i] ?? '';
      if (!this.has(hop)) return hop;
    }
    // Every hop is a trusted proxy (or there is none): the leftmost is the best there is.
    return hops[0] ?? peer;
  }
}

/** `::ffff:192.0.2.1` as `192.0.2.1`; IPv6 in lower case. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  return address.toLowerCase();
}

/** One X-Forwarded-For entry without port or brackets (`[2001:db8::1]:443`, `192.0.2.1:80`). */
function hopAddress(hop: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  const withPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(hop);
  const address = bracketed?.[1] ?? withPort?.[1] ?? hop;
  // Not an address: a proxy's own token such as `unknown`, kept (bounded) as the client's name.
  return isIP(address) === 0 ? address.slice(0, 64) : normalizeAddress(address);
}

/**
 * The key an address is counted under: an IPv4 address itself, an IPv6 address by its /64 (one
 * host usually holds a whole /64, so counting single IPv6 addresses would limit nothing).
 */
export function addressBucket(address: string): string {
  const normalized = normalizeAddress(address);
  if (isIP(normalized) !== 6) return normalized;
  const [head = '', tail = ''] = normalized.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = normalized.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
