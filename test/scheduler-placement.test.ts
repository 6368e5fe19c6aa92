// The scheduler against a live apiserver: where pods go and why they do not.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Cluster,
  eventsFor,
  failedMessage,
  nodeOf,
  startCluster,
  waitBound,
  waitFor,
} from './scheduler-fixtures.js';

let cluster: Cluster;
beforeEach(async () => {
  cluster = await startCluster();
});
afterEach(async () => {
  await cluster.stop();
});

describe('scheduler placement', () => {
  it('respects cpu, memory and pod count, and explains the pod that does not fit', async () => {
    const { client } = cluster;
    await cluster.addNode('node-1', { cpu: '2', memory: '4Gi', pods: 10 });
    await cluster.addNode('node-2', { cpu: '2', memory: '512Mi', pods: 10 });
    await cluster.addNode('node-3', { cpu: '8', memory: '8Gi', pods: 1 });
    await cluster.addPod('filler', { nodeName: 'node-3' });
    await cluster.startScheduler();
    for (const name of ['a', 'b']) await cluster.addPod(name, { cpu: '1', memory: '1Gi' });
    expect(await waitBound(client, 'a')).toBe('node-1');
    expect(await waitBound(client, 'b')).toBe('node-1');
    await cluster.addPod('c', { cpu: '1', memory: '1Gi' });
    expect(await failedMessage(client, 'c')).toBe(
      '0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods.',
    );
    const pod = await client.pods.get('default', 'c');
    expect(pod.spec.nodeName ?? '').toBe('');
    expect(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
    });
  });

  it('honours nodeSelector and reports a mismatch in Kubernetes words', async () => {
    const { client } = cluster;
    await cluster.addNode('ssd', { labels: { disk: 'ssd' } });
    await cluster.addNode('hdd', { labels: { disk: 'hdd' } });
    await cluster.startScheduler();
    await cluster.addPod('fast', { nodeSelector: { disk: 'ssd' } });
    await cluster.addPod('gpu', { nodeSelector: { gpu: 'true' } });
    expect(await waitBound(client, 'fast')).toBe('ssd');
    expect(await failedMessage(client, 'gpu')).toBe(
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.",
    );
  });

  it('never puts two pods with the same host port on one node', async () => {
    const { client } = cluster;
    await cluster.addNode('node-1');
    await cluster.addNode('node-2');
    await cluster.startScheduler();
    for (const name of ['p1', 'p2', 'p3']) await cluster.addPod(name, { hostPorts: [8080] });
    const nodes = [await waitBound(client, 'p1'), await waitBound(client, 'p2')];
    expect(new Set(nodes).size).toBe(2);
    expect(await failedMessage(client, 'p3')).toBe(
      "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports.",
    );
  });

  it('avoids cordoned and not-ready nodes, and uses a node once it is uncordoned', async () => {
    const { client } = cluster;
    await cluster.addNode('cordoned', { unschedulable: true });
    await cluster.addNode('down', { ready: false });
    await cluster.startScheduler();
    await cluster.addPod('p');
    expect(await failedMessage(client, 'p')).toBe(
      '0/2 nodes are available: 1 node(s) were not ready, 1 node(s) were unschedulable.',
    );
    await client.nodes.patch('cordoned', 'merge', { spec: { unschedulable: false } });
    expect(await waitBound(client, 'p')).toBe('cordoned');
  });

  it("spreads a controller's pods across nodes", async () => {
    const { client } = cluster;
    for (const n of ['node-1', 'node-2', 'node-3']) await cluster.addNode(n);
    const rc = await client.replicationControllers.create('default', {
      metadata: { name: 'web' },
      spec: {
        replicas: 0,
        selector: { app: 'web' },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    });
    await cluster.startScheduler();
    for (let i = 0; i < 6; i++) {
      await cluster.addPod(`web-${i}`, { labels: { app: 'web' }, controllerUid: rc.metadata.uid });
    }
    const placed = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => waitBound(client, `web-${i}`)));
    const perNode = new Map<string, number>();
    for (const n of placed) perNode.set(n, (perNode.get(n) ?? 0) + 1);
    expect([...perNode.values()]).toEqual([2, 2, 2]);
  });

  it('schedules a waiting pod as soon as a node that fits is added', async () => {
    const { client } = cluster;
    await cluster.addNode('small', { cpu: '1' });
    await cluster.startScheduler();
    await cluster.addPod('big', { cpu: '3' });
    expect(await failedMessage(client, 'big')).toBe('0/1 nodes are available: 1 Insufficient cpu.');
    await cluster.addNode('large', { cpu: '4' });
    expect(await waitBound(client, 'big')).toBe('large');
  });

  // A bound pod that goes away, by deletion or by finishing, frees its room for a waiting pod.
  const releases: Array<[string, (c: Cluster) => Promise<unknown>]> = [
    ['deleted', (c) => c.client.pods.delete('default', 'old', { gracePeriodSeconds: 0 })],
    [
      'finished',
      (c) =>
        c.client.pods.patch(
          'default',
          'old',
          'merge',
          { status: { phase: 'Succeeded' } },
          { subresource: 'status' },
        ),
    ],
  ];
  it.each(releases)('schedules a waiting pod once a bound pod is %s', async (_how, release) => {
    const { client } = cluster;
    await cluster.addNode('node-1', { cpu: '2' });
    await cluster.addPod('old', { cpu: '2', nodeName: 'node-1' });
    await cluster.startScheduler();
    await cluster.addPod('new', { cpu: '2' });
    await failedMessage(client, 'new');
    await release(cluster);
    expect(await waitBound(client, 'new')).toBe('node-1');
  });

  it('only takes pods addressed to its scheduler name', async () => {
    const { client } = cluster;
    await cluster.addNode('node-1');
    await cluster.startScheduler();
    await cluster.addPod('mine');
    await cluster.addPod('theirs', { schedulerName: 'other-scheduler' });
    await waitBound(client, 'mine');
    // Give the default scheduler every chance to (wrongly) take it.
    await new Promise((r) => setTimeout(r, 300));
    expect(await nodeOf(client, 'theirs')).toBeUndefined();
    expect(await eventsFor(client, 'theirs', 'FailedScheduling')).toEqual([]);
    await cluster.startScheduler({ schedulerName: 'other-scheduler' });
    expect(await waitBound(client, 'theirs')).toBe('node-1');
  });

  it('records Scheduled events like Kubernetes', async () => {
    const { client } = cluster;
    await cluster.addNode('node-1');
    await cluster.startScheduler();
    await cluster.addPod('web-1');
    await waitBound(client, 'web-1');
    const [event] = await waitFor(async () => {
      const evs = await eventsFor(client, 'web-1', 'Scheduled');
      return evs.length ? evs : undefined;
    }, 'Scheduled event');
    expect(event).toMatchObject({
      type: 'Normal',
      message: 'Successfully assigned default/web-1 to node-1',
      source: { component: 'default-scheduler' },
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default' },
    });
  });
});
