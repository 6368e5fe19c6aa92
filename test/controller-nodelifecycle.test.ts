// Node loss end to end against a live apiserver, with the real scheduler: two nodes kept alive by
// heartbeats, a replication controller spread over them; one node's heartbeats stop → it turns
// Unknown and tainted, its pods are evicted and force-deleted, and their replacements run on the
// other node; heartbeats resume → the taints go.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Node } from '../src/api/types.js';
import { createNodeLifecycleController } from '../src/controller/nodelifecycle/controller.js';
import { createReplicationManager } from '../src/controller/replication/controller.js';
import { makeRc } from '../src/controller/testing/objects.js';
import { createScheduler } from '../src/scheduler/create-scheduler.js';
import { active, type Cluster, eventually, podsOwnedBy, startCluster } from './controller-fixtures.js';

const graceMs = 2000;
const evictionMs = 1000;

let cluster: Cluster;
beforeEach(async () => {
  cluster = await startCluster();
  await cluster.addNode('n1');
  await cluster.addNode('n2');
  await cluster.run(({ client, informers, registry }) => {
    const scheduler = createScheduler({ client: cluster.client, registry });
    return [
      createReplicationManager({ client, informers, registry }),
      createNodeLifecycleController({
        client,
        informers,
        registry,
        nodeMonitorGracePeriodMs: graceMs,
        podEvictionTimeoutMs: evictionMs,
      }),
      { name: 'scheduler', run: scheduler.run, hasSynced: scheduler.hasSynced },
    ];
  });
});
afterEach(async () => {
  await cluster.stop();
});

const getNode = (name: string): Promise<Node> => cluster.client.nodes.get(name);
const taints = async (name: string) =>
  ((await getNode(name)).spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);

describe('node lifecycle (live apiserver, real scheduler)', () => {
  it('replaces the pods of a node whose heartbeats stop, on the node that is still alive', async () => {
    const rc = makeRc('web', { replicas: 4 });
    rc.spec.template!.spec!.terminationGracePeriodSeconds = 1;
    const created = await cluster.client.replicationControllers.create('default', rc);
    const owned = () => podsOwnedBy(cluster.client, created.metadata.uid!);
    const nodesOf = async () =>
      active(await owned())
        .map((p) => p.spec.nodeName ?? '')
        .sort();
    await eventually(nodesOf).toEqual(['n1', 'n1', 'n2', 'n2']);

    cluster.stopHeartbeat('n1');
    const stoppedAt = Date.now();
    await eventually(
      async () => (await getNode('n1')).status?.conditions?.find((c) => c.type === 'Ready')?.status,
    ).toBe('Unknown');
    expect(await taints('n1')).toEqual([
      'node.kubernetes.io/unreachable:NoSchedule',
      'node.kubernetes.io/unreachable:NoExecute',
    ]);
    expect(await taints('n2')).toEqual([]);

    await eventually(nodesOf).toEqual(['n2', 'n2', 'n2', 'n2']);
    // Not before the grace period and the eviction timeout (heartbeat stamps have whole seconds).
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(graceMs + evictionMs - 1000);
    // The evicted pods could not finish terminating on the lost node: force-deleted after their grace.
    await eventually(async () => (await owned()).filter((p) => p.spec.nodeName === 'n1')).toEqual([]);
    const evicted = await cluster.client.events.list({ namespace: 'default' });
    expect(evicted.items.filter((e) => e.reason === 'TaintManagerEviction')).toHaveLength(2);

    await cluster.heartbeat('n1');
    await eventually(() => taints('n1')).toEqual([]);
  });
});
