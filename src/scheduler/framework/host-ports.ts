// Host ports in use on a node, as Kubernetes' HostPortInfo: a (protocol, port) pair conflicts when
// either side binds the wildcard address or both bind the same address.
import type { Pod } from '../../api/types.js';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

const wildcard = '0.0.0.0';

/** The host ports a pod asks for (containers with hostPort > 0); empty for most pods. */
export function podHostPorts(pod: Pod): HostPort[] {
  let out: HostPort[] | undefined;
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out ??= [];
      out.push({ ip: p.hostIP || wildcard, protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out ?? noPorts;
}

const noPorts: HostPort[] = [];

export class HostPortSet {
  // "TCP/8080" → how many pods use it on each address
  private readonly used = new Map<string, Map<string, number>>();

  get size(): number {
    return this.used.size;
  }

  add(ports: readonly HostPort[]): void {
    for (const p of ports) {
      const key = `${p.protocol}/${p.port}`;
      let ips = this.used.get(key);
      if (!ips) this.used.set(key, (ips = new Map()));
      ips.set(p.ip, (ips.get(p.ip) ?? 0) + 1);
    }
  }

  remove(ports: readonly HostPort[]): void {
    for (const p of ports) {
      const key = `${p.protocol}/${p.port}`;
      const ips = this.used.get(key);
      const n = ips?.get(p.ip);
      if (!ips || n === undefined) continue;
      if (n > 1) ips.set(p.ip, n - 1);
      else {
        ips.delete(p.ip);
        if (ips.size === 0) this.used.delete(key);
      }
    }
  }

  conflicts(ports: readonly HostPort[]): boolean {
    if (this.used.size === 0) return false;
    for (const p of ports) {
      const ips = this.used.get(`${p.protocol}/${p.port}`);
      if (!ips) continue;
      if (p.ip === wildcard || ips.has(wildcard) || ips.has(p.ip)) return true;
    }
    return false;
  }
}
