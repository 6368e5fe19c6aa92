// Garbage collection against a live apiserver, driven by the real kubectl: deleting an RC removes its
// pods (background and foreground); `--cascade=orphan` keeps them and strips their owner reference.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGarbageCollector } from '../src/controller/garbagecollector/controller.js';
import { createReplicationManager } from '../src/controller/replication/controller.js';
import { makeRc } from '../src/controller/testing/objects.js';
import { type Cluster, eventually, podsOwnedBy, startCluster } from './controller-fixtures.js';
import { type Kubectl, kubectlFor } from './harness/kubectl.js';

let cluster: Cluster;
let kubectl: Kubectl;
beforeEach(async () => {
  cluster = await startCluster();
  kubectl = kubectlFor(cluster.api.url);
  await cluster.run(({ client, informers, registry }) => [
    createReplicationManager({ client, informers, registry }),
    createGarbageCollector({ client, informers, registry }),
  ]);
});
afterEach(async () => {
  kubectl.cleanup();
  await cluster.stop();
});

async function rcWithPods(name: string, replicas: number): Promise<string> {
  const rc = await cluster.client.replicationControllers.create('default', makeRc(name, { replicas }));
  await eventually(async () => (await podsOwnedBy(cluster.client, rc.metadata.uid!)).length).toBe(replicas);
  return rc.metadata.uid!;
}

const podNames = async (prefix: string) =>
  (await cluster.client.pods.list({ namespace: 'default' })).items
    .map((p) => p.metadata.name!)
    .filter((n) => n.startsWith(prefix))
    .sort();

describe('garbage collector (live apiserver, kubectl)', () => {
  it('`kubectl delete rc` (background) removes the pods', async () => {
    await rcWithPods('web', 3);
    await kubectl.ok(['delete', 'rc', 'web']);
    await eventually(() => podNames('web-')).toEqual([]);
  });

  it('`kubectl delete rc --cascade=orphan` leaves the pods, without owner references', async () => {
    const uid = await rcWithPods('web', 2);
    const before = await podNames('web-');
    await kubectl.ok(['delete', 'rc', 'web', '--cascade=orphan']);
    await eventually(() =>
      cluster.client.replicationControllers.get('default', 'web').then(
        () => 'there',
        () => 'gone',
      ),
    ).toBe('gone');
    expect(await podNames('web-')).toEqual(before);
    expect(await podsOwnedBy(cluster.client, uid)).toEqual([]);
    for (const name of before) {
      expect((await cluster.client.pods.get('default', name)).metadata.ownerReferences ?? []).toEqual([]);
    }
    // A new RC with the same selector adopts them instead of creating more.
    const fresh = await cluster.client.replicationControllers.create(
      'default',
      makeRc('web', { replicas: 2 }),
    );
    await eventually(async () =>
      (await podsOwnedBy(cluster.client, fresh.metadata.uid!)).map((p) => p.metadata.name).sort(),
    ).toEqual(before);
  });

  it('`kubectl delete rc --cascade=foreground` removes the pods before the RC', async () => {
    await rcWithPods('web', 2);
    await kubectl.ok(['delete', 'rc', 'web', '--cascade=foreground']);
    expect(await podNames('web-')).toEqual([]);
    await eventually(() =>
      cluster.client.replicationControllers.get('default', 'web').then(
        () => 'there',
        () => 'gone',
      ),
    ).toBe('gone');
  });

  it('an RC recreated under the same name does not keep the old pods', async () => {
    const oldUid = await rcWithPods('web', 2);
    const oldPods = await podNames('web-');
    await cluster.client.replicationControllers.delete('default', 'web', { propagationPolicy: 'Orphan' });
    await eventually(() =>
      cluster.client.replicationControllers.get('default', 'web').then(
        () => 'there',
        () => 'gone',
      ),
    ).toBe('gone');
    // Orphans get a reference to the old uid back by hand: they must be collected, not adopted.
    for (const name of oldPods) {
      await cluster.client.pods.patch('default', name, 'merge', {
        metadata: {
          labels: { app: 'old' },
          ownerReferences: [
            { apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: oldUid, controller: true },
          ],
        },
      });
    }
    await cluster.client.replicationControllers.create('default', makeRc('web', { replicas: 1 }));
    await eventually(async () => (await podNames('web-')).filter((n) => oldPods.includes(n))).toEqual([]);
  });
});
