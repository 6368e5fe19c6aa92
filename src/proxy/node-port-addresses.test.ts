import { describe, expect, it } from 'vitest';
import {
  canBind,
  ipInterfaceAddresses,
  lookUpNodePortAddresses,
  resolveNodePortAddresses,
} from './node-port-addresses.js';

describe('node port addresses', () => {
  it('takes IPv4 addresses as they are and interface names as their addresses', async () => {
    const interfaces: Record<string, string[]> = { kubelite0: ['172.19.0.1'] };
    const result = await lookUpNodePortAddresses(['127.0.1.1', 'kubelite0', 'nosuch', '127.0.1.1'], {
      interfaceAddresses: async (name) => interfaces[name],
      bindable: async () => true,
    });
    expect(result).toEqual({ addresses: ['127.0.1.1', '172.19.0.1'], missing: ['nosuch'] });
  });

  it('counts an address as missing while it cannot be bound, and waits for it', async () => {
    let present = false;
    let waitedFor: string[] = [];
    const found = resolveNodePortAddresses(['kubelite0'], {
      intervalMs: 5,
      interfaceAddresses: async () => ['172.19.0.1'],
      bindable: async () => present,
      onWaiting: (missing) => {
        waitedFor = missing;
        setTimeout(() => {
          present = true;
        }, 20);
      },
    });
    expect(await found).toEqual(['172.19.0.1']);
    expect(waitedFor).toEqual(['kubelite0']);
  });

  it('gives up after the timeout, and refuses IPv6', async () => {
    await expect(
      resolveNodePortAddresses(['10.255.255.1'], {
        timeoutMs: 30,
        intervalMs: 5,
        bindable: async () => false,
      }),
    ).rejects.toThrow(/not on this machine: 10.255.255.1/);
    await expect(resolveNodePortAddresses(['::1'])).rejects.toThrow(/IPv4 addresses only/);
  });

  it('checks the real machine: loopback binds, an unassigned address and a missing interface do not', async () => {
    expect(await canBind('127.0.1.77')).toBe(true);
    expect(await canBind('192.0.2.254')).toBe(false);
    expect(await ipInterfaceAddresses('lo')).toContain('127.0.0.1');
    expect(await ipInterfaceAddresses('kubelite-nosuch')).toBeUndefined();
  });
});
