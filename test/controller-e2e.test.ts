// The master's brains with real node agents: apiserver, scheduler, controller-manager (all four
// controllers) and two kubelets over the fake runtime. An RC behind a service runs and is published;
// one kubelet dies → its node turns Unknown, its pods leave the service's ready addresses, are
// evicted and replaced on the surviving node, and the service ends up served from there.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Endpoints } from '../src/api/types.js';
import { createControllerManager } from '../src/controller/manager.js';
import { makeRc, makeService } from '../src/controller/testing/objects.js';
import { createKubelet, type Kubelet } from '../src/kubelet/index.js';
import { createRuntime } from '../src/kubelet/runtime/index.js';
import { createScheduler } from '../src/scheduler/create-scheduler.js';
import { active, type Cluster, eventually, podsOwnedBy, startCluster } from './controller-fixtures.js';

let cluster: Cluster;
const kubelets = new Map<string, Kubelet>();

async function startKubelet(name: string, podCidr: string): Promise<void> {
  const runtime = await createRuntime({ kind: 'fake', nodeName: name, podCidr });
  const kubelet = createKubelet({
    client: cluster.client,
    nodeName: name,
    runtime,
    port: 0,
    heartbeatPeriodMs: 200,
  });
  void kubelet.run(new AbortController().signal);
  kubelets.set(name, kubelet);
  await kubelet.started();
}

beforeEach(async () => {
  cluster = await startCluster();
  await startKubelet('node-a', '10.77.1.0/24');
  await startKubelet('node-b', '10.77.2.0/24');
  await cluster.run(() => {
    const scheduler = createScheduler({ client: cluster.client });
    // Its own informer factory, as in the real process.
    const manager = createControllerManager({
      client: cluster.client,
      nodeMonitorGracePeriodMs: 2500,
      podEvictionTimeoutMs: 1000,
    });
    return [
      { name: 'controller-manager', run: manager.run, hasSynced: manager.hasSynced },
      { name: 'scheduler', run: scheduler.run, hasSynced: scheduler.hasSynced },
    ];
  });
});
afterEach(async () => {
  await Promise.all([...kubelets.values()].map((k) => k.close()));
  kubelets.clear();
  await cluster.stop();
});

const endpointIPs = async (key: 'addresses' | 'notReadyAddresses') => {
  const ep: Endpoints | undefined = await cluster.client.endpoints
    .get('default', 'web')
    .catch(() => undefined);
  return (ep?.subsets ?? [])
    .flatMap((s) => s[key] ?? [])
    .map((a) => a.nodeName ?? '')
    .sort();
};

describe('controllers with kubelets (fake runtime)', () => {
  it('serve an RC through a service and move it off a node whose kubelet dies', async () => {
    const rc = makeRc('web', {
      replicas: 4,
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    });
    rc.spec.template!.spec!.terminationGracePeriodSeconds = 1;
    const created = await cluster.client.replicationControllers.create('default', rc);
    await cluster.client.services.create(
      'default',
      makeService('web', { ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] }),
    );
    await eventually(() => endpointIPs('addresses')).toEqual(['node-a', 'node-a', 'node-b', 'node-b']);
    await eventually(
      async () => (await cluster.client.replicationControllers.get('default', 'web')).status?.readyReplicas,
    ).toBe(4);

    await kubelets.get('node-a')!.close();
    // Unknown after the grace period: node-a's pods leave the ready addresses at once.
    await eventually(() => endpointIPs('addresses')).toEqual(['node-b', 'node-b']);
    // Evicted, force-deleted, replaced on node-b and running there.
    await eventually(() => endpointIPs('addresses')).toEqual(['node-b', 'node-b', 'node-b', 'node-b']);
    expect(await endpointIPs('notReadyAddresses')).toEqual([]);
    const pods = active(await podsOwnedBy(cluster.client, created.metadata.uid!));
    expect(pods.map((p) => p.spec.nodeName)).toEqual(['node-b', 'node-b', 'node-b', 'node-b']);
    await eventually(async () => (await podsOwnedBy(cluster.client, created.metadata.uid!)).length).toBe(4);
    const node = await cluster.client.nodes.get('node-a');
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.reason).toBe('NodeStatusUnknown');
  });
});
