// The endpoints controller against a live apiserver: endpoints follow pod readiness and label changes
// quickly, named ports resolve per pod, nothing is rewritten when nothing changed, and the Endpoints of
// a deleted service go away.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Endpoints, Pod } from '../src/api/types.js';
import { createEndpointsController } from '../src/controller/endpoints/controller.js';
import { lastChangeTriggerTimeAnnotation } from '../src/controller/endpoints/trigger-times.js';
import { makePod, makeService } from '../src/controller/testing/objects.js';
import { type Cluster, eventually, startCluster } from './controller-fixtures.js';
import { kubectlFor } from './harness/kubectl.js';

let cluster: Cluster;
beforeEach(async () => {
  cluster = await startCluster();
  await cluster.run(({ client, informers, registry }) => [
    createEndpointsController({ client, informers, registry }),
  ]);
});
afterEach(async () => {
  await cluster.stop();
});

const getEndpoints = (name = 'web'): Promise<Endpoints | undefined> =>
  cluster.client.endpoints.get('default', name).catch(() => undefined);
const readyIPs = async (name = 'web') =>
  ((await getEndpoints(name))?.subsets ?? [])
    .flatMap((s) => s.addresses ?? [])
    .map((a) => a.ip)
    .sort();
const notReadyIPs = async (name = 'web') =>
  ((await getEndpoints(name))?.subsets ?? [])
    .flatMap((s) => s.notReadyAddresses ?? [])
    .map((a) => a.ip)
    .sort();

async function addPod(name: string, labels: Record<string, string>, port = 8080): Promise<Pod> {
  const pod = makePod(name, { labels, ports: [{ name: 'web', containerPort: port, protocol: 'TCP' }] });
  return cluster.client.pods.create('default', pod);
}

describe('endpoints controller (live apiserver)', () => {
  it('tracks readiness, with the change time in last-change-trigger-time', async () => {
    await cluster.client.services.create(
      'default',
      makeService('web', { ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] }),
    );
    const a = await addPod('a', { app: 'web' });
    const b = await addPod('b', { app: 'web' }, 9090);
    await eventually(() => getEndpoints().then((e) => e?.subsets)).toEqual([]);

    await cluster.setPodStatus(a, false, '10.1.0.1');
    await eventually(() => notReadyIPs()).toEqual(['10.1.0.1']);
    const changedAt = Date.now();
    await cluster.setPodStatus(a, true, '10.1.0.1');
    await cluster.setPodStatus(b, true, '10.1.0.2');
    await eventually(() => readyIPs()).toEqual(['10.1.0.1', '10.1.0.2']);
    const e = (await getEndpoints())!;
    // Named port "web" is 8080 on a and 9090 on b: two subsets.
    expect(e.subsets!.map((s) => s.ports?.[0]?.port).sort()).toEqual([8080, 9090]);
    expect(e.subsets![0]!.addresses![0]!.targetRef).toMatchObject({ kind: 'Pod', namespace: 'default' });
    const trigger = Date.parse(e.metadata.annotations![lastChangeTriggerTimeAnnotation]!);
    expect(trigger).toBeGreaterThanOrEqual(changedAt - 5);
    expect(trigger).toBeLessThanOrEqual(Date.now());

    await cluster.setPodStatus(b, false, '10.1.0.2');
    await eventually(() => readyIPs()).toEqual(['10.1.0.1']);
    await cluster.client.pods.delete('default', 'a');
    await eventually(() => readyIPs()).toEqual([]);
    expect(await notReadyIPs()).toEqual(['10.1.0.2']);
  });

  it('does not rewrite the Endpoints when nothing that matters changed', async () => {
    await cluster.client.services.create('default', makeService('web'));
    const a = await addPod('a', { app: 'web' });
    await cluster.setPodStatus(a, true, '10.1.0.1');
    await eventually(() => readyIPs()).toEqual(['10.1.0.1']);
    const before = (await getEndpoints())!.metadata.resourceVersion;
    // A status change the endpoints do not show, a label the selector does not read, a service annotation.
    await cluster.client.pods.patch(
      'default',
      'a',
      'strategic',
      { status: { startTime: '2024-01-01T00:00:00Z' } },
      { subresource: 'status' },
    );
    await cluster.client.pods.patch('default', 'a', 'merge', { metadata: { labels: { extra: 'yes' } } });
    await cluster.client.services.patch('default', 'web', 'merge', {
      metadata: { annotations: { note: 'x' } },
    });
    // A later change that does matter proves the controller has processed the ones before it.
    await addPod('probe', { app: 'other' });
    await cluster.client.services.create('default', makeService('other'));
    await eventually(async () => (await getEndpoints('other'))?.metadata.name).toBe('other');
    await new Promise((r) => setTimeout(r, 200));
    expect((await getEndpoints())!.metadata.resourceVersion).toBe(before);
  });

  it('removes the Endpoints of a deleted service and leaves selector-less services to their users', async () => {
    await cluster.client.services.create('default', makeService('web'));
    await cluster.client.services.create('default', makeService('manual', { selector: null }));
    await cluster.client.endpoints.create('default', {
      metadata: { name: 'manual' },
      subsets: [{ addresses: [{ ip: '127.0.9.9' }], ports: [{ port: 5432, protocol: 'TCP' }] }],
    });
    await eventually(async () => (await getEndpoints())?.metadata.name).toBe('web');
    await cluster.client.services.delete('default', 'web');
    await eventually(() => getEndpoints()).toBeUndefined();
    expect((await getEndpoints('manual'))?.subsets?.[0]?.addresses?.[0]?.ip).toBe('127.0.9.9');
  });

  it('shows in `kubectl get endpoints`', async () => {
    const kubectl = kubectlFor(cluster.api.url);
    try {
      await cluster.client.services.create('default', makeService('web'));
      const a = await addPod('a', { app: 'web' });
      await cluster.setPodStatus(a, true, '10.1.0.1');
      await eventually(async () =>
        (await kubectl.ok(['get', 'endpoints', 'web', '--no-headers'])).split(/\s+/).slice(0, 2),
      ).toEqual(['web', '10.1.0.1:8080']);
    } finally {
      kubectl.cleanup();
    }
  });
});
