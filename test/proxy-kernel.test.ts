// Kernel mode (nftables DNAT) inside a network namespace this suite creates: rule contents, traffic
// through the rules, incremental updates, rule count independent of endpoints, cleanup. Needs root,
// `ip` and `nft`; never touches the host's ruleset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNftRules, type NftRules } from '../src/proxy/kernel/nftables.js';
import type { Proxier } from '../src/proxy/proxier.js';
import { createTestNetns, type TestNetns } from './harness/netns.js';
import { counts, makeEndpoints, makeService, newProxier } from './proxy-fixtures.js';

const backendPorts = [18081, 18082, 18083];

describe('kernel mode (nftables in a test network namespace)', () => {
  let netns: TestNetns;
  let proxier: Proxier;
  let rules: NftRules;
  const clientNames = (host: string, port: number, n: number) => netns.connectNames(host, port, n);
  const ruleset = () => netns.run(['nft', 'list', 'ruleset']);

  beforeAll(async () => {
    netns = createTestNetns(`kubelite-test-${process.pid}`);
    for (const [i, port] of backendPorts.entries()) await netns.startBackend(`k${i}`, '127.0.0.1', port);
    rules = createNftRules({ command: [...netns.exec, 'nft'] });
    await rules.start();
    proxier = newProxier({ mode: 'kernel', kernel: rules }).proxier;
  });

  afterAll(async () => {
    await proxier?.close();
    netns?.close();
  });

  function kernelService(name: string, clusterIP: string, affinity = false) {
    const service = makeService(name, { port: 80, affinityTimeoutSeconds: affinity ? 60 : undefined });
    service.spec.clusterIP = clusterIP;
    return service;
  }

  it('programs one DNAT rule per service port and routes round-robin', async () => {
    proxier.onServiceAdd(kernelService('web', '127.10.0.10'));
    proxier.onEndpointsAdd(makeEndpoints('web', backendPorts.slice(0, 2)));
    const result = await proxier.sync();
    expect(result.opened).toEqual(['default/web:main']);
    expect(proxier.modeOf('default/web:main')).toBe('kernel');
    const text = await rules.list();
    expect(text).toContain('127.10.0.10 . tcp . 80 : goto svc-');
    expect(text).toContain(
      'dnat ip to numgen inc mod 2 map { 0 : 127.0.0.1 . 18081, 1 : 127.0.0.1 . 18082 }',
    );
    expect(counts(clientNames('127.10.0.10', 80, 6))).toEqual({ k0: 3, k1: 3 });
  });

  it('swaps endpoints in place and uses jhash for ClientIP affinity', async () => {
    proxier.onEndpointsUpdate(makeEndpoints('web', []), makeEndpoints('web', [backendPorts[2]!]));
    await proxier.sync();
    expect(clientNames('127.10.0.10', 80, 3)).toEqual(['k2', 'k2', 'k2']);
    proxier.onServiceUpdate(kernelService('web', '127.10.0.10'), kernelService('web', '127.10.0.10', true));
    proxier.onEndpointsUpdate(makeEndpoints('web', []), makeEndpoints('web', backendPorts));
    await proxier.sync();
    expect(await rules.list()).toContain('dnat ip to jhash ip saddr mod 3 map {');
    expect(new Set(clientNames('127.10.0.10', 80, 5)).size).toBe(1);
  });

  it('refuses at once without endpoints', async () => {
    proxier.onEndpointsUpdate(makeEndpoints('web', []), makeEndpoints('web', []));
    await proxier.sync();
    expect(await rules.list()).not.toContain('127.10.0.10 . tcp . 80');
    expect(clientNames('127.10.0.10', 80, 1)).toEqual(['error:ECONNREFUSED']);
  });

  it('keeps the rule count independent of endpoints, and removes deleted services', async () => {
    for (let i = 0; i < 20; i++) {
      proxier.onServiceAdd(kernelService(`s${i}`, `127.10.1.${i + 1}`));
      proxier.onEndpointsAdd(makeEndpoints(`s${i}`, backendPorts));
    }
    await proxier.sync();
    const text = ruleset();
    expect((text.match(/dnat ip to/g) ?? []).length).toBe(20);
    expect(clientNames('127.10.1.7', 80, 3).sort()).toEqual(['k0', 'k1', 'k2']);
    for (let i = 0; i < 20; i++) proxier.onServiceDelete(kernelService(`s${i}`, `127.10.1.${i + 1}`));
    const result = await proxier.sync();
    expect(result.closed).toHaveLength(20);
    expect((ruleset().match(/dnat ip to/g) ?? []).length).toBe(0);
    expect(ruleset()).not.toContain('127.10.1.7');
  });

  it('removes its table on close and leaves nothing behind', async () => {
    await proxier.close();
    expect(ruleset()).not.toContain('kubelite');
    await rules.start(); // rebuilt at start
    expect(ruleset()).toContain('table ip kubelite');
    await rules.close();
    expect(ruleset()).toBe('');
  });
});
