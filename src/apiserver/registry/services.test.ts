import { describe, expect, it } from 'vitest';
import type { KubeObject, Service } from '../../api/types.js';
import { formatIPv4, ipRangeAllocator, parseIPv4, RangeAllocator } from './allocator.js';
import { createServiceAllocators } from './services.js';

function svc(name: string, spec: Service['spec']): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec,
  } as unknown as KubeObject;
}
const specOf = (o: KubeObject) => (o as unknown as Service).spec;

describe('RangeAllocator', () => {
  it('hands out every value once, then reports full; released values come back', () => {
    const a = new RangeAllocator(100, 5);
    const got = new Set(Array.from({ length: 5 }, () => a.allocateNext()));
    expect([...got].sort()).toEqual([100, 101, 102, 103, 104]);
    expect(a.allocateNext()).toBeUndefined();
    a.release(102);
    expect(a.allocateNext()).toBe(102);
    expect(a.allocate(99)).toBe('range');
    expect(a.allocate(101)).toBe('taken');
  });

  it('chooses free values above the static band while any are free there', () => {
    const a = new RangeAllocator(0, 20, 16);
    const first = Array.from({ length: 4 }, () => a.allocateNext()!).sort((x, y) => x - y);
    expect(first).toEqual([16, 17, 18, 19]);
    expect(a.allocateNext()).toBeLessThan(16);
  });

  it('excludes network and broadcast addresses of a CIDR', () => {
    const ips = ipRangeAllocator('127.10.0.0/30');
    expect(ips.size).toBe(2);
    expect(formatIPv4(ips.base)).toBe('127.10.0.1');
    expect(parseIPv4('127.10.0.3')).toBe(ips.base + 2);
    expect(() => ipRangeAllocator('10.0.0.0')).toThrow(/invalid/);
  });
});

describe('service allocators', () => {
  const options = {
    clusterIPRange: '127.10.0.0/24',
    nodePortRange: { min: 30000, max: 30009 },
    allPorts: false,
  };

  it('allocates a cluster IP and node ports for NodePort services only', () => {
    const a = createServiceAllocators(options);
    const cluster = svc('a', { ports: [{ port: 80 }] });
    a.hooks.beforeCreate!(cluster, false).commit();
    expect(specOf(cluster).clusterIP).toMatch(/^127\.10\.0\.\d+$/);
    expect(specOf(cluster).clusterIPs).toEqual([specOf(cluster).clusterIP]);
    expect(specOf(cluster).ports![0]!.nodePort).toBeUndefined();
    // a range of one free port (30005 aside) would make a dynamic-first allocation collide every time
    for (let p = 30000; p <= 30009; p++) if (p !== 30005 && p !== 30001) a.ports.allocate(p);
    const nodePort = svc('b', { type: 'NodePort', ports: [{ port: 80 }, { port: 81, nodePort: 30005 }] });
    a.hooks.beforeCreate!(nodePort, false).commit();
    const ports = specOf(nodePort).ports!.map((p) => p.nodePort);
    expect(ports).toEqual([30001, 30005]);
    expect(a.ports.used).toBe(10);
  });

  it('gives every ClusterIP port a node port with allPorts, but not headless services', () => {
    const a = createServiceAllocators({ ...options, allPorts: true });
    const s = svc('a', { ports: [{ port: 80 }] });
    a.hooks.beforeCreate!(s, false).commit();
    expect(specOf(s).ports![0]!.nodePort).toBeGreaterThanOrEqual(30000);
    const headless = svc('h', { clusterIP: 'None', ports: [{ port: 80 }] });
    a.hooks.beforeCreate!(headless, false).commit();
    expect(specOf(headless).ports![0]!.nodePort).toBeUndefined();
    expect(specOf(headless).clusterIP).toBe('None');
  });

  it('refuses taken or out-of-range values with Kubernetes causes and reserves nothing', () => {
    const a = createServiceAllocators(options);
    a.hooks.beforeCreate!(
      svc('a', { clusterIP: '127.10.0.7', type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] }),
      false,
    ).commit();
    const again = svc('b', {
      clusterIP: '127.10.0.7',
      type: 'NodePort',
      ports: [{ port: 80, nodePort: 30001 }, { port: 81 }],
    });
    let error: any;
    try {
      a.hooks.beforeCreate!(again, false);
    } catch (e) {
      error = e;
    }
    expect(error?.httpCode).toBe(422);
    expect(error.message).toContain(
      'spec.clusterIPs: Invalid value: []string{"127.10.0.7"}: failed to allocate IP 127.10.0.7: provided IP is already allocated',
    );
    expect(error.message).toContain(
      'spec.ports[0].nodePort: Invalid value: 30001: provided port is already allocated',
    );
    expect(a.ports.used).toBe(1);
    expect(a.ips.used).toBe(2); // 127.10.0.7 and the kubernetes service's 127.10.0.1
    expect(() => a.hooks.beforeCreate!(svc('c', { clusterIP: '10.0.0.1' }), false)).toThrow(
      /not in the valid range/,
    );
  });

  it('releases on delete and on rollback; dry runs reserve nothing', () => {
    const a = createServiceAllocators(options);
    const s = svc('a', { type: 'NodePort', ports: [{ port: 80 }] });
    a.hooks.beforeCreate!(s, false).commit();
    a.hooks.afterDelete!(s);
    expect([a.ips.used, a.ports.used]).toEqual([1, 0]);
    a.hooks.beforeCreate!(svc('b', { type: 'NodePort', ports: [{ port: 80 }] }), false).rollback();
    a.hooks.beforeCreate!(svc('c', { type: 'NodePort', ports: [{ port: 80 }] }), true).commit();
    expect([a.ips.used, a.ports.used]).toEqual([1, 0]);
  });

  it('frees node ports an update drops, and restores reservations from stored services', () => {
    const a = createServiceAllocators(options);
    const old = svc('a', { type: 'NodePort', ports: [{ port: 80 }] });
    a.hooks.beforeCreate!(old, false).commit();
    const next = svc('a', { ...specOf(old), type: 'ClusterIP', ports: [{ port: 80 }] });
    a.hooks.beforeUpdate!(next, old, false).commit();
    expect(a.ports.used).toBe(0);
    expect(a.ips.used).toBe(2);
    const restarted = createServiceAllocators(options);
    restarted.restore([
      next,
      svc('x', { clusterIP: '127.10.0.9', type: 'NodePort', ports: [{ port: 1, nodePort: 30003 }] }),
    ]);
    expect([restarted.ips.used, restarted.ports.used]).toEqual([3, 1]);
    expect(restarted.ports.isTaken(30003)).toBe(true);
  });

  const kubernetes = (spec: Service['spec']) => svc('kubernetes', spec);
  const refusal = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };

  it('keeps the first address for default/kubernetes only, across its deletion and restarts', () => {
    const a = createServiceAllocators({ ...options, clusterIPRange: '127.10.0.0/29' });
    expect(a.kubernetesServiceIP).toBe('127.10.0.1');
    // Five more usable addresses (.2-.6): dynamic allocation hands out all of them, never .1.
    const ips = Array.from({ length: 5 }, (_, i) => {
      const s = svc(`s${i}`, { ports: [{ port: 80 }] });
      a.hooks.beforeCreate!(s, false).commit();
      return specOf(s).clusterIP;
    });
    expect(ips.sort()).toEqual(['127.10.0.2', '127.10.0.3', '127.10.0.4', '127.10.0.5', '127.10.0.6']);
    expect(refusal(() => a.hooks.beforeCreate!(svc('full', { ports: [{ port: 80 }] }), false))).toMatch(
      /range is full/,
    );
    expect(refusal(() => a.hooks.beforeCreate!(svc('thief', { clusterIP: '127.10.0.1' }), false))).toMatch(
      /provided IP is already allocated/,
    );
    const other = svc('kubernetes', { clusterIP: '127.10.0.1' });
    other.metadata.namespace = 'elsewhere';
    expect(refusal(() => a.hooks.beforeCreate!(other, false))).toMatch(/already allocated/);
    const master = kubernetes({ clusterIP: '127.10.0.1', ports: [{ port: 443 }] });
    a.hooks.beforeCreate!(master, false).commit();
    a.hooks.afterDelete!(master);
    expect(a.ips.isTaken(parseIPv4('127.10.0.1')!)).toBe(true);
    expect(refusal(() => a.hooks.beforeCreate!(svc('thief', { clusterIP: '127.10.0.1' }), false))).toMatch(
      /already allocated/,
    );
    a.hooks.beforeCreate!(kubernetes({ clusterIP: '127.10.0.1' }), false).commit();
    const restarted = createServiceAllocators({ ...options, clusterIPRange: '127.10.0.0/29' });
    restarted.restore([master]);
    expect(restarted.ips.used).toBe(1);
    restarted.hooks.beforeCreate!(kubernetes({ clusterIP: '127.10.0.1' }), false).commit();
  });

  it('refuses the first address to default/kubernetes while a service stored earlier holds it', () => {
    const a = createServiceAllocators(options);
    const holder = svc('old', { clusterIP: '127.10.0.1', ports: [{ port: 80 }] });
    a.restore([holder]);
    expect(refusal(() => a.hooks.beforeCreate!(kubernetes({ clusterIP: '127.10.0.1' }), false))).toMatch(
      /already allocated/,
    );
    a.hooks.afterDelete!(holder);
    expect(a.ips.isTaken(parseIPv4('127.10.0.1')!)).toBe(true);
    a.hooks.beforeCreate!(kubernetes({ clusterIP: '127.10.0.1' }), false).commit();
  });
});
