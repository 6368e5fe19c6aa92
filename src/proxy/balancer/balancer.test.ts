import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../util/clock.js';
import type { EndpointAddress } from '../config.js';
import { Balancer } from './index.js';

function addresses(...ports: number[]): EndpointAddress[] {
  return ports.map((port) => ({ key: `10.0.0.1:${port}`, ip: '10.0.0.1', port }));
}

function spread(balancer: Balancer, n: number, clientIp?: string): Record<number, number> {
  const seen: Record<number, number> = {};
  for (let i = 0; i < n; i++) {
    const backend = balancer.pick(clientIp, undefined)!;
    seen[backend.port] = (seen[backend.port] ?? 0) + 1;
  }
  return seen;
}

describe('Balancer', () => {
  const clock = new FakeClock(0);

  it('round-robins evenly and skips endpoints already tried', () => {
    const balancer = new Balancer({ clock });
    balancer.setEndpoints(addresses(1, 2, 3));
    expect(spread(balancer, 300)).toEqual({ 1: 100, 2: 100, 3: 100 });
    const first = balancer.pick(undefined, undefined)!;
    const second = balancer.pick(undefined, [first])!;
    expect(second).not.toBe(first);
    expect(balancer.pick(undefined, balancer.backends)).toBeUndefined();
  });

  it('picks the backend with the fewest active connections', () => {
    const balancer = new Balancer({ clock, algorithm: 'least-connections' });
    balancer.setEndpoints(addresses(1, 2, 3));
    const [a, b, c] = balancer.backends;
    a!.active = 5;
    b!.active = 1;
    c!.active = 3;
    expect(balancer.pick(undefined, undefined)).toBe(b);
    expect(balancer.pick(undefined, [b!])).toBe(c);
    b!.active = 9;
    c!.active = 9;
    a!.active = 0;
    expect(balancer.pick(undefined, undefined)).toBe(a);
  });

  it('keeps backend objects across swaps and marks removed ones', () => {
    const balancer = new Balancer({ clock });
    balancer.setEndpoints(addresses(1, 2));
    const [one, two] = balancer.backends;
    one!.active = 4;
    balancer.setEndpoints(addresses(1, 3));
    expect(balancer.backends[0]).toBe(one);
    expect(balancer.backends[0]!.active).toBe(4);
    expect(two!.removed).toBe(true);
    expect(balancer.backends.map((b) => b.port)).toEqual([1, 3]);
  });

  it('keeps a client on its backend until the affinity timeout, and off removed backends', () => {
    const clock = new FakeClock(0);
    const balancer = new Balancer({ clock, affinityTimeoutMs: 1000 });
    balancer.setEndpoints(addresses(1, 2, 3));
    const first = balancer.pick('1.1.1.1', undefined)!;
    expect(spread(balancer, 10, '1.1.1.1')).toEqual({ [first.port]: 10 });
    const other = balancer.pick('2.2.2.2', undefined)!;
    expect(other).not.toBe(first);
    clock.advance(999);
    expect(balancer.pick('1.1.1.1', undefined)).toBe(first); // refreshed on each use
    clock.advance(1001);
    expect(balancer.pick('1.1.1.1', undefined)).not.toBe(first);
    const now = balancer.pick('2.2.2.2', undefined)!;
    balancer.setEndpoints(addresses(...[1, 2, 3].filter((p) => p !== now.port)));
    expect(balancer.pick('2.2.2.2', undefined)).not.toBe(now);
  });

  it('has nothing to pick with no endpoints', () => {
    const balancer = new Balancer({ clock, algorithm: 'least-connections', affinityTimeoutMs: 10 });
    expect(balancer.pick('1.1.1.1', undefined)).toBeUndefined();
  });
});
