import { describe, expect, it } from 'vitest';
import type { Lease, Node, Pod } from '../../api/types.js';
import { createRegistry } from '../../metrics/registry.js';
import { rfc3339, rfc3339Micro } from '../../util/clock.js';
import { drain } from '../testing/drain.js';
import { createFakeCluster, type FakeCluster } from '../testing/fake-cluster.js';
import { makeNode, makePod } from '../testing/objects.js';
import { createRecordingRecorder } from '../testing/recorder.js';
import { createNodeLifecycleController } from './controller.js';

function setup() {
  const cluster = createFakeCluster();
  const recorder = createRecordingRecorder();
  const registry = createRegistry({ component: 'test' });
  const nlc = createNodeLifecycleController({
    client: cluster.client,
    informers: cluster.informers,
    clock: cluster.clock,
    recorder,
    registry,
    nodeMonitorGracePeriodMs: 40_000,
    podEvictionTimeoutMs: 60_000,
  });
  /** Posts a heartbeat for the node, as its kubelet would. */
  const beat = (name: string, ready: 'True' | 'False' = 'True') => {
    const node = cluster.get<Node>('nodes', undefined, name)!;
    const now = rfc3339(cluster.clock.now());
    const conditions = [{ type: 'Ready', status: ready, lastHeartbeatTime: now, lastTransitionTime: now }];
    cluster.put('nodes', { ...node, status: { ...node.status, conditions } });
  };
  /** Moves time in steps, heartbeating the live nodes and running the controller after each step. */
  const pass = async (ms: number, alive: string[] = [], stepMs = 5000) => {
    for (let t = 0; t < ms; t += stepMs) {
      cluster.clock.advance(Math.min(stepMs, ms - t));
      for (const n of alive) beat(n);
      await drain(nlc);
    }
  };
  /** Renews the node's Lease in kube-node-lease, as its kubelet does every heartbeat period. */
  const renew = (name: string) => {
    const old = cluster.get<Lease>('leases', 'kube-node-lease', name);
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...old?.metadata, name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: rfc3339Micro(cluster.clock.now()) },
    };
    cluster.put('leases', lease);
  };
  /** Like pass(), with Lease renewals (every 10 s) instead of status heartbeats. */
  const passRenewing = async (ms: number, alive: string[], stepMs = 10_000) => {
    for (let t = 0; t < ms; t += stepMs) {
      cluster.clock.advance(Math.min(stepMs, ms - t));
      for (const n of alive) renew(n);
      await drain(nlc);
    }
  };
  return { cluster, recorder, registry, nlc, beat, pass, renew, passRenewing };
}

const node = (cluster: FakeCluster, name: string) => cluster.get<Node>('nodes', undefined, name)!;
const taintsOf = (cluster: FakeCluster, name: string) =>
  (node(cluster, name).spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);
const pod = (cluster: FakeCluster, name: string) => cluster.get<Pod>('pods', 'default', name);

describe('node lifecycle controller', () => {
  it('marks a silent node Unknown and taints it after the grace period, one timer per node', async () => {
    const { cluster, nlc, pass, recorder } = setup();
    const t0 = cluster.clock.now();
    cluster.put('nodes', makeNode('n1', { heartbeatMs: t0 }));
    cluster.put('nodes', makeNode('n2', { heartbeatMs: t0 }));
    cluster.put('pods', makePod('p1', { nodeName: 'n1', ready: true, podIP: '10.0.0.1' }));
    await drain(nlc);
    expect(cluster.clock.pendingTimers()).toBe(2);
    expect(cluster.actions.filter((a) => a.verb !== 'get')).toEqual([]);

    await pass(35_000, ['n2']);
    expect(node(cluster, 'n1').status?.conditions?.[0]?.status).toBe('True');
    await pass(5_000, ['n2']);
    const conditions = node(cluster, 'n1').status!.conditions!;
    expect(conditions.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastHeartbeatTime: rfc3339(t0),
      lastTransitionTime: rfc3339(t0 + 40_000),
    });
    expect(conditions.map((c) => `${c.type}=${c.status}`).sort()).toEqual([
      'DiskPressure=Unknown',
      'MemoryPressure=Unknown',
      'PIDPressure=Unknown',
      'Ready=Unknown',
    ]);
    expect(taintsOf(cluster, 'n1')).toEqual([
      'node.kubernetes.io/unreachable:NoSchedule',
      'node.kubernetes.io/unreachable:NoExecute',
    ]);
    expect(node(cluster, 'n1').spec!.taints![1]!.timeAdded).toBe(rfc3339(t0 + 40_000));
    expect(taintsOf(cluster, 'n2')).toEqual([]);
    expect(recorder.messages('NodeNotReady')).toEqual([
      'Node n1 status is now: NodeNotReady',
      'Node is not ready',
    ]);
    // The pod stops receiving traffic at once.
    expect(pod(cluster, 'p1')!.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    // Still one timer per node: n1's next deadline (the eviction) and n2's grace.
    expect(cluster.clock.pendingTimers()).toBe(2);
  });

  it('evicts pods after the eviction timeout (tolerations respected) and force-deletes them after their grace', async () => {
    const { cluster, nlc, pass, recorder, registry } = setup();
    const t0 = cluster.clock.now();
    cluster.put('nodes', makeNode('n1', { heartbeatMs: t0 }));
    cluster.put('nodes', makeNode('n2', { heartbeatMs: t0 }));
    cluster.put('pods', makePod('plain', { nodeName: 'n1', ready: true }));
    cluster.put(
      'pods',
      makePod('short', {
        nodeName: 'n1',
        tolerations: [
          {
            key: 'node.kubernetes.io/unreachable',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 10,
          },
        ],
      }),
    );
    cluster.put('pods', makePod('forever', { nodeName: 'n1', tolerations: [{ operator: 'Exists' }] }));
    cluster.put('pods', makePod('elsewhere', { nodeName: 'n2' }));
    await drain(nlc);

    await pass(40_000, ['n2']); // n1 unreachable at t0+40s
    await pass(10_000, ['n2']);
    expect(pod(cluster, 'short')!.metadata.deletionTimestamp).toBeTruthy();
    expect(pod(cluster, 'plain')!.metadata.deletionTimestamp).toBeUndefined();
    await pass(50_000, ['n2']); // t0+100s: the 60 s timeout has passed
    expect(pod(cluster, 'plain')!.metadata.deletionTimestamp).toBeTruthy();
    expect(recorder.messages('TaintManagerEviction').sort()).toEqual([
      'Marking for deletion Pod default/plain',
      'Marking for deletion Pod default/short',
    ]);
    // The kubelet is gone: nobody finishes the graceful deletion, so the controller does (30 s later).
    await pass(30_000, ['n2']);
    expect(pod(cluster, 'short')).toBeUndefined();
    expect(pod(cluster, 'plain')).toBeUndefined();
    expect(pod(cluster, 'forever')!.metadata.deletionTimestamp).toBeUndefined();
    expect(pod(cluster, 'elsewhere')!.metadata.deletionTimestamp).toBeUndefined();
    const deletes = cluster.actionsOf('delete', 'pods');
    expect(
      deletes.filter((d) => (d.body as { gracePeriodSeconds?: number }).gracePeriodSeconds === 0),
    ).toHaveLength(2);
    const text = await registry.metrics();
    expect(text).toMatch(/node_collector_evictions_total\{zone=""[^}]*\} 2/);
    expect(text).toMatch(/pod_gc_collector_force_delete_pods_total\{reason="lost-node"[^}]*\} 2/);
  });

  it('removes the taints when heartbeats resume, before any eviction', async () => {
    const { cluster, nlc, pass, beat, recorder } = setup();
    const t0 = cluster.clock.now();
    cluster.put('nodes', makeNode('n1', { heartbeatMs: t0 }));
    cluster.put('nodes', makeNode('n2', { heartbeatMs: t0 }));
    cluster.put('pods', makePod('p', { nodeName: 'n1' }));
    await drain(nlc);
    await pass(45_000, ['n2']);
    expect(taintsOf(cluster, 'n1')).toHaveLength(2);
    beat('n1');
    await drain(nlc);
    expect(taintsOf(cluster, 'n1')).toEqual([]);
    expect(recorder.messages('NodeReady')).toEqual(['Node n1 status is now: NodeReady']);
    await pass(120_000, ['n1', 'n2']);
    expect(pod(cluster, 'p')!.metadata.deletionTimestamp).toBeUndefined();
  });

  it('taints a node that reports NotReady with not-ready and evicts after the timeout', async () => {
    const { cluster, nlc, pass, beat } = setup();
    const t0 = cluster.clock.now();
    cluster.put('nodes', makeNode('n1', { heartbeatMs: t0 }));
    cluster.put('nodes', makeNode('n2', { heartbeatMs: t0 }));
    cluster.put('pods', makePod('p', { nodeName: 'n1' }));
    await drain(nlc);
    cluster.clock.advance(1000);
    beat('n1', 'False');
    await drain(nlc);
    expect(taintsOf(cluster, 'n1')).toEqual([
      'node.kubernetes.io/not-ready:NoSchedule',
      'node.kubernetes.io/not-ready:NoExecute',
    ]);
    expect(node(cluster, 'n1').status?.conditions?.[0]?.status).toBe('False'); // the kubelet's word stands
    // It keeps heartbeating while not ready: eviction follows the taint, not the heartbeat.
    for (let i = 0; i < 12; i++) {
      cluster.clock.advance(5000);
      beat('n1', 'False');
      beat('n2');
      await drain(nlc);
    }
    expect(pod(cluster, 'p')!.metadata.deletionTimestamp).toBeTruthy();
    await pass(5000, ['n2']);
    beat('n1', 'True');
    await drain(nlc);
    expect(taintsOf(cluster, 'n1')).toEqual([]);
  });

  it('holds evictions while no node is healthy and resumes them when one is', async () => {
    const { cluster, nlc, pass } = setup();
    cluster.put('nodes', makeNode('only', { heartbeatMs: cluster.clock.now() }));
    cluster.put('pods', makePod('p', { nodeName: 'only' }));
    await drain(nlc);
    await pass(300_000);
    expect(taintsOf(cluster, 'only')).toHaveLength(2);
    expect(pod(cluster, 'p')!.metadata.deletionTimestamp).toBeUndefined();
    cluster.put('nodes', makeNode('fresh', { heartbeatMs: cluster.clock.now() }));
    await drain(nlc);
    expect(pod(cluster, 'p')!.metadata.deletionTimestamp).toBeTruthy();
  });

  it('force-deletes pods bound to a node that does not exist, after the quarantine', async () => {
    const { cluster, nlc, pass, registry } = setup();
    cluster.put('nodes', makeNode('n2', { heartbeatMs: cluster.clock.now() }));
    cluster.put('pods', makePod('ghost-pod', { nodeName: 'ghost' }));
    await drain(nlc);
    await pass(35_000, ['n2']);
    expect(pod(cluster, 'ghost-pod')).toBeDefined();
    await pass(5_000, ['n2']);
    expect(pod(cluster, 'ghost-pod')).toBeUndefined();
    expect(cluster.actionsOf('get', 'nodes').map((a) => a.name)).toEqual(['ghost']);
    expect(await registry.metrics()).toMatch(
      /pod_gc_collector_force_delete_pods_total\{reason="orphaned"[^}]*\} 1/,
    );
  });

  it('treats the pods of a deleted node as orphans', async () => {
    const { cluster, nlc, pass } = setup();
    cluster.put('nodes', makeNode('n1', { heartbeatMs: cluster.clock.now() }));
    cluster.put('nodes', makeNode('n2', { heartbeatMs: cluster.clock.now() }));
    cluster.put('pods', makePod('p', { nodeName: 'n1' }));
    await drain(nlc);
    cluster.remove('nodes', undefined, 'n1');
    await drain(nlc);
    await pass(40_000, ['n2']);
    expect(pod(cluster, 'p')).toBeUndefined();
    expect(cluster.clock.pendingTimers()).toBe(1); // n2's grace only
  });

  it('keeps a node whose status is old but whose Lease is renewed Ready, without a sync per renewal', async () => {
    const { cluster, nlc, passRenewing, renew } = setup();
    const t0 = cluster.clock.now();
    cluster.put('nodes', makeNode('n1', { heartbeatMs: t0 }));
    cluster.put('pods', makePod('p', { nodeName: 'n1', ready: true }));
    renew('n1');
    await drain(nlc);
    const syncs = () => cluster.actions.length;
    await passRenewing(10 * 60_000, ['n1']);
    expect(node(cluster, 'n1').status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      lastHeartbeatTime: rfc3339(t0), // the status was never written again
    });
    expect(taintsOf(cluster, 'n1')).toEqual([]);
    expect(pod(cluster, 'p')!.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(syncs()).toBe(0); // no writes at all
    expect(cluster.clock.pendingTimers()).toBe(1); // one grace timer, moved along by its own syncs
  });

  it('marks a node Unknown when its Lease stops, evicts after the timeout, and recovers on renewal', async () => {
    const { cluster, nlc, passRenewing, renew, recorder } = setup();
    const t0 = cluster.clock.now();
    cluster.put('nodes', makeNode('n1', { heartbeatMs: t0 }));
    cluster.put('nodes', makeNode('n2', { heartbeatMs: t0 }));
    cluster.put('pods', makePod('p', { nodeName: 'n1', ready: true }));
    cluster.put('pods', makePod('q', { nodeName: 'n1' }));
    renew('n1');
    renew('n2');
    await drain(nlc);
    await passRenewing(60_000, ['n1', 'n2']); // both alive on Leases alone
    expect(taintsOf(cluster, 'n1')).toEqual([]);

    const stoppedAt = cluster.clock.now(); // n1's last renewal
    await passRenewing(30_000, ['n2']);
    expect(taintsOf(cluster, 'n1')).toEqual([]);
    await passRenewing(10_000, ['n2']); // stoppedAt + 40 s: the grace period is over
    const ready = node(cluster, 'n1').status!.conditions!.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' });
    expect(ready!.lastTransitionTime).toBe(rfc3339(stoppedAt + 40_000));
    expect(taintsOf(cluster, 'n1')).toEqual([
      'node.kubernetes.io/unreachable:NoSchedule',
      'node.kubernetes.io/unreachable:NoExecute',
    ]);
    expect(pod(cluster, 'p')!.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(taintsOf(cluster, 'n2')).toEqual([]);

    await passRenewing(50_000, ['n2']);
    expect(pod(cluster, 'q')!.metadata.deletionTimestamp).toBeUndefined();
    await passRenewing(10_000, ['n2']); // 60 s after the taint
    expect(pod(cluster, 'q')!.metadata.deletionTimestamp).toBeTruthy();
    expect(recorder.messages('TaintManagerEviction')).toContain('Marking for deletion Pod default/q');

    // The kubelet comes back: its renewal is seen at once, and its status (Ready=True) clears the taints.
    renew('n1');
    await drain(nlc);
    expect(taintsOf(cluster, 'n1')).toEqual([
      'node.kubernetes.io/not-ready:NoSchedule',
      'node.kubernetes.io/not-ready:NoExecute',
    ]); // reachable again, but its status still says Unknown
    const n1 = node(cluster, 'n1');
    const now = rfc3339(cluster.clock.now());
    cluster.put('nodes', {
      ...n1,
      status: {
        ...n1.status,
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: now, lastTransitionTime: now }],
      },
    });
    await drain(nlc);
    expect(taintsOf(cluster, 'n1')).toEqual([]);
  });
});
