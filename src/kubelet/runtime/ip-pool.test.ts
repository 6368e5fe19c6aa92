import { describe, expect, it } from 'vitest';
import { isRuntimeError } from './errors.js';
import { formatIpv4, IpPool, parseCidr, parseIpv4 } from './ip-pool.js';

describe('ip pool', () => {
  it('parses and formats addresses and CIDRs', () => {
    expect(formatIpv4(parseIpv4('127.1.2.3'))).toBe('127.1.2.3');
    expect(parseCidr('127.1.2.3/24')).toEqual({ base: parseIpv4('127.1.2.0'), size: 256 });
    for (const bad of ['1.2.3', '1.2.3.256', 'a.b.c.d']) expect(() => parseIpv4(bad)).toThrow();
    expect(
      isRuntimeError(
        (() => {
          try {
            parseCidr('10.0.0.0/31');
          } catch (e) {
            return e;
          }
        })(),
        'InvalidConfig',
      ),
    ).toBe(true);
  });

  it('skips network, first host and broadcast, claims adopted addresses and wraps around', () => {
    const pool = new IpPool('127.1.0.0/29');
    expect(pool.firstHost).toBe('127.1.0.1');
    pool.claim('127.1.0.3');
    expect([pool.allocate(), pool.allocate(), pool.allocate(), pool.allocate()]).toEqual([
      '127.1.0.2',
      '127.1.0.4',
      '127.1.0.5',
      '127.1.0.6',
    ]);
    expect(() => pool.allocate()).toThrow(/no free pod IP/);
    pool.release('127.1.0.4');
    expect(pool.allocate()).toBe('127.1.0.4');
    expect(pool.contains('127.1.0.9')).toBe(false);
  });
});
