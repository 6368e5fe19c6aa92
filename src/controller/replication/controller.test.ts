import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.js';
import type { Pod, ReplicationController } from '../../api/types.js';
import { createRegistry } from '../../metrics/registry.js';
import { drain } from '../testing/drain.js';
import { createFakeCluster, type FakeCluster } from '../testing/fake-cluster.js';
import { makePod, makeRc, ownerRefTo } from '../testing/objects.js';
import { createRecordingRecorder } from '../testing/recorder.js';
import { createReplicationManager } from './controller.js';

function setup(cluster: FakeCluster = createFakeCluster()) {
  const recorder = createRecordingRecorder();
  const registry = createRegistry({ component: 'test' });
  const rm = createReplicationManager({
    client: cluster.client,
    informers: cluster.informers,
    clock: cluster.clock,
    recorder,
    registry,
  });
  return { cluster, recorder, rm, registry };
}

const podsOf = (cluster: FakeCluster) => cluster.list<Pod>('pods');
const rcOf = (cluster: FakeCluster, name = 'web') =>
  cluster.get<ReplicationController>('replicationcontrollers', 'default', name)!;

describe('replication controller', () => {
  it('creates pods from the template with generateName and a controller reference', async () => {
    const { cluster, rm, recorder } = setup();
    const rc = cluster.put('replicationcontrollers', makeRc('web', { replicas: 3 }));
    await drain(rm);
    const pods = podsOf(cluster);
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata.generateName).toBe('web-');
      expect(pod.metadata.name).toMatch(/^web-/);
      expect(pod.metadata.labels).toEqual({ app: 'web' });
      expect(pod.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'v1',
          kind: 'ReplicationController',
          name: 'web',
          uid: rc.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    expect(recorder.messages('SuccessfulCreate').sort()).toEqual(
      pods.map((p) => `Created pod: ${p.metadata.name}`).sort(),
    );
    const status = rcOf(cluster).status!;
    expect(status).toMatchObject({
      replicas: 3,
      fullyLabeledReplicas: 3,
      readyReplicas: 0,
      observedGeneration: 1,
    });
  });

  it('creates in slow-start batches of 1, 2, 4 and stops at the first failing batch', async () => {
    const { cluster, rm, recorder } = setup();
    let creates = 0;
    cluster.reactor = (a) => {
      if (a.verb !== 'create' || a.resource !== 'pods') return undefined;
      creates++;
      return creates > 3
        ? new ApiError('Invalid', 'Pod "x" is invalid: spec.containers: Required value')
        : undefined;
    };
    cluster.put('replicationcontrollers', makeRc('web', { replicas: 10 }));
    const error = await rm.sync('default/web').catch((e: unknown) => e);
    // Batches 1 + 2 succeed, the batch of 4 fails on every call, the rest is never attempted.
    expect(creates).toBe(7);
    expect(podsOf(cluster)).toHaveLength(3);
    expect(error).toBeInstanceOf(ApiError);
    expect(recorder.messages('FailedCreate')[0]).toBe(
      'Error creating: Pod "x" is invalid: spec.containers: Required value',
    );
    const failure = rcOf(cluster).status?.conditions?.find((c) => c.type === 'ReplicaFailure');
    expect(failure).toMatchObject({ status: 'True', reason: 'FailedCreate' });
    // The failures were never going to be observed: expectations do not block the retry.
    expect(rm.expectations.satisfied('default/web')).toBe(true);

    cluster.reactor = undefined;
    await drain(rm);
    rm.queue.add('default/web');
    const retry = await drain(rm);
    expect(retry.errors).toEqual([]);
    expect(podsOf(cluster)).toHaveLength(10);
    expect(rcOf(cluster).status?.conditions).toBeUndefined();
  });

  it('does not create twice while the watch lags behind its creates (expectations)', async () => {
    const { cluster, rm } = setup();
    cluster.put('replicationcontrollers', makeRc('web', { replicas: 3 }));
    cluster.autoDeliver = false;
    cluster.deliver();
    await drain(rm);
    expect(cluster.actionsOf('create', 'pods')).toHaveLength(3);
    // The pod informer has seen none of them; a resync (or the status write) must not create more.
    for (let i = 0; i < 3; i++) {
      rm.queue.add('default/web');
      await drain(rm);
    }
    expect(cluster.actionsOf('create', 'pods')).toHaveLength(3);
    expect(rm.expectations.pending('default/web')).toEqual({ creations: 3, deletions: 0 });
    cluster.deliver();
    await drain(rm);
    expect(rm.expectations.satisfied('default/web')).toBe(true);
    expect(cluster.actionsOf('create', 'pods')).toHaveLength(3);
    expect(podsOf(cluster)).toHaveLength(3);
  });

  it('acts again once unobserved expectations expire', async () => {
    const { cluster, rm } = setup();
    cluster.put('replicationcontrollers', makeRc('web', { replicas: 2 }));
    cluster.autoDeliver = false;
    cluster.deliver();
    await drain(rm);
    cluster.clock.advance(5 * 60_000 + 1);
    rm.queue.add('default/web');
    await drain(rm);
    // The informer still has not seen the first two: after the timeout the controller trusts its cache.
    expect(cluster.actionsOf('create', 'pods')).toHaveLength(4);
  });

  it('deletes the surplus in ActivePods order and waits for the deletions to be observed', async () => {
    const { cluster, rm, recorder } = setup();
    const rc = cluster.put('replicationcontrollers', makeRc('web', { replicas: 5 }));
    const t0 = cluster.clock.now();
    const common = { labels: { app: 'web' }, owner: rc, podIP: '10.0.0.1' };
    cluster.put(
      'pods',
      makePod('ready-old', { ...common, nodeName: 'n1', ready: true, creationTimestampMs: t0 - 9000 }),
    );
    cluster.put(
      'pods',
      makePod('ready-new', { ...common, nodeName: 'n2', ready: true, creationTimestampMs: t0 - 1000 }),
    );
    cluster.put('pods', makePod('not-ready', { ...common, nodeName: 'n3', ready: false }));
    cluster.put('pods', makePod('pending', { ...common, nodeName: 'n4', phase: 'Pending' }));
    cluster.put('pods', makePod('unscheduled', { ...common }));
    await drain(rm);
    expect(cluster.actionsOf('create', 'pods')).toHaveLength(0);

    cluster.put('replicationcontrollers', { ...rcOf(cluster), spec: { ...rc.spec, replicas: 2 } });
    cluster.autoDeliver = false;
    cluster.deliver();
    await drain(rm);
    const deletedNames = cluster.actionsOf('delete', 'pods').map((a) => a.name);
    expect(deletedNames.sort()).toEqual(['not-ready', 'pending', 'unscheduled']);
    expect(recorder.messages('SuccessfulDelete').sort()).toEqual([
      'Deleted pod: not-ready',
      'Deleted pod: pending',
      'Deleted pod: unscheduled',
    ]);
    expect(rm.expectations.pending('default/web')).toEqual({ creations: 0, deletions: 3 });
    cluster.deliver();
    expect(rm.expectations.satisfied('default/web')).toBe(true);

    // Scale to 1: of two ready pods, the newer goes.
    cluster.put('replicationcontrollers', { ...rcOf(cluster), spec: { ...rc.spec, replicas: 1 } });
    cluster.deliver();
    await drain(rm);
    cluster.deliver();
    expect(cluster.actionsOf('delete', 'pods').map((a) => a.name)).toContain('ready-new');
    expect(cluster.actionsOf('delete', 'pods').map((a) => a.name)).not.toContain('ready-old');
  });

  it('replaces pods that failed, were deleted, or are terminating', async () => {
    const { cluster, rm } = setup();
    const rc = cluster.put('replicationcontrollers', makeRc('web', { replicas: 3 }));
    await drain(rm);
    const [a, b, c] = podsOf(cluster);
    cluster.put('pods', { ...a!, status: { ...a!.status, phase: 'Failed' } });
    cluster.remove('pods', 'default', b!.metadata.name!);
    cluster.put('pods', { ...c!, metadata: { ...c!.metadata, deletionTimestamp: '2030-01-01T00:00:00Z' } });
    await drain(rm);
    const active = podsOf(cluster).filter(
      (p) =>
        p.status?.phase !== 'Failed' &&
        !p.metadata.deletionTimestamp &&
        p.metadata.ownerReferences?.[0]?.uid === rc.metadata.uid,
    );
    expect(active).toHaveLength(3);
    expect(cluster.actionsOf('create', 'pods')).toHaveLength(6);
  });

  it('adopts matching orphans, releases pods that stopped matching, leaves other owners alone', async () => {
    const { cluster, rm } = setup();
    const rc = cluster.put('replicationcontrollers', makeRc('web', { replicas: 2 }));
    cluster.put('pods', makePod('orphan', { labels: { app: 'web' } }));
    cluster.put('pods', makePod('strayed', { labels: { app: 'other' }, owner: rc }));
    const otherOwner = { ...rc, metadata: { ...rc.metadata, name: 'other', uid: 'uid-other' } };
    cluster.put('pods', makePod('foreign', { labels: { app: 'web' }, owner: otherOwner }));
    await drain(rm);
    const orphan = cluster.get<Pod>('pods', 'default', 'orphan')!;
    expect(orphan.metadata.ownerReferences).toEqual([ownerRefTo(rc)]);
    expect(cluster.get<Pod>('pods', 'default', 'strayed')!.metadata.ownerReferences ?? []).toEqual([]);
    expect(cluster.get<Pod>('pods', 'default', 'foreign')!.metadata.ownerReferences?.[0]?.uid).toBe(
      'uid-other',
    );
    // orphan adopted + one created = 2 replicas
    expect(cluster.actionsOf('create', 'pods')).toHaveLength(1);
    expect(rcOf(cluster).status?.replicas).toBe(2);
    // The adoption re-read the RC from the apiserver first.
    expect(cluster.actionsOf('get', 'replicationcontrollers')).toHaveLength(1);
  });

  it('does not adopt for an RC that the apiserver says was recreated', async () => {
    const { cluster, rm } = setup();
    cluster.put('replicationcontrollers', makeRc('web', { replicas: 1 }));
    cluster.put('pods', makePod('orphan', { labels: { app: 'web' } }));
    cluster.autoDeliver = false;
    // The RC is deleted and recreated; the cache still has the old one.
    cluster.remove('replicationcontrollers', 'default', 'web');
    cluster.put('replicationcontrollers', makeRc('web', { replicas: 1 }));
    const { errors } = await drain(rm);
    expect(String(errors[0]?.error)).toMatch(/is gone: got uid/);
    expect(cluster.get<Pod>('pods', 'default', 'orphan')!.metadata.ownerReferences).toBeUndefined();
  });

  it('reports ready and available replicas, re-checking availability after minReadySeconds', async () => {
    const { cluster, rm } = setup();
    const rc = cluster.put('replicationcontrollers', makeRc('web', { replicas: 2, minReadySeconds: 10 }));
    const now = cluster.clock.now();
    cluster.put(
      'pods',
      makePod('a', { labels: { app: 'web' }, owner: rc, nodeName: 'n', ready: true, readySinceMs: now }),
    );
    cluster.put(
      'pods',
      makePod('b', {
        labels: { app: 'web' },
        owner: rc,
        nodeName: 'n',
        ready: true,
        readySinceMs: now - 60_000,
      }),
    );
    await drain(rm);
    expect(rcOf(cluster).status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 1 });
    cluster.clock.advance(10_000);
    expect(rm.queue.len()).toBe(1);
    await drain(rm);
    expect(rcOf(cluster).status).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
  });

  it('writes status only when it changes and records observedGeneration', async () => {
    const { cluster, rm } = setup();
    cluster.put('replicationcontrollers', makeRc('web', { replicas: 1 }));
    await drain(rm);
    const statusWrites = () => cluster.actionsOf('patch', 'replicationcontrollers').length;
    const before = statusWrites();
    rm.queue.add('default/web');
    await drain(rm);
    expect(statusWrites()).toBe(before);
    const rc = rcOf(cluster);
    await cluster.client.replicationControllers.update('default', {
      ...rc,
      spec: { ...rc.spec, replicas: 2 },
    });
    await drain(rm);
    expect(rcOf(cluster).status).toMatchObject({ replicas: 2, observedGeneration: 2 });
  });

  it('counts sync durations and created pods on its registry', async () => {
    const { cluster, rm, registry } = setup();
    cluster.put('replicationcontrollers', makeRc('web', { replicas: 2 }));
    await drain(rm);
    const text = await registry.metrics();
    expect(text).toMatch(/replication_controller_pods_created_total\S* 2/);
    expect(text).toMatch(/workqueue_adds_total\{name="replicationmanager"/);
  });
});
