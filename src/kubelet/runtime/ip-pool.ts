// Pod IP allocation from an IPv4 CIDR for runtimes that assign addresses themselves (process, fake).
// The network address and the first host address (the "gateway" slot) are never handed out.
import { RuntimeError } from './errors.js';

export function parseIpv4(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new RuntimeError('InvalidConfig', `"${ip}" is not an IPv4 address`);
  let n = 0;
  for (const p of parts) {
    const octet = Number(p);
    if (!/^\d{1,3}$/.test(p) || octet > 255)
      throw new RuntimeError('InvalidConfig', `"${ip}" is not an IPv4 address`);
    n = n * 256 + octet;
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(cidr: string): { base: number; size: number } {
  const [ip, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!ip || !Number.isInteger(bits) || bits < 8 || bits > 30) {
    throw new RuntimeError('InvalidConfig', `"${cidr}" is not an IPv4 CIDR between /8 and /30`);
  }
  const size = 2 ** (32 - bits);
  const base = parseIpv4(ip) - (parseIpv4(ip) % size);
  return { base, size };
}

export class IpPool {
  private readonly base: number;
  private readonly size: number;
  private readonly used = new Set<number>();
  private next = 2;

  constructor(readonly cidr: string) {
    ({ base: this.base, size: this.size } = parseCidr(cidr));
  }

  /** The first host address (x.x.x.1), never given to a pod. */
  get firstHost(): string {
    return formatIpv4(this.base + 1);
  }

  contains(ip: string): boolean {
    const n = parseIpv4(ip) - this.base;
    return n >= 0 && n < this.size;
  }

  allocate(): string {
    const hosts = this.size - 3; // without network, first host and broadcast
    for (let i = 0; i < hosts; i++) {
      const offset = this.next;
      this.next = offset + 1 >= this.size - 1 ? 2 : offset + 1;
      if (!this.used.has(offset)) {
        this.used.add(offset);
        return formatIpv4(this.base + offset);
      }
    }
    throw new RuntimeError('Unavailable', `no free pod IP left in ${this.cidr}`);
  }

  /** Marks an address as taken (when adopting sandboxes that already have one). */
  claim(ip: string): void {
    if (this.contains(ip)) this.used.add(parseIpv4(ip) - this.base);
  }

  release(ip: string): void {
    if (ip && this.contains(ip)) this.used.delete(parseIpv4(ip) - this.base);
  }
}
