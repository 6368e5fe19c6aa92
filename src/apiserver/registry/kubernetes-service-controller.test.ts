// The `default/kubernetes` controller inside real apiservers (in-process, one memory store, a fake
// clock for the lease interval): creation, repair after user edits, several apiservers agreeing,
// leases of stopped and crashed apiservers.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Endpoints, Service } from '../../api/types.js';
import { FakeClock } from '../../util/clock.js';
import { type ApiServer, createApiServer } from '../server.js';
import { createMemoryStorage } from '../storage/memory/memory-store.js';
import type { Storage } from '../storage/types.js';
import { MasterLeases } from './master-leases.js';

/** Generous for a loaded machine; the reconciles themselves follow events at once. */
const waitLong = { timeout: 10_000, interval: 50 };
const servicePath = '/api/v1/namespaces/default/services/kubernetes';
const endpointsPath = '/api/v1/namespaces/default/endpoints/kubernetes';

let storage: Storage;
let clock: FakeClock;
const servers: ApiServer[] = [];

async function start(options: { port?: number; advertiseAddress?: string } = {}): Promise<ApiServer> {
  const server = createApiServer({
    storage,
    clock,
    host: '127.0.0.1',
    port: 0,
    serviceClusterIPRange: '127.44.0.0/24',
    ...options,
  });
  servers.push(server);
  await server.start();
  return server;
}

const portOf = (server: ApiServer) => Number(new URL(server.url).port);

async function call(server: ApiServer, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

const service = async (server: ApiServer) => (await call(server, 'GET', servicePath)).json as Service;
const endpoints = async (server: ApiServer) => (await call(server, 'GET', endpointsPath)).json as Endpoints;
/** `ip:port` of every endpoint address, sorted. */
const targets = async (server: ApiServer) =>
  ((await endpoints(server)).subsets ?? [])
    .flatMap((s) => (s.addresses ?? []).map((a) => `${a.ip}:${s.ports?.[0]?.port}`))
    .sort();

/** Both objects' resourceVersions, to see that nothing is written any more. */
async function versions(server: ApiServer): Promise<string> {
  return `${(await service(server)).metadata.resourceVersion}/${(await endpoints(server)).metadata.resourceVersion}`;
}

async function settled(server: ApiServer): Promise<string> {
  const before = await versions(server);
  await new Promise((done) => setTimeout(done, 100));
  expect(await versions(server)).toBe(before);
  return before;
}

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  await storage?.close();
});

function fresh(): void {
  storage = createMemoryStorage();
  clock = new FakeClock();
}

describe('the kubernetes service controller', () => {
  it('creates the service and endpoints before the apiserver is ready', async () => {
    fresh();
    const api = await start();
    expect(api.ready).toBe(true);
    const svc = await service(api);
    expect(svc.metadata.labels).toMatchObject({ component: 'apiserver', provider: 'kubernetes' });
    expect(svc.spec).toMatchObject({
      type: 'ClusterIP',
      clusterIP: '127.44.0.1',
      sessionAffinity: 'None',
      ports: [{ name: 'http', port: 443, protocol: 'TCP', targetPort: portOf(api) }],
    });
    expect(svc.spec.selector).toBeUndefined();
    expect(await targets(api)).toEqual([`127.0.0.1:${portOf(api)}`]);
    expect((await endpoints(api)).subsets![0]!.ports).toEqual([
      { name: 'http', port: portOf(api), protocol: 'TCP' },
    ]);
    await settled(api);
  });

  it('recreates a deleted service and endpoints, and undoes edits', async () => {
    fresh();
    const api = await start({ advertiseAddress: '127.0.0.9' });
    const original = await service(api);
    expect((await call(api, 'DELETE', servicePath)).status).toBe(200);
    await vi.waitFor(async () => expect((await service(api)).metadata?.uid).toMatch(/./), waitLong);
    const recreated = await service(api);
    expect(recreated.metadata.uid).not.toBe(original.metadata.uid);
    expect(recreated.spec.clusterIP).toBe('127.44.0.1');

    expect((await call(api, 'DELETE', endpointsPath)).status).toBe(200);
    await vi.waitFor(async () => expect(await targets(api)).toEqual([`127.0.0.9:${portOf(api)}`]), waitLong);

    const edited = { ...recreated, spec: { ...recreated.spec, selector: { app: 'x' } } };
    edited.spec.ports = [{ name: 'http', port: 443, protocol: 'TCP', targetPort: 1 }];
    expect((await call(api, 'PUT', servicePath, edited)).status).toBe(200);
    await vi.waitFor(
      async () => expect((await service(api)).spec.ports![0]!.targetPort).toBe(portOf(api)),
      waitLong,
    );
    expect((await service(api)).spec.selector).toBeUndefined();

    const ep = await endpoints(api);
    ep.subsets = [{ addresses: [{ ip: '127.0.0.99' }], ports: [{ name: 'http', port: 1 }] }];
    expect((await call(api, 'PUT', endpointsPath, ep)).status).toBe(200);
    await vi.waitFor(async () => expect(await targets(api)).toEqual([`127.0.0.9:${portOf(api)}`]), waitLong);
    await settled(api);
  });

  it('lists every apiserver on the store without them overwriting each other', async () => {
    fresh();
    const a = await start();
    const b = await start();
    const both = [`127.0.0.1:${portOf(a)}`, `127.0.0.1:${portOf(b)}`].sort();
    await vi.waitFor(async () => expect(await targets(a)).toEqual(both), waitLong);
    const stable = await settled(a);
    // One interval later both have renewed and reconciled: still nothing to write.
    clock.advance(10_000);
    await new Promise((done) => setTimeout(done, 100));
    expect(await versions(a)).toBe(stable);
    // The target port is one both agree on.
    expect([portOf(a), portOf(b)]).toContain((await service(a)).spec.ports![0]!.targetPort);

    await b.close();
    expect(await targets(a)).toEqual([`127.0.0.1:${portOf(a)}`]);
    await a.close();
    // The last apiserver leaves its address: Kubernetes never empties these endpoints.
    const left = await storage.get('/registry/endpoints/default/kubernetes');
    expect(new TextDecoder().decode(left!.value)).toContain(`"port":${portOf(a)}`);
    expect((await storage.list('/registry/masterleases/')).items).toEqual([]);
    const c = await start();
    expect(await targets(c)).toEqual([`127.0.0.1:${portOf(c)}`]);
    expect((await service(c)).spec.ports![0]!.targetPort).toBe(portOf(c));
  });

  it('drops an apiserver whose lease expired (a crash) at the next interval', async () => {
    fresh();
    const crashedClock = new FakeClock(clock.now() - 60_000);
    await new MasterLeases(storage, crashedClock, 15_000).renew({
      ip: '127.0.0.7',
      port: 6443,
      portName: 'https',
    });
    const api = await start();
    // Still listed: a lease is only collected by the interval, so every apiserver agrees meanwhile.
    expect(await targets(api)).toContain('127.0.0.7:6443');
    clock.advance(10_000);
    await vi.waitFor(async () => expect(await targets(api)).toEqual([`127.0.0.1:${portOf(api)}`]), waitLong);
    expect((await storage.list('/registry/masterleases/')).items).toHaveLength(1);
  });
});
