// The replication controller against a live apiserver: scaling (also through kubectl), replacement of
// deleted and failed pods, status fields, and no double creation while the pod watch lags.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Event, ReplicationController } from '../src/api/types.js';
import { createReplicationManager } from '../src/controller/replication/controller.js';
import { makeRc } from '../src/controller/testing/objects.js';
import {
  active,
  type Cluster,
  eventually,
  podsOwnedBy,
  startCluster,
  withSlowPodWatch,
} from './controller-fixtures.js';
import { kubectlFor } from './harness/kubectl.js';

let cluster: Cluster;
beforeEach(async () => {
  cluster = await startCluster();
});
afterEach(async () => {
  await cluster.stop();
});

const rcStatus = async (name = 'web') =>
  (await cluster.client.replicationControllers.get('default', name)).status;

async function events(reason: string): Promise<Event[]> {
  const list = await cluster.client.events.list({ namespace: 'default' });
  return list.items.filter((e) => e.reason === reason && e.involvedObject.kind === 'ReplicationController');
}

describe('replication controller (live apiserver)', () => {
  it('scales up and down, replaces deleted and failed pods, and reports status', async () => {
    await cluster.run(({ client, informers, registry }) => [
      createReplicationManager({ client, informers, registry }),
    ]);
    const rc = await cluster.client.replicationControllers.create('default', makeRc('web', { replicas: 3 }));
    const owned = () => podsOwnedBy(cluster.client, rc.metadata.uid!);
    await eventually(async () => active(await owned()).length).toBe(3);
    await eventually(async () => (await rcStatus())?.replicas).toBe(3);

    // Ready pods show up in readyReplicas / availableReplicas.
    for (const pod of await owned()) await cluster.setPodStatus(pod, true);
    await eventually(async () => {
      const s = await rcStatus();
      return [s?.readyReplicas, s?.availableReplicas, s?.fullyLabeledReplicas, s?.observedGeneration];
    }).toEqual([3, 3, 3, 1]);

    await cluster.client.scale('default', 'web', 5);
    await eventually(async () => active(await owned()).length).toBe(5);
    await eventually(async () => (await rcStatus())?.observedGeneration).toBe(2);

    await cluster.client.scale('default', 'web', 2);
    await eventually(async () => (await owned()).length).toBe(2);
    // The two unready new pods went first: the ready ones survive.
    for (const pod of await owned()) expect(pod.status?.conditions?.[0]?.status).toBe('True');

    const [victim, failing] = await owned();
    await cluster.client.pods.delete('default', victim!.metadata.name!);
    await cluster.client.pods.patch(
      'default',
      failing!.metadata.name!,
      'strategic',
      { status: { phase: 'Failed' } },
      { subresource: 'status' },
    );
    await eventually(
      async () =>
        active(await owned())
          .map((p) => p.metadata.name)
          .filter((n) => n !== victim!.metadata.name && n !== failing!.metadata.name).length,
    ).toBe(2);
    await eventually(async () => (await events('SuccessfulCreate')).length).toBeGreaterThanOrEqual(7);
    const created = await events('SuccessfulCreate');
    expect(created[0]!.message).toMatch(/^Created pod: web-[a-z0-9]{5}$/);
    expect(created[0]!.source?.component).toBe('replication-controller');
    await eventually(async () => (await events('SuccessfulDelete')).length).toBe(3);
  });

  it('never creates more pods than replicas while the pod watch lags (expectations)', async () => {
    const slow = withSlowPodWatch(cluster.client, 1500);
    await cluster.run(
      ({ client, informers, registry }) => [createReplicationManager({ client, informers, registry })],
      slow,
    );
    const rc = await cluster.client.replicationControllers.create('default', makeRc('web', { replicas: 4 }));
    await eventually(async () => (await podsOwnedBy(cluster.client, rc.metadata.uid!)).length).toBe(4);
    // Give the controller time to act on everything it hears in the meantime: the status write, the
    // RC's own update events and, finally, the late pod events.
    await eventually(async () => (await rcStatus())?.replicas).toBe(4);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await podsOwnedBy(cluster.client, rc.metadata.uid!)).toHaveLength(4);
    expect(await events('SuccessfulCreate')).toHaveLength(4);
  });

  it('adopts an orphan that matches and releases a pod relabelled away', async () => {
    await cluster.run(({ client, informers, registry }) => [
      createReplicationManager({ client, informers, registry }),
    ]);
    await cluster.client.pods.create('default', {
      metadata: { name: 'stray', labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    const rc = await cluster.client.replicationControllers.create('default', makeRc('web', { replicas: 2 }));
    await eventually(async () =>
      (await podsOwnedBy(cluster.client, rc.metadata.uid!)).map((p) => p.metadata.name).includes('stray'),
    ).toBe(true);
    await eventually(async () => (await podsOwnedBy(cluster.client, rc.metadata.uid!)).length).toBe(2);
    expect((await cluster.client.pods.get('default', 'stray')).metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'ReplicationController',
      name: 'web',
      controller: true,
      blockOwnerDeletion: true,
    });
    await cluster.client.pods.patch('default', 'stray', 'merge', { metadata: { labels: { app: 'gone' } } });
    await eventually(
      async () => (await cluster.client.pods.get('default', 'stray')).metadata.ownerReferences ?? [],
    ).toEqual([]);
    await eventually(async () => active(await podsOwnedBy(cluster.client, rc.metadata.uid!)).length).toBe(2);
  });

  it('follows `kubectl scale rc` and shows DESIRED/CURRENT in `kubectl get rc`', async () => {
    await cluster.run(({ client, informers, registry }) => [
      createReplicationManager({ client, informers, registry }),
    ]);
    const kubectl = kubectlFor(cluster.api.url);
    try {
      const rc = await cluster.client.replicationControllers.create(
        'default',
        makeRc('web', { replicas: 1 }),
      );
      await kubectl.ok(['scale', 'rc', 'web', '--replicas=3']);
      await eventually(async () => active(await podsOwnedBy(cluster.client, rc.metadata.uid!)).length).toBe(
        3,
      );
      await eventually(async () =>
        (await kubectl.ok(['get', 'rc', 'web', '--no-headers'])).split(/\s+/).slice(0, 3),
      ).toEqual(['web', '3', '3']);
      const updated: ReplicationController = await cluster.client.replicationControllers.get(
        'default',
        'web',
      );
      expect(updated.status?.replicas).toBe(3);
    } finally {
      kubectl.cleanup();
    }
  });
});
