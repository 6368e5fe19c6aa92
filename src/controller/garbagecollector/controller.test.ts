import { describe, expect, it } from 'vitest';
import type { Lease, Pod, ReplicationController } from '../../api/types.js';
import { createRegistry } from '../../metrics/registry.js';
import { drain } from '../testing/drain.js';
import { createFakeCluster, type FakeCluster } from '../testing/fake-cluster.js';
import { makeNode, makePod, makeRc, makeService, ownerRefTo } from '../testing/objects.js';
import { createGarbageCollector } from './controller.js';

function setup(cluster: FakeCluster = createFakeCluster()) {
  const registry = createRegistry({ component: 'test' });
  const gc = createGarbageCollector({
    client: cluster.client,
    informers: cluster.informers,
    clock: cluster.clock,
    registry,
  });
  return { cluster, gc, registry };
}

function withPods(cluster: FakeCluster, rc: ReplicationController, names: string[]): void {
  for (const name of names) cluster.put('pods', makePod(name, { labels: { app: 'web' }, owner: rc }));
}

const podNames = (cluster: FakeCluster) =>
  cluster
    .list<Pod>('pods')
    .map((p) => p.metadata.name)
    .sort();
const pod = (cluster: FakeCluster, name: string) => cluster.get<Pod>('pods', 'default', name)!;

describe('garbage collector', () => {
  it('deletes the dependents of a deleted owner in the background, one lookup per owner', async () => {
    const { cluster, gc, registry } = setup();
    const rc = cluster.put('replicationcontrollers', makeRc('web'));
    withPods(cluster, rc, ['a', 'b', 'c']);
    cluster.put('pods', makePod('unowned', { labels: { app: 'web' } }));
    await drain(gc);
    expect(cluster.actionsOf('delete')).toEqual([]);
    expect(cluster.actionsOf('get')).toEqual([]); // owners found in the cache

    await cluster.client.replicationControllers.delete('default', 'web', { propagationPolicy: 'Background' });
    await drain(gc);
    expect(podNames(cluster)).toEqual(['unowned']);
    const deletes = cluster.actionsOf('delete', 'pods');
    expect(deletes).toHaveLength(3);
    for (const d of deletes) {
      expect(d.body).toMatchObject({
        propagationPolicy: 'Background',
        preconditions: { uid: expect.any(String) },
      });
    }
    expect(cluster.actionsOf('get', 'replicationcontrollers')).toHaveLength(1);
    expect(await registry.metrics()).toMatch(
      /garbagecollector_attempt_to_delete_total\{resource="pods"[^}]*\} 3/,
    );
  });

  it('orphans: strips the owner reference, then removes the orphan finalizer so the owner goes', async () => {
    const { cluster, gc } = setup();
    const rc = cluster.put('replicationcontrollers', makeRc('web'));
    withPods(cluster, rc, ['a', 'b']);
    await drain(gc);
    await cluster.client.replicationControllers.delete('default', 'web', { propagationPolicy: 'Orphan' });
    expect(cluster.get('replicationcontrollers', 'default', 'web')).toBeDefined(); // held by the finalizer
    await drain(gc);
    expect(cluster.get('replicationcontrollers', 'default', 'web')).toBeUndefined();
    expect(podNames(cluster)).toEqual(['a', 'b']);
    expect(pod(cluster, 'a').metadata.ownerReferences ?? []).toEqual([]);
    expect(pod(cluster, 'b').metadata.ownerReferences ?? []).toEqual([]);
    expect(cluster.actionsOf('delete', 'pods')).toEqual([]);
  });

  it('checks uids: an owner recreated under the same name does not keep the old dependents', async () => {
    const { cluster, gc } = setup();
    const old = cluster.put('replicationcontrollers', makeRc('web'));
    withPods(cluster, old, ['old-1', 'old-2']);
    await drain(gc);
    cluster.remove('replicationcontrollers', 'default', 'web');
    const fresh = cluster.put('replicationcontrollers', makeRc('web'));
    withPods(cluster, fresh, ['new-1']);
    await drain(gc);
    expect(podNames(cluster)).toEqual(['new-1']);
  });

  it('with another owner alive, only removes the reference to the gone one', async () => {
    const { cluster, gc } = setup();
    const rc = cluster.put('replicationcontrollers', makeRc('web'));
    const svc = cluster.put('services', makeService('web'));
    const svcRef = { apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid! };
    cluster.put('pods', makePod('shared', { ownerReferences: [ownerRefTo(rc), svcRef] }));
    await drain(gc);
    cluster.remove('replicationcontrollers', 'default', 'web');
    await drain(gc);
    expect(pod(cluster, 'shared').metadata.ownerReferences).toEqual([svcRef]);
  });

  it('foreground: deletes the dependents first, then lets the owner go', async () => {
    const { cluster, gc } = setup();
    const rc = cluster.put('replicationcontrollers', makeRc('web'));
    withPods(cluster, rc, ['a', 'b']);
    cluster.put('pods', makePod('bound', { nodeName: 'n1', owner: rc }));
    await drain(gc);
    await cluster.client.replicationControllers.delete('default', 'web', { propagationPolicy: 'Foreground' });
    await drain(gc);
    // The bound pod waits for its kubelet (graceful deletion): the owner waits for it.
    expect(podNames(cluster)).toEqual(['bound']);
    expect(cluster.get('replicationcontrollers', 'default', 'web')).toBeDefined();
    cluster.remove('pods', 'default', 'bound');
    await drain(gc);
    expect(cluster.get('replicationcontrollers', 'default', 'web')).toBeUndefined();
  });

  it('collects dependents whose owner vanished before it started, and leaves owners of unknown kinds alone', async () => {
    const cluster = createFakeCluster();
    cluster.put(
      'pods',
      makePod('stale', { ownerReferences: [{ ...ownerRefTo(makeRc('gone')), uid: 'uid-gone' }] }),
    );
    const rsRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'uid-rs', controller: true };
    cluster.put('pods', makePod('foreign', { ownerReferences: [rsRef] }));
    const { gc } = setup(cluster);
    await drain(gc);
    expect(podNames(cluster)).toEqual(['foreign']);
  });

  it('removes the node Lease of a deleted Node', async () => {
    const { cluster, gc } = setup();
    const node = cluster.put('nodes', makeNode('n1'));
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'n1',
        namespace: 'kube-node-lease',
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: node.metadata.uid! }],
      },
      spec: { holderIdentity: 'n1', leaseDurationSeconds: 40 },
    };
    cluster.put('leases', lease);
    await drain(gc);
    expect(cluster.actionsOf('delete')).toEqual([]);
    cluster.remove('nodes', undefined, 'n1');
    await drain(gc);
    expect(cluster.get('leases', 'kube-node-lease', 'n1')).toBeUndefined();
  });
});
