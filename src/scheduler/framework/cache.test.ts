import { describe, expect, it } from 'vitest';
import { makeNode, makePod } from '../testing/objects.js';
import { SchedulerCache } from './cache.js';
import { newPodInfo } from './pod-info.js';

describe('SchedulerCache', () => {
  it('counts an assumed pod at once and forgets it when the bind fails', () => {
    const cache = new SchedulerCache();
    cache.setNode(makeNode('n1', { cpu: '2' }));
    const pod = newPodInfo(makePod('p', { cpu: '1500m' }));
    cache.assumePod(pod, 'n1');
    expect(cache.getNode('n1')!.requestedMilliCpu).toBe(1500);
    expect(cache.isAssumed('default/p')).toBe(true);
    cache.forgetPod('default/p');
    expect(cache.getNode('n1')!.requestedMilliCpu).toBe(0);
    expect(cache.podCount).toBe(0);
  });

  it('confirms an assumption when the informer shows the pod bound, without double counting', () => {
    const cache = new SchedulerCache();
    cache.setNode(makeNode('n1'));
    cache.assumePod(newPodInfo(makePod('p', { cpu: '1' })), 'n1');
    expect(cache.setBoundPod(makePod('p', { cpu: '1', nodeName: 'n1' }))).toBeUndefined();
    expect(cache.isAssumed('default/p')).toBe(false);
    expect(cache.getNode('n1')!.requestedMilliCpu).toBe(1000);
    expect(cache.getNode('n1')!.podCount).toBe(1);
    cache.forgetPod('default/p'); // confirmed pods are not forgotten
    expect(cache.getNode('n1')!.podCount).toBe(1);
  });

  it('moves the pod when it was bound elsewhere than assumed, reporting the node it left', () => {
    const cache = new SchedulerCache();
    cache.setNode(makeNode('n1'));
    cache.setNode(makeNode('n2'));
    cache.assumePod(newPodInfo(makePod('p', { cpu: '1' })), 'n1');
    const freed = cache.setBoundPod(makePod('p', { cpu: '1', nodeName: 'n2' }));
    expect(freed?.name).toBe('n1');
    expect(cache.getNode('n1')!.requestedMilliCpu).toBe(0);
    expect(cache.getNode('n2')!.requestedMilliCpu).toBe(1000);
  });

  it('stops counting terminated pods and reports the freed node', () => {
    const cache = new SchedulerCache();
    cache.setNode(makeNode('n1'));
    cache.setBoundPod(makePod('p', { cpu: '1', nodeName: 'n1' }));
    const done = makePod('p', { cpu: '1', nodeName: 'n1' });
    done.status = { phase: 'Succeeded' };
    expect(cache.setBoundPod(done)?.name).toBe('n1');
    expect(cache.getNode('n1')!.podCount).toBe(0);
  });

  it('keeps pods that arrive before their node and lists only real nodes', () => {
    const cache = new SchedulerCache();
    cache.setBoundPod(makePod('early', { cpu: '1', nodeName: 'late' }));
    expect(cache.nodeCount).toBe(0);
    expect(cache.getNode('late')).toBeUndefined();
    const { changes } = cache.setNode(makeNode('late'));
    expect(changes).toEqual(['NodeAdd']);
    expect(cache.getNode('late')!.requestedMilliCpu).toBe(1000);
    cache.removeNode('late');
    expect(cache.nodeCount).toBe(0);
    expect(cache.removePod('default/early')).toBeUndefined();
  });

  it('reports which node changes matter and ignores heartbeats', () => {
    const cache = new SchedulerCache();
    cache.setNode(makeNode('n1', { cpu: '2' }));
    const heartbeat = makeNode('n1', { cpu: '2' });
    heartbeat.status!.conditions![0]!.lastHeartbeatTime = '2024-01-01T00:00:10Z';
    expect(cache.setNode(heartbeat).changes).toEqual([]);
    expect(cache.setNode(makeNode('n1', { cpu: '4' })).changes).toEqual(['NodeAllocatable']);
    expect(cache.setNode(makeNode('n1', { cpu: '4', ready: false })).changes).toEqual(['NodeCondition']);
    expect(
      cache.setNode(makeNode('n1', { cpu: '4', unschedulable: true, labels: { a: 'b' } })).changes,
    ).toEqual(['NodeCondition', 'NodeSpecUnschedulable', 'NodeLabel']);
  });

  it("indexes each controller's pods by node through assume, bind and delete", () => {
    const cache = new SchedulerCache();
    cache.setNode(makeNode('n1'));
    cache.setNode(makeNode('n2'));
    const counts = () =>
      Object.fromEntries([...(cache.controllers.nodesOf('rc') ?? new Map())].map(([n, c]) => [n.name, c]));
    cache.assumePod(newPodInfo(makePod('a', { controllerUid: 'rc' })), 'n1');
    cache.assumePod(newPodInfo(makePod('b', { controllerUid: 'rc' })), 'n1');
    cache.setBoundPod(makePod('c', { controllerUid: 'rc', nodeName: 'n2' }));
    expect(counts()).toEqual({ n1: 2, n2: 1 });
    cache.setBoundPod(makePod('a', { controllerUid: 'rc', nodeName: 'n1' }));
    cache.forgetPod('default/b');
    cache.removePod('default/c');
    expect(counts()).toEqual({ n1: 1 });
    cache.removePod('default/a');
    expect(cache.controllers.nodesOf('rc')).toBeUndefined();
  });

  it('keeps the node list dense when nodes are removed', () => {
    const cache = new SchedulerCache();
    for (const n of ['a', 'b', 'c']) cache.setNode(makeNode(n));
    cache.removeNode('a');
    expect(cache.nodeList().map((n) => n.name)).toEqual(['c', 'b']);
    expect(cache.nodeList().map((n) => n.listIndex)).toEqual([0, 1]);
  });
});
