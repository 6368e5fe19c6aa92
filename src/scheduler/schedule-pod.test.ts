import { describe, expect, it } from 'vitest';
import { fitErrorMessage } from './fit-error.js';
import { SchedulerCache } from './framework/cache.js';
import { newPodInfo } from './framework/pod-info.js';
import { createDefaultFramework } from './profile.js';
import { numFeasibleNodesToFind, PodScheduler } from './schedule-pod.js';
import { makeNode, makePod } from './testing/objects.js';

function cluster(n: number, cpu = '4') {
  const cache = new SchedulerCache();
  for (let i = 0; i < n; i++) cache.setNode(makeNode(`node-${i}`, { cpu }));
  return cache;
}

describe('numFeasibleNodesToFind', () => {
  it('scores every node below 100 and adapts the share above, as Kubernetes', () => {
    expect(numFeasibleNodesToFind(50)).toBe(50);
    expect(numFeasibleNodesToFind(99)).toBe(99);
    expect(numFeasibleNodesToFind(100)).toBe(100); // 50 - 0 = 50% → 50, raised to the 100 minimum
    expect(numFeasibleNodesToFind(1000)).toBe(420); // 50 - 8 = 42%
    expect(numFeasibleNodesToFind(5000)).toBe(500); // 50 - 40 = 10%
    expect(numFeasibleNodesToFind(6000)).toBe(300); // 50 - 48 = 2% → floor 5%
    expect(numFeasibleNodesToFind(5000, 100)).toBe(5000);
    expect(numFeasibleNodesToFind(5000, 1)).toBe(100);
    expect(numFeasibleNodesToFind(5000, 30)).toBe(1500);
  });
});

describe('PodScheduler', () => {
  it('stops filtering after enough feasible nodes and starts the next pod where it stopped', () => {
    const cache = cluster(1000);
    const s = new PodScheduler({ cache, framework: createDefaultFramework('default-scheduler') });
    const first = s.schedule(newPodInfo(makePod('a')));
    expect(first.kind === 'scheduled' && [first.evaluatedNodes, first.feasibleNodes]).toEqual([420, 420]);
    const second = s.schedule(newPodInfo(makePod('b')));
    expect(second.kind === 'scheduled' && second.node.listIndex).toBeGreaterThanOrEqual(420);
  });

  it('picks the least allocated node', () => {
    const cache = cluster(3);
    cache.assumePod(newPodInfo(makePod('x', { cpu: '3' })), 'node-0');
    cache.assumePod(newPodInfo(makePod('y', { cpu: '1' })), 'node-2');
    const s = new PodScheduler({ cache, framework: createDefaultFramework('default-scheduler') });
    const r = s.schedule(newPodInfo(makePod('p', { cpu: '500m' })));
    expect(r.kind === 'scheduled' && r.node.name).toBe('node-1');
  });

  it('breaks ties at random among the best nodes', () => {
    const cache = cluster(4);
    const picks = new Set<string>();
    for (const r of [0, 0.3, 0.6, 0.99]) {
      const s = new PodScheduler({
        cache,
        framework: createDefaultFramework('default-scheduler'),
        random: () => r,
      });
      const res = s.schedule(newPodInfo(makePod('p')));
      if (res.kind === 'scheduled') picks.add(res.node.name);
    }
    expect(picks.size).toBeGreaterThan(1);
  });

  it('diagnoses every node when nothing fits', () => {
    const cache = cluster(200, '1');
    cache.setNode(makeNode('cordoned', { unschedulable: true }));
    const s = new PodScheduler({ cache, framework: createDefaultFramework('default-scheduler') });
    const r = s.schedule(newPodInfo(makePod('big', { cpu: '2' })));
    expect(r.kind).toBe('unschedulable');
    if (r.kind !== 'unschedulable') return;
    expect(fitErrorMessage(r.diagnosis)).toBe(
      '0/201 nodes are available: 1 node(s) were unschedulable, 200 Insufficient cpu.',
    );
    expect([...r.diagnosis.unschedulablePlugins].sort()).toEqual(['NodeResourcesFit', 'NodeUnschedulable']);
  });
});
