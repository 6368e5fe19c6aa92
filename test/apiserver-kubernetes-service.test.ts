// Black-box: the `default/kubernetes` Service and Endpoints of a `kubelite apiserver` child process,
// seen through /usr/bin/kubectl and the REST API: the range's first address, the apiserver as the
// endpoint, recreation after a delete, the address never going to another service, and a restart
// (on another address and port) keeping the IP while the ports and endpoints follow.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFlags } from '../src/cmd/apiserver.js';
import { freshStorageUrl, type SpawnedApiServer, spawnApiServer } from './harness/apiserver.js';
import { http } from './harness/http.js';
import { type Kubectl, kubectlFor } from './harness/kubectl.js';

const range = '127.45.0.0/29'; // usable: .1 (the kubernetes service) to .6
const masterIP = '127.45.0.1';

let storage: Awaited<ReturnType<typeof freshStorageUrl>>;
let api: SpawnedApiServer;
let kubectl: Kubectl;

async function startApi(bindAddress = '127.0.0.1'): Promise<void> {
  api = await spawnApiServer({
    storage: storage.url,
    args: ['--service-cluster-ip-range', range, '--bind-address', bindAddress],
  });
  kubectl?.cleanup();
  kubectl = kubectlFor(api.url);
}

const apiPort = () => Number(new URL(api.url).port);
const getJson = async (what: string) =>
  JSON.parse(await kubectl.ok(['get', what, 'kubernetes', '-o', 'json']));

beforeAll(async () => {
  storage = await freshStorageUrl('embedded');
  await startApi();
}, 60_000);

afterAll(async () => {
  await api?.kill();
  kubectl?.cleanup();
  await storage?.cleanup();
});

describe('the default/kubernetes service', () => {
  it('reads --advertise-address from the flag or KUBELITE_ADVERTISE_ADDRESS', () => {
    expect(readFlags(['--advertise-address', '127.0.0.5'], {}).advertiseAddress).toBe('127.0.0.5');
    expect(readFlags([], { KUBELITE_ADVERTISE_ADDRESS: '127.0.0.6' }).advertiseAddress).toBe('127.0.0.6');
    expect(readFlags([], {}).advertiseAddress).toBeUndefined();
  });

  it('has the first address of the range and port 443 targeting the apiserver', async () => {
    const svc = await getJson('svc');
    expect(svc.metadata.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    expect(svc.spec).toMatchObject({
      type: 'ClusterIP',
      clusterIP: masterIP,
      clusterIPs: [masterIP],
      sessionAffinity: 'None',
      ports: [{ name: 'http', port: 443, protocol: 'TCP', targetPort: apiPort() }],
    });
    expect(svc.spec.selector).toBeUndefined();
    expect(await kubectl.ok(['get', 'svc'])).toMatch(
      /^kubernetes\s+ClusterIP\s+127\.45\.0\.1\s+<none>\s+443\/TCP\s/m,
    );
  });

  it('has the apiserver itself as its endpoint', async () => {
    const ep = await getJson('endpoints');
    expect(ep.subsets).toEqual([
      { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'http', port: apiPort(), protocol: 'TCP' }] },
    ]);
    const { ip } = ep.subsets[0].addresses[0];
    expect((await http(`http://${ip}:${ep.subsets[0].ports[0].port}`, 'GET', '/readyz')).text).toBe('ok');
  });

  it('comes back, with the same cluster IP, after kubectl deletes it and its endpoints', async () => {
    const before = await getJson('svc');
    await kubectl.ok(['delete', 'svc', 'kubernetes']);
    await kubectl.ok(['delete', 'endpoints', 'kubernetes']);
    await vi.waitFor(
      async () => {
        const svc = await getJson('svc');
        expect(svc.metadata.uid).not.toBe(before.metadata.uid);
        expect(svc.spec.clusterIP).toBe(masterIP);
        expect((await getJson('endpoints')).subsets[0].addresses).toEqual([{ ip: '127.0.0.1' }]);
      },
      { timeout: 10_000, interval: 200 },
    );
  });

  it('never hands its address to another service', async () => {
    const path = '/api/v1/namespaces/default/services';
    const service = (name: string, clusterIP?: string) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { ports: [{ port: 80 }], ...(clusterIP ? { clusterIP } : {}) },
    });
    const taken = await http(api.url, 'POST', path, service('thief', masterIP));
    expect(taken.status).toBe(422);
    expect(taken.json.message).toContain('provided IP is already allocated');
    const ips: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await http(api.url, 'POST', path, service(`fill-${i}`));
      expect(created.status).toBe(201);
      ips.push(created.json.spec.clusterIP);
    }
    expect(ips.sort()).toEqual(['127.45.0.2', '127.45.0.3', '127.45.0.4', '127.45.0.5', '127.45.0.6']);
    const full = await http(api.url, 'POST', path, service('one-too-many'));
    expect(full.status).toBe(422);
    expect(full.json.message).toContain('range is full');
  });

  it('keeps its IP across a restart, and follows the apiserver to a new address and port', async () => {
    const before = await getJson('svc');
    const oldPort = apiPort();
    expect(await api.stop()).toBe(0);
    await startApi('127.0.0.2'); // a free port, so another one than before
    expect(apiPort()).not.toBe(oldPort);
    const svc = await getJson('svc');
    expect(svc.metadata.uid).toBe(before.metadata.uid);
    expect(svc.spec.clusterIP).toBe(masterIP);
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 443, protocol: 'TCP', targetPort: apiPort() }]);
    const ep = await getJson('endpoints');
    expect(ep.subsets).toEqual([
      { addresses: [{ ip: '127.0.0.2' }], ports: [{ name: 'http', port: apiPort(), protocol: 'TCP' }] },
    ]);
    const taken = await http(api.url, 'POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'thief-after-restart' },
      spec: { ports: [{ port: 80 }], clusterIP: masterIP },
    });
    expect(taken.status).toBe(422);
  });
});
